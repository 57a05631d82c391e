import { describe, expect, it } from "vitest";

import type { Title } from "./bindings/Title";
import type { TitleLicenseSummary } from "./bindings/TitleLicenseSummary";
import { mockLicense } from "./backend/licenses";
import { summarize } from "./backend/library";
import { clickSelect, filterTitles, placeholder, sortTitles, standing, titleClocks, toggleAll, visibleRange } from "./library";

const H = 3600;

function title(id: number, name: string, over: Partial<Title> = {}): Title {
  return {
    id,
    name,
    source_url: `https://cdn.example/${id}.mpd`,
    kind: "dash",
    state: "completed",
    state_reason: null,
    bytes_done: id * 1_000_000,
    bytes_total: id * 1_000_000,
    folder: `0000${id}-x`,
    queue_position: id,
    created_at: 1_800_000_000_000 + id * 1000,
    completed_at: 1_800_000_100_000,
    ...over,
  };
}

function summary(title_id: number, over: Partial<TitleLicenseSummary> = {}): TitleLicenseSummary {
  return {
    title_id,
    licenses: 2,
    status: "valid",
    reason: null,
    renew_failed: false,
    expires_ms: 1_800_000_000_000 + 10 * 24 * H * 1000,
    deadline: "license_window",
    remaining_secs: 10 * 24 * H,
    begin_ms: null,
    license_end_ms: 1_800_000_000_000 + 10 * 24 * H * 1000,
    playback_window_secs: 48 * H,
    first_play_ms: null,
    clock_rolled_back: false,
    ...over,
  };
}

describe("where a title stands, in words", () => {
  it("says downloading with its percentage, queued, paused and failed", () => {
    expect(standing(title(1, "a", { state: "downloading", bytes_done: 42, bytes_total: 100 }), undefined)).toMatchObject({
      group: "downloading",
      label: "Downloading 42 %",
    });
    expect(standing(title(1, "a", { state: "queued" }), undefined).group).toBe("downloading");
    expect(standing(title(1, "a", { state: "paused", state_reason: "paused by you" }), undefined).group).toBe("downloading");
    const full = standing(title(1, "a", { state: "paused", state_reason: "the disk is full; free 2 GB and resume" }), undefined);
    expect(full.group).toBe("attention");
    expect(full.words).toContain("the disk is full");
    expect(standing(title(1, "a", { state: "failed", state_reason: "HTTP 403" }), undefined)).toMatchObject({ group: "attention", words: "Download failed: HTTP 403" });
  });

  it("says ready, expiring in 2 d 4 h, expired, renew needed and no license yet with why", () => {
    const t = title(1, "a");
    expect(standing(t, undefined)).toMatchObject({ group: "ready", label: "Ready" });
    expect(standing(t, summary(1)).words).toBe("Ready, 10 d left");
    const expiring = standing(t, summary(1, { status: "expiring_soon", remaining_secs: 2 * 24 * H + 4 * H }));
    expect(expiring).toMatchObject({ group: "expiring", words: "Expiring in 2 d 4 h" });
    // Counted down between reads: 5 h later it says so.
    expect(standing(t, summary(1, { status: "expiring_soon", remaining_secs: 10 * H }), 5 * H).words).toBe("Expiring in 5 h");
    expect(standing(t, summary(1, { status: "expiring_soon", remaining_secs: 10 * H }), 11 * H).group).toBe("expired");
    const expired = standing(t, summary(1, { status: "expired", remaining_secs: 0 }));
    expect(expired.group).toBe("expired");
    expect(expired.words).toMatch(/^Expired .*renew needed$/);
    const renew = standing(t, summary(1, { renew_failed: true, reason: "the license server failed (HTTP 503)" }));
    expect(renew).toMatchObject({ group: "attention", label: "Renew needed" });
    expect(renew.words).toContain("HTTP 503");
    const pending = standing(t, summary(1, { status: "pending", reason: "no network; Layover will try again", remaining_secs: null }));
    expect(pending).toMatchObject({ group: "attention", words: "No license yet: no network; Layover will try again" });
    const window = standing(t, summary(1, { status: "expiring_soon", remaining_secs: 3 * H, deadline: "playback_window" }));
    expect(window.words).toBe("Expiring in 3 h (playback window)");
  });
});

describe("sorting and filtering", () => {
  const titles = [
    title(1, "Night Train 10"),
    title(2, "harbour lights"),
    title(3, "Night Train 9", { state: "downloading", bytes_done: 1, bytes_total: 4 }),
    title(4, "Árbol", { state: "failed", state_reason: "HTTP 403" }),
    title(5, "Sky Atlas"),
  ];
  const summaries: Record<number, TitleLicenseSummary> = {
    1: summary(1, { status: "expiring_soon", remaining_secs: 5 * H }),
    2: summary(2, { status: "expired", remaining_secs: 0 }),
    5: summary(5, { remaining_secs: 30 * 24 * H }),
  };
  const names = (ts: Title[]) => ts.map((t) => t.name);

  it("sorts by name (numbers in order, case ignored), date added, size and time left", () => {
    expect(names(sortTitles(titles, summaries, "name"))).toEqual(["Árbol", "harbour lights", "Night Train 9", "Night Train 10", "Sky Atlas"]);
    expect(names(sortTitles(titles, summaries, "added"))[0]).toBe("Sky Atlas");
    expect(names(sortTitles(titles, summaries, "size"))).toEqual(["Sky Atlas", "Árbol", "harbour lights", "Night Train 10", "Night Train 9"]);
    // Least time first; titles without a license (never expire) last, by name.
    expect(names(sortTitles(titles, summaries, "time_left"))).toEqual(["harbour lights", "Night Train 10", "Sky Atlas", "Árbol", "Night Train 9"]);
  });

  it("filters by text (accents and case ignored) and by state", () => {
    expect(names(filterTitles(titles, summaries, "night", "all"))).toEqual(["Night Train 10", "Night Train 9"]);
    expect(names(filterTitles(titles, summaries, "arbol", "all"))).toEqual(["Árbol"]);
    expect(names(filterTitles(titles, summaries, "", "expiring"))).toEqual(["Night Train 10"]);
    expect(names(filterTitles(titles, summaries, "", "expired"))).toEqual(["harbour lights"]);
    expect(names(filterTitles(titles, summaries, "", "downloading"))).toEqual(["Night Train 9"]);
    expect(names(filterTitles(titles, summaries, "", "attention"))).toEqual(["Árbol"]);
    expect(names(filterTitles(titles, summaries, "", "ready"))).toEqual(["Sky Atlas"]);
    expect(filterTitles(titles, summaries, "night", "expired")).toEqual([]);
  });
});

describe("selection", () => {
  const visible = [10, 20, 30, 40, 50];

  it("toggles one, selects a shift-click range from the last click, and clears one", () => {
    let s = clickSelect(new Set(), visible, 20, null, false);
    expect([...s]).toEqual([20]);
    s = clickSelect(s, visible, 40, 20, true);
    expect([...s].sort()).toEqual([20, 30, 40]);
    // A shift-click upwards works too, and a range on a selected one clears the range.
    s = clickSelect(s, visible, 10, 40, true);
    expect([...s].sort()).toEqual([10, 20, 30, 40]);
    s = clickSelect(s, visible, 30, 10, true);
    expect([...s].sort()).toEqual([40]);
    s = clickSelect(s, visible, 40, 30, false);
    expect(s.size).toBe(0);
  });

  it("selects all visible titles, then none; titles not shown keep their state", () => {
    const s = toggleAll(new Set([99]), visible);
    expect([...s].sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50, 99]);
    expect([...toggleAll(s, visible)]).toEqual([99]);
  });
});

describe("virtual rows and placeholders", () => {
  it("renders only the rows in view plus the overscan", () => {
    expect(visibleRange(0, 600, 100, 10_000, 2)).toEqual({ first: 0, last: 8 });
    expect(visibleRange(50_000, 600, 100, 10_000, 2)).toEqual({ first: 498, last: 508 });
    expect(visibleRange(999_999, 600, 100, 10_000, 2).last).toBe(9_999);
    expect(visibleRange(0, 600, 100, 0)).toEqual({ first: 0, last: -1 });
  });

  it("gives a title without a poster its initials and a stable colour", () => {
    expect(placeholder("Night Train 10").initials).toBe("NT");
    expect(placeholder("sintel").initials).toBe("SI");
    expect(placeholder("Night Train 10")).toEqual(placeholder("Night Train 10"));
  });
});

describe("both clocks of a title", () => {
  it("before and after the first play", () => {
    const before = titleClocks([
      mockLicense({ id: 1, title_name: "t", playback_window_secs: 48 * H, license_end_ms: 5_000_000, expires_ms: 5_000_000 }),
      mockLicense({ id: 2, title_name: "t", playback_window_secs: 24 * H, license_end_ms: 9_000_000, expires_ms: 9_000_000 }),
    ]);
    expect(before).toMatchObject({ licenseUntilMs: 5_000_000, playbackWindowSecs: 24 * H, firstPlayMs: null, playbackUntilMs: null, expiresMs: 5_000_000 });
    const after = titleClocks([
      mockLicense({ id: 1, title_name: "t", playback_window_secs: 2 * H, first_play_ms: 1_000, expires_ms: 1_000 + 2 * H * 1000, deadline: "playback_window" }),
    ]);
    expect(after).toMatchObject({ firstPlayMs: 1_000, playbackUntilMs: 1_000 + 2 * H * 1000, decidedBy: "playback_window" });
  });

  it("the mock sums licenses up as the engine does", () => {
    const s = summarize([
      mockLicense({ id: 1, title_id: 7, title_name: "t", status: "valid", expires_ms: 9, remaining_secs: 9 }),
      mockLicense({ id: 2, title_id: 7, title_name: "t", status: "expiring_soon", expires_ms: 5, remaining_secs: 5 }),
      mockLicense({ id: 3, title_id: 8, title_name: "u", status: "pending", status_reason: "offline", expires_ms: null }),
      mockLicense({ id: 4, title_id: 8, title_name: "u", status: "valid" }),
    ]);
    expect(s.find((x) => x.title_id === 7)).toMatchObject({ licenses: 2, status: "expiring_soon", expires_ms: 5 });
    expect(s.find((x) => x.title_id === 8)).toMatchObject({ status: "pending", reason: "offline" });
  });
});
