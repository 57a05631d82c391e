-- The library: titles and the files each is made of. A file counts as downloaded only once
-- `done_at` is set, which happens after it landed whole and passed its checks; so after a crash
-- the pending files are exactly what is left to fetch.
CREATE TABLE titles (
    id             INTEGER NOT NULL PRIMARY KEY,
    name           TEXT    NOT NULL,
    source_url     TEXT    NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('progressive', 'dash', 'smooth', 'hls')),
    folder         TEXT    NOT NULL UNIQUE, -- relative to <data>/titles, sanitised
    state          TEXT    NOT NULL CHECK (state IN ('queued', 'downloading', 'paused', 'completed', 'failed', 'removing')),
    state_reason   TEXT,                    -- why paused or failed, in words, with what to do
    queue_position INTEGER NOT NULL,
    bytes_done     INTEGER NOT NULL DEFAULT 0,
    bytes_total    INTEGER,                 -- NULL until the server says
    created_at     INTEGER NOT NULL,        -- Unix ms, injected clock
    updated_at     INTEGER NOT NULL,
    completed_at   INTEGER
) STRICT;

CREATE INDEX titles_by_state ON titles (state, queue_position);

CREATE TABLE title_files (
    id          INTEGER NOT NULL PRIMARY KEY,
    title_id    INTEGER NOT NULL REFERENCES titles (id) ON DELETE CASCADE,
    rel_path    TEXT    NOT NULL,           -- inside the title's folder, sanitised
    url         TEXT    NOT NULL,
    range_start INTEGER,
    range_end   INTEGER,
    bytes       INTEGER,                    -- size once done
    done_at     INTEGER,                    -- NULL while still to fetch
    UNIQUE (title_id, rel_path)
) STRICT;
