// What the player asks the backend: the license check before and while playing, the first play,
// and where a title's clear manifest is served.

import { invoke } from "@tauri-apps/api/core";

import type { PlaybackCheck } from "../bindings/PlaybackCheck";
import { toApiError } from "../errors";
import type { EmeApi, EmeSetup } from "./eme";

export interface PlaybackApi extends EmeApi {
  /** Whether a title can play now, and why not in words. */
  check(titleId: number): Promise<PlaybackCheck>;
  /** The viewer pressed Play: the check, and the first play starts the playback window. */
  start(titleId: number): Promise<PlaybackCheck>;
  /** The title's clear DASH manifest (fetched through the `layover` scheme). */
  manifestUrl(titleId: number): string;
  /** Renews the title's licenses (online). */
  renew(titleId: number): Promise<void>;
  /** Where the viewer stopped the title, in seconds (0: from the start); kept by the library. */
  position(titleId: number): Promise<number>;
  /** Remembers where the viewer is (the engine forgets a finished title); returns what it kept. */
  savePosition(titleId: number, secs: number, duration: number): Promise<number>;
}

/**
 * The origin of the `layover` scheme: `layover://localhost` on Linux and macOS,
 * `http://layover.localhost` on Windows (Tauri's convention for custom schemes there).
 */
export function schemeOrigin(userAgent: string = navigator.userAgent): string {
  return /Windows/i.test(userAgent) ? "http://layover.localhost" : "layover://localhost";
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export class TauriPlayback implements PlaybackApi {
  check(titleId: number): Promise<PlaybackCheck> {
    return call("playback_check", { titleId });
  }
  start(titleId: number): Promise<PlaybackCheck> {
    return call("playback_start", { titleId });
  }
  manifestUrl(titleId: number): string {
    return `${schemeOrigin()}/title/${titleId}/manifest.mpd`;
  }
  async renew(titleId: number): Promise<void> {
    await call("renew_licenses", { titleId });
  }
  position(titleId: number): Promise<number> {
    return call("playback_position", { titleId });
  }
  savePosition(titleId: number, secs: number, duration: number): Promise<number> {
    return call("playback_save_position", { titleId, secs, duration });
  }
  emeSetup(titleId: number): Promise<EmeSetup | null> {
    return call("eme_setup", { titleId });
  }
  async licenseRequest(titleId: number, challenge: Uint8Array): Promise<Uint8Array> {
    const answer = await call<number[]>("eme_license_request", { titleId, challenge: Array.from(challenge) });
    return Uint8Array.from(answer);
  }
  async saveEmeSessions(titleId: number, sessionIds: string[]): Promise<void> {
    await call("eme_save_sessions", { titleId, sessionIds });
  }
}

/** `83.4` -> `1:23`. */
export function clock(secs: number): string {
  if (!Number.isFinite(secs) || secs < 0) secs = 0;
  const s = Math.floor(secs);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** What a key press does in the player, or null. */
export type PlayerKey = "toggle" | "back" | "forward" | "louder" | "quieter" | "fullscreen" | "mute" | "close";
export function playerKey(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): PlayerKey | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case " ":
    case "k":
      return "toggle";
    case "ArrowLeft":
      return "back";
    case "ArrowRight":
      return "forward";
    case "ArrowUp":
      return "louder";
    case "ArrowDown":
      return "quieter";
    case "f":
    case "F":
      return "fullscreen";
    case "m":
    case "M":
      return "mute";
    case "Escape":
      return "close";
    default:
      return null;
  }
}
