// An in-memory backend for component tests and page tests in a plain browser (`?backend=mock`).

import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { ClockStatus } from "../bindings/ClockStatus";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { Title } from "../bindings/Title";
import type { Backend } from "./index";

export const MOCK_INFO: AppInfo = {
  name: "Layover",
  version: "0.0.0-mock",
  data_dir: "/tmp/layover-mock",
  data_dir_source: "flag",
  database_path: "/tmp/layover-mock/layover.db",
  logs_dir: "/tmp/layover-mock/logs",
  schema_version: 1,
  known_schema_version: 1,
  os: "linux",
  arch: "x86_64",
};

export class MockBackend implements Backend {
  settings: Settings = { theme: "system" };
  clock: ClockStatus = { now_ms: 1_800_000_000_000, latest_seen_ms: 1_800_000_000_000, behind_ms: 0, rolled_back: false };
  titles: Title[] = [];
  /** When set, every call rejects with this error (to test error states). */
  failWith: ApiError | null = null;
  readonly calls: string[] = [];

  private async answer<T>(name: string, value: () => T): Promise<T> {
    this.calls.push(name);
    if (this.failWith) throw this.failWith;
    return value();
  }

  appInfo(): Promise<AppInfo> {
    return this.answer("appInfo", () => ({ ...MOCK_INFO }));
  }

  clockStatus(): Promise<ClockStatus> {
    return this.answer("clockStatus", () => ({ ...this.clock }));
  }

  getSettings(): Promise<Settings> {
    return this.answer("getSettings", () => ({ ...this.settings }));
  }

  listTitles(): Promise<Title[]> {
    return this.answer("listTitles", () => this.titles.map((t) => ({ ...t })));
  }

  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return this.answer("updateSettings", () => {
      this.settings = { ...this.settings, ...patch };
      return { ...this.settings };
    });
  }
}
