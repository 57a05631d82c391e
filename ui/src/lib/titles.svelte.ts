// The library as the views see it: loaded from the backend and refreshed while a view is open,
// so a download run from the CLI (which shares the database) shows up here too.

import type { Backend } from "./backend";
import type { TitleLicenseSummary } from "./bindings/TitleLicenseSummary";
import type { VerifyReport } from "./bindings/VerifyReport";
import type { ApiError } from "./bindings/ApiError";
import type { ChoiceInput } from "./bindings/ChoiceInput";
import type { DownloadProgress } from "./bindings/DownloadProgress";
import type { QueueProgress } from "./bindings/QueueProgress";
import type { Title } from "./bindings/Title";
import { toApiError } from "./errors";

/** How often an open view re-reads the library. */
export const REFRESH_MS = 2_000;

export class TitlesStore {
  /**
   * Not deeply reactive (`$state.raw`): with thousands of titles, a proxy and signals per field
   * cost hundreds of megabytes. Changes replace the array (or the title) instead.
   */
  titles: Title[] = $state.raw([]);
  loaded = $state(false);
  error: ApiError | null = $state(null);
  /** The last download that could not start or run (e.g. another Layover process owns it). */
  downloadError: ApiError | null = $state(null);
  /** Speed and time left of each running download, by title id. */
  live: Record<number, DownloadProgress> = $state({});
  /** All running downloads together (null until the queue reports). */
  overall: QueueProgress | null = $state(null);
  private watching = false;
  /**
   * Each title's licenses summed up (the license that lapses or fails first decides), by title id;
   * titles without licenses are absent. One engine query for the whole library, re-read every
   * 30 s (not on every 2 s refresh) and when a title finishes.
   */
  summaries: Record<number, TitleLicenseSummary> = $state.raw({});
  /** When `summaries` was read (Date.now()), so countdowns can run between reads. */
  summariesAt = $state(0);
  /** The last "Verify files" answer, by title id. */
  verified: Record<number, VerifyReport> = $state({});

  constructor(private readonly backend: Backend) {}

  /** Re-reads the license summaries now (after a renewal, a first play or a delete). */
  async refreshSummaries(): Promise<void> {
    this.summariesAt = Date.now();
    try {
      const byTitle: Record<number, TitleLicenseSummary> = {};
      for (const s of await this.backend.library.summaries()) byTitle[s.title_id] = s;
      this.summaries = byTitle;
      this.summariesAt = Date.now();
    } catch {
      // The Licenses view reports license errors; the library still lists titles.
    }
  }

  /** Re-checks a title's files; damaged ones go back to the queue. */
  async verify(id: number): Promise<VerifyReport> {
    const report = await this.backend.support.verifyTitle(id);
    this.verified[id] = report;
    await this.refresh();
    return report;
  }

  async refresh(): Promise<void> {
    if (Date.now() - this.summariesAt > 30_000) void this.refreshSummaries();
    try {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local, not state
      const before = new Set(this.titles.filter((t) => t.state === "completed").map((t) => t.id));
      const fresh = await this.backend.listTitles();
      // An unchanged library keeps its array, so views with thousands of titles do not sort and
      // filter again every 2 s for nothing.
      if (!sameTitles(this.titles, fresh)) this.titles = fresh;
      this.error = null;
      // A title that just finished has just had its licenses acquired: show them now.
      if (fresh.some((t) => t.state === "completed" && !before.has(t.id))) void this.refreshSummaries();
    } catch (err) {
      this.error = toApiError(err);
    } finally {
      this.loaded = true;
    }
  }

  /** Adds or replaces a title. */
  upsert(title: Title): void {
    const i = this.titles.findIndex((t) => t.id === title.id);
    if (i === -1) this.titles = [...this.titles, title];
    else this.titles = this.titles.map((t, n) => (n === i ? title : t));
  }

  /** Progress from a download channel, shown before the next refresh. */
  applyProgress(p: DownloadProgress): void {
    this.live[p.title_id] = p;
    const i = this.titles.findIndex((x) => x.id === p.title_id);
    const t = this.titles[i];
    if (t && (t.bytes_done !== p.bytes_done || t.bytes_total !== p.bytes_total || t.state === "queued")) {
      const next: Title = {
        ...t,
        state: t.state === "queued" ? "downloading" : t.state,
        bytes_done: p.bytes_done,
        bytes_total: p.bytes_total,
      };
      this.titles = this.titles.map((x, n) => (n === i ? next : x));
    }
  }

  /** The queue's progress: every running download and all of them together. */
  applyQueue(q: QueueProgress): void {
    this.overall = q;
    const running = q.downloads.map((d) => d.title_id);
    for (const id of Object.keys(this.live).map(Number)) {
      if (!running.includes(id)) delete this.live[id];
    }
    for (const p of q.downloads) this.applyProgress(p);
  }

  /** What a link offers before it is added. */
  choices(url: string) {
    return this.backend.linkChoices(url.trim());
  }

  /** Adds a link with a choice of tracks; the queue downloads it. Resolves once it is added. */
  async add(url: string, choice?: ChoiceInput): Promise<Title> {
    const title = await this.backend.addLink(url, choice);
    this.upsert(title);
    await this.refresh();
    return title;
  }

  /** Starts (or continues) a title's download in the background, outside the queue. */
  start(id: number): void {
    this.downloadError = null;
    this.backend.downloadTitle(id, (p) => this.applyProgress(p)).then(
      (t) => this.upsert(t),
      (err: unknown) => (this.downloadError = toApiError(err)),
    );
  }

  /** Runs an action on a title, reporting a failure in `downloadError`. */
  private async act(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.downloadError = null;
    } catch (err) {
      this.downloadError = toApiError(err);
    }
    await this.refresh();
  }

  pause(id: number): Promise<void> {
    return this.act(() => this.backend.pauseTitle(id));
  }

  resume(id: number): Promise<void> {
    return this.act(async () => this.upsert(await this.backend.resumeTitle(id)));
  }

  /** Moves a title in the queue: "top", "bottom", "up", "down" or a place number. */
  move(id: number, to: string): Promise<void> {
    return this.act(() => this.backend.moveTitle(id, to));
  }

  pauseAll(): Promise<void> {
    return this.act(() => this.backend.pauseAll());
  }

  resumeAll(): Promise<void> {
    return this.act(() => this.backend.resumeAll());
  }

  remove(id: number): Promise<void> {
    return this.act(() => this.backend.removeTitle(id));
  }

  /**
   * Deletes titles one after another through the engine's remove (which releases their
   * licenses); resolves with the bytes freed and the titles that could not be deleted.
   */
  async removeMany(ids: readonly number[]): Promise<{ freed: number; failed: { id: number; error: ApiError }[] }> {
    let freed = 0;
    const failed: { id: number; error: ApiError }[] = [];
    for (const id of ids) {
      try {
        freed += await this.backend.removeTitle(id);
      } catch (err) {
        failed.push({ id, error: toApiError(err) });
      }
    }
    await this.refresh();
    void this.refreshSummaries();
    return { freed, failed };
  }

  /** Starts refreshing; returns the function that stops it. */
  watch(): () => void {
    void this.refresh();
    if (!this.watching) {
      // One stream for the app's lifetime: the queue's progress, at most 4 times a second.
      this.watching = true;
      this.backend.watchDownloads((q) => this.applyQueue(q)).catch((err: unknown) => {
        this.watching = false;
        this.downloadError = toApiError(err);
      });
    }
    const timer = setInterval(() => void this.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }
}

/** Whether two reads of the library hold the same titles in the same order and states. */
function sameTitles(a: readonly Title[], b: readonly Title[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.id !== y.id ||
      x.state !== y.state ||
      x.bytes_done !== y.bytes_done ||
      x.bytes_total !== y.bytes_total ||
      x.name !== y.name ||
      x.state_reason !== y.state_reason ||
      x.queue_position !== y.queue_position ||
      x.completed_at !== y.completed_at
    )
      return false;
  }
  return true;
}
