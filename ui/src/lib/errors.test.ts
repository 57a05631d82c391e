import { describe, expect, it } from "vitest";

import type { ErrorCode } from "./bindings/ErrorCode";
import { adviceFor, isApiError, toApiError } from "./errors";

describe("errors", () => {
  it("recognises ApiError shapes with known codes only", () => {
    expect(isApiError({ code: "storage", message: "disk" })).toBe(true);
    expect(isApiError({ code: "made_up", message: "x" })).toBe(false);
    expect(isApiError({ code: "storage" })).toBe(false);
    expect(isApiError("storage")).toBe(false);
    expect(isApiError(null)).toBe(false);
  });

  it("wraps anything else as an internal error keeping its text", () => {
    expect(toApiError(new Error("boom"))).toEqual({ code: "internal", message: "boom" });
    expect(toApiError("plain")).toEqual({ code: "internal", message: "plain" });
    const api = { code: "not_found", message: "gone" } as const;
    expect(toApiError(api)).toBe(api);
  });

  it("has advice for every code", () => {
    const codes: ErrorCode[] = ["invalid_input", "not_found", "busy", "storage", "data_directory", "internal"];
    const advice = codes.map(adviceFor);
    expect(new Set(advice).size).toBe(codes.length);
    for (const a of advice) expect(a.length).toBeGreaterThan(10);
  });
});
