// Measures (does not assert) the window on a big generated library (scripts/bench-library fills
// it): time from launch until the Library lists its titles, frame times while scrolling the grid
// and the list (and how many items are in the page), the Licenses view's first cards, and the idle
// memory (RSS) of the app and its web process.

import { execFileSync } from "node:child_process";
import { join } from "node:path";

import { SHOTS, startDriver } from "../tests/e2e/harness.mjs";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: node scripts/bench-library.mjs <DATA_DIR>");

/** RSS in MB of the app on `dataDir` and of its WebKit child processes (web, network), from ps. */
function memory() {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid=,rss=,args="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((r) => r.trim().split(/\s+/));
  const app = rows.find((r) => r[3]?.endsWith("layover-app") && r.includes(dataDir));
  const child = (name) => rows.filter((r) => app && r[1] === app[0] && r[3]?.endsWith(name)).reduce((n, r) => n + Number(r[2]), 0) / 1024;
  return { app: app ? Number(app[2]) / 1024 : 0, web: child("WebKitWebProcess"), network: child("WebKitNetworkProcess") };
}

/** Scrolls the Library's list by half a view per frame for 20 frames; frame times in ms. */
const SCROLL = `return new Promise((done) => {
  const s = document.querySelector('[data-testid="library-scroller"]');
  const frames = [];
  let last = performance.now();
  const step = () => {
    const now = performance.now();
    frames.push(now - last);
    last = now;
    if (frames.length > 20) {
      frames.shift();
      const sorted = [...frames].sort((a, b) => a - b);
      return done({ frames: frames.length, median: sorted[Math.floor(sorted.length / 2)], worst: sorted[sorted.length - 1],
        rendered: document.querySelectorAll('ul[aria-label="Titles"] li').length,
        total: Number(document.querySelector('ul[aria-label="Titles"]').dataset.count) });
    }
    s.scrollTop += s.clientHeight / 2;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
});`;

const driver = await startDriver();
const t0 = Date.now();
const session = await driver.launch(dataDir, ["--no-demo"]);
try {
  await session.execute("localStorage.clear(); location.hash = '#/library';", []);
  await session.waitFor("the Library's titles", async () => (await session.findAll('ul[aria-label="Titles"] li')).length > 0, 60_000);
  const opened = Date.now() - t0;
  const count = await session.execute("return Number(document.querySelector('ul[aria-label=\"Titles\"]').dataset.count)", []);
  console.log(`launch to Library listing ${count} titles: ${opened} ms (tauri-driver session start included)`);
  await new Promise((r) => setTimeout(r, 10_000));
  const before = memory();
  console.log(`memory (RSS) 10 s after opening: app ${before.app.toFixed(0)} MB, web process ${before.web.toFixed(0)} MB`);
  await session.screenshot(join(SHOTS, "library-10k-grid.png"));
  const scroll = () =>
    session.execute(SCROLL, []).catch((e) => ({ failed: String(e.message ?? e).slice(0, 120) }));
  const grid = await scroll();
  const afterGrid = memory();
  console.log(`memory after the grid scroll: app ${afterGrid.app.toFixed(0)} MB, web process ${afterGrid.web.toFixed(0)} MB`);
  if (grid.failed) console.log(`grid scroll: 20 frames did not finish within WebDriver's 30 s (${grid.failed})`);
  else console.log(`grid scroll, half a view per frame: ${grid.frames} frames, median ${grid.median.toFixed(1)} ms, worst ${grid.worst.toFixed(1)} ms, ${grid.rendered} of ${grid.total} items in the page`);
  await session.click(await session.find('button[data-mode="list"]'));
  await session.waitFor("the list", async () => (await session.findAll('ul[data-mode="list"]')).length === 1);
  const list = await scroll();
  if (list.failed) console.log(`list scroll: 20 frames did not finish within WebDriver's 30 s (${list.failed})`);
  else console.log(`list scroll, half a view per frame: ${list.frames} frames, median ${list.median.toFixed(1)} ms, worst ${list.worst.toFixed(1)} ms, ${list.rendered} of ${list.total} items in the page`);
  await session.screenshot(join(SHOTS, "library-10k-list.png"));
  const sorted = await session.execute(
    `return new Promise((done) => {
       const t = performance.now();
       const el = document.querySelector('[data-testid="library-sort"]');
       el.value = 'time_left';
       el.dispatchEvent(new Event('change', { bubbles: true }));
       requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t)));
     });`,
    [],
  );
  console.log(`sort 10,000 by license time left, to the next frame: ${sorted.toFixed(0)} ms`);
  const licensesStart = Date.now();
  await session.click(await session.find('nav button[data-view="licenses"]'));
  await session.waitFor("license cards", async () => (await session.findAll("main ul li")).length > 0, 60_000);
  console.log(`Licenses view to its first cards: ${Date.now() - licensesStart} ms`);
  await session.click(await session.find('nav button[data-view="library"]'));
  await new Promise((r) => setTimeout(r, 20_000));
  const m = memory();
  console.log(`idle memory (RSS) after 20 s: app ${m.app.toFixed(0)} MB, web process ${m.web.toFixed(0)} MB, network process ${m.network.toFixed(0)} MB`);
} finally {
  await session.end().catch(() => {});
  driver.stop();
}
