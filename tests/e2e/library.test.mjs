// Titles downloaded with the CLI show in the window (one database): every one in the Library with
// its state in words, failed ones also in Downloads with their reason.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { CLI, SHOTS, startDriver, tempDataDir } from "./harness.mjs";
import { FIXTURES, addByLink, chooseAndDownload, download, mp4, startDevserver } from "./library-helpers.mjs";

describe("the library in the window", () => {
  let driver;
  let session;
  let devserver;
  const dataDir = tempDataDir();

  before(async () => {
    const media = mkdtempSync(join(tmpdir(), "layover-media-"));
    writeFileSync(join(media, "night_flight.mp4"), mp4(1_500_000));
    writeFileSync(join(media, "harbour_lights.mp4"), mp4(2_500_000));
    cpSync(join(FIXTURES, "tpl"), join(media, "skyline"), { recursive: true });
    devserver = await startDevserver(media);
    const ok = download(dataDir, `${devserver.base}/media/night_flight.mp4`);
    assert.equal(ok.status, 0, ok.stderr);
    const gone = download(dataDir, `${devserver.base}/media/withdrawn.mp4`);
    assert.equal(gone.status, 1);
    driver = await startDriver();
    session = await driver.launch(dataDir);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
    devserver?.stop();
  });

  it("shows the downloaded title in the Library", async () => {
    const list = await session.waitFor("the downloaded title", async () => {
      const els = await session.findAll('ul[aria-label="Titles"] li[data-title-name="night flight"]');
      return els.length ? session.text(els[0]) : null;
    });
    assert.match(list, /night flight/);
    assert.match(list, /Ready to play/);
    assert.match(list, /1\.5 MB/);
    const failed = await session.text(await session.find('ul[aria-label="Titles"] li[data-title-name="withdrawn"]'));
    assert.match(failed, /Download failed/);
    await session.screenshot(join(SHOTS, "library-with-title.png"));
  });

  it("shows the failed title in Downloads with its reason", async () => {
    await session.click(await session.find('nav button[data-view="downloads"]'));
    const list = await session.waitFor("the downloads list", async () => {
      const els = await session.findAll('ul[aria-label="Downloads"]');
      return els.length ? session.text(els[0]) : null;
    });
    assert.match(list, /withdrawn/);
    assert.match(list, /Failed/);
    assert.match(list, /does not exist on the server \(HTTP 404\)/);
    assert.doesNotMatch(list, /night flight/);
    await session.screenshot(join(SHOTS, "downloads-failed.png"));
  });

  it("adds a title by link in the window and downloads it", async () => {
    await session.click(await session.find('nav button[data-view="library"]'));
    await session.click(await session.find(".add > button"));
    await session.type(await session.find("#add-link-url"), `${devserver.base}/media/harbour_lights.mp4`);
    await session.screenshot(join(SHOTS, "library-add-by-link.png"));
    await session.click(await session.find('form[aria-label="Add a title by link"] button[type="submit"]'));
    await chooseAndDownload(session);
    await session.waitFor("the Downloads view", async () =>
      (await session.execute("return document.querySelector('main').dataset.view", [])) === "downloads");
    await session.click(await session.find('nav button[data-view="library"]'));
    const list = await session.waitFor(
      "the new title in the Library",
      async () => {
        const els = await session.findAll('ul[aria-label="Titles"] li[data-title-name="harbour lights"][data-state="completed"]');
        return els.length ? session.text(els[0]) : null;
      },
      20_000,
    );
    assert.match(list, /2\.5 MB/);
    const cli = spawnSync(CLI, ["--data-dir", dataDir, "downloads", "--json"], { encoding: "utf8" });
    const titles = JSON.parse(cli.stdout);
    assert.equal(titles.find((t) => t.name === "harbour lights")?.state, "completed", "the CLI sees it too");
  });

  it("adds a DASH title by link in the window and downloads all its segments", async () => {
    await addByLink(session, `${devserver.base}/media/skyline/cenc.mpd`);
    await session.click(await session.find('nav button[data-view="library"]'));
    const list = await session.waitFor(
      "the DASH title in the Library",
      async () => {
        const els = await session.findAll('ul[aria-label="Titles"] li[data-title-name="cenc"][data-state="completed"]');
        return els.length ? session.text(els[0]) : null;
      },
      20_000,
    );
    assert.match(list, /cenc/);
    await session.screenshot(join(SHOTS, "library-dash-title.png"));
    const cli = spawnSync(CLI, ["--data-dir", dataDir, "downloads", "--json"], { encoding: "utf8" });
    const title = JSON.parse(cli.stdout).find((t) => t.name === "cenc");
    assert.equal(title?.kind, "dash");
    assert.equal(title?.state, "completed");
  });
});
