-- Licenses: who grants them (providers), what each title holds (licenses, one row per title and
-- KID), every request made for them (license_history) and sealed secrets.
--
-- Policy times are Unix seconds, as licenses state them; event times are Unix milliseconds from
-- the engine's injected clock, like every other table. Rows outlive their title (title_id is set
-- NULL on delete) so a release that could not be sent yet and the request history survive.

-- License providers as data. `config` is the profile without secrets (JSON, see
-- licenses/providers.rs); secrets live sealed in `secrets` under `provider/<id>/<name>`.
CREATE TABLE license_providers (
    id         INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL CHECK (kind IN ('ams', 'playready', 'clearkey', 'aes_key')),
    config     TEXT    NOT NULL CHECK (json_valid(config)),
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- Secrets (bearer tokens, content keys), each sealed with AES-256-GCM under the master key that
-- the OS credential store (or, without one, a key file) holds. Never in the clear.
CREATE TABLE secrets (
    name       TEXT    NOT NULL PRIMARY KEY,
    sealed     BLOB    NOT NULL, -- 12-byte nonce || ciphertext || tag
    updated_at INTEGER NOT NULL
) STRICT;

-- Which provider a title's licenses come from (NULL: the default provider, or the content's own
-- license URL).
ALTER TABLE titles ADD COLUMN provider_id INTEGER REFERENCES license_providers (id) ON DELETE SET NULL;

CREATE TABLE licenses (
    id             INTEGER NOT NULL PRIMARY KEY,
    title_id       INTEGER REFERENCES titles (id) ON DELETE SET NULL,
    title_name     TEXT    NOT NULL,
    kid            TEXT    NOT NULL,                -- hyphenated, `tenc` byte order
    system         TEXT    NOT NULL CHECK (system IN ('playready', 'clearkey', 'aes_key')),
    cdm            TEXT    NOT NULL,                -- which adapter holds the license
    provider_id    INTEGER REFERENCES license_providers (id) ON DELETE SET NULL,
    provider_name  TEXT,
    server         TEXT,                            -- license URL without query or credentials
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'active', 'failed', 'release_pending', 'released')),
    status_reason  TEXT,                            -- in words, with what to do
    -- The policy, as granted (seconds). NULL end/removal = unlimited.
    issue_s        INTEGER,
    begin_s        INTEGER,
    end_s          INTEGER,
    play_window_s  INTEGER,
    removal_s      INTEGER,
    grace_period   INTEGER,
    persistent     INTEGER NOT NULL DEFAULT 0 CHECK (persistent IN (0, 1)),
    security_level INTEGER,
    policy_json    TEXT CHECK (policy_json IS NULL OR json_valid(policy_json)),
    license_blob   BLOB,                            -- the license as received, keys left sealed inside
    has_key        INTEGER NOT NULL DEFAULT 0,      -- a sealed content key is in `secrets`
    eme_session_id TEXT,                            -- persistent-license session (Windows)
    acquired_ms    INTEGER,
    renewed_ms     INTEGER,
    first_play_ms  INTEGER,
    released_ms    INTEGER,
    next_try_ms    INTEGER,                         -- scheduler: renewal or release retry
    attempts       INTEGER NOT NULL DEFAULT 0,
    notified       TEXT,                            -- last expiry notice sent: 'soon' or 'expired'
    created_ms     INTEGER NOT NULL,
    updated_ms     INTEGER NOT NULL,
    UNIQUE (title_id, kid)
) STRICT;

CREATE INDEX licenses_by_kid ON licenses (kid);
CREATE INDEX licenses_by_status ON licenses (status, end_s);

-- Every license request: what was asked, of whom, and how it went. No tokens, keys or bodies.
CREATE TABLE license_history (
    id          INTEGER NOT NULL PRIMARY KEY,
    title_id    INTEGER REFERENCES titles (id) ON DELETE SET NULL,
    title_name  TEXT    NOT NULL,
    kids        TEXT    NOT NULL,                   -- hyphenated, comma-separated
    at_ms       INTEGER NOT NULL,
    operation   TEXT    NOT NULL CHECK (operation IN ('acquire', 'renew', 'release')),
    server      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('ok', 'failed', 'queued')),
    http_status INTEGER,
    fault_code  INTEGER,                            -- PlayReady status code, when the server sent one
    message     TEXT,
    latency_ms  INTEGER
) STRICT;

CREATE INDEX license_history_by_title ON license_history (title_id, at_ms);
