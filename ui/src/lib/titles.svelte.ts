// The library as the views see it: loaded from the backend and refreshed while a view is open,
// so a download run from the CLI (which shares the database) shows up here too.

import type { Backend } from "./backend";
import type { ApiError } from "./bindings/ApiError";
import type { Title } from "./bindings/Title";
import { toApiError } from "./errors";

/** How often an open view re-reads the library. */
export const REFRESH_MS = 2_000;

export class TitlesStore {
  titles: Title[] = $state([]);
  loaded = $state(false);
  error: ApiError | null = $state(null);

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

  /** Starts refreshing; returns the function that stops it. */
  watch(): () => void {
    void this.refresh();
    const timer = setInterval(() => void this.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }
}
