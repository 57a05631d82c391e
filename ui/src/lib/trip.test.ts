import { describe, expect, it } from "vitest";

import type { CatalogEntry } from "./bindings/CatalogEntry";
import type { Title } from "./bindings/Title";
import { catalogOnly, dateInput, inAWeek, matching, returnMsOf } from "./trip";

const title = (id: number, name: string, source_url: string): Title => ({
  id,
  name,
  source_url,
  kind: "dash",
  state: "completed",
  state_reason: null,
  bytes_done: 1,
  bytes_total: 1,
  folder: `t${id}`,
  queue_position: id,
  created_at: 0,
  completed_at: 0,
});

const entry = (id: string, name: string, manifest: string): CatalogEntry => ({
  id,
  name,
  description: "",
  duration_secs: null,
  poster: null,
  manifest,
  kind: "dash",
  license: null,
  tags: ["drama"],
});

describe("trip dates", () => {
  it("reads the return day as its last second, local time", () => {
    const ms = returnMsOf("2026-12-24");
    expect(ms).not.toBeNull();
    const d = new Date(ms!);
    expect([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()]).toEqual([2026, 11, 24, 23, 59]);
    expect(dateInput(d)).toBe("2026-12-24");
  });

  it("refuses what is not a day", () => {
    expect(returnMsOf("")).toBeNull();
    expect(returnMsOf("next week")).toBeNull();
    expect(returnMsOf("2026-13-45")).toBeNull();
  });

  it("offers a week from now", () => {
    expect(inAWeek(new Date(2026, 10, 25, 12))).toBe("2026-12-02");
  });
});

describe("the picker", () => {
  it("matches every word in any case", () => {
    const items = ["Big Buck Bunny", "Sintel", "Tears of Steel"];
    expect(matching(items, "", (s) => s)).toEqual(items);
    expect(matching(items, "  steel TEARS ", (s) => s)).toEqual(["Tears of Steel"]);
    expect(matching(items, "bunny sintel", (s) => s)).toEqual([]);
  });

  it("offers catalog entries not already in the library, by link or by name", () => {
    const titles = [title(1, "Sintel", "http://127.0.0.1:41000/demo/sintel.mpd"), title(2, "Other", "x")];
    const entries = [
      entry("a", "Sintel", "http://127.0.0.1:52000/demo/sintel.mpd"),
      entry("b", "Bunny", "x"),
      entry("c", "Tears", "http://127.0.0.1:52000/demo/tears.mpd"),
    ];
    expect(catalogOnly(entries, titles).map((e) => e.id)).toEqual(["c"]);
  });
});
