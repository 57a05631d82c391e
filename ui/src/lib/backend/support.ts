// Support tools: verify a title's files, export a diagnostics bundle.

import { invoke } from "@tauri-apps/api/core";

import type { VerifyReport } from "../bindings/VerifyReport";
import { toApiError } from "../errors";

export interface SupportApi {
  /** Re-checks a title's files; damaged ones go back to the queue. */
  verifyTitle(id: number): Promise<VerifyReport>;
  /** Writes a diagnostics bundle to the Downloads folder; resolves with its path. */
  exportDiagnostics(): Promise<string>;
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
}

export class MockSupport implements SupportApi {
  readonly calls: string[] = [];
  verifyTitle(id: number): Promise<VerifyReport> {
    this.calls.push("verifyTitle");
    return Promise.resolve({ title_id: id, title_name: "mock", files: [], bad: 0, summary: "all 0 downloaded files are intact" });
  }
  exportDiagnostics(): Promise<string> {
    this.calls.push("exportDiagnostics");
    return Promise.resolve("/home/mock/Downloads/layover-diagnostics-1800000000.zip");
  }
}
