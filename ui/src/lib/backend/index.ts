// The one interface between the UI and Layover's engine. Components receive a `Backend` and never
// call Tauri directly, so they are tested against `MockBackend` and a page test can run the whole
// UI in a plain browser.

import type { AppInfo } from "../bindings/AppInfo";
import type { DownloadProgress } from "../bindings/DownloadProgress";
import type { ClockStatus } from "../bindings/ClockStatus";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { Title } from "../bindings/Title";

export interface Backend {
  /** Version and where this install keeps its data. */
  appInfo(): Promise<AppInfo>;
  /** Records the clock as seen and says whether it was set back. */
  clockStatus(): Promise<ClockStatus>;
  /** All settings, defaults filled in. */
  getSettings(): Promise<Settings>;
  /** Adds a title by link (or returns the unfinished title already added from it). */
  addLink(url: string): Promise<Title>;
  /**
   * Downloads a title; resolves with it completed, paused or failed (the reason says why).
   * Progress arrives at most 4 times a second.
   */
  downloadTitle(id: number, onProgress: (p: DownloadProgress) => void): Promise<Title>;
  /** Pauses a queued or downloading title (its download stops within a quarter second). */
  pauseTitle(id: number): Promise<Title>;
  /** Queues a paused or failed title again (then call downloadTitle). */
  resumeTitle(id: number): Promise<Title>;
  /** Deletes a title and its files; resolves with the bytes freed. */
  removeTitle(id: number): Promise<number>;
  /** Every title in the library, in queue order. */
  listTitles(): Promise<Title[]>;
  /** Changes some settings and returns all of them. */
  updateSettings(patch: SettingsPatch): Promise<Settings>;
}
