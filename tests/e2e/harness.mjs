// Starts tauri-driver and the real Layover binary for end-to-end specs.

import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { Session } from "./webdriver.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const APP = process.env.LAYOVER_APP ?? join(ROOT, "target/debug/layover-app");
export const CLI = process.env.LAYOVER_CLI ?? join(ROOT, "target/debug/layover");
export const SHOTS = process.env.E2E_SCREENSHOTS ?? join(ROOT, "target/e2e-screenshots");
process.env.E2E_SCREENSHOTS = SHOTS;
mkdirSync(SHOTS, { recursive: true });

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitForPort(port, child, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok || res.status === 404) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on ${port} within ${timeoutMs} ms`);
}

/**
 * A running tauri-driver; `launch(dataDir, extraArgs)` opens a new app window on a data folder (with
 * more app arguments, e.g. `--view catalog`). `env` is added to
 * the environment the app inherits (through tauri-driver and WebKitWebDriver).
 */
export async function startDriver(env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  // The driver, WebKitWebDriver and every app they start share one new process group, so
  // `stop()` ends them all even if an app outlives its session. Their output goes to a file,
  // not to the test runner's pipes, which an orphaned app would otherwise hold open.
  const log = openSync(join(SHOTS, "..", "e2e-driver.log"), "a");
  const driver = spawn(
    process.env.TAURI_DRIVER ?? "tauri-driver",
    ["--port", String(port), "--native-port", String(nativePort)],
    { stdio: ["ignore", log, log], env: { ...process.env, ...env }, detached: true },
  );
  await waitForPort(port, driver);
  const base = `http://127.0.0.1:${port}`;
  return {
    async launch(dataDir, extraArgs = []) {
      const session = await Session.start(base, {
        "tauri:options": { application: APP, args: ["--data-dir", dataDir, ...extraArgs] },
      });
      // The UI has loaded when the shell rendered its navigation and a view.
      await session.waitFor("the main window to render", async () => (await session.findAll("main h1")).length > 0);
      return session;
    },
    stop() {
      try {
        process.kill(-driver.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    },
  };
}

export function tempDataDir() {
  return mkdtempSync(join(tmpdir(), "layover-e2e-"));
}

export function cli(dataDir, ...args) {
  return execFileSync(CLI, ["--data-dir", dataDir, ...args], { encoding: "utf8" }).trim();
}

/** Opens a view from the sidebar and waits until the window shows it. */
export async function openView(s, view) {
  await s.click(await s.find(`nav button[data-view="${view}"]`));
  await s.waitFor(`the ${view} view`, async () =>
    (await s.execute("return document.querySelector('main').dataset.view", [])) === view);
}

/** Switches the theme in Settings and waits until the page uses it. */
export async function setTheme(s, theme) {
  await openView(s, "settings");
  await s.click(await s.find(`input[name="theme"][value="${theme}"]`));
  await s.waitFor(`the ${theme} theme`, async () =>
    (await s.execute("return document.documentElement.dataset.theme", [])) === theme);
}
