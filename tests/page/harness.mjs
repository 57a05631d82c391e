// Page tests: the built UI (ui/dist) with the mocked backend (`?backend=mock`) in headless
// Chromium (Debian's, driven by playwright-core), no Tauri window and no engine.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { installSeed } from "./fixtures.mjs";
import { serveUi } from "./server.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(path.join(ROOT, "ui/package.json"));
const { chromium } = require("playwright-core");
const AXE = require.resolve("axe-core/axe.min.js");

export const DIST = path.join(ROOT, "ui/dist");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export async function launch() {
  if (!existsSync(path.join(DIST, "index.html"))) throw new Error("ui/dist is missing: run `npm --prefix ui run build`");
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/bootstrap.sh test does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
  });
}

export { serveUi };

/**
 * Opens the UI on `base` with the mock filled from `seed`, at `hash` (e.g. `#/downloads`), and
 * waits for the view. Returns the page; console errors are collected in `page.errors`.
 */
export async function openApp(browser, base, seed, { hash = "#/library", colorScheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") page.errors.push(m.text());
  });
  await page.addInitScript(installSeed, seed);
  await page.goto(`${base}/?backend=mock${hash}`);
  await page.waitForSelector("main[data-view] h1");
  return page;
}

/** axe-core on the page as it is: the violations rated serious or critical. */
export async function axe(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`),
    }));
  });
  return {
    all: result,
    bad: result.filter((v) => v.impact === "serious" || v.impact === "critical"),
  };
}

/** A readable list of violations for an assertion message. */
export function describeViolations(vs) {
  return vs.map((v) => `${v.impact} ${v.id} (${v.help}):\n    ${v.nodes.slice(0, 5).join("\n    ")}`).join("\n");
}

/** `layover devserver` on a free port over the fixtures; resolves with `{ origin, stop }`. */
export async function startDevserver() {
  const bin = path.join(ROOT, "target/debug/layover");
  const media = path.join(ROOT, "target/fixtures/media");
  if (!existsSync(bin)) throw new Error("target/debug/layover is missing: cargo build -p layover-cli");
  if (!existsSync(path.join(media, "cenc.mpd"))) throw new Error("target/fixtures/media is missing: make fixtures");
  const child = spawn(bin, ["devserver", "--media", media, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devserver did not start: ${out}`)), 15_000);
    const read = (d) => {
      out += d;
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code) => reject(new Error(`devserver exited (${code}): ${out}`)));
  });
  return {
    origin,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}
