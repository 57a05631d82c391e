// The app's views, their order in the sidebar and their keyboard shortcuts.

// The Catalog came after the first four; it takes Ctrl+5 so their shortcuts stay as they were,
// and Diagnostics (for support staff) Ctrl+6.
export const VIEWS = ["library", "downloads", "licenses", "settings", "catalog", "diagnostics"] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = {
  library: "Library",
  downloads: "Downloads",
  licenses: "Licenses",
  settings: "Settings",
  catalog: "Catalog",
  diagnostics: "Diagnostics",
};

/** `#/downloads` -> `downloads`; anything unknown falls back to the Library. */
export function viewFromHash(hash: string): View {
  const name = hash.replace(/^#\/?/, "");
  return (VIEWS as readonly string[]).includes(name) ? (name as View) : "library";
}

/** `#/title/<id>`: a title's page (in the Library). */
export function titleFromHash(hash: string): number | null {
  const m = /^#\/title\/(\d+)$/.exec(hash);
  return m ? Number(m[1]) : null;
}

export function hashFor(view: View): string {
  return `#/${view}`;
}

/** Ctrl+1..6 (Cmd on macOS) jumps to a view. Returns the view, or null if not a shortcut. */
export function viewForShortcut(e: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey">): View | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const index = Number.parseInt(e.key, 10) - 1;
  return VIEWS[index] ?? null;
}

/** Roving focus in the sidebar: which item an arrow/Home/End key moves to. */
export function nextIndex(key: string, current: number, count: number): number | null {
  switch (key) {
    case "ArrowDown":
      return (current + 1) % count;
    case "ArrowUp":
      return (current - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}
