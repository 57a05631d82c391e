// The Diagnostics view (support staff) against the mocked backend: axe-core in light and dark
// with every title's files and a license's policy opened, and everything in it reachable and
// usable by keyboard alone (Verify files with Enter, details opened with Enter).

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

async function openDiagnostics(theme) {
  const page = await openApp(browser, server.url, demoSeed(theme), { hash: "#/diagnostics", colorScheme: theme });
  await page.waitForSelector("main[data-view=diagnostics] li[data-title]");
  return page;
}

for (const theme of ["light", "dark"]) {
  describe(`Diagnostics, ${theme} theme`, () => {
    test("no serious or critical axe violation, with details open", async () => {
      const page = await openDiagnostics(theme);
      assert.equal(await page.getAttribute("html", "data-theme"), theme);
      await page.$$eval("main details", (ds) => ds.forEach((d) => (d.open = true)));
      await page.waitForSelector("main li[data-title] details table");
      const { bad } = await axe(page);
      assert.deepEqual(bad, [], `Diagnostics: serious or critical axe violations:\n${describeViolations(bad)}`);
      assert.deepEqual(page.errors, [], "the page logged errors");
      const text = await page.textContent("main");
      for (const part of ["This install", "Settings", "Titles (", "Licenses (", "Last log lines", "<data>"]) {
        assert.ok(text.includes(part), `the view shows "${part}"`);
      }
      await page.context().close();
    });
  });
}

describe("Diagnostics by keyboard", () => {
  test("Tab reaches every control; Enter verifies a title and opens its files", async () => {
    const page = await openDiagnostics("light");
    const controls = await page.$$eval("main :is(button:not([disabled]), summary, [tabindex='0'])", (es) =>
      es.map((e, i) => {
        e.dataset.kb = String(i);
        return `${e.tagName.toLowerCase()} ${(e.getAttribute("aria-label") || e.textContent || "").trim().slice(0, 40)}`;
      }),
    );
    assert.ok(controls.length >= 6, `controls: ${controls}`);
    await page.focus("main h1");
    const reached = new Set();
    for (let i = 0; i < controls.length + 5; i++) {
      await page.keyboard.press("Tab");
      const kb = await page.evaluate(() => document.activeElement?.getAttribute("data-kb"));
      if (kb != null) reached.add(Number(kb));
    }
    const missed = controls.filter((_, i) => !reached.has(i));
    assert.deepEqual(missed, [], "Tab never reaches these");

    // Verify files with Enter: the result is said beside the title and announced.
    const first = page.locator("main li[data-title]").first();
    await first.getByRole("button", { name: /^Verify files of / }).focus();
    await page.keyboard.press("Enter");
    await first.locator("[data-verified]").waitFor();
    assert.match(await page.textContent("main [role=status]"), /intact/);
    // Its files open with Enter on the summary.
    await first.locator("summary").focus();
    await page.keyboard.press("Enter");
    assert.equal(await first.locator("details").getAttribute("open"), "");
    await first.locator("details table").waitFor({ state: "visible" });
    await page.context().close();
  });
});
