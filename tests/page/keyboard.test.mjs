// Keyboard only: Tab reaches every control of every view (the sidebar is one stop whose arrow
// keys move between views), Enter and Space work the controls, Escape closes every dialog and
// the player. Against the mocked backend in headless Chromium.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { demoSeed } from "./fixtures.mjs";
import { DIST, launch, openApp, serveUi } from "./harness.mjs";

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

/**
 * Marks every control that should be a Tab stop inside `scope` (a CSS selector; a modal dialog
 * keeps Tab inside itself) and returns their descriptions, in document order.
 */
function markControls(page, scope) {
  return page.evaluate((scope) => {
    const root = document.querySelector(scope);
    const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
    const all = [...root.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")];
    const stops = all.filter((e) => {
      if (e.disabled || e.tabIndex < 0 || !visible(e) || e.closest("[inert]")) return false;
      // One stop per radio group: the checked one (or the first).
      if (e.type === "radio") {
        const group = all.filter((r) => r.type === "radio" && r.name === e.name);
        const checked = group.find((r) => r.checked);
        return checked ? checked === e : group[0] === e;
      }
      return true;
    });
    const describe = (e) =>
      `${e.tagName.toLowerCase()}${e.type ? `[${e.type}]` : ""} "${(e.getAttribute("aria-label") || e.textContent || e.id || e.name || "").trim().replace(/\s+/g, " ").slice(0, 50)}"`;
    document.querySelectorAll("[data-kb]").forEach((e) => e.removeAttribute("data-kb"));
    stops.forEach((e, i) => (e.dataset.kb = String(i)));
    return stops.map(describe);
  }, scope);
}

/** Presses Tab until focus comes back round; returns the marked controls reached, by index. */
async function tabRound(page, count) {
  const reached = [];
  let first = null;
  for (let i = 0; i < count * 3 + 10; i++) {
    await page.keyboard.press("Tab");
    const kb = await page.evaluate(() => document.activeElement?.getAttribute("data-kb") ?? null);
    if (kb === null) continue;
    if (kb === first) break;
    first ??= kb;
    if (!reached.includes(Number(kb))) reached.push(Number(kb));
  }
  return reached;
}

async function assertAllReachable(page, scope, what) {
  const controls = await markControls(page, scope);
  assert.ok(controls.length > 0, `${what}: no controls found`);
  const reached = await tabRound(page, controls.length);
  const missed = controls.filter((_, i) => !reached.includes(i));
  assert.deepEqual(missed, [], `${what}: Tab never reaches these controls`);
  return controls;
}

const focused = (page) =>
  page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return "body";
    return `${e.tagName.toLowerCase()} ${(e.getAttribute("aria-label") || e.textContent || "").trim().replace(/\s+/g, " ")}`;
  });

describe("keyboard only", () => {
  const open = (hash, seed = demoSeed("light")) => openApp(browser, server.url, seed, { hash });

  for (const view of ["library", "downloads", "licenses", "settings"]) {
    test(`Tab reaches every control in ${view}`, async () => {
      const page = await open(`#/${view}`);
      await page.waitForSelector(view === "settings" ? "h2#about" : view === "licenses" ? 'ul[aria-label^="Licenses"] li' : "li[data-state]");
      const controls = await assertAllReachable(page, "body", view);
      assert.ok(controls[0].includes("Skip to content"), `the first stop is the skip link, not ${controls[0]}`);
      await page.context().close();
    });
  }

  test("the Library: sort, filter and layout by keyboard; select with Space and Shift; the delete dialog keeps focus and Escape closes it", async () => {
    const page = await open("#/library");
    await page.waitForSelector("li[data-state]");
    await page.focus('[data-testid="library-search"]');
    await page.keyboard.type("night");
    await page.waitForFunction(() => document.querySelectorAll('ul[aria-label="Titles"] li').length === 1);
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Backspace");
    await page.keyboard.press("Tab");
    assert.match(await focused(page), /^select /);
    await page.keyboard.press("Tab");
    assert.match(await focused(page), /^select /);
    await page.keyboard.press("Tab");
    assert.match(await focused(page), /^button Grid/);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.waitForSelector('ul[data-mode="list"]');
    // Space ticks one title; Shift+Space on another ticks the range between them.
    const first = page.getByRole("checkbox", { name: "Select Harbour Lights" });
    await first.focus();
    await page.keyboard.press("Space");
    await page.getByRole("checkbox", { name: "Select Night Train" }).focus();
    await page.keyboard.down("Shift");
    await page.keyboard.press("Space");
    await page.keyboard.up("Shift");
    assert.match(await page.textContent('[data-testid="selection-count"]'), /^3 selected/);
    const del = page.getByRole("button", { name: "Delete selected..." });
    await del.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("dialog[open]");
    assert.match(await focused(page), /^button Keep them/);
    await assertAllReachable(page, "dialog[open]", "delete dialog");
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog[open]", { state: "detached" });
    assert.match(await focused(page), /^button Delete selected/);
    await page.click('button[data-mode="grid"]');
    await page.context().close();
  });

  test("a title's page: opened from the Library with Enter, every control reachable, Back returns", async () => {
    const page = await open("#/library");
    await page.waitForSelector("li[data-state]");
    await page.locator('a[data-action="open"][href="#/title/2"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="clocks"]');
    assert.match(await focused(page), /^h1 Harbour Lights/);
    const controls = await assertAllReachable(page, "main", "title page");
    for (const c of ["Back to the Library", "Play Harbour Lights", "Verify files", "Delete"]) {
      assert.ok(controls.some((x) => x.includes(c)), `${c} is a Tab stop: ${controls.join(", ")}`);
    }
    await page.locator('a[data-action="back"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector('ul[aria-label="Titles"]');
    await page.context().close();
  });

  test("the sidebar: one Tab stop, arrows move between views, Enter opens one, Ctrl+number jumps", async () => {
    const page = await open("#/library");
    await page.keyboard.press("Tab"); // skip link
    await page.keyboard.press("Tab");
    assert.match(await focused(page), /^button Library/);
    const views = await page.$$eval("nav button[data-view]", (bs) => bs.map((b) => b.dataset.view));
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.view), views[1]);
    await page.keyboard.press("End");
    const last = views[views.length - 1];
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.view), last);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`main[data-view="${last}"]`);
    // Focus lands on the new view's heading.
    assert.match(await focused(page), /^h1 /);
    await page.keyboard.press("Control+3");
    await page.waitForSelector('main[data-view="licenses"]');
    // The skip link jumps past the sidebar.
    await page.keyboard.press("Shift+Tab");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.focus("a.skip");
    await page.keyboard.press("Enter");
    assert.equal(await page.evaluate(() => window.location.hash), "#content");
    await page.context().close();
  });

  test("the license drawer: opened with Enter, Tab stays inside, Escape closes it and focus returns", async () => {
    const page = await open("#/licenses");
    const details = page.getByRole("button", { name: "Details for Harbour Lights" });
    await details.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("dialog[open] section.key >> nth=1");
    await assertAllReachable(page, "dialog[open]", "license drawer");
    await page.keyboard.press("Escape");
    await page.waitForSelector("dialog[open]", { state: "detached" });
    assert.match(await focused(page), /^button Details for Harbour Lights/);
    await page.context().close();
  });

  test("add by link: typed, chosen and cancelled with the keyboard; Escape closes it", async () => {
    const page = await open("#/library");
    await page.getByRole("button", { name: "Add by link" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("#add-link-url");
    assert.match(await focused(page), /^input/);
    await page.keyboard.type("https://media.example/films/Blue_Hour.mpd");
    await page.keyboard.press("Enter");
    await page.waitForSelector('[role="dialog"] #choose-heading');
    await assertAllReachable(page, '[role="dialog"]', "choice dialog");
    // Space toggles a checkbox.
    const fr = page.locator('input[type="checkbox"][value="fr"]');
    await fr.focus();
    const before = await fr.isChecked();
    await page.keyboard.press("Space");
    assert.equal(await fr.isChecked(), !before);
    await page.keyboard.press("Escape");
    await page.waitForSelector('[role="dialog"]', { state: "detached" });
    assert.match(await focused(page), /^button Add by link/);
    // Escape from the link form too.
    await page.keyboard.press("Enter");
    await page.waitForSelector("#add-link-url");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#add-link-url", { state: "detached" });
    await page.context().close();
  });

  test("the player: every control reachable, Escape closes it", async () => {
    const seed = demoSeed("light");
    const page = await open("#/library", seed);
    const play = page.getByRole("link", { name: "Play Night Train" });
    await play.focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector(".player[data-phase]");
    await page.evaluate(() => window.__layoverMock.playback.expired.add(1));
    // With the license expired, the player offers Renew (the mock manifest would not load anyway).
    await page.keyboard.press("Escape");
    await page.waitForSelector(".player", { state: "detached" });
    await page.evaluate(() => (window.location.hash = "#/play/1"));
    await page.waitForSelector('[data-testid="blocked"] button[data-action="renew"]');
    const controls = await assertAllReachable(page, ".player", "player");
    assert.ok(controls.some((c) => c.includes("Renew")));
    await page.keyboard.press("Escape");
    await page.waitForSelector(".player", { state: "detached" });
    await page.context().close();
  });
});
