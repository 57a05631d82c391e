// Getting ready for a trip in the window: with the demo server running, the viewer opens the
// trip planner in Licenses, picks a catalog title that is not downloaded yet, and gets ready;
// the title joins the library, downloads, gets its license, and the saved trip's report follows
// it until it says the title lasts. The trip is still there after a restart, and is forgotten on
// request. Screenshots in light and dark.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { cli, openView, setTheme, SHOTS, startDriver, tempDataDir } from "./harness.mjs";

const REPORT = 'section[aria-label="Trip report"]';

describe("getting ready for a trip in the window", () => {
  let driver;
  let session;
  const dataDir = tempDataDir();

  before(async () => {
    driver = await startDriver();
    session = await driver.launch(dataDir);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
  });

  it("picks a catalog title for the trip; it downloads, is licensed and lasts", async () => {
    await setTheme(session, "light");
    await openView(session, "licenses");
    await session.click(await session.waitFor("the trip button", async () => {
      const b = await session.findAll("section.trip button");
      for (const el of b) if ((await session.text(el)) === "Get ready for a trip") return el;
      return null;
    }));
    // The catalog's titles are offered (the demo server runs); nothing is in the library yet.
    const pick = await session.waitFor("the catalog's titles in the picker", async () => {
      const labels = await session.findAll('ul[aria-label="Titles from the catalog"] label');
      for (const el of labels) if (/Test Pattern/.test(await session.text(el))) return el;
      return null;
    }, 30_000);
    await session.click(pick);
    const form = await session.find('form[aria-label="Get ready for a trip"]');
    assert.match(await session.text(form), /Titles to take \(1 picked\)/);
    await session.screenshot(join(SHOTS, "trip-picker-light.png"));
    await session.click(await session.find('form[aria-label="Get ready for a trip"] button[type="submit"]'));

    // The report follows the download until the title lasts the trip.
    const first = await session.text(await session.waitFor("the trip report", async () => {
      const r = await session.findAll(REPORT);
      return r.length ? r[0] : null;
    }, 30_000));
    assert.match(first, /Test Pattern/);
    const done = await session.waitFor("Test Pattern ready for the trip", async () => {
      const t = await session.text(await session.find(REPORT));
      return /1 of 1 title will play until you are back/.test(t) ? t : null;
    }, 90_000);
    assert.match(done, /Test Pattern\s+lasts the whole trip/);
    // Its license is listed beside it.
    await session.waitFor("the title's license listed as valid", async () => {
      await openView(session, "library");
      await openView(session, "licenses");
      // textContent: WebKit's WebDriver leaves out text cut with an ellipsis.
      const text = await session.execute(
        "return document.querySelector('ul[aria-label^=\"Licenses of\"]')?.textContent ?? ''", []);
      return /Test Pattern[\s\S]*Valid/.test(text);
    }, 30_000);
    await session.screenshot(join(SHOTS, "trip-report-light.png"));

    // The CLI sees the same saved trip.
    const shown = cli(dataDir, "trip", "--json");
    const report = JSON.parse(shown);
    assert.equal(report.titles.length, 1, shown);
    assert.equal(report.titles[0].title_name, "Test Pattern");
    assert.equal(report.titles[0].lasts, true);
  });

  it("keeps the trip across a restart, looks right in dark, and forgets it on request", async () => {
    await session.end();
    session = await driver.launch(dataDir);
    await setTheme(session, "dark");
    await openView(session, "licenses");
    const text = await session.text(await session.waitFor("the saved trip", async () => {
      const r = await session.findAll(REPORT);
      return r.length ? r[0] : null;
    }, 30_000));
    assert.match(text, /Test Pattern/);
    await session.screenshot(join(SHOTS, "trip-report-dark.png"));
    assert.equal((await session.findAll(REPORT)).length, 1, "still shown after the screenshot");
    for (const b of await session.findAll("section.trip button")) {
      if ((await session.text(b)) === "Forget the trip") {
        await session.click(b);
        break;
      }
    }
    await session.waitFor("the trip forgotten", async () => (await session.findAll(REPORT)).length === 0);
    // The title stays in the library, and the planner no longer offers it from the catalog.
    assert.match(cli(dataDir, "downloads"), /Test Pattern/);
    for (const b of await session.findAll("section.trip button")) {
      if ((await session.text(b)) === "Get ready for a trip") {
        await session.click(b);
        break;
      }
    }
    const offered = await session.waitFor("the picker", async () => {
      const lists = await session.findAll('form[aria-label="Get ready for a trip"] fieldset');
      return lists.length ? session.text(lists[0]) : null;
    }, 30_000);
    await session.waitFor("the catalog's other titles", async () =>
      /Colour Bars/.test(await session.text(await session.find('form[aria-label="Get ready for a trip"] fieldset'))), 30_000);
    const picker = await session.text(await session.find('form[aria-label="Get ready for a trip"] fieldset'));
    assert.equal(picker.match(/Test Pattern/g)?.length, 1, `offered once, from the library: ${offered} / ${picker}`);
    await setTheme(session, "light");
  });
});
