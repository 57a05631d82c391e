// A download watched in the window: its progress bar, speed and time left move while the
// devserver drips the segments, Pause stops it, Resume finishes it, and it lands in the Library.

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { SHOTS, cli, startDriver, tempDataDir } from "./harness.mjs";
import { FIXTURES, addByLink, faults, startDevserver } from "./library-helpers.mjs";

/**
 * The slow fault sends 16 kB at once, then 16 kB a second. With one file at a time the
 * fixture's 193 kB (8 files, each 2-38 kB) take about 9 s, so the bar moves every second and
 * there is time to pause; after the faults are cleared the rest arrives at once.
 */
const DRIP_BYTES_PER_SEC = 16_384;

describe("a download in the window", () => {
  let driver;
  let session;
  let devserver;
  const dataDir = tempDataDir();

  before(async () => {
    const media = mkdtempSync(join(tmpdir(), "layover-media-"));
    // A generic manifest name: the title is named after its folder ("slow sky").
    cpSync(join(FIXTURES, "tpl"), join(media, "slow_sky"), { recursive: true });
    renameSync(join(media, "slow_sky", "cenc.mpd"), join(media, "slow_sky", "manifest.mpd"));
    devserver = await startDevserver(media);
    // One file at a time (the app and the CLI share the database and its Settings).
    cli(dataDir, "settings", "set", "parallel_segments", "1");
    driver = await startDriver();
    session = await driver.launch(dataDir);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
    devserver?.stop();
  });

  it("shows a slow download's progress moving, pauses, resumes and completes it", async () => {
    await faults(devserver.base, "POST", {
      fault: { kind: "slow", bytes_per_sec: DRIP_BYTES_PER_SEC },
      times: 10_000,
      path_prefix: "/media/slow_sky/",
    });
    await addByLink(session, `${devserver.base}/media/slow_sky/manifest.mpd`, true);
    const row = 'ul[aria-label="Downloads"] li[data-title-name="slow sky"]';
    const percent = () =>
      session.execute(
        `const p = document.querySelector(${JSON.stringify(`${row} progress`)}); return p ? Number(p.value) : null;`,
        [],
      );
    const first = await session.waitFor("the progress bar", async () => {
      const v = await percent();
      return v !== null && v > 0 ? v : null;
    });
    const later = await session.waitFor("the progress bar to move", async () => {
      const v = await percent();
      return v !== null && v > first ? v : null;
    });
    assert.ok(later > first && later < 100, `progress moved from ${first}% to ${later}%`);
    // Speed and time left, for the title and for all downloads together.
    const meta = await session.waitFor("the speed and time left", async () => {
      const text = await session.text(await session.find(row));
      return /\/s, .+ left/.test(text) ? text : null;
    });
    assert.match(meta, /\d kB of \d+(\.\d+)? kB · \d+(\.\d+)? kB\/s, \d+ s left/);
    const overall = await session.text(await session.find('[data-testid="overall-progress"]'));
    assert.match(overall, /1 downloading: .+ of .+ · .+\/s/);
    await session.screenshot(join(SHOTS, "downloads-progress.png"));

    await session.click(await session.find(`${row} button[data-action="pause"]`));
    await session.waitFor("the title paused", async () => (await session.findAll(`${row}[data-state="paused"]`)).length > 0);
    const paused = await percent();
    assert.ok(paused !== null && paused < 100, `paused at ${paused}%`);
    await session.screenshot(join(SHOTS, "downloads-paused.png"));
    const listed = JSON.parse(cli(dataDir, "downloads", "--json")).find((t) => t.name === "slow sky");
    assert.equal(listed?.state, "paused", "the CLI sees it paused");

    await faults(devserver.base, "DELETE");
    await session.click(await session.waitFor("the Resume button", async () => {
      const els = await session.findAll(`${row} button[data-action="resume"]`);
      return els[0] ?? null;
    }));
    await session.click(await session.find('nav button[data-view="library"]'));
    // The Library lists every title; this one is now downloaded. It is encrypted and no license
    // provider is set up here, so it says so in words instead of "Ready to play".
    const list = await session.waitFor("the resumed title in the Library, downloaded", async () => {
      const els = await session.findAll('ul[aria-label="Titles"] li[data-title-name="slow sky"][data-state="completed"]');
      return els.length ? session.text(els[0]) : null;
    }, 20_000);
    assert.match(list, /slow sky/);
    assert.match(list, /No license yet: .*no license provider is set up/);
    await session.screenshot(join(SHOTS, "library-after-resume.png"));
    const done = JSON.parse(cli(dataDir, "downloads", "--json")).find((t) => t.name === "slow sky");
    assert.equal(done?.state, "completed");
  });
});
