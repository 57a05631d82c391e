-- Settings as key -> JSON value. The engine knows each key's type (settings.rs); rows written by a
-- newer build that this build does not know are kept untouched, so nothing a user set is lost.
CREATE TABLE settings (
    key        TEXT    NOT NULL PRIMARY KEY,
    value      TEXT    NOT NULL CHECK (json_valid(value)),
    updated_at INTEGER NOT NULL -- Unix milliseconds, from the engine's injected clock
) STRICT;
