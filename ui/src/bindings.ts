// Generated from the Rust types by `dualwrite::bindings` (ts-rs). Do not edit:
// run `UPDATE_BINDINGS=1 cargo test --test ts_bindings` after changing a type.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type Project = { 
/**
 * Format version of this file; this build reads version 1.
 */
schemaVersion: number, 
/**
 * A name for people; shown in the title bar and reports.
 */
name: string, 
/**
 * What this configuration is for.
 */
description?: string | null, 
/**
 * The finance and operations and Dataverse endpoints that test syncs run against.
 */
environments: Array<Environment>, 
/**
 * Table maps: an F&O data entity paired with a Dataverse table, field by field.
 */
tableMaps: Array<TableMap>, 
/**
 * Entity groups: each group is one transaction scope; members run in sequence order.
 */
groups: Array<Group>, 
/**
 * Alert rules: "N errors of category C within T minutes -> pause the map".
 */
alertRules?: Array<AlertRule>, };

export type Environment = { 
/**
 * Unique id of the environment within the project.
 */
id: string, 
/**
 * The dual-write side this environment plays.
 */
side: Side, 
/**
 * What kind of endpoint it is.
 */
kind: EndpointKind, 
/**
 * Where it is: a SQLite path relative to the project file, or a connection URL.
 * May contain `${ENV_VAR}`; never put a password here.
 */
url: string, 
/**
 * Legal entities (company codes) present in this environment.
 */
legalEntities?: Array<string>, };

export type Side = "fno" | "dataverse";

export type EndpointKind = "sqlite" | "postgres";

export type TableMap = { 
/**
 * Unique id of the map within the project, for example `accounts - Customers V3`.
 */
id: string, 
/**
 * A name for people.
 */
name: string, 
/**
 * The F&O data entity.
 */
fno: FnoSide, 
/**
 * The Dataverse table.
 */
dataverse: DataverseSide, 
/**
 * Live or async.
 */
syncMode: SyncMode, 
/**
 * Which way the map syncs.
 */
direction: MapDirection, 
/**
 * The side whose change wins a conflict (async, bidirectional maps need one).
 */
primary?: Side | null, 
/**
 * Whether deletes are synced (they always go live).
 */
syncDeletes: boolean, 
/**
 * Whether a missing referenced row may be created as a placeholder by its key.
 */
placeholders: boolean, 
/**
 * Field mappings.
 */
fields: Array<FieldMapping>, 
/**
 * Ids of maps that must sync before this one, beyond what lookups imply.
 */
dependsOn?: Array<string>, };

export type FnoSide = { 
/**
 * Data entity name, for example `CustCustomerV3Entity`.
 */
entity: string, 
/**
 * Entity key columns that identify a row.
 */
keys: Array<string>, 
/**
 * Source filter in the platform's syntax, for example `((PartyType == "Organization"))`.
 */
filter?: string | null, 
/**
 * Whether rows belong to a legal entity (DataAreaId).
 */
companyStriped: boolean, };

export type DataverseSide = { 
/**
 * Table logical name, for example `account`.
 */
table: string, 
/**
 * Integration key columns that identify a row.
 */
keys: Array<string>, 
/**
 * Source filter as an OData expression, for example `customertypecode eq 3`.
 */
filter?: string | null, 
/**
 * Whether rows belong to a company (`msdyn_company` / `cdm_company`).
 */
companyStriped: boolean, };

export type SyncMode = "live" | "async";

export type MapDirection = "bidirectional" | "toDataverse" | "toFno";

export type FieldDirection = "both" | "toDataverse" | "toFno";

export type FieldMapping = { 
/**
 * F&O entity column.
 */
fno: string, 
/**
 * Dataverse column.
 */
dataverse: string, 
/**
 * Which way the field writes.
 */
direction: FieldDirection, 
/**
 * Optional value map or default.
 */
transform?: Transform | null, 
/**
 * Set when the column references a row of another table.
 */
lookup?: Lookup | null, };

export type Transform = { "valueMap": { [key in string]: JsonValue } } | { "default": JsonValue };

export type Lookup = { 
/**
 * The referenced table or data entity (either side's name).
 */
table: string, 
/**
 * The referenced table's key column whose value identifies the row.
 */
key: string, };

export type Group = { 
/**
 * Unique id of the group within the project.
 */
id: string, 
/**
 * A name for people.
 */
name: string, 
/**
 * The group's table maps with their sequence numbers (lower runs first).
 */
members: Array<GroupMember>, 
/**
 * Records one source transaction of this group is expected to carry.
 */
expectedRecordsPerTransaction?: number | null, 
/**
 * Payload in bytes one source transaction of this group is expected to carry.
 */
expectedPayloadBytes?: number | null, 
/**
 * Legal entities (company codes) a transaction of this group spans.
 */
legalEntities?: Array<string>, 
/**
 * Whether the group's maps get an initial sync when they are started.
 */
initialSync?: boolean, };

export type GroupMember = { 
/**
 * Id of the table map.
 */
map: string, 
/**
 * Sequence number; lower runs first, equal numbers may run in parallel.
 */
sequence: number, };

export type AlertRule = { 
/**
 * The table map id the rule watches; every map when left out.
 */
map?: string | null, 
/**
 * Which errors count.
 */
category: AlertCategory, 
/**
 * How many errors of that category trip the rule (at least 1).
 */
count: number, 
/**
 * The window the errors must fall in, in minutes.
 */
withinMinutes: number, 
/**
 * What happens when the rule trips.
 */
action: AlertAction, };

export type AlertCategory = "application" | "system" | "concurrency" | "conflict";

export type AlertAction = "pause";

export type Finding = { code: Code, severity: Severity, 
/**
 * Ids of the maps and groups concerned.
 */
subjects: Array<string>, message: string, hint: string, 
/**
 * JSON path in the project file of the place to fix, e.g. `tableMaps[2].fields[5]`.
 */
path?: string | null, };

export type Code = "DW001" | "DW002" | "DW003" | "DW004" | "DW005" | "DW006" | "DW007" | "DW008" | "DW009" | "DW010" | "DW011" | "DW012" | "DW013" | "DW014" | "DW015" | "DW016" | "DW017";

export type Severity = "error" | "warning" | "info";

export type ChartExport = { nodes: Array<ChartNode>, edges: Array<Edge>, waves: Array<Array<string>>, cycles: Array<Array<string>>, };

export type ChartNode = { id: string, name: string, 
/**
 * The first group the map is a member of.
 */
group: string | null, syncMode: SyncMode, wave: number, inCycle: boolean, selfReference: boolean, };

export type Edge = { from: string, to: string, causes: Array<EdgeCause>, };

export type EdgeCause = { "kind": "lookup", 
/**
 * Index of the field in the dependent map's `fields`.
 */
fieldIndex: number, 
/**
 * The field's Dataverse column (how consultants name a field).
 */
column: string, 
/**
 * The looked-up table.
 */
table: string, } | { "kind": "dependsOn" };

export type AppError = { code: string, message: string, };

export type Analysis = { 
/**
 * Every finding of the core validation, errors first.
 */
findings: Array<Finding>, counts: FindingCounts, chart: ChartExport, };

export type FindingCounts = { errors: number, warnings: number, infos: number, };

export type OpenedProject = { 
/**
 * Where it is saved; `None` for a new or imported project not saved yet.
 */
path: string | null, project: Project, analysis: Analysis, 
/**
 * For people: what an import could not carry over, and similar remarks.
 */
notes: Array<string>, };

export type TemplateKind = "standard" | "empty";

export type StartInfo = { opened: OpenedProject, recent: Array<RecentProject>, 
/**
 * The demo was created during this start.
 */
demoCreated: boolean, 
/**
 * Where the demo lives.
 */
demoProject: string, };

export type RecentProject = { path: string, name: string, 
/**
 * Milliseconds since the Unix epoch.
 */
openedAt: Timestamp, };

export type ConnectionReport = { environment: string, side: Side, kind: EndpointKind, 
/**
 * The URL with `${NAME}` references kept and any literal password hidden.
 */
url: string, 
/**
 * Tables and views with their columns and keys, in the database's order.
 */
tables: Array<TableSchema>, 
/**
 * How long connecting and discovering took.
 */
elapsedMs: number, 
/**
 * The passwords the URL refers to and where each comes from.
 */
secrets: Array<SecretStatus>, };

export type TableSchema = { 
/**
 * The name as the database spells it.
 */
name: string, 
/**
 * Columns in table order.
 */
columns: Array<ColumnSchema>, 
/**
 * Primary key columns in key order (empty when there is none).
 */
primaryKey: Array<string>, 
/**
 * Other unique keys (unique constraints and full, non-expression unique indexes).
 */
uniqueKeys: Array<Array<string>>, };

export type ColumnSchema = { 
/**
 * The name as the database spells it.
 */
name: string, 
/**
 * The declared type, as the database shows it (`VARCHAR(20)`, `numeric(10,2)`).
 */
declaredType: string, 
/**
 * The type without modifiers, used for casts (`numeric`, `character varying`).
 */
baseType: string, 
/**
 * What kind of value the column holds.
 */
class: ValueClass, 
/**
 * Whether NULL is allowed.
 */
nullable: boolean, 
/**
 * Whether the database fills the column when an insert leaves it out (a default, an
 * identity or serial, SQLite's rowid alias): its value is reported back after upserts.
 */
hasDefault: boolean, 
/**
 * Whether the column is computed by the database and cannot be written.
 */
computed: boolean, };

export type ValueClass = "integer" | "real" | "bool" | "text" | "any";

export type SecretStatus = { name: string, origin: SecretOrigin, 
/**
 * Whether a keychain service answered.
 */
keychainAvailable: boolean, 
/**
 * For people: where the value comes from, or what to do.
 */
message: string, };

export type SecretOrigin = "environmentVariable" | "keychain" | "missing";

export type RunRequest = { projectPath: string, kind: SyncRunKind, 
/**
 * Map ids; with none and no group, the maps of groups marked for initial sync (initial)
 * or every async map (async).
 */
maps: Array<string>, 
/**
 * An entity group whose members are synced (instead of `maps`).
 */
group: string | null, 
/**
 * Initial sync: start over instead of resuming an unfinished run.
 */
fresh: boolean, 
/**
 * Initial sync: copy bidirectional maps from this side (default: each map's primary).
 */
source: Side | null, };

export type SyncRunKind = "initial" | "async";

export type RunProgress = { "event": "started", kind: SyncRunKind, maps: Array<string>, } | { "event": "map", mapId: string, legalEntity: string | null, pass: Pass, rowsDone: number, total: number | null, rowsPerSecond: number, etaSeconds: number | null, finished: boolean, } | { "event": "round", round: number, report: RoundReport, };

export type RunReport = { kind: SyncRunKind, 
/**
 * The initial sync's run (async rounds have none).
 */
run: RunId | null, 
/**
 * The initial sync continued an unfinished run.
 */
resumed: boolean, 
/**
 * Stopped before the end (Stop); run again to resume.
 */
stopped: boolean, 
/**
 * Initial sync: per map.
 */
maps: Array<MapReport>, rowsWritten: number, rowsFailed: number, 
/**
 * Async: the rounds added up.
 */
rounds: number, roundTotals: RoundReport, 
/**
 * The project's status after the run: queue and unresolved errors per category, per map.
 */
status: Status, };

export type MapReport = { mapId: string, 
/**
 * The side the rows were copied from.
 */
source: Side | null, 
/**
 * Rows upserted on the target (second-pass rows counted again).
 */
rowsWritten: number, 
/**
 * Rows that failed (transform, lookup, constraint); they are in the error log.
 */
rowsFailed: number, 
/**
 * Whether a second pass filled deferred lookups.
 */
secondPass: boolean, };

export type Pass = "first" | "second";

export type RoundReport = { 
/**
 * Queue entries created from the change logs.
 */
enqueued: number, 
/**
 * Entries applied to the other side.
 */
applied: number, 
/**
 * Entries with nothing to write (the row already equals its last synced state).
 */
unchanged: number, 
/**
 * Entries skipped because the row's version moved on since they were queued.
 */
skipped: number, 
/**
 * Conflicts detected (recorded in the conflicts table).
 */
conflicts: number, 
/**
 * Entries that failed with an application error (in the error log).
 */
failed: number, 
/**
 * Entries rescheduled after a system failure.
 */
retried: number, 
/**
 * Entries held because their parent row is missing (released when it arrives).
 */
held: number, 
/**
 * Entries not attempted because the target's circuit breaker was open (rescheduled).
 */
rejected: number, 
/**
 * Maps paused by an alert rule during the round.
 */
pausedMaps: Array<string>, };

export type Status = { project: string, maps: Array<MapStatus>, 
/**
 * Newest first.
 */
lastRuns: Array<RunSummary>, };

export type MapStatus = { id: string, syncMode: SyncMode, paused: boolean, pauseReason: PauseReason | null, 
/**
 * Queue entries per status (`pending`, `done`, `failed`...); statuses with none left out.
 */
queue: { [key in string]: number }, 
/**
 * Unresolved errors per category; categories with none left out.
 */
errors: { [key in string]: number }, };

export type RunSummary = { id: RunId, kind: RunKind, status: RunStatus, 
/**
 * Milliseconds since the Unix epoch.
 */
startedAt: Timestamp, finishedAt: Timestamp | null, 
/**
 * The engine's counters (rows written, failed...).
 */
counters: JsonValue, };

export type RunKind = "initial" | "async" | "live";

export type RunStatus = "running" | "succeeded" | "failed" | "interrupted";

export type PauseReason = { "kind": "manual" } | { "kind": "alertRule", rule: string, };

export type ErrorRecord = { id: ErrorId, queue_entry: EntryId | null, map_id: string, key: KeyText | null, category: ErrorCategory, message: string, row: JsonValue | null, occurred_at: Timestamp, attempts: number, resolved_at: Timestamp | null, resolution: Resolution | null, };

export type ErrorCategory = "application" | "system" | "concurrency" | "conflict";

export type Resolution = "resolved" | "retried";

export type RetryOutcome = { 
/**
 * Errors whose entries were re-queued (now marked `retried`).
 */
retried: Array<ErrorId>, 
/**
 * Queue entries put back in line.
 */
requeued_entries: number, 
/**
 * Errors that cannot be retried by re-queueing: no queue entry (live or initial sync) or
 * a concurrency or conflict category. They stay as they were.
 */
not_retryable: Array<ErrorId>, 
/**
 * Requested ids that do not exist.
 */
unknown: Array<ErrorId>, };

export type Conflict = { id: ConflictId, map_id: string, key: KeyText, winning_side: Side, winning_values: JsonValue, losing_values: JsonValue, detected_at: Timestamp, };

export type RecordRequest = { projectPath: string, map: string, 
/**
 * The side the key belongs to.
 */
side: Side, 
/**
 * The key values in the order of that side's key columns (as text; numbers are read as
 * numbers where the column holds numbers).
 */
key: Array<string>, };

export type RecordPair = { map: string, fnoTable: string, dataverseTable: string, 
/**
 * The whole rows, when they exist.
 */
fnoRow: JsonValue | null, dataverseRow: JsonValue | null, fields: Array<FieldPair>, };

export type FieldPair = { fno: string, dataverse: string, fnoValue: JsonValue | null, dataverseValue: JsonValue | null, 
/**
 * Both rows exist and the values compare equal (lookups compare ids with keys, so they
 * are shown but not compared).
 */
same: boolean, lookup: boolean, };

export type LiveRequest = { projectPath: string, 
/**
 * The side the unit of work is written on.
 */
from: Side, rows: Array<TxnRow>, };

export type LiveExample = { 
/**
 * The side the unit of work is written on.
 */
from: Side, 
/**
 * Whether this is the example that fails and rolls back.
 */
failing: boolean, 
/**
 * What the example does and what to expect, in one sentence.
 */
title: string, 
/**
 * What must be true first (which groups to sync).
 */
prerequisite: string, };

export type LiveExampleRequest = { projectPath: string, 
/**
 * The side the example is written on.
 */
from: Side, 
/**
 * The example that fails and rolls back, rather than the one that commits.
 */
failing: boolean, };

export type TxnRow = { 
/**
 * The source side's table (F&O entity or Dataverse table).
 */
table: string, 
/**
 * Upsert or delete.
 */
op: TxnOp, 
/**
 * Column values (scalars); for a delete, at least the key columns.
 */
values: { [key in string]: JsonValue }, };

export type TxnOp = "upsert" | "delete";

export type LiveOutcome = { 
/**
 * Both sides committed.
 */
committed: boolean, 
/**
 * Refused before anything was sent (bad input: nothing was written anywhere).
 */
refused: boolean, 
/**
 * Why it did not commit: system (retry may help) or application (fix the data or maps).
 */
category: LiveErrorCategory | null, 
/**
 * The error message, when it did not commit.
 */
reason: string | null, 
/**
 * The journal entry, once journaled.
 */
journalId: number | null, 
/**
 * The protocol's steps in order.
 */
trace: Array<TraceStep>, };

export type LiveErrorCategory = "system" | "application";

export type TraceStep = { step: Step, 
/**
 * Milliseconds since the Unix epoch.
 */
at: Timestamp, 
/**
 * Records, error message, journal id...
 */
detail: string | null, };

export type Step = "refused" | "sourcePreCommit" | "batchToTarget" | "targetApplied" | "journaled" | "targetCommit" | "targetAbort" | "sourceCommit" | "sourceRollback" | "crashSimulated" | "targetCompensated";

export type Timestamp = number;

export type KeyText = string;

export type RunId = number;

export type ErrorId = number;

export type EntryId = number;

export type ConflictId = number;
