// The Library's and a title page's reads: each title's licenses summed up (one query for the
// whole library), a title's details, and its poster from its folder.

import { invoke } from "@tauri-apps/api/core";

import type { LicenseView } from "../bindings/LicenseView";
import type { Title } from "../bindings/Title";
import type { TitleDetails } from "../bindings/TitleDetails";
import type { TitleLicenseSummary } from "../bindings/TitleLicenseSummary";
import { toApiError } from "../errors";

export interface LibraryApi {
  /** Every title's licenses summed up (titles without licenses are absent). */
  summaries(): Promise<TitleLicenseSummary[]>;
  /** A title's page: details, chosen tracks, licenses with both clocks, whether it plays. */
  details(id: number): Promise<TitleDetails>;
  /** A title's poster from its folder as a `data:` URL, or null. */
  poster(id: number): Promise<string | null>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export class TauriLibrary implements LibraryApi {
  summaries(): Promise<TitleLicenseSummary[]> {
    return call("license_summaries");
  }
  details(id: number): Promise<TitleDetails> {
    return call("title_details", { id });
  }
  poster(id: number): Promise<string | null> {
    return call("title_poster", { id });
  }
}

const RANK: Record<string, number> = { failed: 0, pending: 1 };

/** The engine's summary rule over the mock's licenses: failed, pending, then the soonest deadline. */
export function summarize(licenses: readonly LicenseView[]): TitleLicenseSummary[] {
  const by = new Map<number, LicenseView[]>();
  for (const l of licenses) {
    if (l.title_id === null || l.status === "released") continue;
    by.set(l.title_id, [...(by.get(l.title_id) ?? []), l]);
  }
  return [...by.entries()].map(([title_id, ls]) => {
    const rank = (l: LicenseView) => RANK[l.status] ?? 2;
    const d = [...ls].sort((a, b) => rank(a) - rank(b) || (a.expires_ms ?? Infinity) - (b.expires_ms ?? Infinity))[0]!;
    const renew = ls.find((l) => (l.status === "valid" || l.status === "expiring_soon") && l.status_reason);
    const usable = d.status === "valid" || d.status === "expiring_soon" || d.status === "not_yet_valid";
    return {
      title_id,
      licenses: ls.length,
      status: d.status,
      reason: usable && renew ? renew.status_reason : d.status_reason,
      renew_failed: usable && !!renew,
      expires_ms: d.expires_ms,
      deadline: d.deadline,
      remaining_secs: d.remaining_secs,
      begin_ms: d.begin_ms,
      license_end_ms: d.license_end_ms,
      playback_window_secs: d.playback_window_secs,
      first_play_ms: d.first_play_ms,
      clock_rolled_back: d.clock_rolled_back,
    };
  });
}

/** What the mock library reads from: the mock backend's titles and licenses. */
export interface MockLibrarySource {
  titles: Title[];
  licenses: { licenses: LicenseView[] };
  playback: { expired: Set<number> };
}

/** The poster the mock gives titles in `posters`: a small gradient (SVG). */
const MOCK_POSTER =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#1d3b6e"/><stop offset="1" stop-color="#e0864a"/></linearGradient></defs><rect width="200" height="300" fill="url(#g)"/><circle cx="140" cy="90" r="28" fill="#f6d37a"/></svg>',
  );

export class MockLibrary implements LibraryApi {
  readonly calls: string[] = [];
  /** Titles that have a poster in their folder. */
  readonly posters = new Set<number>();

  constructor(private readonly source: MockLibrarySource) {}

  summaries(): Promise<TitleLicenseSummary[]> {
    this.calls.push("summaries");
    return Promise.resolve(summarize(this.source.licenses.licenses));
  }

  details(id: number): Promise<TitleDetails> {
    this.calls.push(`details:${id}`);
    const title = this.source.titles.find((t) => t.id === id);
    if (!title) return Promise.reject({ code: "not_found", message: `there is no title ${id} in the library` });
    const licenses = this.source.licenses.licenses.filter((l) => l.title_id === id);
    const summary = summarize(licenses)[0] ?? null;
    const blocked = this.source.playback.expired.has(id) || summary?.status === "expired";
    const done = title.state === "completed";
    return Promise.resolve({
      title: { ...title },
      source_url: title.source_url.replace(/\?.*$/, "?token=%5Bredacted%5D"),
      delivery: title.kind === "progressive" ? "a single MP4 file, protected with PlayReady" : "DASH, protected with PlayReady",
      folder_path: `/home/mock/.local/share/layover/titles/${title.folder}`,
      bytes_on_disk: title.bytes_done + 48_213,
      files: 41,
      files_done: done ? 41 : 12,
      tracks: [
        { kind: "video", label: "1920x1080, 3.0 Mbit/s, avc1", language: null },
        { kind: "audio", label: "en, 128 kbit/s, mp4a", language: "en" },
        { kind: "audio", label: "fr, 96 kbit/s, mp4a", language: "fr" },
        { kind: "text", label: "de", language: "de" },
      ],
      tracks_note: null,
      has_poster: this.posters.has(id),
      licenses,
      summary,
      playback: {
        title_id: id,
        title_name: title.name,
        playable: done && !blocked && (!summary || summary.status === "valid" || summary.status === "expiring_soon"),
        reason: !done ? "This title cannot play yet: its download is not finished." : blocked ? "This title cannot play: its license expired. Renew the license while online." : null,
        can_renew: blocked || summary?.status === "pending" || summary?.status === "failed",
        path: "Layover decrypts it itself, in memory.",
        expires_ms: summary?.expires_ms ?? null,
        deadline: summary?.deadline ?? null,
        first_play_ms: summary?.first_play_ms ?? null,
        clock_rolled_back: false,
      },
    });
  }

  poster(id: number): Promise<string | null> {
    this.calls.push(`poster:${id}`);
    return Promise.resolve(this.posters.has(id) ? MOCK_POSTER : null);
  }
}
