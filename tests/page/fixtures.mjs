// What the mocked backend holds in the page tests: a library with titles in every state, licenses
// in several states with a request history, one provider, and optionally an EME title.

const NOW = Date.now();
const HOUR = 3_600_000;

function title(id, name, state, over = {}) {
  return {
    id,
    name,
    source_url: `https://media.example/${name.replace(/ /g, "_")}.mpd`,
    kind: "dash",
    state,
    state_reason: null,
    bytes_done: 4_000_000,
    bytes_total: 4_000_000,
    folder: `${String(id).padStart(5, "0")}-${name.replace(/ /g, "-")}`,
    queue_position: id,
    created_at: NOW - 3 * HOUR,
    completed_at: state === "completed" ? NOW - 2 * HOUR : null,
    ...over,
  };
}

function license(id, titleId, name, status, over = {}) {
  return {
    id,
    title_id: titleId,
    title_name: name,
    kid: `0a1b2c3d-4e5f-4071-8293-a4b5c6d7e8${String(id).padStart(2, "0")}`,
    kid_playready: "PSwbCl9OcUCCk6S1xtfo+Q==",
    system: "playready",
    cdm: "test-identity-play-ready",
    provider: "Demo key delivery",
    server: "http://127.0.0.1:8080/PlayReady/",
    status,
    status_reason: null,
    persistent: true,
    security_level: 2000,
    begin_ms: null,
    license_end_ms: NOW + 30 * 24 * HOUR,
    playback_window_secs: 48 * 3600,
    first_play_ms: null,
    expires_ms: NOW + 30 * 24 * HOUR,
    deadline: "license_window",
    remaining_secs: 30 * 24 * 3600,
    remaining_if_played_now_secs: 48 * 3600,
    acquired_ms: NOW - HOUR,
    renewed_ms: null,
    clock_rolled_back: false,
    has_key: true,
    policy: null,
    ...over,
  };
}

/** The seed for the mocked backend; `theme`: "light" or "dark". */
export function demoSeed(theme = "light") {
  return {
    theme,
    titles: [
      title(1, "Night Train", "completed"),
      title(2, "Harbour Lights", "completed", { bytes_done: 1_250_000_000, bytes_total: 1_250_000_000 }),
      title(3, "Sky Atlas", "downloading", { bytes_done: 1_500_000, bytes_total: 4_000_000 }),
      title(4, "Quiet Field", "paused", { bytes_done: 800_000, state_reason: "paused by you" }),
      title(5, "Long Haul", "failed", {
        bytes_done: 200_000,
        state_reason: "the origin answered HTTP 403 for video/3.m4s; Layover will not retry on its own",
      }),
      title(6, "Window Seat", "queued", { bytes_done: 0, bytes_total: null }),
    ],
    licenses: [
      license(1, 1, "Night Train", "valid"),
      license(2, 2, "Harbour Lights", "expiring_soon", {
        expires_ms: NOW + 20 * HOUR,
        remaining_secs: 20 * 3600,
        license_end_ms: NOW + 20 * HOUR,
      }),
      license(3, 2, "Harbour Lights", "valid", { system: "clearkey", cdm: "clear-key" }),
      license(4, 5, "Long Haul", "failed", {
        status_reason: "the license server refused: the content key is not licensed to this client",
        has_key: false,
      }),
      license(5, 3, "Sky Atlas", "expired", { expires_ms: NOW - HOUR, remaining_secs: 0 }),
    ],
    history: [
      {
        at_ms: NOW - HOUR,
        operation: "acquire",
        server: "http://127.0.0.1:8080/PlayReady/",
        outcome: "ok",
        http_status: 200,
        fault_code: null,
        message: "1 key licensed",
        latency_ms: 18,
        kids: "0a1b2c3d-4e5f-4071-8293-a4b5c6d7e801",
      },
    ],
    providers: [
      {
        id: 1,
        is_default: true,
        has_token: true,
        profile: {
          name: "Demo key delivery",
          kind: "ams",
          url: "http://127.0.0.1:8080",
          ams_delivery: "playready",
          playready_client: "auto",
          persistent: true,
        },
      },
    ],
    eme: [],
    manifests: [],
    posters: [2],
  };
}

/** Runs in the page before the app mounts: fills the MockBackend (see ui/src/main.ts). */
export function installSeed(seed) {
  window.__layoverMockSetup = (m) => {
    m.settings.theme = seed.theme;
    m.titles = seed.titles;
    m.licenses.licenses = seed.licenses;
    m.licenses.history = seed.history;
    m.licenses.providerList = seed.providers;
    for (const e of seed.eme) m.playback.eme.set(e.titleId, { setup: e.setup, licenseUrl: e.licenseUrl });
    for (const [id, url] of seed.manifests) m.playback.manifests.set(id, url);
    // Titles whose folder holds a poster (the others show their generated placeholder).
    for (const id of seed.posters ?? []) m.library?.posters.add(id);
  };
}
