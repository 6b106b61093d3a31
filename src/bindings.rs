//! TypeScript declarations of every type that crosses the desktop app's IPC boundary.
//!
//! The front end (`ui/`) must never guess the shape of what the backend sends, so the types
//! are generated from these Rust types with ts-rs and committed as `ui/src/bindings.ts`. One
//! file, not one per type: the front end imports from one place, and the drift test
//! (`tests/ts_bindings.rs`, `UPDATE_BINDINGS=1` to rewrite) compares one string. 64-bit
//! integers are declared as `number`: serde_json writes them as JSON numbers and every count
//! the app shows stays far below 2^53.

use ts_rs::{Config, TS};

/// Appends the declaration of each listed type, in order, separated by blank lines.
macro_rules! declare {
    ($cfg:expr, $out:expr, $($ty:ty),+ $(,)?) => {
        $(
            $out.push_str("export ");
            $out.push_str(&<$ty as TS>::decl($cfg));
            $out.push_str("\n\n");
        )+
    };
}

/// The whole of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from the Rust types by `dualwrite::bindings` (ts-rs). Do not edit:\n\
         // run `UPDATE_BINDINGS=1 cargo test --test ts_bindings` after changing a type.\n\n",
    );
    use crate::chart::{export::ChartExport, export::ChartNode, Edge, EdgeCause};
    use crate::demo::live_examples::LiveExample;
    use crate::endpoint::{
        ColumnSchema, ErrorCategory as LiveErrorCategory, TableSchema, ValueClass,
    };
    use crate::engine::initial::{MapReport, Pass};
    use crate::engine::live::{LiveOutcome, Step, TraceStep, TxnOp, TxnRow};
    use crate::engine::round::RoundReport;
    use crate::model::*;
    use crate::store::{
        Conflict, ConflictId, EntryId, ErrorCategory, ErrorId, ErrorRecord, KeyText, PauseReason,
        Resolution, RetryOutcome, RunId, RunKind, RunStatus, Timestamp,
    };
    use crate::studio::environments::ConnectionReport;
    use crate::studio::first_start::StartInfo;
    use crate::studio::live::{LiveExampleRequest, LiveRequest};
    use crate::studio::recent::RecentProject;
    use crate::studio::records::{FieldPair, RecordPair, RecordRequest};
    use crate::studio::runs::{RunProgress, RunReport, RunRequest, SyncRunKind};
    use crate::studio::secrets::{SecretOrigin, SecretStatus};
    use crate::studio::status::{MapStatus, RunStatus as RunSummary, Status};
    use crate::studio::{Analysis, AppError, FindingCounts, OpenedProject, TemplateKind};
    use crate::validate::{Code, Finding, Severity};
    declare!(
        &cfg,
        out,
        serde_json::Value,
        Project,
        Environment,
        Side,
        EndpointKind,
        TableMap,
        FnoSide,
        DataverseSide,
        SyncMode,
        MapDirection,
        FieldDirection,
        FieldMapping,
        Transform,
        Lookup,
        Group,
        GroupMember,
        AlertRule,
        AlertCategory,
        AlertAction,
        Finding,
        Code,
        Severity,
        ChartExport,
        ChartNode,
        Edge,
        EdgeCause,
        // The app's use cases (crate::studio).
        AppError,
        Analysis,
        FindingCounts,
        OpenedProject,
        TemplateKind,
        StartInfo,
        RecentProject,
        ConnectionReport,
        TableSchema,
        ColumnSchema,
        ValueClass,
        SecretStatus,
        SecretOrigin,
        RunRequest,
        SyncRunKind,
        RunProgress,
        RunReport,
        MapReport,
        Pass,
        RoundReport,
        Status,
        MapStatus,
        RunSummary,
        RunKind,
        RunStatus,
        PauseReason,
        ErrorRecord,
        ErrorCategory,
        Resolution,
        RetryOutcome,
        Conflict,
        RecordRequest,
        RecordPair,
        FieldPair,
        LiveRequest,
        LiveExample,
        LiveExampleRequest,
        TxnRow,
        TxnOp,
        LiveOutcome,
        LiveErrorCategory,
        TraceStep,
        Step,
        Timestamp,
        KeyText,
        RunId,
        ErrorId,
        EntryId,
        ConflictId,
    );
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
