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

export type Code = "DW001" | "DW002" | "DW003" | "DW004" | "DW005" | "DW006" | "DW007" | "DW008" | "DW009" | "DW010" | "DW011" | "DW012" | "DW013" | "DW014" | "DW015" | "DW016";

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
