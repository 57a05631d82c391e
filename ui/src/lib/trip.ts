// The trip planner's pure parts: dates as the date input shows them, what the picker lists.

import type { CatalogEntry } from "./bindings/CatalogEntry";
import type { Title } from "./bindings/Title";
import type { TitleState } from "./bindings/TitleState";

/** A title's download state as the picker says it. */
export const STATE_WORDS: Record<TitleState, string> = {
  queued: "queued",
  downloading: "downloading",
  paused: "paused",
  completed: "on disk",
  failed: "download failed",
  removing: "being deleted",
};

/** `YYYY-MM-DD` of `d` in local time (what `<input type="date">` holds). */
export function dateInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The date input's value a week after `now`. */
export function inAWeek(now: Date): string {
  return dateInput(new Date(now.getTime() + 7 * 86_400_000));
}

/** The end of the return day in local time (a license must last through it), or null. */
export function returnMsOf(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = new Date(`${day}T23:59:59`).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** Items whose text holds every word of `query` (any case); all of them for an empty query. */
export function matching<T>(items: T[], query: string, text: (item: T) => string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return items;
  return items.filter((item) => {
    const hay = text(item).toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/**
 * Catalog entries not in the library yet. A title added from a catalog keeps the entry's name;
 * its link changes with the demo server's port, so the name decides when the link does not.
 */
export function catalogOnly(entries: CatalogEntry[], titles: Title[]): CatalogEntry[] {
  const links = new Set(titles.map((t) => t.source_url));
  const names = new Set(titles.map((t) => t.name.toLowerCase()));
  return entries.filter((e) => !links.has(e.manifest) && !names.has(e.name.toLowerCase()));
}
