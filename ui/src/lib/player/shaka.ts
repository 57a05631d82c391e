// Shaka Player over MSE, fed through a networking plugin for the `layover` scheme: WebKitGTK will
// not play a <video> whose src is a custom scheme, but fetch() from it works, so every manifest
// and segment request goes through fetch and the bytes reach MSE.

import shaka from "shaka-player";

import { titleOfLicenseUri } from "./eme";

let installed = false;

/** Carries a CDM message to the backend and returns its answer (EME path), by title. */
export type LicenseHandler = (challenge: Uint8Array) => Promise<Uint8Array>;
const licenseHandlers = new Map<number, LicenseHandler>();

/** Routes the license requests of a title's player to `handler` (until cleared with null). */
export function setLicenseHandler(titleId: number, handler: LicenseHandler | null): void {
  if (handler) licenseHandlers.set(titleId, handler);
  else licenseHandlers.delete(titleId);
}

/** A request failed: the status and the server's reason (the engine says why in words). */
export class SchemeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The latest requests through the `layover` scheme (for tests and debugging): path, status, bytes, ms. */
export const requestLog: { uri: string; status: number; bytes: number; ms: number; range?: string }[] = [];
function noteRequest(entry: (typeof requestLog)[number]) {
  requestLog.push(entry);
  if (requestLog.length > 200) requestLog.shift();
}

function schemePlugin(
  uri: string,
  request: shaka.extern.Request,
  requestType: shaka.net.NetworkingEngine.RequestType,
): shaka.extern.IAbortableOperation<shaka.extern.Response> {
  const controller = new AbortController();
  const started = performance.now();
  const run = async (): Promise<shaka.extern.Response> => {
    let r: Response;
    try {
      r = await fetch(uri, { method: request.method, headers: request.headers, signal: controller.signal });
    } catch (err) {
      throw new shaka.util.Error(
        shaka.util.Error.Severity.RECOVERABLE,
        shaka.util.Error.Category.NETWORK,
        shaka.util.Error.Code.HTTP_ERROR,
        uri,
        err,
        requestType,
      );
    }
    const data = await r.arrayBuffer();
    noteRequest({
      uri: uri.replace(/^[a-z]+:\/\/[^/]+/, ""),
      status: r.status,
      bytes: data.byteLength,
      ms: Math.round(performance.now() - started),
      range: request.headers["Range"] ?? request.headers["range"],
    });
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => (headers[k.toLowerCase()] = v));
    if (!r.ok) {
      const reason = new TextDecoder().decode(data);
      throw new shaka.util.Error(
        // Refusals (403: the license no longer allows playing) are final; say why.
        r.status === 403 ? shaka.util.Error.Severity.CRITICAL : shaka.util.Error.Severity.RECOVERABLE,
        shaka.util.Error.Category.NETWORK,
        shaka.util.Error.Code.BAD_HTTP_STATUS,
        uri,
        r.status,
        reason,
        headers,
        requestType,
        uri,
      );
    }
    return {
      uri,
      originalUri: uri,
      data,
      headers,
      status: r.status,
      originalRequest: request,
      timeMs: performance.now() - started,
      fromCache: false,
    };
  };
  return new shaka.util.AbortableOperation(run(), () => {
    controller.abort();
    return Promise.resolve();
  });
}

function bytesOf(body: ArrayBuffer | ArrayBufferView | null | undefined): Uint8Array {
  if (!body) return new Uint8Array();
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
}

/**
 * The `layover-license` scheme: Shaka's license requests go to the backend, never straight to a
 * license server, so the engine applies the provider's profile, token and history to them.
 */
function licensePlugin(
  uri: string,
  request: shaka.extern.Request,
  requestType: shaka.net.NetworkingEngine.RequestType,
): shaka.extern.IAbortableOperation<shaka.extern.Response> {
  const started = performance.now();
  const run = async (): Promise<shaka.extern.Response> => {
    const titleId = titleOfLicenseUri(uri);
    const handler = titleId === null ? undefined : licenseHandlers.get(titleId);
    let data: Uint8Array;
    try {
      if (!handler) throw new Error(`no license route for ${uri}`);
      data = await handler(bytesOf(request.body));
    } catch (err) {
      const reason = err instanceof Error ? err.message : ((err as { message?: string })?.message ?? String(err));
      throw new shaka.util.Error(
        shaka.util.Error.Severity.CRITICAL,
        shaka.util.Error.Category.NETWORK,
        shaka.util.Error.Code.BAD_HTTP_STATUS,
        uri,
        0,
        `The license could not be obtained: ${reason}`,
        {},
        requestType,
        uri,
      );
    }
    return {
      uri,
      originalUri: uri,
      data,
      headers: {},
      status: 200,
      originalRequest: request,
      timeMs: performance.now() - started,
      fromCache: false,
    };
  };
  return new shaka.util.AbortableOperation(run(), () => Promise.resolve());
}

/** Installs the polyfills and the `layover` and `layover-license` scheme plugins (once). */
export function installShaka(): boolean {
  if (!installed) {
    shaka.polyfill.installAll();
    shaka.net.NetworkingEngine.registerScheme("layover", schemePlugin as unknown as shaka.extern.SchemePlugin);
    shaka.net.NetworkingEngine.registerScheme("layover-license", licensePlugin as unknown as shaka.extern.SchemePlugin);
    installed = true;
  }
  return shaka.Player.isBrowserSupported();
}

/** A Shaka error in words for the viewer. */
export function describeError(err: unknown): string {
  if (err instanceof shaka.util.Error) {
    // A license request that failed in the `layover-license` plugin: its own words.
    if (err.code === shaka.util.Error.Code.LICENSE_REQUEST_FAILED && err.data[0] instanceof shaka.util.Error) {
      return describeError(err.data[0]);
    }
    if (err.code === shaka.util.Error.Code.BAD_HTTP_STATUS && typeof err.data[2] === "string" && err.data[2]) {
      return err.data[2];
    }
    const name = Object.entries(shaka.util.Error.Code).find(([, v]) => v === err.code)?.[0] ?? String(err.code);
    return `The player stopped (${name}, Shaka error ${err.code}).`;
  }
  return err instanceof Error ? err.message : String(err);
}

export { shaka };
