// End-to-end: the real Layover window under Xvfb, driven through tauri-driver + WebKitWebDriver.
// Opens every view, checks its heading and empty state, screenshots each in light and dark, and
// checks that a setting made in the window is in the shared database the CLI reads.

import assert from "node:assert/strict";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { SHOTS, cli, startDriver, tempDataDir } from "./harness.mjs";

const VIEWS = [
  { view: "library", heading: "Library", empty: ["No titles yet", "Add one by link or from the demo catalog"] },
  { view: "downloads", heading: "Downloads", empty: ["Nothing downloading", "carry on where they stopped"] },
  { view: "licenses", heading: "Licenses", empty: ["No licenses yet", "how long it stays playable"] },
  { view: "settings", heading: "Settings", empty: ["Appearance", "About"] },
];

async function openView(s, view) {
  await s.click(await s.find(`nav button[data-view="${view}"]`));
  await s.waitFor(`the ${view} view`, async () => (await s.text(await s.find("main"))) && (await s.execute(
    "return document.querySelector('main').dataset.view", [])) === view);
}

async function heading(s) {
  return s.text(await s.find("main h1"));
}

describe("Layover window", () => {
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

  it("is titled Layover and opens on the library", async () => {
    const title = await session.execute("return document.title", []);
    assert.match(title, /Layover/);
    assert.equal(await heading(session), "Library");
    const nav = await session.text(await session.find("nav"));
    for (const { heading: h } of VIEWS) assert.ok(nav.includes(h), `navigation lists ${h}: ${nav}`);
  });

  it("opens every view with its heading and empty state (light theme)", async () => {
    await openView(session, "settings");
    await session.click(await session.find('input[name="theme"][value="light"]'));
    await session.waitFor("the light theme", async () =>
      (await session.execute("return document.documentElement.dataset.theme", [])) === "light");
    for (const { view, heading: h, empty } of VIEWS) {
      await openView(session, view);
      assert.equal(await heading(session), h);
      const text = await session.text(await session.find("main"));
      for (const part of empty) assert.ok(text.includes(part), `${view} shows "${part}", got: ${text}`);
      const file = join(SHOTS, `${view}-light.png`);
      await session.screenshot(file);
      assert.ok(statSync(file).size > 5_000, `${file} is a real picture`);
    }
  });

  it("shows this build's version and its data folder in Settings", async () => {
    await openView(session, "settings");
    const text = await session.text(await session.find("main"));
    const version = cli(dataDir, "--version");
    assert.ok(text.includes(version.replace(/^layover /, "Layover ")), `${text} has ${version}`);
    assert.ok(text.includes(dataDir), `settings name the data folder ${dataDir}`);
  });

  it("switches views with Ctrl+number and arrow keys", async () => {
    await session.chord(["Control", "2"]);
    await session.waitFor("Downloads via Ctrl+2", async () => (await heading(session)) === "Downloads");
    // Choosing a view moves focus to its heading; Shift+Tab goes back to the sidebar's current item.
    await session.chord(["Shift", "Tab"]);
    assert.equal(await session.execute("return document.activeElement.dataset.view", []), "downloads");
    await session.chord(["ArrowDown"]);
    const focused = await session.execute("return document.activeElement.dataset.view", []);
    assert.equal(focused, "licenses");
    await session.chord(["Enter"]);
    await session.waitFor("Licenses via Enter", async () => (await heading(session)) === "Licenses");
  });

  it("saves the dark theme to the database the CLI shares, and screenshots every view dark", async () => {
    await openView(session, "settings");
    await session.click(await session.find('input[name="theme"][value="dark"]'));
    await session.waitFor("the dark theme", async () =>
      (await session.execute("return document.documentElement.dataset.theme", [])) === "dark");
    assert.equal(cli(dataDir, "settings", "get", "theme"), "dark");
    const bg = await session.execute("return getComputedStyle(document.body).backgroundColor", []);
    assert.equal(bg, "rgb(20, 22, 31)", "dark background applied");
    for (const { view } of VIEWS) {
      await openView(session, view);
      await session.screenshot(join(SHOTS, `${view}-dark.png`));
    }
  });

  it("reopens with the saved theme, and with a theme set from the CLI", async () => {
    await session.end();
    session = await driver.launch(dataDir);
    await session.waitFor("the saved dark theme", async () =>
      (await session.execute("return document.documentElement.dataset.theme", [])) === "dark");
    await session.end();
    cli(dataDir, "settings", "set", "theme", "light");
    session = await driver.launch(dataDir);
    await session.waitFor("the CLI's light theme", async () =>
      (await session.execute("return document.documentElement.dataset.theme", [])) === "light");
    assert.ok(existsSync(join(dataDir, "layover.db")), "the database is in the data folder given");
  });
});
