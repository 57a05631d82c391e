// The player's backend calls for component and page tests: a title that plays (served from a
// plain URL, e.g. the dev server's clear media) or one whose license expired.

import type { PlaybackCheck } from "../bindings/PlaybackCheck";
import type { PlaybackApi } from "./api";

export class MockPlayback implements PlaybackApi {
  /** Manifest URL per title (page tests point these at real media). */
  manifests = new Map<number, string>();
  /** Titles whose license has expired (until renewed). */
  expired = new Set<number>();
  renewed: number[] = [];
  started: number[] = [];

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
      path: expired ? "" : "Layover decrypts it itself, in memory, with the content keys its clearkey licenses delivered.",
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
}
