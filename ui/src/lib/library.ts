// The Library's logic, apart from its markup: where each title stands in words, sorting,
// filtering and multi-selection. Pure functions, tested in library.test.ts.

import type { LicenseView } from "./bindings/LicenseView";
import type { Title } from "./bindings/Title";
import type { TitleLicenseSummary } from "./bindings/TitleLicenseSummary";
import { formatDuration } from "./format";

/** The state filters, in the order the Library offers them. */
export const GROUPS = ["all", "ready", "downloading", "expiring", "expired", "attention"] as const;
export type Group = (typeof GROUPS)[number];

export const GROUP_LABELS: Record<Group, string> = {
  all: "All",
  ready: "Ready",
  downloading: "Downloading",
  expiring: "Expiring",
  expired: "Expired",
  attention: "Needs attention",
};

export const SORTS = ["name", "added", "size", "time_left"] as const;
export type Sort = (typeof SORTS)[number];

export const SORT_LABELS: Record<Sort, string> = {
  name: "Name",
  added: "Date added",
  size: "Size on disk",
  time_left: "License time left",
};

/** Where a title stands: its filter group (none: only under All), a short label and the words. */
export interface TitleStanding {
  group: Exclude<Group, "all"> | null;
  /** Short, for the chip: "Ready", "Downloading 42 %", "Expiring", ... */
  label: string;
  /** The sentence beside it: "Expiring in 2 d 4 h", "No license yet: no network", ... */
  words: string;
  /** Colour of the chip. */
  tone: "ok" | "busy" | "warn" | "bad" | "muted";
}

function percent(t: Title): number | null {
  return t.bytes_total && t.bytes_total > 0 ? Math.min(100, Math.floor((100 * t.bytes_done) / t.bytes_total)) : null;
}

/** Seconds a title's license has left, counted down from what the engine said `elapsedSecs` ago. */
export function secondsLeft(s: TitleLicenseSummary | undefined, elapsedSecs = 0): number | null {
  if (!s || s.remaining_secs === null) return null;
  return Math.max(0, s.remaining_secs - elapsedSecs);
}

/**
 * Where a title stands, in words: its download first, then its licenses (the summary of the
 * license that lapses or fails first). `elapsedSecs`: how long ago the summary was read.
 */
export function standing(t: Title, s: TitleLicenseSummary | undefined, elapsedSecs = 0): TitleStanding {
  switch (t.state) {
    case "queued":
      return { group: "downloading", label: "Queued", words: "Waiting for its turn to download", tone: "busy" };
    case "downloading": {
      const p = percent(t);
      return {
        group: "downloading",
        label: p === null ? "Downloading" : `Downloading ${p} %`,
        words: p === null ? "Downloading" : `Downloading, ${p} % done`,
        tone: "busy",
      };
    }
    case "paused": {
      const byYou = !t.state_reason || t.state_reason === "paused by you";
      const p = percent(t);
      return {
        group: byYou ? "downloading" : "attention",
        label: "Paused",
        words: `Paused${p === null ? "" : ` at ${p} %`}${byYou ? "" : `: ${t.state_reason}`}`,
        tone: byYou ? "muted" : "warn",
      };
    }
    case "failed":
      return { group: "attention", label: "Download failed", words: `Download failed: ${t.state_reason ?? "no reason given"}`, tone: "bad" };
    case "removing":
      return { group: null, label: "Removing", words: "Being deleted", tone: "muted" };
    case "completed":
      break;
  }
  if (!s) return { group: "ready", label: "Ready", words: "Ready to play, no license needed", tone: "ok" };
  const left = secondsLeft(s, elapsedSecs);
  switch (s.status) {
    case "pending":
      return { group: "attention", label: "No license yet", words: `No license yet${s.reason ? `: ${s.reason}` : ""}`, tone: "warn" };
    case "failed":
      return { group: "attention", label: "No license", words: `No license: ${s.reason ?? "the last request failed"}`, tone: "bad" };
    case "released":
    case "release_pending":
      return { group: "attention", label: "Renew needed", words: "Its license was given back; renew to play it", tone: "warn" };
    case "not_yet_valid":
      return {
        group: null,
        label: "Not yet valid",
        words: s.begin_ms !== null ? `Playable from ${shortDate(s.begin_ms)}` : "Not playable yet",
        tone: "warn",
      };
    case "expired":
      return { group: "expired", label: "Expired", words: expiredWords(s), tone: "bad" };
    case "valid":
    case "expiring_soon":
      break;
  }
  if (left === 0) return { group: "expired", label: "Expired", words: expiredWords(s), tone: "bad" };
  if (s.renew_failed) {
    return {
      group: "attention",
      label: "Renew needed",
      words: `Renew needed${left !== null ? `, ${formatDuration(left * 1000)} left` : ""}: ${s.reason ?? "the last renewal failed"}`,
      tone: "warn",
    };
  }
  const which = s.deadline === "playback_window" ? " (playback window)" : "";
  if (s.status === "expiring_soon" || (left !== null && left <= 48 * 3600)) {
    return { group: "expiring", label: "Expiring", words: `Expiring in ${formatDuration((left ?? 0) * 1000)}${which}`, tone: "warn" };
  }
  return {
    group: "ready",
    label: "Ready",
    words: left === null ? "Ready, no end date" : `Ready, ${formatDuration(left * 1000)} left${which}`,
    tone: "ok",
  };
}

/** A date close to now, short: "25 Nov, 04:20" (the year only when it is not this one). */
function shortDate(ms: number): string {
  const d = new Date(ms);
  return d.toLocaleString(undefined, {
    day: "numeric",
    month: "short",
    ...(d.getFullYear() === new Date().getFullYear() ? {} : { year: "numeric" }),
    hour: "2-digit",
    minute: "2-digit",
  });
}

function expiredWords(s: TitleLicenseSummary): string {
  const when = s.expires_ms !== null ? ` ${shortDate(s.expires_ms)}` : "";
  const which = s.deadline === "playback_window" ? " (its playback window ended)" : "";
  return `Expired${when}${which}; renew needed`;
}

/** The bytes a title takes on disk as the Library counts them (what was downloaded). */
export function sizeOnDisk(t: Title): number {
  return t.bytes_done;
}

/** Filters by text (name, case and accents ignored) and state group. */
export function filterTitles(
  titles: readonly Title[],
  summaries: Readonly<Record<number, TitleLicenseSummary>>,
  query: string,
  group: Group,
): Title[] {
  const q = fold(query.trim());
  return titles.filter((t) => {
    if (t.state === "removing") return false;
    if (q && !fold(t.name).includes(q)) return false;
    return group === "all" || standing(t, summaries[t.id]).group === group;
  });
}

function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/**
 * Sorts a copy: by name (A to Z), date added (newest first), size (largest first) or license
 * time left (least first; titles that never expire, then those without a license, last).
 * Ties keep name order.
 */
export function sortTitles(titles: readonly Title[], summaries: Readonly<Record<number, TitleLicenseSummary>>, sort: Sort): Title[] {
  const byName = (a: Title, b: Title) => collator.compare(a.name, b.name) || a.id - b.id;
  const timeKey = (t: Title): number => {
    const s = summaries[t.id];
    if (!s) return Number.MAX_SAFE_INTEGER;
    if (s.status === "pending" || s.status === "failed") return -1;
    return s.remaining_secs ?? Number.MAX_SAFE_INTEGER - 1;
  };
  const cmp: Record<Sort, (a: Title, b: Title) => number> = {
    name: byName,
    added: (a, b) => b.created_at - a.created_at || byName(a, b),
    size: (a, b) => sizeOnDisk(b) - sizeOnDisk(a) || byName(a, b),
    time_left: (a, b) => timeKey(a) - timeKey(b) || byName(a, b),
  };
  return [...titles].sort(cmp[sort]);
}

/**
 * The selection after a click on `id`'s checkbox in `visible` order: a plain click toggles it;
 * a shift-click sets every title from the last clicked one (`anchor`) to this one to the state
 * the clicked one takes.
 */
export function clickSelect(
  selected: ReadonlySet<number>,
  visible: readonly number[],
  id: number,
  anchor: number | null,
  shift: boolean,
): Set<number> {
  const next = new Set(selected);
  const on = !selected.has(id);
  const from = anchor === null ? -1 : visible.indexOf(anchor);
  const to = visible.indexOf(id);
  if (shift && from !== -1 && to !== -1) {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    for (const v of visible.slice(lo, hi + 1)) {
      if (on) next.add(v);
      else next.delete(v);
    }
  } else if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** Selects every visible title, or clears them all when every one is selected already. */
export function toggleAll(selected: ReadonlySet<number>, visible: readonly number[]): Set<number> {
  const all = visible.length > 0 && visible.every((id) => selected.has(id));
  const next = new Set(selected);
  for (const id of visible) {
    if (all) next.delete(id);
    else next.add(id);
  }
  return next;
}

/** The rows of a virtual list to render: those in view plus `overscan` on each side. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  rows: number,
  overscan = 3,
): { first: number; last: number } {
  if (rows === 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows - 1, Math.ceil((scrollTop + Math.max(viewport, rowHeight)) / rowHeight) + overscan);
  return { first, last };
}

/** Hues that read well behind white letters in both themes (no muddy yellows and greens). */
const HUES = [212, 228, 252, 276, 300, 330, 350, 12, 24, 172, 190, 200];

/** Two letters and a colour for a title without a poster (stable for a name). */
export function placeholder(name: string): { initials: string; hue: number } {
  const words = name
    .replace(/[^\p{L}\p{N} ]/gu, " ")
    .split(/\s+/)
    .filter((w) => w && !/^\d+$/.test(w));
  const initials = (words.length >= 2 ? words[0]![0]! + words[1]![0]! : (words[0] ?? name).slice(0, 2)).toUpperCase() || "?";
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)!) >>> 0;
  return { initials, hue: HUES[h % HUES.length]! };
}

/** Both clocks of a title, over all its usable licenses (the earliest end counts). */
export interface TitleClocks {
  /** The license window: playable from (null: from now) and until (null: no end date). */
  licenseFromMs: number | null;
  licenseUntilMs: number | null;
  /** The playback window's length, which starts at the first play (null: none). */
  playbackWindowSecs: number | null;
  /** The first play, when it happened. */
  firstPlayMs: number | null;
  /** The playback window's end, once started. */
  playbackUntilMs: number | null;
  /** When the title stops being playable, and which clock decides. */
  expiresMs: number | null;
  decidedBy: "license_window" | "playback_window" | null;
}

export function titleClocks(licenses: readonly LicenseView[]): TitleClocks {
  const usable = licenses.filter((l) => l.status !== "pending" && l.status !== "failed" && l.status !== "released" && l.status !== "release_pending");
  const min = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? Math.min(...v) : null;
  };
  const max = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? Math.max(...v) : null;
  };
  const window = min(usable.map((l) => l.playback_window_secs));
  const firstPlay = min(usable.map((l) => l.first_play_ms));
  const expires = min(usable.map((l) => l.expires_ms));
  const decider = usable.find((l) => l.expires_ms !== null && l.expires_ms === expires);
  return {
    licenseFromMs: max(usable.map((l) => l.begin_ms)),
    licenseUntilMs: min(usable.map((l) => l.license_end_ms)),
    playbackWindowSecs: window,
    firstPlayMs: firstPlay,
    playbackUntilMs: firstPlay !== null && window !== null ? firstPlay + window * 1000 : null,
    expiresMs: expires,
    decidedBy: decider?.deadline ?? null,
  };
}
