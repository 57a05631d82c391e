// An in-memory backend for component tests and page tests in a plain browser (`?backend=mock`).

import type { ApiError } from "../bindings/ApiError";
import type { AppInfo } from "../bindings/AppInfo";
import type { ChoiceInput } from "../bindings/ChoiceInput";
import type { LinkChoices } from "../bindings/LinkChoices";
import type { QueueProgress } from "../bindings/QueueProgress";
import type { DownloadProgress } from "../bindings/DownloadProgress";
import type { ClockStatus } from "../bindings/ClockStatus";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { Title } from "../bindings/Title";
import type { Backend } from "./index";
import { MockCatalog } from "./catalog";
import { MockLibrary } from "./library";
import { MockLicenses } from "./licenses";
import { MockSupport } from "./support";
import { MockPlayback } from "../player/mock";

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
  readonly licenses = new MockLicenses();
  readonly catalog = new MockCatalog();
  readonly support = new MockSupport(this);
  readonly playback = new MockPlayback();
  readonly library = new MockLibrary(this);
  settings: Settings = {
    theme: "system",
    video_quality: "1080p",
    audio_languages: [],
    parallel_downloads: 2,
    parallel_segments: 6,
    bandwidth_limit_kbps: 0,
    renew_window_days: 3,
    notifications: true,
  };
  clock: ClockStatus = { now_ms: 1_800_000_000_000, latest_seen_ms: 1_800_000_000_000, behind_ms: 0, rolled_back: false };
  titles: Title[] = [];
  /** When set, every call rejects with this error (to test error states). */
  failWith: ApiError | null = null;
  readonly calls: string[] = [];

  constructor() {
    this.licenses.titlesOf = () => this.titles;
  }

  private async answer<T>(name: string, value: () => T): Promise<T> {
    this.calls.push(name);
    if (this.failWith) throw this.failWith;
    return value();
  }

  /** Size every mock download pretends to have. */
  static readonly MOCK_SIZE = 4_000_000;

  /** Free space the mock reports. */
  freeBytes = 64_000_000_000;
  private watchers: ((p: QueueProgress) => void)[] = [];

  linkChoices(url: string): Promise<LinkChoices> {
    return this.answer("linkChoices", () => {
      this.checkLink(url);
      const dash = url.endsWith(".mpd");
      return {
        url,
        name: MockBackend.nameOf(url),
        kind: dash ? "dash" : "progressive",
        video: dash
          ? [
              { choice: "3000k", label: "1920x1080, 3.0 Mbit/s, avc1", height: 1080, bitrate: 3_000_000, bytes: 2_250_000_000 },
              { choice: "1200k", label: "1280x720, 1.2 Mbit/s, avc1", height: 720, bitrate: 1_200_000, bytes: 900_000_000 },
            ]
          : [],
        audio: dash
          ? [
              { language: "en", label: "en, 128 kbit/s", bytes: 96_000_000 },
              { language: "fr", label: "fr, 96 kbit/s", bytes: 72_000_000 },
            ]
          : [],
        subtitles: dash ? [{ language: "de", label: "de", bytes: 1_000_000 }] : [],
        default_video: dash ? "3000k" : null,
        default_audio: dash ? ["en", "fr"] : [],
        default_subtitles: dash ? ["de"] : [],
        file_bytes: dash ? null : MockBackend.MOCK_SIZE,
        free_bytes: this.freeBytes,
        min_margin_bytes: 50_000_000,
        existing: null,
      };
    });
  }

  private checkLink(url: string): void {
    if (!/^https?:\/\/.+(\.(mp4|ismv|mpd|m3u8)|\/Manifest)$/.test(url)) {
      throw { code: "invalid_input", message: `cannot add ${url}: it does not end in .mp4, .ismv, .mpd, .m3u8 or /Manifest` };
    }
  }

  private static nameOf(url: string): string {
    return url.replace(/.*\//, "").replace(/\.\w+$/, "").replace(/[_-]/g, " ");
  }

  /** The last choice a title was added with. */
  lastChoice: ChoiceInput | null = null;

  addLink(url: string, choice?: ChoiceInput): Promise<Title> {
    return this.answer("addLink", () => {
      this.checkLink(url);
      this.lastChoice = choice ?? null;
      const id = this.titles.length + 1;
      const title: Title = {
        id,
        name: MockBackend.nameOf(url),
        source_url: url,
        kind: "progressive",
        state: "queued",
        state_reason: null,
        bytes_done: 0,
        bytes_total: null,
        folder: `${String(id).padStart(5, "0")}-mock`,
        queue_position: id,
        created_at: MOCK_INFO_NOW,
        completed_at: null,
      };
      this.titles.push(title);
      const added = { ...title };
      // The mock's queue downloads it at once.
      this.runQueue();
      return added;
    });
  }

  /** Downloads every queued title, reporting progress to watchers. */
  private runQueue(): void {
    for (const t of this.titles.filter((x) => x.state === "queued")) {
      const total = MockBackend.MOCK_SIZE;
      const report = (done: number) => {
        const p = { title_id: t.id, bytes_done: done, bytes_total: total, bytes_per_sec: 1_000_000, eta_secs: 0 };
        const q: QueueProgress = { downloads: [p], bytes_done: done, bytes_total: total, bytes_per_sec: 1_000_000, eta_secs: 0 };
        for (const w of this.watchers) w(q);
      };
      report(total / 4);
      Object.assign(t, { state: "completed", bytes_done: total, bytes_total: total, completed_at: MOCK_INFO_NOW });
      report(total);
    }
  }

  watchDownloads(onProgress: (p: QueueProgress) => void): Promise<void> {
    this.calls.push("watchDownloads");
    this.watchers.push(onProgress);
    return new Promise(() => {});
  }

  moveTitle(id: number, to: string): Promise<Title[]> {
    return this.answer("moveTitle", () => {
      const i = this.titles.findIndex((t) => t.id === id);
      if (i === -1) throw { code: "not_found", message: `there is no title ${id} in the library` };
      const [t] = this.titles.splice(i, 1);
      const at = to === "top" ? 0 : to === "bottom" ? this.titles.length : to === "up" ? Math.max(0, i - 1) : to === "down" ? Math.min(this.titles.length, i + 1) : Number(to) - 1;
      this.titles.splice(at, 0, t!);
      this.titles.forEach((x, n) => (x.queue_position = n + 1));
      return this.titles.map((x) => ({ ...x }));
    });
  }

  pauseAll(): Promise<number> {
    return this.answer("pauseAll", () => {
      const running = this.titles.filter((t) => t.state === "queued" || t.state === "downloading");
      for (const t of running) Object.assign(t, { state: "paused", state_reason: "paused by you" });
      return running.length;
    });
  }

  resumeAll(): Promise<number> {
    return this.answer("resumeAll", () => {
      const paused = this.titles.filter((t) => t.state === "paused");
      for (const t of paused) Object.assign(t, { state: "queued", state_reason: null });
      return paused.length;
    });
  }

  downloadTitle(id: number, onProgress: (p: DownloadProgress) => void): Promise<Title> {
    return this.answer("downloadTitle", () => {
      const title = this.titles.find((t) => t.id === id);
      if (!title) throw { code: "not_found", message: `there is no title ${id} in the library` };
      const total = MockBackend.MOCK_SIZE;
      onProgress({ title_id: id, bytes_done: total / 4, bytes_total: total, bytes_per_sec: 1_000_000, eta_secs: 3 });
      onProgress({ title_id: id, bytes_done: total, bytes_total: total, bytes_per_sec: 0, eta_secs: 0 });
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
