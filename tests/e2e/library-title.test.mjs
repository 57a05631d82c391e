// The Library and a title's page in the real window: grid and list (remembered), sort, filter,
// two titles selected and deleted with the space they free said first, a title's page with both
// license clocks, Play from it (the devserver stopped: no network), and back on the page the
// playback window's new deadline. Screenshots of the Library (grid and list) and the title page
// in light and dark.

import assert from "node:assert/strict";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, openView, setTheme, SHOTS, startDriver, tempDataDir } from "./harness.mjs";
import { FIXTURES, download, mp4, startDevserver } from "./library-helpers.mjs";

/** The names the Library shows, in order. */
function names(s) {
  return s.execute("return Array.from(document.querySelectorAll('ul[aria-label=\"Titles\"] li')).map((li) => li.dataset.titleName)", []);
}

/** An element's text as the DOM has it (WebKit's WebDriver leaves out text it clips with an ellipsis). */
function textOf(s, css) {
  return s.execute("const e = document.querySelector(arguments[0]); return e ? e.textContent.replace(/\\s+/g, ' ') : null;", [css]);
}

/** Chooses an option of a `<select>` by its value, as a person would (a change event). */
async function choose(s, testid, value) {
  await s.execute(
    `const el = document.querySelector('[data-testid="' + arguments[0] + '"]');
     el.value = arguments[1];
     el.dispatchEvent(new Event('change', { bubbles: true }));`,
    [testid, value],
  );
}

describe("the Library and a title's page", () => {
  let driver;
  let session;
  const dataDir = tempDataDir();
  let film;

  before(async () => {
    const media = mkdtempSync(join(tmpdir(), "layover-media-"));
    cpSync(FIXTURES, media, { recursive: true });
    writeFileSync(join(media, "night_flight.mp4"), mp4(1_500_000));
    writeFileSync(join(media, "harbour_lights.mp4"), mp4(2_500_000));
    const devserver = await startDevserver(media);
    try {
      // Both clocks: a license window of 10 days, and 2 hours once played.
      cli(dataDir, "providers", "add", "--name", "Two clocks", "--kind", "ams", "--url", devserver.base,
        "--query", "cfg=(persist:true,firstexp:7200,relexp:864000)", "--default");
      const a = download(dataDir, `${devserver.base}/media/cenc.mpd`);
      assert.equal(a.status, 0, a.stderr);
      // A license that ends a second after it is issued.
      cli(dataDir, "providers", "add", "--name", "Short", "--kind", "ams", "--url", devserver.base,
        "--query", "cfg=(persist:true,relexp:1)", "--default");
      const b = download(dataDir, `${devserver.base}/media/cbcs.mpd`);
      assert.equal(b.status, 0, b.stderr);
      for (const f of ["night_flight.mp4", "harbour_lights.mp4"]) {
        const c = download(dataDir, `${devserver.base}/media/${f}`);
        assert.equal(c.status, 0, c.stderr);
      }
    } finally {
      // No network from here on.
      devserver.stop();
    }
    film = JSON.parse(cli(dataDir, "downloads", "--json")).find((t) => t.name === "cenc");
    assert.ok(film);
    await new Promise((r) => setTimeout(r, 1500)); // past the short license's end
    driver = await startDriver();
    session = await driver.launch(dataDir, ["--no-demo"]);
    await session.execute("localStorage.clear()", []);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
  });

  it("shows a poster grid and a list, remembers the choice, sorts and filters", async () => {
    await setTheme(session, "light");
    await openView(session, "library");
    await session.waitFor("four titles", async () => (await names(session)).length === 4, 15_000);
    assert.equal(await session.execute("return document.querySelector('ul[aria-label=\"Titles\"]').dataset.mode", []), "grid");
    assert.deepEqual(await names(session), ["cbcs", "cenc", "harbour lights", "night flight"]);
    const text = await textOf(session, 'ul[aria-label="Titles"]');
    assert.match(text, /Expired .*renew needed/);
    assert.match(text, /Ready, (9|10) d( \d+ h)? left/);
    assert.match(text, /Ready to play, no license needed/);
    assert.match(text, /1\.5 MB on disk/);
    // Placeholders, never broken images: these titles came by link, without a poster.
    assert.equal(await session.execute("return document.querySelectorAll('ul[aria-label=\"Titles\"] img').length", []), 0);
    await session.screenshot(join(SHOTS, "library-grid-light.png"));

    await session.click(await session.find('button[data-mode="list"]'));
    await session.waitFor("the list", async () => (await session.findAll('ul[data-mode="list"]')).length === 1);
    await choose(session, "library-sort", "size");
    await session.waitFor("largest first", async () =>
      JSON.stringify(await names(session)) === JSON.stringify(["harbour lights", "night flight", "cenc", "cbcs"]));
    await session.screenshot(join(SHOTS, "library-list-light.png"));
    await choose(session, "library-filter", "expired");
    await session.waitFor("only the expired title", async () => JSON.stringify(await names(session)) === '["cbcs"]');
    await choose(session, "library-filter", "all");
    await session.type(await session.find('[data-testid="library-search"]'), "lights");
    await session.waitFor("the search", async () => JSON.stringify(await names(session)) === '["harbour lights"]');
    await session.execute("const i = document.querySelector('[data-testid=\"library-search\"]'); i.value = ''; i.dispatchEvent(new Event('input', { bubbles: true }));", []);
    await session.waitFor("every title again", async () => (await names(session)).length === 4);

    // The layout is remembered: Downloads and back, still a list.
    await openView(session, "downloads");
    await openView(session, "library");
    await session.waitFor("still a list", async () => (await session.findAll('ul[data-mode="list"]')).length === 1);
  });

  it("deletes two selected titles after saying how much space they free", async () => {
    await session.click(await session.find('input[aria-label="Select night flight"]'));
    await session.click(await session.find('input[aria-label="Select harbour lights"]'));
    const count = await textOf(session, '[data-testid="selection-count"]');
    assert.match(count, /^2 selected, 4\.0 MB/);
    await session.click(await session.find('button[data-action="delete-selected"]'));
    const dialog = await session.waitFor("the confirm dialog", async () => (await session.findAll("dialog[open]"))[0]);
    assert.ok(dialog);
    const words = await textOf(session, "dialog[open]");
    assert.match(words, /Delete 2 titles\?/);
    assert.match(words, /This frees 4\.0 MB on disk/);
    await session.screenshot(join(SHOTS, "library-delete-confirm.png"));
    await session.click(await session.find('dialog[open] button[data-action="confirm-delete"]'));
    const done = await session.waitFor("the outcome", async () => {
      const t = await textOf(session, ".selection .outcome");
      return /Deleted 2 titles/.test(t) ? t : null;
    }, 20_000);
    assert.match(done, /freeing 4\.0 MB/);
    assert.deepEqual((await names(session)).sort(), ["cbcs", "cenc"]);
    const left = JSON.parse(cli(dataDir, "downloads", "--json")).map((t) => t.name).sort();
    assert.deepEqual(left, ["cbcs", "cenc"], "the engine removed them");
  });

  it("opens a title's page with both clocks, plays from it, and shows the new deadline back on it", async () => {
    await session.click(await session.find(`a[data-action="open"][href="#/title/${film.id}"]`));
    const clocks = await session.waitFor("the license clocks", () => textOf(session, '[data-testid="clocks"]'), 15_000);
    assert.match(clocks, /License window\s*until /);
    assert.match(clocks, /Playback window\s*2 h from the first play \(not started yet\)/);
    assert.match(clocks, /the license window decides/);
    const page = await textOf(session, "main");
    assert.match(page, /DASH, protected with PlayReady/);
    assert.match(page, /Video\s*\d+x\d+/);
    assert.match(page, /Files\s*\d+ of \d+ downloaded/);
    await session.screenshot(join(SHOTS, "title-light.png"));

    await session.click(await session.find('main a[data-action="play"]'));
    await session.waitFor("the player", async () => (await session.findAll(".player")).length > 0);
    await session.waitFor("playing", async () => {
      const s = await session.execute(
        "const v = document.querySelector('.player video'); const p = document.querySelector('.player'); return { t: v ? v.currentTime : 0, phase: p && p.dataset.phase };",
        [],
      );
      if (s.phase === "failed" || s.phase === "blocked") throw new Error(`the player stopped: ${s.phase}`);
      return s.t > 0.3;
    }, 30_000);
    await session.click(await session.find(".player button.close"));
    await session.waitFor("back on the title's page", async () => (await session.execute("return location.hash", [])) === `#/title/${film.id}`);
    const after = await session.waitFor("the playback window started", async () => {
      const t = await textOf(session, '[data-testid="clocks"]');
      return /Playback window\s*started .+, ends /.test(t) ? t : null;
    }, 15_000);
    assert.match(after, /the playback window decides/);
    const cliView = JSON.parse(cli(dataDir, "title", "show", String(film.id), "--json"));
    assert.ok(cliView.summary.first_play_ms, "the CLI sees the first play");
    assert.equal(cliView.summary.deadline, "playback_window");
    await session.screenshot(join(SHOTS, "title-after-play-light.png"));
  });

  it("looks right in the dark theme", async () => {
    await setTheme(session, "dark");
    await session.execute("location.hash = '#/title/' + arguments[0]", [film.id]);
    await session.waitFor("the title page", async () => (await session.findAll('[data-testid="clocks"]')).length === 1);
    await session.screenshot(join(SHOTS, "title-dark.png"));
    await openView(session, "library");
    await session.waitFor("the list", async () => (await session.findAll('ul[data-mode="list"] li')).length === 2);
    await session.screenshot(join(SHOTS, "library-list-dark.png"));
    await session.click(await session.find('button[data-mode="grid"]'));
    await session.waitFor("the grid", async () => (await session.findAll('ul[data-mode="grid"] li')).length === 2);
    await session.screenshot(join(SHOTS, "library-grid-dark.png"));
    await setTheme(session, "light");
  });
});
