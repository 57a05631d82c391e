import { describe, expect, it } from "vitest";

import { hashFor, nextIndex, viewForShortcut, viewFromHash } from "./nav";

describe("navigation", () => {
  it("maps hashes to views and back, falling back to the library", () => {
    expect(viewFromHash("#/licenses")).toBe("licenses");
    expect(viewFromHash(hashFor("downloads"))).toBe("downloads");
    expect(viewFromHash("#/catalog")).toBe("catalog");
    expect(viewFromHash("")).toBe("library");
    expect(viewFromHash("#/../../etc")).toBe("library");
  });

  it("uses Ctrl+1..6 as shortcuts and ignores other chords", () => {
    const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({
      key: k,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      ...mods,
    });
    expect(viewForShortcut(key("1", { ctrlKey: true }))).toBe("library");
    expect(viewForShortcut(key("4", { metaKey: true }))).toBe("settings");
    expect(viewForShortcut(key("5", { ctrlKey: true }))).toBe("catalog");
    expect(viewForShortcut(key("6", { ctrlKey: true }))).toBe("diagnostics");
    expect(viewForShortcut(key("7", { ctrlKey: true }))).toBeNull();
    expect(viewForShortcut(key("2"))).toBeNull();
    expect(viewForShortcut(key("2", { ctrlKey: true, altKey: true }))).toBeNull();
  });

  it("wraps arrow-key focus around the sidebar", () => {
    expect(nextIndex("ArrowDown", 3, 4)).toBe(0);
    expect(nextIndex("ArrowUp", 0, 4)).toBe(3);
    expect(nextIndex("Home", 2, 4)).toBe(0);
    expect(nextIndex("End", 0, 4)).toBe(3);
    expect(nextIndex("a", 0, 4)).toBeNull();
  });
});
