// Licenses and license providers: the part of the backend behind the Licenses view and the
// provider settings. Kept apart from `Backend`'s download calls so each can grow on its own.

import { invoke } from "@tauri-apps/api/core";

import type { ApiError } from "../bindings/ApiError";
import type { LicenseCard } from "../bindings/LicenseCard";
import type { LicenseDetails } from "../bindings/LicenseDetails";
import type { LicenseView } from "../bindings/LicenseView";
import type { MaintenanceReport } from "../bindings/MaintenanceReport";
import type { Provider } from "../bindings/Provider";
import type { ProviderProfile } from "../bindings/ProviderProfile";
import type { ProviderSecrets } from "../bindings/ProviderSecrets";
import type { SecretStoreKind } from "../bindings/SecretStoreKind";
import type { Title } from "../bindings/Title";
import type { TripReport } from "../bindings/TripReport";
import { toApiError } from "../errors";

export interface LicensesApi {
  /** Every license, soonest to expire first. */
  list(): Promise<LicenseView[]>;
  /** One card per title: its deciding license and how many keys it has, soonest to expire first. */
  cards(): Promise<LicenseCard[]>;
  /** A title's (or KID's) licenses with the request history. */
  details(query: string): Promise<LicenseDetails>;
  /** Asks the server again for a title's licenses. */
  renew(titleId: number): Promise<LicenseView[]>;
  /** Renews every persistent license (before a trip). */
  renewAll(): Promise<MaintenanceReport>;
  /**
   * Gets ready for a trip back at `returnMs` with `titleIds`: saves it, queues their unfinished
   * downloads and renews first what would lapse (unless `dryRun`); says what will last.
   */
  planTrip(returnMs: number, titleIds: number[], dryRun: boolean): Promise<TripReport>;
  /** The saved trip as it stands now (downloads move on), or null. */
  currentTrip(): Promise<TripReport | null>;
  /** Forgets the saved trip; its titles stay. */
  forgetTrip(): Promise<void>;
  /** Every provider (secrets never reach the UI). */
  providers(): Promise<Provider[]>;
  /** Adds a provider. */
  addProvider(profile: ProviderProfile, secrets: ProviderSecrets): Promise<Provider>;
  /** Changes a provider; secrets given replace the stored ones (an empty token removes it). */
  updateProvider(id: number, profile: ProviderProfile, secrets: ProviderSecrets): Promise<Provider>;
  /** Removes a provider and its secrets. */
  removeProvider(id: number): Promise<void>;
  /** Makes a provider the default (null: none). */
  setDefaultProvider(id: number | null): Promise<void>;
  /** Every provider as JSON without secrets. */
  exportProviders(): Promise<string>;
  /** Adds or updates providers from an export; resolves with [added, updated]. */
  importProviders(json: string): Promise<[number, number]>;
  /** Where secrets are kept. */
  secretStore(): Promise<SecretStoreKind>;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (err) {
    throw toApiError(err);
  }
}

export class TauriLicenses implements LicensesApi {
  list(): Promise<LicenseView[]> {
    return call("list_licenses");
  }
  cards(): Promise<LicenseCard[]> {
    return call("license_cards");
  }
  details(query: string): Promise<LicenseDetails> {
    return call("license_details", { query });
  }
  renew(titleId: number): Promise<LicenseView[]> {
    return call("renew_licenses", { titleId });
  }
  renewAll(): Promise<MaintenanceReport> {
    return call("renew_all_licenses");
  }
  planTrip(returnMs: number, titleIds: number[], dryRun: boolean): Promise<TripReport> {
    return call("plan_trip", { returnMs, titleIds, dryRun });
  }
  currentTrip(): Promise<TripReport | null> {
    return call("current_trip");
  }
  forgetTrip(): Promise<void> {
    return call("forget_trip");
  }
  providers(): Promise<Provider[]> {
    return call("list_providers");
  }
  addProvider(profile: ProviderProfile, secrets: ProviderSecrets): Promise<Provider> {
    return call("add_provider", { profile, secrets });
  }
  updateProvider(id: number, profile: ProviderProfile, secrets: ProviderSecrets): Promise<Provider> {
    return call("update_provider", { id, profile, secrets });
  }
  removeProvider(id: number): Promise<void> {
    return call("remove_provider", { id });
  }
  setDefaultProvider(id: number | null): Promise<void> {
    return call("set_default_provider", { id });
  }
  exportProviders(): Promise<string> {
    return call("export_providers");
  }
  importProviders(json: string): Promise<[number, number]> {
    return call("import_providers", { json });
  }
  secretStore(): Promise<SecretStoreKind> {
    return call("secret_store");
  }
}

const HOUR = 3_600_000;

/** A license as the mock holds it, for tests and page previews. */
export function mockLicense(over: Partial<LicenseView> & { id: number; title_name: string }): LicenseView {
  return {
    title_id: over.id,
    kid: "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8f9",
    kid_playready: "PSwbCl9OcUCCk6S1xtfo+Q==",
    system: "playready",
    cdm: "test-identity-play-ready",
    provider: "Demo key delivery",
    server: "http://127.0.0.1:8080/PlayReady/",
    status: "valid",
    status_reason: null,
    persistent: true,
    security_level: 2000,
    begin_ms: null,
    license_end_ms: 1_800_000_000_000 + 30 * 24 * HOUR,
    playback_window_secs: 48 * 3600,
    first_play_ms: null,
    expires_ms: 1_800_000_000_000 + 30 * 24 * HOUR,
    deadline: "license_window",
    remaining_secs: 30 * 24 * 3600,
    remaining_if_played_now_secs: 48 * 3600,
    acquired_ms: 1_800_000_000_000 - HOUR,
    renewed_ms: null,
    clock_rolled_back: false,
    has_key: true,
    policy: null,
    ...over,
  };
}

export class MockLicenses implements LicensesApi {
  licenses: LicenseView[] = [];
  providerList: Provider[] = [];
  history: LicenseDetails["history"] = [];
  failWith: ApiError | null = null;
  readonly calls: string[] = [];

  private async answer<T>(name: string, value: () => T): Promise<T> {
    this.calls.push(name);
    if (this.failWith) throw this.failWith;
    return value();
  }

  list(): Promise<LicenseView[]> {
    return this.answer("list", () => [...this.licenses]);
  }
  cards(): Promise<LicenseCard[]> {
    return this.answer("cards", () => {
      // As the engine does: the deciding license of each title (the list is soonest first).
      const byKey: Record<string, LicenseCard> = {};
      for (const l of this.licenses) {
        const key = l.title_id !== null ? `t${l.title_id}` : `k${l.id}`;
        const card = byKey[key];
        if (card) card.keys += 1;
        else byKey[key] = { license: l, keys: 1 };
      }
      return Object.values(byKey);
    });
  }
  details(query: string): Promise<LicenseDetails> {
    return this.answer("details", () => {
      const licenses = this.licenses.filter((l) => String(l.title_id) === query || l.kid === query);
      return {
        title_name: licenses[0]?.title_name ?? query,
        licenses,
        history: this.history,
        requests: this.history.filter((h) => h.outcome !== "queued").length,
      };
    });
  }
  renew(titleId: number): Promise<LicenseView[]> {
    return this.answer("renew", () => {
      const now = Date.now();
      this.licenses = this.licenses.map((l) =>
        l.title_id === titleId ? { ...l, status: "valid", renewed_ms: now } : l,
      );
      this.history = [
        {
          at_ms: now,
          operation: "renew",
          server: "http://127.0.0.1:8080/PlayReady/",
          outcome: "ok",
          http_status: 200,
          fault_code: null,
          message: "1 key licensed",
          latency_ms: 12,
          kids: this.licenses.find((l) => l.title_id === titleId)?.kid ?? "",
        },
        ...this.history,
      ];
      return this.licenses.filter((l) => l.title_id === titleId);
    });
  }
  renewAll(): Promise<MaintenanceReport> {
    return this.answer("renewAll", () => ({
      renewed: [...new Set(this.licenses.filter((l) => l.persistent).map((l) => l.title_name))],
      acquired: [],
      failed: [],
      released: 0,
      release_queued: 0,
      expiring_soon: [],
      expired: [],
    }));
  }
  /** The saved trip (return time and titles), as the engine keeps it. */
  trip: { returnMs: number; titleIds: number[] } | null = null;
  /** Titles the mocked library holds (the trip reports their names and download states). */
  titlesOf: () => Title[] = () => [];

  private tripReport(returnMs: number, titleIds: number[], dryRun: boolean): TripReport {
    const report: TripReport = { return_ms: returnMs, titles: [], downloading: 0 };
    for (const id of titleIds) {
      const t = this.titlesOf().find((x) => x.id === id);
      const l = this.licenses.find((x) => x.title_id === id);
      const name = t?.name ?? l?.title_name ?? `Title ${id}`;
      const state = t?.state ?? "completed";
      if (state !== "completed") {
        report.downloading += 1;
        report.titles.push({ title_id: id, title_name: name, state, lasts: false, renewed: false,
          playable_until_ms: null, note: "waiting to download: it must finish before you leave" });
        continue;
      }
      const lasts = !l || l.expires_ms === null || l.expires_ms >= returnMs;
      const renewed = !dryRun && !lasts && !!l?.persistent;
      report.titles.push({
        title_id: id,
        title_name: name,
        state,
        lasts: lasts || renewed,
        renewed,
        playable_until_ms: l?.expires_ms ?? null,
        note: !l ? "needs no license" : lasts ? "lasts the whole trip" : renewed ? "renewed for the trip" : "its license ends before you are back",
      });
    }
    report.titles.sort((a, b) => Number(a.lasts) - Number(b.lasts));
    return report;
  }
  planTrip(returnMs: number, titleIds: number[], dryRun: boolean): Promise<TripReport> {
    return this.answer("planTrip", () => {
      if (titleIds.length === 0) {
        throw { code: "invalid_input", message: "the trip cannot be planned: no titles were picked: pick the titles to take with you" };
      }
      if (!dryRun) this.trip = { returnMs, titleIds: [...titleIds] };
      return this.tripReport(returnMs, titleIds, dryRun);
    });
  }
  currentTrip(): Promise<TripReport | null> {
    return this.answer("currentTrip", () =>
      this.trip ? this.tripReport(this.trip.returnMs, this.trip.titleIds, true) : null,
    );
  }
  forgetTrip(): Promise<void> {
    return this.answer("forgetTrip", () => {
      this.trip = null;
    });
  }
  providers(): Promise<Provider[]> {
    return this.answer("providers", () => [...this.providerList]);
  }
  addProvider(profile: ProviderProfile, secrets: ProviderSecrets): Promise<Provider> {
    return this.answer("addProvider", () => {
      const p: Provider = {
        id: this.providerList.length + 1,
        is_default: this.providerList.length === 0,
        has_token: !!secrets.token,
        profile,
      };
      this.providerList.push(p);
      return p;
    });
  }
  updateProvider(id: number, profile: ProviderProfile, secrets: ProviderSecrets): Promise<Provider> {
    return this.answer("updateProvider", () => {
      const p = this.providerList.find((x) => x.id === id);
      if (!p) throw { code: "not_found", message: `no license provider matches \`${id}\`` };
      p.profile = profile;
      if (secrets.token !== undefined && secrets.token !== null) p.has_token = secrets.token.trim() !== "";
      return { ...p };
    });
  }
  removeProvider(id: number): Promise<void> {
    return this.answer("removeProvider", () => {
      this.providerList = this.providerList.filter((p) => p.id !== id);
    });
  }
  setDefaultProvider(id: number | null): Promise<void> {
    return this.answer("setDefaultProvider", () => {
      this.providerList = this.providerList.map((p) => ({ ...p, is_default: p.id === id }));
    });
  }
  exportProviders(): Promise<string> {
    return this.answer("exportProviders", () =>
      JSON.stringify({ layover_providers: 1, providers: this.providerList.map((p) => p.profile) }, null, 2),
    );
  }
  importProviders(json: string): Promise<[number, number]> {
    return this.answer("importProviders", () => {
      const doc = JSON.parse(json) as { providers: ProviderProfile[] };
      for (const profile of doc.providers) {
        this.providerList.push({ id: this.providerList.length + 1, is_default: false, has_token: false, profile });
      }
      return [doc.providers.length, 0] as [number, number];
    });
  }
  secretStore(): Promise<SecretStoreKind> {
    return this.answer("secretStore", () => "key_file" as SecretStoreKind);
  }
}
