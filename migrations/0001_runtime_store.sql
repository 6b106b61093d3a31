-- The runtime store of the sync engine: bookkeeping only, never the endpoints' business data.
-- Times are UTC milliseconds since the Unix epoch. Row keys are canonical key texts (a JSON
-- array of the key values). Tables are STRICT so a wrong type is an error, not a silent cast.

-- Async queue: references to changed rows (map, side, key, version), never the row data.
CREATE TABLE queue_entries (
    id              INTEGER PRIMARY KEY,
    map_id          TEXT    NOT NULL,
    source_side     TEXT    NOT NULL CHECK (source_side IN ('fno', 'dataverse')),
    key_text        TEXT    NOT NULL,
    row_version     TEXT    NOT NULL,
    op              TEXT    NOT NULL CHECK (op IN ('upsert', 'delete')),
    group_id        TEXT    NOT NULL,
    sequence        INTEGER NOT NULL CHECK (sequence >= 0),
    wave            INTEGER NOT NULL CHECK (wave >= 0),
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'done', 'skipped', 'failed', 'held')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    leased_until    INTEGER,
    enqueued_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- A crash-restart that re-reads the change log must not queue the same change twice.
    UNIQUE (map_id, source_side, key_text, row_version)
) STRICT;

-- Taking the next batch: lowest sequence first, then wave, then FIFO (id), pending rows only.
CREATE INDEX queue_pending_order ON queue_entries (sequence, wave, id) WHERE status = 'pending';
CREATE INDEX queue_pending_group ON queue_entries (group_id, sequence, wave, id) WHERE status = 'pending';
CREATE INDEX queue_held ON queue_entries (map_id, id) WHERE status = 'held';

-- Change-log position consumed per endpoint; advanced in the same transaction as the enqueue.
CREATE TABLE cursors (
    endpoint_id TEXT    PRIMARY KEY,
    last_seq    INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

-- Last synced values of both sides per row, for conflict detection.
CREATE TABLE snapshots (
    map_id            TEXT    NOT NULL,
    key_text          TEXT    NOT NULL,
    fno_values        TEXT    NOT NULL,
    fno_version       TEXT,
    dataverse_values  TEXT    NOT NULL,
    dataverse_version TEXT,
    synced_at         INTEGER NOT NULL,
    PRIMARY KEY (map_id, key_text)
) STRICT, WITHOUT ROWID;

-- Conflicts: both sides changed a row since the last sync; the primary side won.
CREATE TABLE conflicts (
    id             INTEGER PRIMARY KEY,
    map_id         TEXT    NOT NULL,
    key_text       TEXT    NOT NULL,
    winning_side   TEXT    NOT NULL CHECK (winning_side IN ('fno', 'dataverse')),
    winning_values TEXT    NOT NULL,
    losing_values  TEXT    NOT NULL,
    detected_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX conflicts_by_map ON conflicts (map_id, id);

-- Sync errors, visible and retryable once the cause is fixed.
CREATE TABLE error_log (
    id             INTEGER PRIMARY KEY,
    queue_entry_id INTEGER REFERENCES queue_entries (id) ON DELETE SET NULL,
    map_id         TEXT    NOT NULL,
    key_text       TEXT,
    category       TEXT    NOT NULL
                   CHECK (category IN ('application', 'system', 'concurrency', 'conflict')),
    message        TEXT    NOT NULL,
    row_json       TEXT,
    occurred_at    INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    resolved_at    INTEGER,
    resolution     TEXT    CHECK (resolution IN ('resolved', 'retried')),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
) STRICT;

CREATE INDEX error_log_window ON error_log (occurred_at, map_id, category);
CREATE INDEX error_log_unresolved ON error_log (map_id, id) WHERE resolved_at IS NULL;
CREATE INDEX error_log_by_entry ON error_log (queue_entry_id);

-- Runs of the engine and, for initial syncs, the resume point per map and legal entity.
CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('initial', 'async', 'live')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT    NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    counters    TEXT    NOT NULL DEFAULT '{}'
) STRICT;

-- legal_entity is '' for maps that are not company-striped (NULL cannot be part of a key).
CREATE TABLE initial_sync_progress (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    map_id        TEXT    NOT NULL,
    legal_entity  TEXT    NOT NULL,
    last_key_text TEXT,
    rows_done     INTEGER NOT NULL DEFAULT 0,
    completed     INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (run_id, map_id, legal_entity)
) STRICT, WITHOUT ROWID;

-- What the app's activity view shows.
CREATE TABLE activity_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    level   TEXT    NOT NULL CHECK (level IN ('info', 'warning', 'error')),
    map_id  TEXT,
    message TEXT    NOT NULL
) STRICT;

-- Live transactions, journaled so a crash between the two commits is noticed and resolved.
CREATE TABLE live_journal (
    id              INTEGER PRIMARY KEY,
    source_side     TEXT    NOT NULL CHECK (source_side IN ('fno', 'dataverse')),
    target_side     TEXT    NOT NULL CHECK (target_side IN ('fno', 'dataverse')),
    state           TEXT    NOT NULL
                    CHECK (state IN ('prepared', 'target_committed', 'committed', 'rolled_back', 'in_doubt')),
    payload_summary TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK (source_side <> target_side)
) STRICT;

CREATE INDEX live_journal_unresolved ON live_journal (id)
    WHERE state IN ('prepared', 'target_committed', 'in_doubt');

-- Paused maps keep their queue entries; the reason says who paused them.
CREATE TABLE map_state (
    map_id        TEXT    PRIMARY KEY,
    paused        INTEGER NOT NULL CHECK (paused IN (0, 1)),
    reason_kind   TEXT    CHECK (reason_kind IN ('manual', 'alert_rule')),
    reason_detail TEXT,
    changed_at    INTEGER NOT NULL,
    CHECK ((paused = 1) = (reason_kind IS NOT NULL))
) STRICT;

-- Placeholder parents created by key before the real row arrived.
CREATE TABLE placeholders (
    map_id      TEXT    NOT NULL,
    side        TEXT    NOT NULL CHECK (side IN ('fno', 'dataverse')),
    key_text    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    hydrated_at INTEGER,
    PRIMARY KEY (map_id, side, key_text)
) STRICT, WITHOUT ROWID;
