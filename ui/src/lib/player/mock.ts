// The player's backend calls for component and page tests: a title that plays (served from a
// plain URL, e.g. the dev server's clear media), one whose license expired, or one whose keys a
// CDM holds (EME): its license messages are forwarded to a license server URL (the dev server's
// W3C ClearKey `/clearkey` in the page test), as the engine would forward them to a provider.

import type { PlaybackCheck } from "../bindings/PlaybackCheck";
import type { PlaybackApi } from "./api";
import type { EmeSetup } from "./eme";

/** A title on the EME path in the mock. */
export interface MockEmeTitle {
  setup: EmeSetup;
  /** Where license messages are POSTed. */
  licenseUrl: string;
}

export class MockPlayback implements PlaybackApi {
  /** Manifest URL per title (page tests point these at real media). */
  manifests = new Map<number, string>();
  /** Titles whose license has expired (until renewed). */
  expired = new Set<number>();
  renewed: number[] = [];
  started: number[] = [];
  /** Titles whose keys a CDM holds. */
  eme = new Map<number, MockEmeTitle>();
  /** Every license message carried, in order: title, request and answer sizes, HTTP status. */
  licenseLog: { titleId: number; requestBytes: number; responseBytes: number; status: number; request: string }[] = [];
  /** Persistent session ids stored per title. */
  sessions = new Map<number, string[]>();
  /** Where each title was stopped, as the engine keeps it (seconds). */
  positions = new Map<number, number>();

  private checkFor(titleId: number): PlaybackCheck {
    const expired = this.expired.has(titleId);
    return {
      title_id: titleId,
      title_name: `Title ${titleId}`,
      playable: !expired,
      reason: expired
        ? "This title cannot play: its license expired on Thu, 01 Jan 2026 00:00:00 GMT. Renew the license while online."
        : null,
      can_renew: expired,
      path: expired
        ? ""
        : this.eme.has(titleId)
          ? `The web engine's CDM decrypts it (${this.eme.get(titleId)?.setup.key_system}); its license messages go through Layover.`
          : "Layover decrypts it itself, in memory, with the content keys its clearkey licenses delivered.",
      expires_ms: null,
      deadline: null,
      first_play_ms: null,
      clock_rolled_back: false,
    };
  }

  check(titleId: number): Promise<PlaybackCheck> {
    return Promise.resolve(this.checkFor(titleId));
  }
  start(titleId: number): Promise<PlaybackCheck> {
    this.started.push(titleId);
    return Promise.resolve(this.checkFor(titleId));
  }
  manifestUrl(titleId: number): string {
    return this.manifests.get(titleId) ?? `/media/title-${titleId}.mpd`;
  }
  renew(titleId: number): Promise<void> {
    this.renewed.push(titleId);
    this.expired.delete(titleId);
    return Promise.resolve();
  }
  emeSetup(titleId: number): Promise<EmeSetup | null> {
    const t = this.eme.get(titleId);
    return Promise.resolve(t ? { ...t.setup, session_ids: this.sessions.get(titleId) ?? t.setup.session_ids } : null);
  }
  async licenseRequest(titleId: number, challenge: Uint8Array): Promise<Uint8Array> {
    const t = this.eme.get(titleId);
    if (!t) throw { code: "not_found", message: `title ${titleId} does not play through a CDM` };
    const r = await fetch(t.licenseUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: challenge.slice() });
    const answer = new Uint8Array(await r.arrayBuffer());
    this.licenseLog.push({
      titleId,
      requestBytes: challenge.length,
      responseBytes: answer.length,
      status: r.status,
      request: new TextDecoder().decode(challenge),
    });
    if (!r.ok) throw { code: "license", message: `the license server answered HTTP ${r.status}: ${new TextDecoder().decode(answer).slice(0, 200)}` };
    return answer;
  }
  saveEmeSessions(titleId: number, sessionIds: string[]): Promise<void> {
    this.sessions.set(titleId, [...sessionIds]);
    return Promise.resolve();
  }
  position(titleId: number): Promise<number> {
    return Promise.resolve(this.positions.get(titleId) ?? 0);
  }
  savePosition(titleId: number, secs: number, duration: number): Promise<number> {
    // The engine's rule (playback::position_to_keep): under 1 s or within 2 s of the end is
    // nothing to resume; tenths of a second are kept.
    const finished = duration > 0 && secs > duration - 2;
    if (!Number.isFinite(secs) || secs < 1 || finished) {
      this.positions.delete(titleId);
      return Promise.resolve(0);
    }
    const kept = Math.floor(secs * 10) / 10;
    this.positions.set(titleId, kept);
    return Promise.resolve(kept);
  }
}
