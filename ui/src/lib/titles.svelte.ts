// The library as the views see it: loaded from the backend and refreshed while a view is open,
// so a download run from the CLI (which shares the database) shows up here too.

import type { Backend } from "./backend";
import type { ApiError } from "./bindings/ApiError";
import type { DownloadProgress } from "./bindings/DownloadProgress";
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

  constructor(private readonly backend: Backend) {}

  async refresh(): Promise<void> {
    try {
      this.titles = await this.backend.listTitles();
      this.error = null;
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
    const t = this.titles.find((x) => x.id === p.title_id);
    if (t) {
      t.state = "downloading";
      t.bytes_done = p.bytes_done;
      t.bytes_total = p.bytes_total;
    }
  }

  /** Adds a link and starts downloading it; resolves once it is added (not downloaded). */
  async add(url: string): Promise<Title> {
    const title = await this.backend.addLink(url);
    this.upsert(title);
    this.start(title.id);
    return title;
  }

  /** Starts (or continues) a title's download in the background. */
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
    return this.act(async () => {
      this.upsert(await this.backend.resumeTitle(id));
      this.start(id);
    });
  }

  remove(id: number): Promise<void> {
    return this.act(() => this.backend.removeTitle(id));
  }

  /** Starts refreshing; returns the function that stops it. */
  watch(): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }
}
