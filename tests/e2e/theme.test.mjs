// The "Match system" theme follows the desktop's dark preference (GTK's, on Linux).

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { SHOTS, startDriver, tempDataDir } from "./harness.mjs";

describe("Layover window on a dark desktop", () => {
  let driver;
  let session;

  before(async () => {
    // GTK_THEME's ":dark" variant is how GTK (and so WebKitGTK's prefers-color-scheme) learns
    // the desktop prefers dark.
    driver = await startDriver({ GTK_THEME: "Adwaita:dark" });
    session = await driver.launch(tempDataDir());
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
  });

  it("is dark with the default 'Match system' theme", async () => {
    assert.equal(await session.execute("return document.documentElement.dataset.theme", []), "system");
    assert.equal(await session.execute("return matchMedia('(prefers-color-scheme: dark)').matches", []), true);
    const bg = await session.execute("return getComputedStyle(document.body).backgroundColor", []);
    assert.equal(bg, "rgb(20, 22, 31)");
    await session.screenshot(join(SHOTS, "library-system-dark.png"));
  });

  it("still honours an explicit Light choice", async () => {
    await session.click(await session.find('nav button[data-view="settings"]'));
    await session.click(await session.find('input[name="theme"][value="light"]'));
    await session.waitFor("the light theme", async () =>
      (await session.execute("return getComputedStyle(document.body).backgroundColor", [])) === "rgb(246, 247, 251)");
  });
});
