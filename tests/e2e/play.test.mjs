// Playing offline in the real window: titles downloaded and licensed from the dev server, which
// is then stopped; the player plays through the `layover` scheme (Shaka over MSE), a frame is
// shown, seeking to the middle plays from there (DASH, Smooth Streaming and a progressive PIFF
// file), and an expired title shows Renew instead. The
// demo catalog's ClearKey title (from the devserver's /demo/) resumes where a viewer stopped and
// switches to French audio and French subtitles (Shaka's active tracks and a cue on screen).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { SHOTS, cli, startDriver, tempDataDir } from "./harness.mjs";
import { FIXTURES, download, startDevserver } from "./library-helpers.mjs";

/** Mean and variance of a PNG screenshot's bytes is not enough: decode with the browser. */
async function frameStats(session) {
  // Draw the current video frame to a canvas and measure the luma variance there.
  return session.execute(
    `const v = document.querySelector('.player video');
     if (!v || !v.videoWidth) return null;
     const c = document.createElement('canvas');
     c.width = 64; c.height = 36;
     const g = c.getContext('2d');
     g.drawImage(v, 0, 0, 64, 36);
     const d = g.getImageData(0, 0, 64, 36).data;
     let sum = 0, sq = 0, n = 0;
     for (let i = 0; i < d.length; i += 4) {
       const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
       sum += y; sq += y * y; n++;
     }
     const mean = sum / n;
     return { mean, variance: sq / n - mean * mean, width: v.videoWidth, height: v.videoHeight };`,
    [],
  );
}

/** Variance of a screenshot's raw bytes (PNG-compressed, but a blank frame compresses to little). */
function screenshotBytes(path) {
  return readFileSync(path).length;
}

describe("playing offline", () => {
  let driver;
  let session;
  const dataDir = tempDataDir();
  let playable;
  let expired;
  let demo;
  /** The demo titles of the other protection paths, by catalog id. */
  let paths;

  before(async () => {
    const devserver = await startDevserver(FIXTURES);
    try {
      cli(dataDir, "providers", "add", "--name", "Demo key delivery", "--kind", "ams", "--url", devserver.base, "--default");
      const a = download(dataDir, `${devserver.base}/media/cenc.mpd`);
      assert.equal(a.status, 0, a.stderr);
      // The second title's license ends one second after it is issued.
      cli(dataDir, "providers", "add", "--name", "Short licenses", "--kind", "ams", "--url", devserver.base,
        "--query", "cfg=(persist:true,relexp:1)", "--default");
      const b = download(dataDir, `${devserver.base}/media/tpl/cenc.mpd`);
      assert.equal(b.status, 0, b.stderr);
      // The demo catalog's ClearKey title (the devserver serves it under /demo/): English and
      // French audio, English and French subtitles (WebVTT in MP4).
      cli(dataDir, "providers", "add", "--name", "Demo ClearKey", "--kind", "clearkey", "--url", `${devserver.base}/clearkey`,
        "--default");
      const c = download(dataDir, `${devserver.base}/demo/clearkey-dash/manifest.mpd`);
      assert.equal(c.status, 0, c.stderr);
      // The demo's other protection paths, licensed to Layover's test identity by the dev
      // server's PlayReady endpoint: cenc and cbcs DASH, a progressive PIFF file, Smooth and HLS.
      cli(dataDir, "providers", "add", "--name", "Demo PlayReady", "--kind", "playready",
        "--la-url", `${devserver.base}/PlayReady/`, "--client", "test_identity", "--default");
      for (const path of ["playready-cenc/manifest.mpd", "playready-cbcs/manifest.mpd", "piff/piff.mp4", "smooth/Manifest", "hls-cenc/master.m3u8"]) {
        const d = download(dataDir, `${devserver.base}/demo/${path}`);
        assert.equal(d.status, 0, `${path}: ${d.stderr}`);
      }
    } finally {
      // No network from here on: the origin and the license server are gone.
      devserver.stop();
    }
    const titles = JSON.parse(cli(dataDir, "downloads", "--json"));
    playable = titles.find((t) => t.source_url.endsWith("/media/cenc.mpd"));
    expired = titles.find((t) => t.source_url.endsWith("/media/tpl/cenc.mpd"));
    demo = titles.find((t) => t.source_url.endsWith("/demo/clearkey-dash/manifest.mpd"));
    assert.ok(playable && expired && demo, JSON.stringify(titles));
    paths = Object.fromEntries(
      ["playready-cenc", "playready-cbcs", "piff", "smooth", "hls-cenc"].map((k) => [k, titles.find((t) => t.source_url.includes(`/demo/${k}/`))]),
    );
    assert.ok(Object.values(paths).every(Boolean), JSON.stringify(titles));
    await new Promise((r) => setTimeout(r, 1500)); // past the short license's end
    driver = await startDriver();
    session = await driver.launch(dataDir);
    // Resume positions are kept by the library (this spec's own data folder), not in the
    // webview's storage that every spec's window shares.
  });

  after(async () => {
    await session?.end().catch(() => {});
    driver?.stop();
  });

  async function openPlayer(id) {
    await session.click(await session.find('nav button[data-view="library"]'));
    const play = await session.waitFor("the Play button", async () => {
      const els = await session.findAll(`a[data-action="play"][href="#/play/${id}"]`);
      return els[0];
    }, 15_000);
    await session.click(play);
    await session.waitFor("the player", async () => (await session.findAll(".player")).length > 0);
  }

  async function closePlayer() {
    await session.click(await session.find(".player button.close"));
    await session.waitFor("the player closed", async () => (await session.findAll(".player")).length === 0);
  }

  async function videoState() {
    return session.execute(
      `const v = document.querySelector('.player video');
       const p = document.querySelector('.player');
       const reason = document.querySelector('.player [data-testid="reason"]');
       return v && { t: v.currentTime, d: v.duration, paused: v.paused, phase: p.dataset.phase,
         reason: reason ? reason.textContent : null };`,
      [],
    );
  }

  it("plays a downloaded title with the network gone, shows a frame, and seeks", async () => {
    const started = Date.now();
    await openPlayer(playable.id);
    const s = await session.waitFor(
      "currentTime past 2 s",
      async () => {
        const s = await videoState();
        if (s?.phase === "failed" || s?.phase === "blocked") throw new Error(`player stopped: ${s.reason}`);
        return s && s.t > 2 ? s : null;
      },
      30_000,
    );
    console.log(`play: currentTime ${s.t.toFixed(2)} s after ${Date.now() - started} ms`);
    const stats = await frameStats(session);
    assert.ok(stats, "the video has a frame");
    assert.equal(stats.width, 320);
    assert.ok(stats.variance > 50, `the frame is not blank: luma variance ${stats.variance.toFixed(1)}`);
    const shot = join(SHOTS, "play-frame.png");
    await session.screenshot(shot);
    assert.ok(screenshotBytes(shot) > 5000, "the screenshot holds a picture");

    // Seek to the middle: playing continues from there.
    const middle = s.d / 2;
    await session.execute("const v = document.querySelector('.player video'); v.currentTime = arguments[0]; v.play();", [middle]);
    const afterSeek = await session.waitFor(
      "playing from the middle",
      async () => {
        const x = await videoState();
        return x && x.t > middle + 0.5 && !x.paused ? x : null;
      },
      20_000,
    );
    assert.ok(afterSeek.t < s.d, "still inside the title");
    // The fixture has one audio track and no subtitles: the choices say so by being disabled.
    const audio = await session.execute("return document.querySelector('[data-testid=audio]').options.length", []);
    const subs = await session.execute("return document.querySelector('[data-testid=subtitles]').disabled", []);
    assert.equal(audio, 1);
    assert.equal(subs, true);
    await closePlayer();
  });

  /** What Shaka plays (the player puts itself on `window.__layoverPlayer`) and the cues shown. */
  async function tracksState() {
    return session.execute(
      `const p = window.__layoverPlayer && window.__layoverPlayer.player;
       const v = document.querySelector('.player video');
       if (!p || !v) return null;
       const showing = Array.from(v.textTracks).filter((t) => t.mode === 'showing');
       return {
         t: v.currentTime,
         audio: p.getAudioTracks().filter((t) => t.active).map((t) => t.language).join(),
         text: p.getTextTracks().filter((t) => t.active).map((t) => t.language).join(),
         cues: showing.flatMap((t) => Array.from(t.activeCues || []).map((c) => c.text)),
         errors: window.__layoverPlayer.log.filter((e) => e.event === 'error'),
       };`,
      [],
    );
  }

  async function choose(testid, predicate) {
    const value = await session.execute(
      `const s = document.querySelector('[data-testid=' + arguments[0] + ']');
       const o = Array.from(s.options).find((o) => new RegExp(arguments[1], 'i').test(o.textContent));
       if (!o || s.disabled) return null;
       s.value = o.value;
       s.dispatchEvent(new Event('change', { bubbles: true }));
       return o.value;`,
      [testid, predicate],
    );
    assert.ok(value !== null, `the ${testid} choice offers /${predicate}/`);
  }

  it("plays the demo's PlayReady cenc and cbcs titles offline", async () => {
    for (const key of ["playready-cenc", "playready-cbcs"]) {
      await openPlayer(paths[key].id);
      try {
        const s = await session.waitFor(
          `${key}: currentTime past 2 s`,
          async () => {
            const s = await videoState();
            if (s?.phase === "failed" || s?.phase === "blocked") throw new Error(`${key}: player stopped: ${s.reason}`);
            return s && s.t > 2 ? s : null;
          },
          30_000,
        );
        assert.ok(s.t > 2, key);
        await session.screenshot(join(SHOTS, `play-${key}.png`));
      } finally {
        await closePlayer();
      }
    }
  });

  // Smooth Streaming (PIFF 1.1 fragments, init segments made from the manifest, a tfdt from
  // each fragment's `t`), one progressive PIFF file holding video and two audio tracks (each
  // track served on its own), and HLS fMP4 (SAMPLE-AES-CTR, EXT-X-MAP inits, served from the
  // title's own playlists): each plays, shows a picture, and plays on from the middle.
  for (const key of ["smooth", "piff", "hls-cenc"]) {
    it(`plays the demo's ${key} title offline, shows a frame, and seeks to the middle`, async () => {
      await openPlayer(paths[key].id);
      try {
        const s = await session.waitFor(
          `${key}: currentTime past 2 s`,
          async () => {
            const s = await videoState();
            if (s?.phase === "failed" || s?.phase === "blocked") throw new Error(`${key}: player stopped: ${s.reason}`);
            return s && s.t > 2 ? s : null;
          },
          30_000,
        );
        // WebKitGTK's canvas copy of a playing video is now and then all black for a moment (1
        // of 3 runs here for the PIFF title); a non-blank frame must show within 5 s.
        const stats = await session.waitFor(`${key}: a non-blank frame`, async () => {
          const f = await frameStats(session);
          return f && f.variance > 50 ? f : null;
        }, 5_000).catch(() => frameStats(session));
        assert.ok(stats, "the video has a frame");
        // A downloaded video quality (for HLS the variant with the highest BANDWIDTH, which
        // Shaka Packager gave to 240p here).
        assert.ok(stats.width >= 256, `${key}: ${stats.width}x${stats.height}`);
        assert.ok(stats.variance > 50, `${key}: the frame is not blank: luma variance ${stats.variance.toFixed(1)}`);
        const shot = join(SHOTS, `play-${key}.png`);
        await session.screenshot(shot);
        assert.ok(screenshotBytes(shot) > 5000, "the screenshot holds a picture");
        const middle = s.d / 2;
        await session.execute("const v = document.querySelector('.player video'); v.currentTime = arguments[0]; v.play();", [middle]);
        const afterSeek = await session.waitFor(
          `${key}: playing from the middle`,
          async () => {
            const x = await videoState();
            if (x?.phase === "failed") throw new Error(`${key}: player stopped: ${x.reason}`);
            return x && x.t > middle + 0.5 && !x.paused ? x : null;
          },
          20_000,
        );
        assert.ok(afterSeek.t < s.d, "still inside the title");
        // English and French audio are offered (Smooth: two StreamIndexes; PIFF: two tracks of
        // one file).
        assert.equal(await session.execute("return document.querySelector('[data-testid=audio]').options.length", []), 2);
      } finally {
        await closePlayer();
      }
    });
  }

  it("resumes the demo title offline and switches audio to French and subtitles on", async () => {
    // Where a viewer stopped earlier (the player used to freeze on such a start now and then).
    const invoke = (cmd, args) => session.execute("return window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])", [cmd, args]);
    assert.equal(await invoke("playback_save_position", { titleId: demo.id, secs: 1.2, duration: 0 }), 1.2);
    // Another library's window once kept positions under the same title ids in the shared
    // webview storage; that storage no longer counts.
    await session.execute("localStorage.setItem('layover.resume.' + arguments[0], '6.5')", [demo.id]);
    await openPlayer(demo.id);
    try {
      const first = await session.waitFor("the first frame", async () => {
        const s = await videoState();
        return s && s.t > 0 ? s : null;
      });
      assert.ok(first.t < 6, `resumed from the library's 1.2 s, not the webview's 6.5 s: ${first.t}`);
      await playDemo();
      await session.execute("const v = document.querySelector('.player video'); v.pause(); v.currentTime = 4;", []);
    } finally {
      await closePlayer();
    }
    // Closing kept where the viewer stopped, in the library.
    assert.equal(await invoke("playback_position", { titleId: demo.id }), 4);
  });

  async function playDemo() {
    await session.waitFor(
      "currentTime past 2 s",
      async () => {
        const s = await videoState();
        if (s?.phase === "failed" || s?.phase === "blocked") throw new Error(`player stopped: ${s.reason}`);
        return s && s.t > 2 ? s : null;
      },
      30_000,
    );
    const before = await tracksState();
    assert.equal(before.audio, "en");
    assert.equal(before.text, "");
    assert.equal(await session.execute("return document.querySelector('[data-testid=audio]').options.length", []), 2);

    await choose("audio", "^fr");
    await choose("subtitles", "^fr");
    const after = await session.waitFor(
      "French audio and a French cue on screen",
      async () => {
        const s = await tracksState();
        if (s.errors.length) throw new Error(`the player reported ${JSON.stringify(s.errors)}`);
        return s.audio === "fr" && s.text === "fr" && s.cues.length > 0 ? s : null;
      },
      15_000,
    );
    assert.ok(after.cues.length > 0, JSON.stringify(after));
    const s = await videoState();
    assert.ok(!s.paused && s.phase === "playing", JSON.stringify(s));
    await session.screenshot(join(SHOTS, "play-demo-french-subtitles.png"));
  }

  it("a title whose license expired shows why and offers Renew instead of playing", async () => {
    await openPlayer(expired.id);
    const reason = await session.waitFor("the renew prompt", async () => {
      const els = await session.findAll('.player [data-testid="blocked"]');
      return els.length ? session.text(els[0]) : null;
    }, 15_000);
    assert.match(reason, /license expired/);
    assert.match(reason, /Renew/);
    assert.equal((await session.findAll('.player button[data-action="renew"]')).length, 1);
    const s = await videoState();
    assert.equal(s.t, 0, "nothing played");
    await session.screenshot(join(SHOTS, "play-expired.png"));
    await closePlayer();
  });
});
