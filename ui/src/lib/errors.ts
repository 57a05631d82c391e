// Errors from the backend are `ApiError {code, message}`; the UI branches on `code` only.

import type { ApiError } from "./bindings/ApiError";
import type { ErrorCode } from "./bindings/ErrorCode";

const CODES: readonly ErrorCode[] = [
  "invalid_input",
  "not_found",
  "busy",
  "storage",
  "data_directory",
  "internal",
  "offline",
  "unauthorized",
  "license_refused",
];

export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.message === "string" &&
    typeof v.code === "string" &&
    (CODES as readonly string[]).includes(v.code)
  );
}

/** Turns anything thrown across the IPC boundary into an `ApiError`. */
export function toApiError(err: unknown): ApiError {
  if (isApiError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return { code: "internal", message: message || "Something went wrong." };
}

/** What the person can do about it, by code. Exhaustive: a new code fails the type check. */
export function adviceFor(code: ErrorCode): string {
  switch (code) {
    case "invalid_input":
      return "Check the value and try again.";
    case "not_found":
      return "It may have been removed. Refresh and try again.";
    case "busy":
      return "Wait for the other Layover window or command to finish, then try again.";
    case "storage":
      return "Check that the disk has free space and the data folder is writable.";
    case "data_directory":
      return "Start Layover with --data-dir pointing at a writable folder, or fix the folder's permissions.";
    case "internal":
      return "This is a bug in Layover. The log file has the details; please report it.";
    case "offline":
      return "The license server could not be reached. Layover tries again when the network is back.";
    case "unauthorized":
      return "Paste a fresh token for this provider in Settings, or check that your account may play the title.";
    case "license_refused":
      return "The license server said no. The message names its reason; your provider's support can help with it.";
  }
}
