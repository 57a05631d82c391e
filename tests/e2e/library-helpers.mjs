// Helpers shared by the library and downloads specs: a devserver on loopback, MP4-shaped files,
// the choice dialog and the devserver's fault plans.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

import { CLI, ROOT, SHOTS } from "./harness.mjs";

/** Shaka Packager's DASH SegmentTemplate packaging from assets/media/make-fixtures.sh. */
export const FIXTURES = process.env.LAYOVER_FIXTURES ?? join(ROOT, "target/fixtures/media");

/** An MP4-shaped file: ftyp, then an mdat of `n` bytes. */
export function mp4(n) {
  const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 16]), Buffer.from("ftypisom"), Buffer.from([0, 0, 0, 1])]);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(n + 8, 0);
  head.write("mdat", 4);
  return Buffer.concat([ftyp, head, Buffer.alloc(n, 7)]);
}

/** `layover devserver` on a free port, serving `media`. */
export async function startDevserver(media) {
  const child = spawn(CLI, ["devserver", "--port", "0", "--media", media], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((ok, fail) => {
    createInterface({ input: child.stdout }).once("line", ok);
    child.once("exit", (code) => fail(new Error(`devserver exited with ${code}`)));
  });
  const base = /http:\/\/[^/]+/.exec(line)?.[0];
  assert.ok(base, `devserver printed its address: ${line}`);
  return { base, stop: () => child.kill() };
}

/** `layover download` in the foreground. */
export function download(dataDir, url) {
  return spawnSync(CLI, ["--data-dir", dataDir, "download", url], { encoding: "utf8" });
}

/** The choice dialog after a link is read: optionally the last video quality, then Download. */
export async function chooseAndDownload(session, pickLast = false) {
  const dialog = await session.waitFor("the choice dialog", async () => {
    const els = await session.findAll('[role="dialog"]');
    return els.length ? els[0] : null;
  });
  if (pickLast) {
    const radios = await session.findAll('[role="dialog"] input[type="radio"]');
    assert.ok(radios.length > 0, "video qualities are offered");
    await session.click(radios[radios.length - 1]);
  }
  const text = await session.text(dialog);
  assert.match(text, /free in the download folder/);
  await session.screenshot(join(SHOTS, "library-choose-tracks.png"));
  await session.click(await session.find('[role="dialog"] button[type="submit"]'));
}

/** Adds `url` through Library -> Add by link and the choice dialog; waits for Downloads. */
export async function addByLink(session, url, pickLast = false) {
  await session.click(await session.find('nav button[data-view="library"]'));
  await session.click(await session.find(".add > button"));
  await session.type(await session.find("#add-link-url"), url);
  await session.click(await session.find('form[aria-label="Add a title by link"] button[type="submit"]'));
  await chooseAndDownload(session, pickLast);
  // Adding reads the manifest first; the window then shows Downloads.
  await session.waitFor("the Downloads view", async () =>
    (await session.execute("return document.querySelector('main').dataset.view", [])) === "downloads");
}

/** The devserver's fault plans: POST one, or DELETE them all. */
export async function faults(base, method, body) {
  const res = await fetch(`${base}/_faults`, {
    method,
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.ok(res.ok, `devserver faults ${method}: ${res.status}`);
}
