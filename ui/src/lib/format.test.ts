import { describe, expect, it } from "vitest";

import { formatDuration } from "./format";

describe("formatDuration", () => {
  it("uses the largest unit and the next one down", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration((3 * 3600 + 5 * 60 + 7) * 1000)).toBe("3 h 5 min");
    expect(formatDuration((2 * 86_400 + 4 * 3600) * 1000)).toBe("2 d 4 h");
    expect(formatDuration((86_400 + 30) * 1000)).toBe("1 d");
  });
});
