// What the Library view was showing (search, state filter, sort, grid or list, selection and
// scroll position), kept while the window is open so coming back from a title's page finds it
// as it was; grid/list and the sort are also remembered across launches.

import { SORTS, type Group, type Sort } from "./library";

const KEY = "layover.library";

type Mode = "grid" | "list";

function load(): { mode: Mode; sort: Sort } {
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? "{}") as { mode?: string; sort?: string };
    return {
      mode: raw.mode === "list" ? "list" : "grid",
      sort: (SORTS as readonly string[]).includes(raw.sort ?? "") ? (raw.sort as Sort) : "name",
    };
  } catch {
    return { mode: "grid", sort: "name" };
  }
}

export class LibraryView {
  query = $state("");
  group: Group = $state("all");
  mode: Mode = $state("grid");
  sort: Sort = $state("name");
  /** Replaced, never changed in place, so a plain Set in `$state` is enough. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  selected: Set<number> = $state(new Set());
  /** The checkbox clicked last, where a shift-click range starts. */
  anchor: number | null = $state(null);
  scrollTop = 0;
  /** What the last delete did, in words (shown in the Library). */
  outcome: string | null = $state(null);

  constructor() {
    const saved = load();
    this.mode = saved.mode;
    this.sort = saved.sort;
  }

  /** Writes grid/list and the sort for the next launch. */
  save(): void {
    try {
      localStorage.setItem(KEY, JSON.stringify({ mode: this.mode, sort: this.sort }));
    } catch {
      // Storage may be unavailable (private mode); the choice still holds for this window.
    }
  }
}

/** The one Library view state of this window. */
export const libraryView = new LibraryView();
