-- The trip the viewer is getting ready for (Licenses > Get ready for a trip, `layover trip`): at
-- most one, with the titles picked for it. Deleting a title takes it off the trip.
CREATE TABLE trip (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    return_ms  INTEGER NOT NULL, -- the end of the return day (Unix milliseconds)
    updated_at INTEGER NOT NULL  -- Unix milliseconds, from the engine's injected clock
) STRICT;

CREATE TABLE trip_titles (
    title_id INTEGER NOT NULL PRIMARY KEY REFERENCES titles(id) ON DELETE CASCADE
) STRICT;
