-- The latest wall-clock time Layover has seen. A clock set back behind it is detected, and
-- license rules evaluate at this time instead, so turning the clock back never extends a
-- license (ANCHORS request 7). One row; only ever moves forward.
CREATE TABLE clock_watermark (
    id             INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    latest_seen_ms INTEGER NOT NULL
) STRICT;
