// The EME path the Windows build uses for real PlayReady (WebView2), proved with W3C ClearKey in
// headless Chromium: the UI with the mocked backend plays the fixtures' *encrypted* DASH served
// by `layover devserver`, Shaka configured for the title's key system, the CDM's license
// messages carried by the backend's `licenseRequest` (the mock forwards them to the dev server's
// `/clearkey`, as the engine forwards them to a provider). No content key reaches the page
// except through the CDM.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { demoSeed } from "./fixtures.mjs";
import { DIST, axe, describeViolations, launch, openApp, serveUi, startDevserver } from "./harness.mjs";

let browser;
let server;
let dev;

before(async () => {
  dev = await startDevserver();
  browser = await launch();
  server = await serveUi(DIST, { upstream: dev.origin });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await dev?.stop();
});

const CLEARKEY = { key_system: "org.w3.clearkey", persistent: true, session_ids: [] };

function emeSeed(licenseUrl = "/clearkey") {
  const seed = demoSeed("dark");
  seed.eme = [
    { titleId: 1, setup: CLEARKEY, licenseUrl },
    { titleId: 2, setup: CLEARKEY, licenseUrl },
  ];
  seed.manifests = [
    [1, "/media/cenc.mpd"], // SegmentBase, Shaka Packager cenc
    [2, "/media/tpl/cenc.mpd"], // SegmentTemplate
  ];
  return seed;
}

/** Waits until the video has played past `secs`; returns what the page knows about it. */
async function playedPast(page, secs) {
  await page.waitForFunction((s) => (document.querySelector("video")?.currentTime ?? 0) > s, secs, { timeout: 30_000 });
  return page.evaluate(() => {
    const v = document.querySelector("video");
    const p = document.querySelector(".player");
    const m = window.__layoverMock.playback;
    return {
      currentTime: v.currentTime,
      hasMediaKeys: v.mediaKeys !== null,
      keySystem: v.mediaKeys ? "set" : null,
      path: p.dataset.path,
      sessionType: p.dataset.sessionType,
      licenseLog: m.licenseLog,
      started: m.started,
    };
  });
}

describe("EME path (ClearKey standing in for PlayReady)", () => {
  for (const [id, what] of [
    [1, "cenc.mpd (SegmentBase)"],
    [2, "tpl/cenc.mpd (SegmentTemplate)"],
  ]) {
    test(`plays the encrypted ${what} past 2 s, licenses through the backend`, async () => {
      const page = await openApp(browser, server.url, emeSeed(), { hash: `#/play/${id}`, colorScheme: "dark" });
      const r = await playedPast(page, 2);
      assert.equal(r.path, "eme");
      assert.ok(r.hasMediaKeys, "the video element has MediaKeys: the CDM decrypts");
      // Chromium's ClearKey offers no persistent-license sessions, so the player asked and fell back.
      assert.equal(r.sessionType, "temporary");
      assert.ok(r.licenseLog.length >= 1, "at least one license message went through the backend");
      for (const l of r.licenseLog) {
        assert.equal(l.titleId, id);
        assert.equal(l.status, 200);
        const req = JSON.parse(l.request);
        assert.equal(req.type, "temporary");
        assert.ok(req.kids.length >= 1, "the CDM's ClearKey request names KIDs");
      }
      assert.deepEqual(r.started, [id]);
      const { bad } = await axe(page);
      assert.deepEqual(bad, [], `player while playing:\n${describeViolations(bad)}`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }

  test("a refused license stops the player with the reason in words", async () => {
    const page = await openApp(browser, server.url, emeSeed("/clearkey?fault=500"), { hash: "#/play/1", colorScheme: "dark" });
    await page.waitForSelector('[data-testid="failed"]', { timeout: 30_000 });
    const reason = await page.textContent('[data-testid="reason"]');
    assert.match(reason, /license could not be obtained: the license server answered HTTP 500: internal server error/);
    assert.equal(await page.evaluate(() => document.querySelector("video").currentTime), 0);
    await page.context().close();
  });

  test("a title on the clear path is not given to EME", async () => {
    const seed = emeSeed();
    seed.eme = [];
    seed.manifests = [[1, "/media/clear.mpd"]];
    const page = await openApp(browser, server.url, seed, { hash: "#/play/1", colorScheme: "dark" });
    const r = await playedPast(page, 1);
    assert.equal(r.path, "clear");
    assert.equal(r.hasMediaKeys, false);
    assert.equal(r.licenseLog.length, 0);
    await page.context().close();
  });
});
