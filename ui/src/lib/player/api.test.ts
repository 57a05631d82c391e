import { describe, expect, it } from "vitest";

import { clock, playerKey, schemeOrigin } from "./api";

describe("player helpers", () => {
  it("formats times", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(83.4)).toBe("1:23");
    expect(clock(3725)).toBe("1:02:05");
    expect(clock(Number.NaN)).toBe("0:00");
  });

  it("maps the keyboard shortcuts", () => {
    const k = (key: string, ctrlKey = false) => playerKey({ key, ctrlKey, metaKey: false, altKey: false });
    expect(k(" ")).toBe("toggle");
    expect(k("ArrowLeft")).toBe("back");
    expect(k("ArrowRight")).toBe("forward");
    expect(k("ArrowUp")).toBe("louder");
    expect(k("f")).toBe("fullscreen");
    expect(k("m")).toBe("mute");
    expect(k("Escape")).toBe("close");
    expect(k("f", true)).toBeNull();
    expect(k("x")).toBeNull();
  });

  it("uses Tauri's origin for the scheme on each OS", () => {
    expect(schemeOrigin("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit")).toBe("layover://localhost");
    expect(schemeOrigin("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120")).toBe("http://layover.localhost");
  });
});
