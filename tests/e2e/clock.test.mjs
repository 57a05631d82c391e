// A clock set back behind the latest time Layover has seen is shown in the window and the CLI.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { SHOTS, cli, startDriver, tempDataDir } from "./harness.mjs";

const THREE_DAYS_MS = 3 * 86_400_000;

/** What a machine whose clock was three days ahead, then set back, leaves in the database. */
function watermarkThreeDaysAhead(dataDir) {
  cli(dataDir, "info"); // creates and migrates the database
  execFileSync("python3", [
    "-c",
    "import sqlite3, sys, time; db = sqlite3.connect(sys.argv[1]); " +
      "db.execute('UPDATE clock_watermark SET latest_seen_ms = ?', (int(time.time() * 1000) + int(sys.argv[2]),)); " +
      "db.commit()",
    join(dataDir, "layover.db"),
    String(THREE_DAYS_MS),
  ]);
}

describe("a clock set back", () => {
  let driver;
  let session;
  const dataDir = tempDataDir();

  before(async () => {
    watermarkThreeDaysAhead(dataDir);
    driver = await startDriver();
    session = await driver.launch(dataDir);
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
  });

  it("is explained in the window", async () => {
    const notice = await session.waitFor("the clock notice", async () => session.text(await session.find("main .clock")));
    assert.match(notice, /clock is (2 d 23 h|3 d) behind/);
    assert.match(notice, /does not make them last longer/);
    await session.screenshot(join(SHOTS, "library-clock-set-back.png"));
  });

  it("is reported by layover info", () => {
    assert.match(cli(dataDir, "info"), /clock: +set back by (2 d 23 h|3 d): licenses count from/);
  });
});
