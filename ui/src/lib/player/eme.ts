// The EME path: titles whose keys stay in the web engine's CDM (real PlayReady in WebView2 on
// Windows; ClearKey in the headless-Chromium proof). Shaka plays the *encrypted* stream; every
// license message the CDM makes is carried to the backend (`licenseRequest`), which in the app
// is the engine with the title's provider profile, token, history and policy parsing
// (`layover_drm::cdm::WebViewEme`). Persistent sessions are asked for when the key system offers
// them, and their ids are handed back to the backend so the next play loads them offline.
//
// Kept free of Shaka imports so it is unit-tested without a browser.

/** Real PlayReady on Windows (SL2000), what the app asks WebView2 for. */
export const PLAYREADY_KEY_SYSTEM = "com.microsoft.playready.recommendation";
/** W3C ClearKey: the stand-in that proves the path in headless Chromium. */
export const CLEARKEY_KEY_SYSTEM = "org.w3.clearkey";

/** How a title plays through EME, from the backend (`null` there: the clear path). */
export interface EmeSetup {
  /** EME key system, e.g. `com.microsoft.playready.recommendation`. */
  key_system: string;
  /** Ask for `persistent-license` sessions (the license may be stored and played offline). */
  persistent: boolean;
  /** Ids of persistent sessions stored for this title by earlier plays, to load first. */
  session_ids: string[];
}

/** What the EME path asks the backend. */
export interface EmeApi {
  /** The title's EME setup, or null when Layover decrypts it itself (the clear path). */
  emeSetup(titleId: number): Promise<EmeSetup | null>;
  /** Carries one CDM message (EME `message` event) and returns the server's answer for `update()`. */
  licenseRequest(titleId: number, challenge: Uint8Array): Promise<Uint8Array>;
  /** Stores the ids of the title's persistent sessions (replacing the stored ones). */
  saveEmeSessions(titleId: number, sessionIds: string[]): Promise<void>;
}

/** The URI Shaka is given as license server: the `layover-license` scheme plugin answers it. */
export function licenseUri(titleId: number): string {
  return `layover-license://title/${titleId}`;
}

/** The title id in a `layover-license` URI, or null. */
export function titleOfLicenseUri(uri: string): number | null {
  const m = /^layover-license:\/\/title\/(\d+)$/.exec(uri);
  return m ? Number(m[1]) : null;
}

export type SessionType = "persistent-license" | "temporary";

type Rmksa = (keySystem: string, configs: MediaKeySystemConfiguration[]) => Promise<MediaKeySystemAccess>;

/**
 * `persistent-license` when wanted and the key system offers it, else `temporary` (Chromium's
 * ClearKey has no persistent sessions; a session type the license does not match fails
 * `update()`, shaka-player#1495, so it is asked for, not assumed).
 */
export async function chooseSessionType(
  setup: EmeSetup,
  rmksa: Rmksa | undefined = globalThis.navigator?.requestMediaKeySystemAccess?.bind(globalThis.navigator),
): Promise<SessionType> {
  if (!setup.persistent || !rmksa) return "temporary";
  try {
    await rmksa(setup.key_system, [
      {
        initDataTypes: ["cenc"],
        videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }],
        sessionTypes: ["persistent-license"],
        persistentState: "required",
      },
    ]);
    return "persistent-license";
  } catch {
    return "temporary";
  }
}

/** Shaka's `drm` configuration for a title on the EME path. */
export function drmConfig(titleId: number, setup: EmeSetup, sessionType: SessionType) {
  const ks = setup.key_system;
  const persistent = sessionType === "persistent-license";
  const playready = ks.startsWith("com.microsoft.playready");
  const servers: Record<string, string> = { [ks]: licenseUri(titleId) };
  // A DASH manifest names PlayReady `com.microsoft.playready`; WebView2 wants the
  // recommendation key system, so the manifest's name is mapped to it.
  const keySystemsMapping: Record<string, string> = playready && ks !== "com.microsoft.playready" ? { "com.microsoft.playready": ks } : {};
  return {
    servers,
    keySystemsMapping,
    preferredKeySystems: [ks],
    advanced: {
      [ks]: {
        sessionType,
        persistentStateRequired: persistent,
        distinctiveIdentifierRequired: false,
      },
    },
    // Stored sessions are loaded first (offline); one the CDM no longer has is not fatal, a
    // fresh license is asked for instead.
    persistentSessionsMetadata: persistent ? setup.session_ids.map((sessionId) => ({ sessionId, initData: null, initDataType: null })) : [],
    persistentSessionOnlinePlayback: true,
    retryParameters: { maxAttempts: 2, baseDelay: 200, backoffFactor: 2, fuzzFactor: 0, timeout: 30_000, stallTimeout: 0, connectionTimeout: 0 },
  };
}

/** The persistent session ids among Shaka's active sessions (what is worth storing). */
export function persistentSessionIds(active: { sessionId: string; sessionType: string }[]): string[] {
  return [...new Set(active.filter((s) => s.sessionType === "persistent-license" && s.sessionId).map((s) => s.sessionId))];
}

/** Whether two id lists hold the same ids. */
export function sameIds(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}
