// End-to-end: one window per data folder, and the window's size kept across restarts.
// A second launch of the same binary on the same --data-dir brings the first window back
// (un-minimised, visible, focused) and exits 0 at once; a launch on another folder is a second,
// independent app. The window resized through WebDriver opens at that size after a restart.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { APP, SHOTS, startDriver, tempDataDir } from "./harness.mjs";

/** Starts the app binary directly (not through WebDriver), as a person would a second time. */
function startApp(dataDir) {
  const child = spawn(APP, ["--data-dir", dataDir, "--no-demo"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((ok) => child.on("exit", (code, signal) => ok({ code, signal, stderr })));
  return { child, exited };
}

function within(ms, promise, what) {
  return Promise.race([
    promise,
    new Promise((_, fail) => setTimeout(() => fail(new Error(`${what} did not happen within ${ms} ms`)), ms)),
  ]);
}

const focusState = "return {visible: document.visibilityState, focused: document.hasFocus()}";

describe("Layover window: one per data folder, size kept", () => {
  let driver;
  let session;
  const others = [];
  const dataDir = tempDataDir();

  before(async () => {
    driver = await startDriver();
    session = await driver.launch(dataDir, ["--no-demo"]);
  });

  after(async () => {
    for (const o of others) o.child.kill("SIGKILL");
    await session?.end().catch(() => {});
    driver?.stop();
  });

  it("a second launch on the same data folder focuses the first window and exits 0", async () => {
    // Another app's window (its own data folder) takes the focus away, and the first is minimised.
    const other = startApp(tempDataDir());
    others.push(other);
    await new Promise((r) => setTimeout(r, 1500));
    await session.minimize().catch(() => {});
    await session.waitFor("the first window to lose focus", async () => {
      const s = await session.execute(focusState);
      return !s.focused || s.visible === "hidden";
    });
    // Nothing else brings it back by itself.
    await new Promise((r) => setTimeout(r, 1000));
    const before = await session.execute(focusState);
    assert.ok(!before.focused || before.visible === "hidden", `still in the background: ${JSON.stringify(before)}`);

    const started = Date.now();
    const second = startApp(dataDir);
    const { code, signal, stderr } = await within(5000, second.exited, "the second launch's exit");
    assert.equal(code, 0, `the second launch exits 0 (signal ${signal}, stderr: ${stderr})`);
    assert.ok(Date.now() - started < 5000);

    await session.waitFor("the first window visible and focused again", async () => {
      const s = await session.execute(focusState);
      return s.focused && s.visible === "visible";
    });
    await session.screenshot(join(SHOTS, "window-focused-again.png"));
    // The first app is still the one answering.
    assert.equal(await session.text(await session.find("main h1")), "Library");
  });

  it("a launch on another data folder is an app of its own and stays running", async () => {
    const other = startApp(tempDataDir());
    others.push(other);
    const early = await Promise.race([other.exited, new Promise((r) => setTimeout(() => r(null), 4000))]);
    assert.equal(early, null, `the app on another folder kept running (it exited: ${JSON.stringify(early)})`);
    assert.equal(other.child.exitCode, null);
  });

  it("opens at the size it was left at", async () => {
    await session.windowRect({ width: 1000, height: 700 });
    const set = await session.waitFor("the new size", async () => {
      const r = await session.windowRect();
      return r.width === 1000 && r.height === 700 ? r : null;
    });
    // Moves and resizes are saved as they happen; give the event a moment to arrive.
    await new Promise((r) => setTimeout(r, 500));
    await session.end();
    session = await driver.launch(dataDir, ["--no-demo"]);
    const again = await session.windowRect();
    assert.equal(again.width, set.width, `width kept: ${JSON.stringify(again)}`);
    assert.equal(again.height, set.height, `height kept: ${JSON.stringify(again)}`);
    const inner = await session.execute("return [window.innerWidth, window.innerHeight]");
    assert.ok(inner[0] <= 1000 && inner[0] > 900, `content width follows: ${inner}`);
  });
});
