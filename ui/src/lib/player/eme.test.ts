import { describe, expect, it } from "vitest";

import {
  CLEARKEY_KEY_SYSTEM,
  PLAYREADY_KEY_SYSTEM,
  chooseSessionType,
  drmConfig,
  licenseUri,
  persistentSessionIds,
  sameIds,
  titleOfLicenseUri,
} from "./eme";

const playready = { key_system: PLAYREADY_KEY_SYSTEM, persistent: true, session_ids: ["s-1", "s-2"] };

describe("EME path", () => {
  it("routes license requests to the backend by title", () => {
    expect(licenseUri(7)).toBe("layover-license://title/7");
    expect(titleOfLicenseUri(licenseUri(7))).toBe(7);
    expect(titleOfLicenseUri("https://license.example/title/7")).toBeNull();
    expect(titleOfLicenseUri("layover-license://title/7/../8")).toBeNull();
  });

  it("asks for persistent-license sessions when the key system offers them", async () => {
    const seen: MediaKeySystemConfiguration[][] = [];
    const yes = (ks: string, c: MediaKeySystemConfiguration[]) => {
      seen.push(c);
      return Promise.resolve({ keySystem: ks } as MediaKeySystemAccess);
    };
    expect(await chooseSessionType(playready, yes)).toBe("persistent-license");
    expect(seen[0]?.[0]?.sessionTypes).toEqual(["persistent-license"]);
    const no = () => Promise.reject(new DOMException("unsupported", "NotSupportedError"));
    expect(await chooseSessionType(playready, no)).toBe("temporary");
    expect(await chooseSessionType({ ...playready, persistent: false }, yes)).toBe("temporary");
  });

  it("configures Shaka for PlayReady on Windows: recommendation key system, stored sessions loaded first", () => {
    const c = drmConfig(3, playready, "persistent-license");
    expect(c.servers).toEqual({ [PLAYREADY_KEY_SYSTEM]: "layover-license://title/3" });
    expect(c.keySystemsMapping).toEqual({ "com.microsoft.playready": PLAYREADY_KEY_SYSTEM });
    expect(c.preferredKeySystems).toEqual([PLAYREADY_KEY_SYSTEM]);
    expect(c.advanced[PLAYREADY_KEY_SYSTEM]?.sessionType).toBe("persistent-license");
    expect(c.advanced[PLAYREADY_KEY_SYSTEM]?.persistentStateRequired).toBe(true);
    expect(c.persistentSessionsMetadata.map((m) => m.sessionId)).toEqual(["s-1", "s-2"]);
    expect(c.persistentSessionOnlinePlayback).toBe(true);
  });

  it("configures ClearKey with temporary sessions and loads no stored session", () => {
    const c = drmConfig(4, { key_system: CLEARKEY_KEY_SYSTEM, persistent: true, session_ids: ["old"] }, "temporary");
    expect(c.servers).toEqual({ [CLEARKEY_KEY_SYSTEM]: "layover-license://title/4" });
    expect(c.keySystemsMapping).toEqual({});
    expect(c.advanced[CLEARKEY_KEY_SYSTEM]?.persistentStateRequired).toBe(false);
    expect(c.persistentSessionsMetadata).toEqual([]);
  });

  it("stores only persistent session ids", () => {
    const ids = persistentSessionIds([
      { sessionId: "a", sessionType: "persistent-license" },
      { sessionId: "b", sessionType: "temporary" },
      { sessionId: "a", sessionType: "persistent-license" },
      { sessionId: "", sessionType: "persistent-license" },
    ]);
    expect(ids).toEqual(["a"]);
    expect(sameIds(["a", "b"], ["b", "a"])).toBe(true);
    expect(sameIds(["a"], ["a", "b"])).toBe(false);
  });
});
