-- Where the viewer stopped each title, kept with the library (not in the window's storage, where
-- titles of different data folders share ids). Deleting a title forgets it.
CREATE TABLE playback_positions (
    title_id    INTEGER NOT NULL PRIMARY KEY REFERENCES titles(id) ON DELETE CASCADE,
    position_ms INTEGER NOT NULL CHECK (position_ms > 0),
    updated_at  INTEGER NOT NULL -- Unix milliseconds, from the engine's injected clock
) STRICT;
