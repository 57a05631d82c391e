// An in-memory backend for component tests and page tests in a plain browser (`?backend=mock`).

import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { DownloadProgress } from "../bindings/DownloadProgress";
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

const MOCK_INFO_NOW = 1_800_000_000_000;

export class MockBackend implements Backend {
  settings: Settings = {
    theme: "system",
    video_quality: "1080p",
    audio_languages: [],
    parallel_downloads: 2,
    parallel_segments: 6,
    bandwidth_limit_kbps: 0,
  };
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

  /** Size every mock download pretends to have. */
  static readonly MOCK_SIZE = 4_000_000;

  addLink(url: string): Promise<Title> {
    return this.answer("addLink", () => {
      if (!/^https?:\/\/.+(\.(mp4|ismv|mpd|m3u8)|\/Manifest)$/.test(url)) {
        throw { code: "invalid_input", message: `cannot add ${url}: it does not end in .mp4, .ismv, .mpd, .m3u8 or /Manifest` };
      }
      const id = this.titles.length + 1;
      const title: Title = {
        id,
        name: url.replace(/.*\//, "").replace(/\.\w+$/, "").replace(/[_-]/g, " "),
        source_url: url,
        kind: "progressive",
        state: "queued",
        state_reason: null,
        bytes_done: 0,
        bytes_total: null,
        folder: `${String(id).padStart(5, "0")}-mock`,
        created_at: MOCK_INFO_NOW,
        completed_at: null,
      };
      this.titles.push(title);
      return { ...title };
    });
  }

  downloadTitle(id: number, onProgress: (p: DownloadProgress) => void): Promise<Title> {
    return this.answer("downloadTitle", () => {
      const title = this.titles.find((t) => t.id === id);
      if (!title) throw { code: "not_found", message: `there is no title ${id} in the library` };
      const total = MockBackend.MOCK_SIZE;
      onProgress({ title_id: id, bytes_done: total / 4, bytes_total: total });
      onProgress({ title_id: id, bytes_done: total, bytes_total: total });
      Object.assign(title, { state: "completed", bytes_done: total, bytes_total: total, completed_at: MOCK_INFO_NOW });
      return { ...title };
    });
  }

  private setState(id: number, state: Title["state"], reason: string | null): Title {
    const t = this.titles.find((x) => x.id === id);
    if (!t) throw { code: "not_found", message: `there is no title ${id} in the library` };
    Object.assign(t, { state, state_reason: reason });
    return { ...t };
  }

  pauseTitle(id: number): Promise<Title> {
    return this.answer("pauseTitle", () => this.setState(id, "paused", "paused by you"));
  }

  resumeTitle(id: number): Promise<Title> {
    return this.answer("resumeTitle", () => this.setState(id, "queued", null));
  }

  removeTitle(id: number): Promise<number> {
    return this.answer("removeTitle", () => {
      const t = this.titles.find((x) => x.id === id);
      if (!t) throw { code: "not_found", message: `there is no title ${id} in the library` };
      this.titles = this.titles.filter((x) => x.id !== id);
      return t.bytes_done;
    });
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
