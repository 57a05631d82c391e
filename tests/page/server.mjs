// A tiny static server for the built UI (ui/dist), with `/media/*` and `/clearkey` passed on to
// the dev server when one is given, so the page, its media and its license server share one
// origin (http://127.0.0.1 is a secure context, which EME needs).

import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

/** Starts serving `root`; resolves with `{ url, close }`. `upstream`: the dev server's origin. */
export async function serveUi(root, { upstream = null } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (upstream && (url.pathname.startsWith("/media/") || url.pathname === "/clearkey")) {
      const target = new URL(url.pathname + url.search, upstream);
      const headers = { ...req.headers, host: target.host };
      const out = http.request(target, { method: req.method, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.on("error", (e) => {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`dev server unreachable: ${e.message}`);
      });
      req.pipe(out);
      return;
    }
    let file = path.normalize(path.join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root)) {
      res.writeHead(404).end();
      return;
    }
    let st;
    try {
      st = statSync(file);
      if (st.isDirectory()) {
        file = path.join(file, "index.html");
        st = statSync(file);
      }
    } catch {
      file = path.join(root, "index.html");
      st = statSync(file);
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
      "content-length": st.size,
      "cache-control": "no-store",
    });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}
