// The catalog: a provider's feed of titles (README, "Catalog feeds") and the embedded demo server
// that serves Layover's demo catalog.

import { invoke } from "@tauri-apps/api/core";

import type { Catalog } from "../bindings/Catalog";
import type { CatalogEntry } from "../bindings/CatalogEntry";
import type { ChoiceInput } from "../bindings/ChoiceInput";
import type { Title } from "../bindings/Title";
import { toApiError } from "../errors";

/** Mirrors `DemoStatus` in src-tauri/src/demo.rs. */
export interface DemoStatus {
  /** The demo media exist, so the server can run. */
  available: boolean;
  /** It is serving now. */
  running: boolean;
  /** The demo feed while running. */
  feed_url: string | null;
  /** Where the demo media are. */
  folder: string | null;
  /** Open the Catalog view first (`make run`). */
  open_catalog: boolean;
}

export interface CatalogApi {
  /** Whether the demo server runs, and its feed. */
  demoStatus(): Promise<DemoStatus>;
  /** Starts or stops the demo server. */
  setDemoServer(on: boolean): Promise<DemoStatus>;
  /** Reads a catalog feed; its URLs come back absolute. */
  read(url: string): Promise<Catalog>;
  /** A poster as a `data:` URL. */
  poster(url: string): Promise<string>;
  /** Adds an entry with the dialog's choice: its license profile becomes its provider. */
  add(entry: CatalogEntry, choice?: ChoiceInput): Promise<Title>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export class TauriCatalog implements CatalogApi {
  demoStatus(): Promise<DemoStatus> {
    return call("demo_status");
  }
  setDemoServer(on: boolean): Promise<DemoStatus> {
    return call("set_demo_server", { on });
  }
  read(url: string): Promise<Catalog> {
    return call("read_catalog", { url });
  }
  poster(url: string): Promise<string> {
    return call("catalog_poster", { url });
  }
  add(entry: CatalogEntry, choice?: ChoiceInput): Promise<Title> {
    return call("add_catalog_entry", { entry, choice: choice ?? null });
  }
}

const MOCK_FEED = "http://127.0.0.1:8765/catalog.json";

function mockEntry(id: string, name: string, kind: CatalogEntry["kind"], tags: string[]): CatalogEntry {
  return {
    id,
    name,
    description: `${name}: a demo title.`,
    duration_secs: 8,
    poster: `http://127.0.0.1:8765/demo/${id}.jpg`,
    manifest:
      kind === "progressive"
        ? `http://127.0.0.1:8765/demo/${id}/${id}.mp4`
        : kind === "smooth"
          ? `http://127.0.0.1:8765/demo/${id}/Manifest`
          : `http://127.0.0.1:8765/demo/${id}/manifest.mpd`,
    kind,
    license: tags.includes("clearkey")
      ? { name: "Layover demo ClearKey", kind: "clearkey", url: "http://127.0.0.1:8765/clearkey", headers: {}, query: {}, secret_headers: [], ams_delivery: "playready", playready_client: "auto", persistent: true }
      : { name: "Layover demo PlayReady", kind: "playready", la_url_override: "http://127.0.0.1:8765/PlayReady/", headers: {}, query: {}, secret_headers: [], ams_delivery: "playready", playready_client: "test_identity", persistent: true },
    tags,
  };
}

/** The demo catalog, in memory. */
export class MockCatalog implements CatalogApi {
  readonly calls: string[] = [];
  readonly added: { entry: CatalogEntry; choice?: ChoiceInput }[] = [];
  status: DemoStatus = { available: true, running: true, feed_url: MOCK_FEED, folder: "/repo/target/demo", open_catalog: false };
  catalog: Catalog = {
    catalog: 1,
    name: "Layover demo",
    url: MOCK_FEED,
    titles: [
      mockEntry("clearkey-dash", "Test Pattern", "dash", ["clearkey", "cenc", "subtitles"]),
      mockEntry("playready-cenc", "Colour Bars", "dash", ["playready", "cenc", "subtitles"]),
      mockEntry("playready-cbcs", "Moving Gradient", "dash", ["playready", "cbcs", "subtitles"]),
      mockEntry("smooth", "RGB Sweep", "smooth", ["playready", "piff"]),
      mockEntry("piff", "Mandelbrot", "progressive", ["playready", "piff"]),
    ],
  };
  /** What `add` does (tests replace it to fail). */
  onAdd: (entry: CatalogEntry) => Promise<Title> = (entry) =>
    Promise.resolve({
      id: this.added.length,
      name: entry.name,
      source_url: entry.manifest,
      kind: entry.kind,
      state: "queued",
      state_reason: null,
      bytes_done: 0,
      bytes_total: null,
      folder: `0000${this.added.length}-${entry.name}`,
      queue_position: this.added.length,
      created_at: 0,
      completed_at: null,
    });

  demoStatus(): Promise<DemoStatus> {
    this.calls.push("demoStatus");
    return Promise.resolve({ ...this.status });
  }
  setDemoServer(on: boolean): Promise<DemoStatus> {
    this.calls.push(`setDemoServer:${on}`);
    this.status = { ...this.status, running: on, feed_url: on ? MOCK_FEED : null };
    return Promise.resolve({ ...this.status });
  }
  read(url: string): Promise<Catalog> {
    this.calls.push(`read:${url}`);
    if (!this.status.running && url === MOCK_FEED) {
      return Promise.reject({ code: "invalid_input", message: `cannot add ${url}: the catalog server cannot be reached` });
    }
    return Promise.resolve(structuredClone(this.catalog));
  }
  poster(url: string): Promise<string> {
    this.calls.push(`poster:${url}`);
    // A 1x1 transparent PNG.
    return Promise.resolve(
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
    );
  }
  add(entry: CatalogEntry, choice?: ChoiceInput): Promise<Title> {
    this.calls.push(`add:${entry.id}`);
    this.added.push({ entry, choice });
    return this.onAdd(entry);
  }
}
