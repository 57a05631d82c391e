import { Channel, invoke } from "@tauri-apps/api/core";

import type { AppInfo } from "../bindings/AppInfo";
import type { ChoiceInput } from "../bindings/ChoiceInput";
import type { LinkChoices } from "../bindings/LinkChoices";
import type { QueueProgress } from "../bindings/QueueProgress";
import type { DownloadProgress } from "../bindings/DownloadProgress";
import type { ClockStatus } from "../bindings/ClockStatus";
import type { Settings } from "../bindings/Settings";
import type { SettingsPatch } from "../bindings/SettingsPatch";
import type { Title } from "../bindings/Title";
import { toApiError } from "../errors";
import type { Backend } from "./index";
import { TauriCatalog } from "./catalog";
import { TauriLibrary } from "./library";
import { TauriLicenses } from "./licenses";
import { TauriSupport } from "./support";
import { TauriPlayback } from "../player/api";

// Command names match `src-tauri/src/commands.rs`; arguments are camelCase per Tauri's convention.
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export class TauriBackend implements Backend {
  readonly licenses = new TauriLicenses();
  readonly library = new TauriLibrary();
  readonly catalog = new TauriCatalog();
  readonly support = new TauriSupport();
  readonly playback = new TauriPlayback();

  linkChoices(url: string): Promise<LinkChoices> {
    return call("link_choices", { url });
  }

  addLink(url: string, choice?: ChoiceInput): Promise<Title> {
    return call("add_link", { url, choice: choice ?? null });
  }

  watchDownloads(onProgress: (p: QueueProgress) => void): Promise<void> {
    const channel = new Channel<QueueProgress>();
    channel.onmessage = onProgress;
    return call("watch_downloads", { onProgress: channel });
  }

  moveTitle(id: number, to: string): Promise<Title[]> {
    return call("move_title", { id, to });
  }

  pauseAll(): Promise<number> {
    return call("pause_all");
  }

  resumeAll(): Promise<number> {
    return call("resume_all");
  }

  downloadTitle(id: number, onProgress: (p: DownloadProgress) => void): Promise<Title> {
    const channel = new Channel<DownloadProgress>();
    channel.onmessage = onProgress;
    return call("download_title", { id, onProgress: channel });
  }

  pauseTitle(id: number): Promise<Title> {
    return call("pause_title", { id });
  }

  resumeTitle(id: number): Promise<Title> {
    return call("resume_title", { id });
  }

  removeTitle(id: number): Promise<number> {
    return call("remove_title", { id });
  }

  appInfo(): Promise<AppInfo> {
    return call("app_info");
  }

  clockStatus(): Promise<ClockStatus> {
    return call("clock_status");
  }

  getSettings(): Promise<Settings> {
    return call("get_settings");
  }

  listTitles(): Promise<Title[]> {
    return call("list_titles");
  }

  updateSettings(patch: SettingsPatch): Promise<Settings> {
    return call("update_settings", { patch });
  }
}

/** Whether the page runs inside the Layover window. */
export function insideTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}
