// The library as the views see it: loaded from the backend and refreshed while a view is open,
// so a download run from the CLI (which shares the database) shows up here too.

import type { Backend } from "./backend";
import type { LicenseView } from "./bindings/LicenseView";
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
  titles: Title[] = $state([]);
  loaded = $state(false);
  error: ApiError | null = $state(null);
  /** The last download that could not start or run (e.g. another Layover process owns it). */
  downloadError: ApiError | null = $state(null);
  /** Speed and time left of each running download, by title id. */
  live: Record<number, DownloadProgress> = $state({});
  /** All running downloads together (null until the queue reports). */
  overall: QueueProgress | null = $state(null);
  private watching = false;
  /** Each title's license that expires soonest (titles without licenses are absent). */
  licenses: Record<number, LicenseView> = $state({});
  /** When `licenses` was read; they are re-read every 30 s, not on every 2 s refresh. */
  private licensesAt = 0;
  /** The last "Verify files" answer, by title id. */
  verified: Record<number, VerifyReport> = $state({});

  constructor(private readonly backend: Backend) {}

  /** Re-reads the licenses now (after a renewal, say). */
  async refreshLicenses(): Promise<void> {
    this.licensesAt = Date.now();
    try {
      const byTitle: Record<number, LicenseView> = {};
      // The list comes soonest-to-expire first: the first row of a title decides.
      for (const l of await this.backend.licenses.list()) {
        if (l.title_id !== null && !(l.title_id in byTitle)) byTitle[l.title_id] = l;
      }
      this.licenses = byTitle;
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
    if (Date.now() - this.licensesAt > 30_000) void this.refreshLicenses();
    try {
      const before = this.titles.filter((t) => t.state === "completed").map((t) => t.id);
      this.titles = await this.backend.listTitles();
      this.error = null;
      // A title that just finished has just had its licenses acquired: show them now.
      if (this.titles.some((t) => t.state === "completed" && !before.includes(t.id))) void this.refreshLicenses();
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
    else this.titles[i] = title;
  }

  /** Progress from a download channel, shown before the next refresh. */
  applyProgress(p: DownloadProgress): void {
    this.live[p.title_id] = p;
    const t = this.titles.find((x) => x.id === p.title_id);
    if (t) {
      if (t.state === "queued") t.state = "downloading";
      t.bytes_done = p.bytes_done;
      t.bytes_total = p.bytes_total;
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
