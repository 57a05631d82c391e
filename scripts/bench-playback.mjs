// Measures (does not assert) offline playback in the real window: time from pressing Play to the
// first frame, and seek latency, for a DASH title downloaded and licensed from the dev server,
// which is stopped before playing. Run through scripts/bench-playback (needs `make app`).

import { cli, startDriver, tempDataDir } from "../tests/e2e/harness.mjs";
import { FIXTURES, download, startDevserver } from "../tests/e2e/library-helpers.mjs";

const RUNS = Number(process.env.RUNS ?? 5);
const link = process.env.TITLE ?? "media/cenc.mpd";

const dataDir = tempDataDir();
const devserver = await startDevserver(FIXTURES);
if (link.startsWith("demo/")) {
  // The demo catalog's PlayReady titles (Smooth, PIFF, HLS, DASH), licensed to the test identity.
  cli(dataDir, "providers", "add", "--name", "Demo PlayReady", "--kind", "playready",
    "--la-url", `${devserver.base}/PlayReady/`, "--client", "test_identity", "--default");
} else {
  cli(dataDir, "providers", "add", "--name", "Demo key delivery", "--kind", "ams", "--url", devserver.base, "--default");
}
const d = download(dataDir, `${devserver.base}/${link}`);
if (d.status !== 0) throw new Error(d.stderr);
devserver.stop();
const [title] = JSON.parse(cli(dataDir, "downloads", "--json"));

const driver = await startDriver();
const session = await driver.launch(dataDir);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const firstFrame = [];
const seeks = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // Each run starts from the beginning: forget where the previous one stopped.
    await session.execute(
      "return window.__TAURI_INTERNALS__.invoke('playback_save_position', { titleId: arguments[0], secs: 0, duration: 0 })",
      [title.id],
    );
    await session.execute("location.hash = '#/library';", []);
    await session.waitFor("Play", async () => (await session.findAll(`a[data-action="play"][href="#/play/${title.id}"]`))[0]);
    // Time measured inside the page: from the click to the first frame presented (currentTime > 0).
    const ms = await session.execute(
      `return new Promise((done) => {
         const t0 = performance.now();
         document.querySelector('a[data-action="play"][href="#/play/${title.id}"]').click();
         const poll = () => {
           const v = document.querySelector('.player video');
           if (v && v.readyState >= 2 && v.currentTime > 0) return done(performance.now() - t0);
           if (performance.now() - t0 > 30000) return done(-1);
           requestAnimationFrame(poll);
         };
         poll();
       });`,
      [],
    );
    firstFrame.push(ms);
    for (const frac of [0.75, 0.25, 0.5]) {
      const s = await session.execute(
        `return new Promise((done) => {
           const v = document.querySelector('.player video');
           const target = v.duration * ${frac};
           const t0 = performance.now();
           v.currentTime = target;
           const poll = () => {
             if (!v.seeking && v.readyState >= 2 && v.currentTime >= target) return done(performance.now() - t0);
             if (performance.now() - t0 > 20000) return done(-1);
             requestAnimationFrame(poll);
           };
           poll();
         });`,
        [],
      );
      seeks.push(s);
    }
    await session.click(await session.find(".player button.close"));
  }
} finally {
  await session.end().catch(() => {});
  driver.stop();
}
const fmt = (xs) => `median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (n=${xs.length})`;
console.log(`title: ${link} (${title.name}), devserver stopped, debug build, Xvfb`);
console.log(`press Play -> first frame: ${fmt(firstFrame)}`);
console.log(`seek -> frame at the new position: ${fmt(seeks)}`);

