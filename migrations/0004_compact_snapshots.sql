-- Compact snapshots. A snapshot used to hold each side's values as a JSON object, the column
-- names repeated in every row: about 200 bytes a row against 50 bytes of values, and writing
-- them was the slowest stage of an initial sync. Now the column names of a side are stored once,
-- as a layout, and a row holds one JSON array of values per side in the layout's order; when
-- the other side's array is the same text (the usual case right after a sync without value maps
-- or lookups) it is stored as NULL. The values read back are the same JSON objects as before.
-- `columns` is the JSON array of the column names; a writer looks up (or adds) the ids of its
-- layouts once per write, not per row.
CREATE TABLE snapshot_layouts (
    id      INTEGER PRIMARY KEY,
    columns TEXT    NOT NULL UNIQUE
) STRICT;

-- fno_layout / dataverse_layout NULL: the values are stored as the whole JSON value (what a
-- snapshot of values that are not an object holds); dataverse_values NULL: the same array
-- text as fno_values, read through the Dataverse layout.
CREATE TABLE snapshots_compact (
    map_id            TEXT    NOT NULL,
    key_text          TEXT    NOT NULL,
    fno_layout        INTEGER,
    fno_values        TEXT    NOT NULL,
    fno_version       TEXT,
    dataverse_layout  INTEGER,
    dataverse_values  TEXT,
    dataverse_version TEXT,
    synced_at         INTEGER NOT NULL,
    PRIMARY KEY (map_id, key_text),
    CHECK (dataverse_values IS NOT NULL OR (fno_layout IS NOT NULL AND dataverse_layout IS NOT NULL))
) STRICT, WITHOUT ROWID;

-- Converting the existing snapshots. The layout of an object is the array of its member names in
-- document order (json_each's ids ascend in document order); each value is taken with `->`,
-- which renders the member's JSON text as stored (numbers keep their digits, strings their
-- text), so the arrays read back as the same values.
CREATE TEMP TABLE old_layouts AS
    SELECT DISTINCT layout FROM (
        SELECT (SELECT json_group_array(key ORDER BY id) FROM json_each(fno_values)) AS layout
          FROM snapshots WHERE json_type(fno_values) = 'object'
        UNION
        SELECT (SELECT json_group_array(key ORDER BY id) FROM json_each(dataverse_values))
          FROM snapshots WHERE json_type(dataverse_values) = 'object'
    );

INSERT INTO snapshot_layouts (columns) SELECT layout FROM old_layouts ORDER BY layout;

DROP TABLE old_layouts;

INSERT INTO snapshots_compact (map_id, key_text, fno_layout, fno_values, fno_version,
                               dataverse_layout, dataverse_values, dataverse_version, synced_at)
    SELECT map_id, key_text,
           CASE WHEN json_type(fno_values) = 'object' THEN
               (SELECT l.id FROM snapshot_layouts l WHERE l.columns =
                   (SELECT json_group_array(key ORDER BY id) FROM json_each(fno_values)))
           END,
           CASE WHEN json_type(fno_values) = 'object' THEN
               '[' || coalesce((SELECT group_concat(fno_values -> fullkey, ',' ORDER BY id)
                                  FROM json_each(fno_values)), '') || ']'
           ELSE fno_values END,
           fno_version,
           CASE WHEN json_type(dataverse_values) = 'object' THEN
               (SELECT l.id FROM snapshot_layouts l WHERE l.columns =
                   (SELECT json_group_array(key ORDER BY id) FROM json_each(dataverse_values)))
           END,
           CASE WHEN json_type(dataverse_values) = 'object' THEN
               '[' || coalesce((SELECT group_concat(dataverse_values -> fullkey, ',' ORDER BY id)
                                  FROM json_each(dataverse_values)), '') || ']'
           ELSE dataverse_values END,
           dataverse_version, synced_at
      FROM snapshots;

DROP TABLE snapshots;
ALTER TABLE snapshots_compact RENAME TO snapshots;
