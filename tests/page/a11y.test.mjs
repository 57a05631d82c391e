// axe-core on every view of the UI, light and dark, against the mocked backend: no violation
// rated serious or critical. Also checked: the page logged no error.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { demoSeed } from "./fixtures.mjs";
import { DIST, axe, describeViolations, launch, openApp, serveUi } from "./harness.mjs";

let browser;
let server;

before(async () => {
  browser = await launch();
  server = await serveUi(DIST);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function check(page, what) {
  const { bad } = await axe(page);
  assert.deepEqual(bad, [], `${what}: serious or critical axe violations:\n${describeViolations(bad)}`);
  assert.deepEqual(page.errors, [], `${what}: the page logged errors`);
}

for (const theme of ["light", "dark"]) {
  describe(`every view, ${theme} theme`, () => {
    const open = (hash, extra = (s) => s) => openApp(browser, server.url, extra(demoSeed(theme)), { hash, colorScheme: theme });

    test("Library with titles", async () => {
      const page = await open("#/library");
      await page.waitForSelector('li[data-state="completed"]');
      assert.equal(await page.getAttribute("html", "data-theme"), theme);
      await check(page, "Library");
      await page.context().close();
    });

    test("Library as a list, with two titles selected and the delete dialog open", async () => {
      const page = await open("#/library");
      await page.waitForSelector('li[data-state="completed"]');
      await page.click('button[data-mode="list"]');
      await page.waitForSelector('ul[data-mode="list"] li');
      await page.getByRole("checkbox", { name: "Select Night Train" }).check();
      await page.getByRole("checkbox", { name: "Select Harbour Lights" }).check();
      await check(page, "Library list, two selected");
      await page.getByRole("button", { name: "Delete selected..." }).click();
      await page.waitForSelector("dialog[open]");
      assert.match(await page.textContent("dialog[open]"), /Delete 2 titles\?[\s\S]*1\.25 GB/);
      await check(page, "Library, delete dialog");
      await page.keyboard.press("Escape");
      await page.click('button[data-mode="grid"]');
      await page.context().close();
    });

    test("a title's page with both clocks", async () => {
      const page = await open("#/title/2");
      await page.waitForSelector('[data-testid="clocks"]');
      await page.waitForSelector(".poster img");
      await check(page, "title page");
      await page.context().close();
    });

    test("Library, empty", async () => {
      const page = await open("#/library", (s) => ({ ...s, titles: [] }));
      await page.waitForSelector("text=No titles yet");
      await check(page, "empty Library");
      await page.context().close();
    });

    test("Downloads with a running, a paused, a failed and a queued title", async () => {
      const page = await open("#/downloads");
      for (const state of ["downloading", "paused", "failed", "queued"]) await page.waitForSelector(`li[data-state="${state}"]`);
      await check(page, "Downloads");
      // The delete confirmation too.
      await page.locator('li[data-state="paused"] button', { hasText: "Delete" }).click();
      await page.waitForSelector("text=Delete and free");
      await check(page, "Downloads, confirming a delete");
      await page.context().close();
    });

    test("Licenses with cards, and the details drawer open", async () => {
      const page = await open("#/licenses");
      await page.waitForSelector('ul[aria-label^="Licenses"] li');
      await check(page, "Licenses");
      await page.getByRole("button", { name: "Details for Harbour Lights" }).click();
      await page.waitForSelector("dialog[open]");
      await page.waitForSelector("dialog[open] section.key >> nth=1");
      await check(page, "Licenses, drawer open");
      await page.context().close();
    });

    test("Settings", async () => {
      const page = await open("#/settings");
      await page.waitForSelector("h2#about");
      await check(page, "Settings");
      await page.context().close();
    });

    test("add by link: the link form and the choice dialog", async () => {
      const page = await open("#/library");
      await page.getByRole("button", { name: "Add by link" }).click();
      await page.fill("#add-link-url", "https://media.example/films/Blue_Hour.mpd");
      await check(page, "add by link form");
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForSelector('[role="dialog"] #choose-heading');
      await check(page, "add by link: choices");
      await page.context().close();
    });

    test("any other view the sidebar offers", async (t) => {
      const page = await open("#/library");
      const covered = ["library", "downloads", "licenses", "settings"];
      const others = (await page.$$eval("nav button[data-view]", (bs) => bs.map((b) => b.dataset.view))).filter((v) => !covered.includes(v));
      for (const view of others) {
        await page.click(`nav button[data-view="${view}"]`);
        await page.waitForSelector(`main[data-view="${view}"] h1`);
        await page.waitForTimeout(300);
        // The mock may not offer what a newer view asks for: only its markup is judged here.
        page.errors = [];
        const { bad } = await axe(page);
        assert.deepEqual(bad, [], `${view}: serious or critical axe violations:\n${describeViolations(bad)}`);
      }
      t.diagnostic(`also checked: ${others.join(", ") || "none"}`);
      await page.context().close();
    });

    test("the player: a title whose license expired, and one that fails to load", async () => {
      const page = await open("#/play/1", (s) => s);
      await page.evaluate(() => {
        window.__layoverMock.playback.expired.add(2);
        window.location.hash = "#/play/2";
      });
      await page.waitForSelector('[data-testid="blocked"]');
      await check(page, "player, license expired");
      const failed = await open("#/play/1", (s) => ({ ...s, manifests: [[1, "/media/missing.mpd"]] }));
      await failed.waitForSelector('[data-testid="failed"]', { timeout: 20_000 });
      failed.errors = failed.errors.filter((e) => !/404|Failed to load resource/.test(e));
      await check(failed, "player, failed");
      await page.context().close();
      await failed.context().close();
    });
  });
}
