// A small W3C WebDriver client over fetch: enough to drive the Layover window through
// tauri-driver (which forwards to WebKitWebDriver on Linux) without a heavy dependency.

import { writeFile } from "node:fs/promises";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

export class WebDriverError extends Error {}

async function request(method, url, body) {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError(`${method} ${url}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!res.ok || (json.value && json.value.error)) {
    const v = json.value ?? {};
    throw new WebDriverError(`${method} ${url}: ${v.error ?? res.status}: ${v.message ?? text.slice(0, 300)}`);
  }
  return json.value;
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async start(base, capabilities) {
    const value = await request("POST", `${base}/session`, { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  url(path) {
    return `${this.base}/session/${this.id}${path}`;
  }

  async end() {
    await request("DELETE", this.url(""));
  }

  async find(css) {
    const v = await request("POST", this.url("/element"), { using: "css selector", value: css });
    return v[ELEMENT];
  }

  async findAll(css) {
    const v = await request("POST", this.url("/elements"), { using: "css selector", value: css });
    return v.map((e) => e[ELEMENT]);
  }

  async click(el) {
    await request("POST", this.url(`/element/${el}/click`), {});
  }

  async type(el, text) {
    await request("POST", this.url(`/element/${el}/value`), { text });
  }

  /**
   * The element's rendered text. Read as `innerText` because WebKit's WebDriver "element text"
   * leaves out text cut with an ellipsis (`text-overflow`), such as long title names.
   */
  async text(el) {
    return this.execute("return arguments[0].innerText.trim()", [{ [ELEMENT]: el }]);
  }

  async execute(script, args = []) {
    return request("POST", this.url("/execute/sync"), { script, args });
  }

  /** Presses a key chord, e.g. `keys(["Control", "2"])`, through the Actions API. */
  async chord(keys) {
    const names = { Control: "\uE009", Shift: "\uE008", Alt: "\uE00A", ArrowDown: "\uE015", ArrowUp: "\uE013", Enter: "\uE007", Tab: "\uE004" };
    const codes = keys.map((k) => names[k] ?? k);
    const down = codes.map((value) => ({ type: "keyDown", value }));
    const up = [...codes].reverse().map((value) => ({ type: "keyUp", value }));
    await request("POST", this.url("/actions"), { actions: [{ type: "key", id: "keyboard", actions: [...down, ...up] }] });
    await request("DELETE", this.url("/actions"));
  }

  /** The window's place and size: `{x, y, width, height}` (W3C Get/Set Window Rect). */
  async windowRect(rect) {
    return rect ? request("POST", this.url("/window/rect"), rect) : request("GET", this.url("/window/rect"));
  }

  async minimize() {
    return request("POST", this.url("/window/minimize"), {});
  }

  async screenshot(path) {
    const b64 = await request("GET", this.url("/screenshot"));
    await writeFile(path, Buffer.from(b64, "base64"));
  }

  /** Polls `probe` until it returns a truthy value or `timeoutMs` passes. */
  async waitFor(what, probe, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        const v = await probe();
        if (v) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) {
        // Keep what the window showed, for whoever reads the failure.
        if (process.env.E2E_SCREENSHOTS) {
          const name = what.replace(/[^a-z0-9]+/gi, "-").slice(0, 60);
          await this.screenshot(`${process.env.E2E_SCREENSHOTS}/timeout-${name}.png`).catch(() => {});
        }
        throw new WebDriverError(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ""}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
