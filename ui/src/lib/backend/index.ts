// The one interface between the UI and Layover's engine. Components receive a `Backend` and never
// call Tauri directly, so they are tested against `MockBackend` and a page test can run the whole
// UI in a plain browser.

import type { AppInfo } from "../bindings/AppInfo";
import type { ChoiceInput } from "../bindings/ChoiceInput";
import type { LinkChoices } from "../bindings/LinkChoices";
import type { QueueProgress } from "../bindings/QueueProgress";
import type { CatalogApi } from "./catalog";
import type { LibraryApi } from "./library";
import type { LicensesApi } from "./licenses";
import type { SupportApi } from "./support";
import type { PlaybackApi } from "../player/api";
import type { DownloadProgress } from "../bindings/DownloadProgress";
import type { ClockStatus } from "../bindings/ClockStatus";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { Title } from "../bindings/Title";

export interface Backend {
  /** Licenses and license providers. */
  readonly licenses: LicensesApi;
  /** License summaries for the Library, a title's page and its poster. */
  readonly library: LibraryApi;
  /** Catalog feeds and the demo server. */
  readonly catalog: CatalogApi;
  /** Verify files, diagnostics. */
  readonly support: SupportApi;
  /** The player's license check and where titles are served. */
  readonly playback: PlaybackApi;
  /** Version and where this install keeps its data. */
  appInfo(): Promise<AppInfo>;
  /** Records the clock as seen and says whether it was set back. */
  clockStatus(): Promise<ClockStatus>;
  /** All settings, defaults filled in. */
  getSettings(): Promise<Settings>;
  /** What a link offers (qualities, languages, sizes) and the free space; adds nothing. */
  linkChoices(url: string): Promise<LinkChoices>;
  /**
   * Adds a title by link with a choice of tracks (Settings fill the rest), queued; the queue
   * downloads it when its turn comes. An unfinished title from the same link takes the new choice.
   */
  addLink(url: string, choice?: ChoiceInput): Promise<Title>;
  /** Progress of every running download and all together, at most 4 times a second, until the window closes. */
  watchDownloads(onProgress: (p: QueueProgress) => void): Promise<void>;
  /** Moves a title in the queue: "top", "bottom", "up", "down" or a place number. */
  moveTitle(id: number, to: string): Promise<Title[]>;
  /** Pauses every queued or downloading title; resolves with how many. */
  pauseAll(): Promise<number>;
  /** Queues every paused title again; resolves with how many. */
  resumeAll(): Promise<number>;
  /**
   * Downloads a title; resolves with it completed, paused or failed (the reason says why).
   * Progress arrives at most 4 times a second.
   */
  downloadTitle(id: number, onProgress: (p: DownloadProgress) => void): Promise<Title>;
  /** Pauses a queued or downloading title (its download stops within a quarter second). */
  pauseTitle(id: number): Promise<Title>;
  /** Queues a paused or failed title again (the queue downloads it). */
  resumeTitle(id: number): Promise<Title>;
  /** Deletes a title and its files; resolves with the bytes freed. */
  removeTitle(id: number): Promise<number>;
  /** Every title in the library, in queue order. */
  listTitles(): Promise<Title[]>;
  /** Changes some settings and returns all of them. */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
}
