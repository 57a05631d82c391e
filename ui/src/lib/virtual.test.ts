import { describe, expect, it } from "vitest";

import { visibleRange } from "./virtual";

describe("visibleRange", () => {
  it("renders the rows in view and a margin around them", () => {
    // 100 px rows, the view 300 px tall starting 1,000 px into the list: rows 10 to 12.
    expect(visibleRange(1_000, 300, 100, 10_000, 2)).toEqual({ start: 8, end: 15 });
  });

  it("starts at the top while the list begins below the view's top", () => {
    expect(visibleRange(-250, 400, 100, 10_000, 3)).toEqual({ start: 0, end: 5 });
  });

  it("never runs past the end or renders anything for an empty list", () => {
    expect(visibleRange(999_000, 800, 100, 10_000, 5)).toEqual({ start: 9_985, end: 10_000 });
    expect(visibleRange(0, 800, 100, 0, 5)).toEqual({ start: 0, end: 0 });
    expect(visibleRange(5_000, 800, 100, 20, 5)).toEqual({ start: 20, end: 20 });
  });

  it("keeps the rendered count bounded however long the list", () => {
    const r = visibleRange(123_456, 900, 96, 50_000, 6);
    expect(r.end - r.start).toBeLessThanOrEqual(Math.ceil(900 / 96) + 1 + 12);
  });
});
