// How the UI words a license's state and the time it has left.

import type { LicenseStatus } from "./bindings/LicenseStatus";
import type { LicenseView } from "./bindings/LicenseView";
import { formatDateTime, formatDuration } from "./format";

export const STATUS_LABELS: Record<LicenseStatus, string> = {
  pending: "Not acquired yet",
  not_yet_valid: "Not yet valid",
  valid: "Valid",
  expiring_soon: "Expiring soon",
  expired: "Expired",
  released: "Released",
  release_pending: "Release queued",
  failed: "Failed",
};

/** The license system, for people. */
export function systemLabel(system: string): string {
  return system === "playready" ? "PlayReady" : system === "clearkey" ? "ClearKey" : system === "aes_key" ? "AES key" : system;
}

/** Which client holds a license, for people. */
export function clientLabel(cdm: string): string {
  switch (cdm) {
    case "test-identity-play-ready":
      return "Layover's test identity (accepted by the development server only)";
    case "clear-key":
      return "ClearKey (Layover holds the key, sealed)";
    case "aes-clear-key":
      return "AES clear key (Layover holds the key, sealed)";
    case "web-view-eme":
      return "the system's PlayReady module (Windows)";
    case "":
      return "not acquired yet";
    default:
      return cdm;
  }
}

/**
 * The time a license has left, counted down from what the engine said `elapsedSecs` ago (so a
 * clock set back in the meantime does not add time), with the clock that decides it.
 */
export function remainingText(l: LicenseView, elapsedSecs: number): string {
  switch (l.status) {
    case "expired":
      return l.expires_ms !== null ? `Expired ${formatDateTime(l.expires_ms)}` : "Expired";
    case "not_yet_valid":
      return l.begin_ms !== null ? `Playable from ${formatDateTime(l.begin_ms)}` : "Not yet valid";
    case "pending":
      return "No license yet";
    case "failed":
      return "The last request failed";
    case "released":
      return "Given back";
    case "release_pending":
      return "Given back; the server is told when online";
    case "valid":
    case "expiring_soon": {
      if (l.remaining_secs === null) return "No end date";
      const left = Math.max(0, l.remaining_secs - elapsedSecs);
      if (left === 0) return "Expired";
      const which = l.deadline === "playback_window" ? " of the playback window" : "";
      let text = `${formatDuration(left * 1000)} left${which}`;
      if (l.first_play_ms === null && l.playback_window_secs !== null) {
        text += ` · ${formatDuration(l.playback_window_secs * 1000)} to watch once started`;
      }
      return text;
    }
  }
}
