// Licenses in the window: a protected title downloaded in the app gets its licenses from the
// development license server as the download starts; the Licenses view shows them with their
// expiry, renews one, and the details drawer shows the request history.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { CLI, SHOTS, cli, startDriver, tempDataDir } from "./harness.mjs";
import { FIXTURES, addByLink, startDevserver } from "./library-helpers.mjs";

describe("licenses in the window", () => {
  let driver;
  let session;
  let devserver;
  const dataDir = tempDataDir();

  before(async () => {
    devserver = await startDevserver(FIXTURES);
    // Support staff (or a provider's setup file) add the provider; the app shares the database.
    cli(dataDir, "providers", "add", "--name", "Demo key delivery", "--kind", "ams", "--url", devserver.base, "--default");
    driver = await startDriver();
    session = await driver.launch(dataDir);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
    devserver?.stop();
  });

  async function licensesText() {
    const els = await session.findAll('ul[aria-label^="Licenses of"]');
    return els.length ? session.text(els[0]) : null;
  }

  it("acquires the licenses of a title downloaded in the window", async () => {
    await addByLink(session, `${devserver.base}/media/cenc.mpd`);
    await session.click(await session.find('nav button[data-view="licenses"]'));
    const text = await session.waitFor(
      "both licenses, valid",
      async () => {
        // The view polls; a fresh visit reads at once.
        await session.click(await session.find('nav button[data-view="library"]'));
        await session.click(await session.find('nav button[data-view="licenses"]'));
        const t = await licensesText();
        return t && /Valid/.test(t) && /2 keys/.test(t) ? t : null;
      },
      30_000,
    );
    assert.match(text, /cenc/);
    assert.match(text, /(30 d|29 d 23 h) left · 2 d to watch once started/);
    assert.match(text, /PlayReady\s*· Demo key delivery/);
    assert.match(text, /2 keys/, "video and audio keys on one card");
    await session.screenshot(join(SHOTS, "licenses.png"));
  });

  it("renews a license and shows the request in its history", async () => {
    const renew = await session.find('button[aria-label="Renew now: cenc"]');
    await session.click(renew);
    await session.waitFor("the renewal notice", async () => {
      const els = await session.findAll("p.notice");
      return els.length && /Renewed the license for cenc/.test(await session.text(els[0]));
    });
    await session.click(await session.find('button[aria-label="Details for cenc"]'));
    const drawer = await session.waitFor("the history in the details drawer", async () => {
      const els = await session.findAll("dialog.drawer table.history");
      if (!els.length) return null;
      const t = await session.text(await session.find("dialog.drawer"));
      return /renew/.test(t) ? t : null;
    });
    assert.match(drawer, /PSwbCl9OcUCCk6S1xtfo\+Q==/, "the KID in PlayReady's byte order");
    assert.match(drawer, /KID f1e2d3c4-b5a6-4738-9281-706f5e4d3c2b/, "both keys are listed");
    assert.match(drawer, /Requests \(4\)/, "two acquisitions and two renewals, one per PlayReady header");
    assert.match(drawer, /acquire\s*ok \(HTTP 200\)/);
    assert.match(drawer, /renew\s*ok \(HTTP 200\)/);
    await session.screenshot(join(SHOTS, "licenses-details.png"));
    await session.click(await session.find('button[aria-label="Close details"]'));

    // The CLI reads the same history.
    const show = spawnSync(CLI, ["--data-dir", dataDir, "license", "show", "cenc", "--json"], { encoding: "utf8" });
    assert.equal(show.status, 0, show.stderr);
    assert.equal(JSON.parse(show.stdout).requests, 4);
  });
});
