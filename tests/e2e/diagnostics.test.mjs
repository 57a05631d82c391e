// End-to-end: the Diagnostics view in the real window. A title downloaded by the CLI from a
// link with a token in its query shows with its files, Verify files checks them, the log lines
// are there, and neither the token nor the data folder's real path reaches the window.
// Screenshots in light and dark.

import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { SHOTS, cli, startDriver, tempDataDir } from "./harness.mjs";
import { download, mp4, startDevserver } from "./library-helpers.mjs";

const SECRET = "e2e-query-secret-4f1c";

async function openDiagnostics(s) {
  await s.chord(["Control", "6"]);
  await s.waitFor("the Diagnostics view", async () => (await s.text(await s.find("main h1"))) === "Diagnostics");
  await s.waitFor("the report", async () => (await s.findAll("main li[data-title]")).length > 0);
}

describe("the Diagnostics view in the window", () => {
  let driver;
  let session;
  let devserver;
  const dataDir = tempDataDir();

  before(async () => {
    const media = mkdtempSync(join(tmpdir(), "layover-media-"));
    writeFileSync(join(media, "night_flight.mp4"), mp4(1_500_000));
    devserver = await startDevserver(media);
    const ok = download(dataDir, `${devserver.base}/media/night_flight.mp4?token=${SECRET}`);
    assert.equal(ok.status, 0, ok.stderr);
    cli(dataDir, "settings", "set", "theme", "light");
    driver = await startDriver();
    session = await driver.launch(dataDir, ["--no-demo"]);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
    devserver?.stop();
  });

  it("shows the install, the title with its files and the log, with nothing secret", async () => {
    await openDiagnostics(session);
    const text = await session.text(await session.find("main"));
    for (const part of ["This install", "Layover", "<data>", "night_flight", "Titles (1)", "Tracks:", "Last log lines", "parallel_downloads"]) {
      assert.ok(text.includes(part), `the view shows "${part}": ${text.slice(0, 400)}`);
    }
    const html = await session.execute("return document.querySelector('main').innerHTML");
    assert.ok(!html.includes(SECRET), "the link's token never reaches the window");
    assert.ok(!html.includes(dataDir), "the data folder's real path never reaches the window");
    assert.match(html, /token=(%5B|\[)redacted/, "the query value is shown as redacted");
    await session.screenshot(join(SHOTS, "diagnostics-light.png"));
  });

  it("verifies a title's files", async () => {
    await session.click(await session.find('main li[data-title] button[aria-label^="Verify files of"]'));
    await session.waitFor("the verify result", async () =>
      (await session.text(await session.find("main li[data-title] [data-verified]"))).includes("intact"));
    await session.click(await session.find("main li[data-title] summary"));
    const files = await session.waitFor("the file list", async () => session.text(await session.find("main li[data-title] table")));
    assert.match(files, /intact/);
  });

  it("Settings > About > Check for updates says in words that a development build never looks", async () => {
    // This build has no update key (plugins.updater.pubkey is empty), so nothing is contacted.
    await session.chord(["Control", "4"]);
    await session.waitFor("Settings", async () => (await session.text(await session.find("main h1"))) === "Settings");
    await session.execute(
      "[...document.querySelectorAll('main button')].find((b) => b.textContent.trim() === 'Check for updates').click()",
    );
    const said = await session.waitFor("the answer", async () => {
      const alerts = await session.findAll("main [role=alert]");
      return alerts.length ? session.text(alerts[alerts.length - 1]) : null;
    });
    assert.match(said, /never looks for updates/);
  });

  it("in the dark theme", async () => {
    await session.chord(["Control", "4"]);
    await session.click(await session.find('input[name="theme"][value="dark"]'));
    await session.waitFor("the dark theme", async () =>
      (await session.execute("return document.documentElement.dataset.theme", [])) === "dark");
    await openDiagnostics(session);
    await session.screenshot(join(SHOTS, "diagnostics-dark.png"));
  });
});
