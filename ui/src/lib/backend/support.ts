// Support tools: verify a title's files, the Diagnostics view's report, export a diagnostics bundle.

import { invoke } from "@tauri-apps/api/core";

import type { ApiError } from "../bindings/ApiError";
import type { DiagnosticsReport } from "../bindings/DiagnosticsReport";
import type { LicenseView } from "../bindings/LicenseView";
import type { Settings } from "../bindings/Settings";
import type { Title } from "../bindings/Title";
import type { UpdateCheck } from "../bindings/UpdateCheck";
import type { VerifyReport } from "../bindings/VerifyReport";
import { toApiError } from "../errors";

export interface SupportApi {
  /** Re-checks a title's files; damaged ones go back to the queue. */
  verifyTitle(id: number): Promise<VerifyReport>;
  /** Writes a diagnostics bundle to the Downloads folder; resolves with its path. */
  exportDiagnostics(): Promise<string>;
  /** What a bundle holds, redacted the same way (the last log lines instead of whole files). */
  diagnostics(): Promise<DiagnosticsReport>;
  /** Looks for a newer version (only when asked); a build without an update key says so. */
  checkForUpdates(): Promise<UpdateCheck>;
  /** Downloads, verifies and installs the newer version, then restarts into it. */
  installUpdate(): Promise<void>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export class TauriSupport implements SupportApi {
  verifyTitle(id: number): Promise<VerifyReport> {
    return call("verify_title", { id });
  }
  exportDiagnostics(): Promise<string> {
    return call("export_diagnostics");
  }
  diagnostics(): Promise<DiagnosticsReport> {
    return call("diagnostics");
  }
  checkForUpdates(): Promise<UpdateCheck> {
    return call("check_for_updates");
  }
  installUpdate(): Promise<void> {
    return call("install_update");
  }
}

/** What the mock's report is made from: the rest of the mocked backend. */
export interface MockSupportSource {
  titles: Title[];
  settings: Settings;
  licenses: { licenses: LicenseView[]; history: DiagnosticsReport["history"][number]["requests"] };
}

export class MockSupport implements SupportApi {
  readonly calls: string[] = [];
  /** Log lines the mocked report shows. */
  logLines: string[] = [
    "2026-11-25T04:00:00.000Z  INFO layover_engine: library open data_dir=<data> source=Flag",
    "2026-11-25T04:00:01.000Z  INFO layover_engine::licenses: license acquired title=Blue Hour status=200",
    "2026-11-25T04:00:02.000Z  WARN layover_engine::net: retrying url=https://media.example/a.mpd?token=[redacted]",
  ];

  /** What "Check for updates" finds (or the error it fails with). */
  update: UpdateCheck | ApiError = {
    code: "not_found",
    message: "this build has no update key (a development or local build), so it never looks for updates",
  };

  constructor(private readonly source?: MockSupportSource) {}

  checkForUpdates(): Promise<UpdateCheck> {
    this.calls.push("checkForUpdates");
    return "code" in this.update ? Promise.reject(this.update) : Promise.resolve(this.update);
  }
  installUpdate(): Promise<void> {
    this.calls.push("installUpdate");
    return Promise.resolve();
  }

  verifyTitle(id: number): Promise<VerifyReport> {
    this.calls.push("verifyTitle");
    return Promise.resolve({ title_id: id, title_name: "mock", files: [], bad: 0, summary: "all 0 downloaded files are intact" });
  }
  exportDiagnostics(): Promise<string> {
    this.calls.push("exportDiagnostics");
    return Promise.resolve("/home/mock/Downloads/layover-diagnostics-1800000000.zip");
  }
  diagnostics(): Promise<DiagnosticsReport> {
    this.calls.push("diagnostics");
    const s = this.source;
    const titles = s?.titles ?? [];
    const licenses = s?.licenses.licenses ?? [];
    return Promise.resolve({
      app: {
        name: "Layover",
        version: "0.0.0-mock",
        data_dir: "<data>",
        data_dir_source: "flag",
        database_path: "<data>/layover.db",
        logs_dir: "<data>/logs",
        schema_version: 20261125040000,
        known_schema_version: 20261125040000,
        os: "linux",
        arch: "x86_64",
      },
      os_version: "Debian GNU/Linux 12 (bookworm), kernel 6.1.0 (linux x86_64)",
      clock: { now_ms: 1_800_000_000_000, latest_seen_ms: 1_800_000_000_000, behind_ms: 0, rolled_back: false },
      settings: s?.settings ?? {
        theme: "system",
        video_quality: "1080p",
        audio_languages: [],
        parallel_downloads: 2,
        parallel_segments: 6,
        bandwidth_limit_kbps: 0,
        renew_window_days: 3,
        notifications: true,
      },
      titles: titles.map((t) => ({
        ...t,
        tracks:
          t.state === "completed"
            ? [
                { kind: "video", label: "1280x720, 3.0 Mbit/s, avc1", language: null },
                { kind: "audio", label: "en, 128 kbit/s", language: "en" },
              ]
            : [],
        tracks_note: t.state === "completed" ? null : "its manifest is not in its folder",
        files:
          t.state === "completed"
            ? [
                { path: "manifest.mpd", bytes: 2048, on_disk: 2048, check: "ok" as const, detail: null },
                { path: "video/init.mp4", bytes: 1200, on_disk: 1200, check: "ok" as const, detail: null },
              ]
            : [{ path: "video/init.mp4", bytes: null, on_disk: null, check: "pending" as const, detail: null }],
      })),
      licenses,
      history: licenses.length
        ? [{ title_name: licenses[0]!.title_name, requests: s?.licenses.history ?? [] }]
        : [],
      providers: '{"providers": []}',
      log_lines: this.logLines,
    });
  }
}
