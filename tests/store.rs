//! Integration tests of the runtime store on real SQLite files in temporary directories.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dualwrite::model::Side;
use dualwrite::store::{
    default_dir, known_migrations, values_array_text, ActivityLevel, ClaimRequest, ConflictFilter,
    CopiedPages, EntryId, EntryStatus, ErrorCategory, ErrorFilter, ErrorId, KeyText, LiveState,
    NewConflict, NewEntry, NewError, Op, PauseReason, PlaceholderRef, Resolution, RetrySelection,
    RunId, RunKind, RunStatus, SideSnapshot, Snapshot, SnapshotArrays, SnapshotLayout,
    SnapshotText, Store, StoreError, Timestamp,
};
use serde_json::json;
use sqlx::Connection;

const T0: Timestamp = Timestamp::from_millis(1_700_000_000_000);
const LEASE: Duration = Duration::from_secs(60);

fn key(values: &[serde_json::Value]) -> KeyText {
    KeyText::from_values(values)
}

fn entry(map: &str, k: &str, version: u32, group: &str, sequence: u32) -> NewEntry {
    NewEntry {
        map_id: map.to_string(),
        source_side: Side::Fno,
        key: key(&[json!("USMF"), json!(k)]),
        row_version: version.to_string(),
        op: Op::Upsert,
        group_id: group.to_string(),
        sequence,
        wave: 0,
    }
}

async fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join(".dualwrite"))
        .await
        .expect("open store");
    (dir, store)
}

/// A separate raw connection to the store's file, as another program would have.
async fn raw_connection(path: &Path) -> sqlx::SqliteConnection {
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .expect("raw connection")
}

fn ids(entries: &[dualwrite::store::QueueEntry]) -> Vec<EntryId> {
    entries.iter().map(|e| e.id).collect()
}

fn keys_of(entries: &[dualwrite::store::QueueEntry]) -> Vec<String> {
    entries.iter().map(|e| e.key.to_string()).collect()
}

async fn count(store: &Store, map: &str, status: EntryStatus) -> u64 {
    store
        .queue_counts()
        .await
        .expect("counts")
        .into_iter()
        .find(|c| c.map_id == map && c.status == status)
        .map_or(0, |c| c.count)
}

#[test]
fn default_dir_is_beside_the_project_file() {
    assert_eq!(
        default_dir(Path::new("/work/demo/sales.dwproj.json")),
        Path::new("/work/demo/.dualwrite")
    );
    assert_eq!(
        default_dir(Path::new("sales.dwproj.json")),
        Path::new(".dualwrite")
    );
}

#[test]
fn key_text_is_canonical() {
    let parsed = KeyText::parse(" [ \"USMF\" , 42 ] ").expect("valid key");
    assert_eq!(parsed, key(&[json!("USMF"), json!(42)]));
    assert_eq!(parsed.as_str(), "[\"USMF\",42]");
    assert_eq!(
        parsed.values().expect("values"),
        vec![json!("USMF"), json!(42)]
    );
    assert!(matches!(
        KeyText::parse("{\"a\":1}"),
        Err(StoreError::InvalidKey { .. })
    ));
    assert!(matches!(
        KeyText::parse("[]"),
        Err(StoreError::InvalidKey { .. })
    ));
    assert!(matches!(
        KeyText::parse("[1,"),
        Err(StoreError::InvalidKey { .. })
    ));
}

#[tokio::test]
async fn migrations_apply_on_a_new_file_and_reopen_is_idempotent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("nested").join(".dualwrite");
    let store = Store::open(&state).await.expect("first open");
    assert!(store.path().is_file(), "the database file is created");
    assert_eq!(
        store.applied_migrations().await.expect("applied"),
        known_migrations()
    );
    store
        .enqueue_changes("fno-env", 7, &[entry("customers", "C1", 1, "g", 1)], T0)
        .await
        .expect("enqueue");
    let path = store.path().to_path_buf();
    store.close().await;

    let mut raw = raw_connection(&path).await;
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut raw)
        .await
        .expect("journal mode");
    assert_eq!(mode, "wal");
    raw.close().await.expect("close raw");

    let store = Store::open(&state).await.expect("second open");
    assert_eq!(
        store.applied_migrations().await.expect("applied"),
        known_migrations()
    );
    assert_eq!(store.cursor("fno-env").await.expect("cursor"), Some(7));
    assert_eq!(count(&store, "customers", EntryStatus::Pending).await, 1);

    // Foreign keys are enforced: progress of a run that does not exist is refused.
    let mut tx = store.begin().await.expect("begin");
    let orphan = tx
        .record_progress(
            dualwrite::store::RunId(999),
            "customers",
            None,
            &key(&[json!(1)]),
            1,
            T0,
        )
        .await;
    assert!(orphan.is_err(), "foreign key must reject an unknown run");
}

#[tokio::test]
async fn a_store_from_a_newer_build_is_refused() {
    let (dir, store) = open_temp().await;
    let path = store.path().to_path_buf();
    store.close().await;
    let mut raw = raw_connection(&path).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99991231000000, 'from a newer build', 1, X'00', 0)",
    )
    .execute(&mut raw)
    .await
    .expect("simulate a newer migration");
    raw.close().await.expect("close raw");

    let refused = Store::open(&dir.path().join(".dualwrite")).await;
    let Err(error) = refused else {
        panic!("a newer store must be refused");
    };
    assert!(
        matches!(
            error,
            StoreError::NewerStore {
                found: 99991231000000,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("newer version"), "{message}");
    assert!(message.contains(&path.display().to_string()), "{message}");
}

#[tokio::test]
async fn a_store_with_a_modified_migration_is_refused() {
    let (dir, store) = open_temp().await;
    let path = store.path().to_path_buf();
    store.close().await;
    let mut raw = raw_connection(&path).await;
    sqlx::query("UPDATE _sqlx_migrations SET checksum = X'00'")
        .execute(&mut raw)
        .await
        .expect("tamper");
    raw.close().await.expect("close raw");
    let refused = Store::open(&dir.path().join(".dualwrite")).await;
    assert!(
        matches!(refused, Err(StoreError::ModifiedMigration { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn enqueue_dedupes_the_same_change() {
    let (_dir, store) = open_temp().await;
    let batch = vec![
        entry("customers", "C1", 1, "g", 1),
        entry("customers", "C1", 2, "g", 1),
        entry("customers", "C1", 1, "g", 1), // same change twice in one batch
        entry("contacts", "C1", 1, "g", 2),  // same key, other map
    ];
    let first = store
        .enqueue_changes("fno-env", 10, &batch, T0)
        .await
        .expect("first");
    assert_eq!((first.inserted, first.duplicates), (3, 1));

    // The change log is read again after a crash: nothing new.
    let again = store
        .enqueue_changes("fno-env", 10, &batch, T0)
        .await
        .expect("again");
    assert_eq!((again.inserted, again.duplicates), (0, 4));

    // Still a duplicate after it was processed.
    let claimed = store
        .claim_batch(&ClaimRequest::any(10, LEASE), T0)
        .await
        .expect("claim");
    store.mark_done(&ids(&claimed), T0).await.expect("done");
    let after_done = store
        .enqueue_changes("fno-env", 10, &batch[..1], T0)
        .await
        .expect("after done");
    assert_eq!(after_done.inserted, 0);

    // The other side's change of the same key and version is its own change.
    let mut dataverse = entry("customers", "C1", 1, "g", 1);
    dataverse.source_side = Side::Dataverse;
    let other_side = store
        .enqueue_changes("dv-env", 1, &[dataverse], T0)
        .await
        .expect("other side");
    assert_eq!(other_side.inserted, 1);
}

#[tokio::test]
async fn enqueue_many_spans_several_statements() {
    let (_dir, store) = open_temp().await;
    let batch: Vec<NewEntry> = (0..6_000)
        .map(|i| entry("lines", &format!("L{i:05}"), 1, "orders", 2))
        .collect();
    let outcome = store
        .enqueue_changes("fno-env", 6_000, &batch, T0)
        .await
        .expect("enqueue");
    assert_eq!((outcome.inserted, outcome.duplicates), (6_000, 0));
    assert_eq!(count(&store, "lines", EntryStatus::Pending).await, 6_000);
    let first = store
        .claim_batch(&ClaimRequest::any(3, LEASE), T0)
        .await
        .expect("claim");
    assert_eq!(
        keys_of(&first),
        [
            "[\"USMF\",\"L00000\"]",
            "[\"USMF\",\"L00001\"]",
            "[\"USMF\",\"L00002\"]"
        ]
    );
}

#[tokio::test]
async fn claims_take_lowest_sequence_first_then_fifo() {
    let (_dir, store) = open_temp().await;
    let batch = vec![
        entry("lines", "L1", 1, "orders", 2),
        entry("headers", "H1", 1, "orders", 1),
        entry("lines", "L2", 1, "orders", 2),
        entry("headers", "H2", 1, "orders", 1),
        entry("customers", "C1", 1, "parties", 1),
    ];
    store
        .enqueue_changes("fno-env", 5, &batch, T0)
        .await
        .expect("enqueue");

    let mut only_orders = ClaimRequest::any(10, LEASE);
    only_orders.group = Some("orders".to_string());
    let orders = store.claim_batch(&only_orders, T0).await.expect("claim");
    assert_eq!(
        keys_of(&orders),
        [
            "[\"USMF\",\"H1\"]",
            "[\"USMF\",\"H2\"]",
            "[\"USMF\",\"L1\"]",
            "[\"USMF\",\"L2\"]"
        ]
    );
    assert!(orders.iter().all(|e| e.attempts == 1));
    assert!(orders
        .iter()
        .all(|e| e.leased_until == Some(T0.plus(LEASE))));

    // Leased entries are not claimed again while the lease holds...
    let during_lease = store
        .claim_batch(&only_orders, T0.plus(Duration::from_secs(30)))
        .await
        .expect("claim during lease");
    assert!(during_lease.is_empty());
    // ...and are claimable again once it ran out (a worker died), in the same order.
    let after_lease = store
        .claim_batch(&only_orders, T0.plus(LEASE))
        .await
        .expect("claim after lease");
    assert_eq!(keys_of(&after_lease), keys_of(&orders));
    assert!(after_lease.iter().all(|e| e.attempts == 2));

    // At engine start every lease is released at once.
    let released = store.release_leases(T0).await.expect("release");
    assert_eq!(released, 4);
    let everything = store
        .claim_batch(&ClaimRequest::any(2, LEASE), T0)
        .await
        .expect("claim any");
    assert_eq!(
        keys_of(&everything),
        ["[\"USMF\",\"H1\"]", "[\"USMF\",\"H2\"]"]
    );
    let next = store
        .claim_batch(&ClaimRequest::any(10, LEASE), T0)
        .await
        .expect("claim rest");
    assert_eq!(
        keys_of(&next),
        [
            "[\"USMF\",\"C1\"]",
            "[\"USMF\",\"L1\"]",
            "[\"USMF\",\"L2\"]"
        ]
    );
}

#[tokio::test]
async fn claims_by_map_and_wave() {
    let (_dir, store) = open_temp().await;
    let mut parent = entry("customers", "C1", 1, "g", 1);
    parent.wave = 0;
    let mut child = entry("contacts", "P1", 1, "g", 1);
    child.wave = 1;
    store
        .enqueue_changes("fno-env", 2, &[child, parent], T0)
        .await
        .expect("enqueue");
    let mut wave_one = ClaimRequest::any(10, LEASE);
    wave_one.wave = Some(1);
    let claimed = store.claim_batch(&wave_one, T0).await.expect("wave 1");
    assert_eq!(keys_of(&claimed), ["[\"USMF\",\"P1\"]"]);
    let mut by_map = ClaimRequest::any(10, LEASE);
    by_map.maps = vec!["customers".to_string()];
    let claimed = store.claim_batch(&by_map, T0).await.expect("by map");
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].map_id, "customers");
}

#[tokio::test]
async fn cursor_advances_in_the_same_transaction_as_the_enqueue() {
    let (_dir, store) = open_temp().await;
    let batch: Vec<NewEntry> = (0..5_000)
        .map(|i| entry("customers", &format!("C{i}"), 1, "g", 1))
        .collect();

    // The cursor write fails after every entry was inserted: nothing may remain.
    let mut raw = raw_connection(store.path()).await;
    sqlx::query(
        "CREATE TRIGGER fail_cursor BEFORE INSERT ON cursors \
         BEGIN SELECT RAISE(ABORT, 'simulated failure'); END",
    )
    .execute(&mut raw)
    .await
    .expect("trigger");
    let failed = store.enqueue_changes("fno-env", 5_000, &batch, T0).await;
    assert!(failed.is_err());
    assert_eq!(count(&store, "customers", EntryStatus::Pending).await, 0);
    assert_eq!(store.cursor("fno-env").await.expect("cursor"), None);

    // An insert fails in the middle of the entries (second statement): same outcome.
    sqlx::query("DROP TRIGGER fail_cursor")
        .execute(&mut raw)
        .await
        .expect("drop trigger");
    sqlx::query(
        "CREATE TRIGGER fail_entry BEFORE INSERT ON queue_entries \
         WHEN NEW.key_text = '[\"USMF\",\"C4000\"]' \
         BEGIN SELECT RAISE(ABORT, 'simulated failure'); END",
    )
    .execute(&mut raw)
    .await
    .expect("trigger");
    assert!(store
        .enqueue_changes("fno-env", 5_000, &batch, T0)
        .await
        .is_err());
    assert_eq!(count(&store, "customers", EntryStatus::Pending).await, 0);
    assert_eq!(store.cursor("fno-env").await.expect("cursor"), None);

    // Without failures both happen.
    sqlx::query("DROP TRIGGER fail_entry")
        .execute(&mut raw)
        .await
        .expect("drop trigger");
    raw.close().await.expect("close raw");
    store
        .enqueue_changes("fno-env", 5_000, &batch, T0)
        .await
        .expect("enqueue");
    assert_eq!(
        count(&store, "customers", EntryStatus::Pending).await,
        5_000
    );
    assert_eq!(store.cursor("fno-env").await.expect("cursor"), Some(5_000));

    // A cursor never moves back, and the entries of that call are not kept either.
    let back = store
        .enqueue_changes("fno-env", 10, &[entry("customers", "late", 1, "g", 1)], T0)
        .await;
    assert!(
        matches!(
            back,
            Err(StoreError::CursorBackwards {
                current: 5_000,
                requested: 10,
                ..
            })
        ),
        "{back:?}"
    );
    assert_eq!(
        count(&store, "customers", EntryStatus::Pending).await,
        5_000
    );
}

#[tokio::test]
async fn a_dropped_transaction_leaves_nothing() {
    let (_dir, store) = open_temp().await;
    let mut tx = store.begin().await.expect("begin");
    tx.enqueue(&[entry("customers", "C1", 1, "g", 1)], T0)
        .await
        .expect("enqueue");
    tx.advance_cursor("fno-env", 1, T0).await.expect("cursor");
    drop(tx); // the process "crashes" before commit
    assert_eq!(count(&store, "customers", EntryStatus::Pending).await, 0);
    assert_eq!(store.cursor("fno-env").await.expect("cursor"), None);
}

#[tokio::test]
async fn status_transitions() {
    let (_dir, store) = open_temp().await;
    let batch: Vec<NewEntry> = (1..=6)
        .map(|i| entry("customers", &format!("C{i}"), 1, "g", 1))
        .collect();
    store
        .enqueue_changes("fno-env", 6, &batch, T0)
        .await
        .expect("enqueue");
    let claimed = store
        .claim_batch(&ClaimRequest::any(10, LEASE), T0)
        .await
        .expect("claim");
    let [c1, c2, c3, c4, c5, c6] = ids(&claimed)[..] else {
        panic!("six entries expected");
    };

    let mut tx = store.begin().await.expect("begin");
    assert_eq!(tx.mark_done(&[c1], T0).await.expect("done"), 1);
    assert_eq!(tx.mark_skipped(&[c2], T0).await.expect("skipped"), 1);
    assert_eq!(tx.mark_failed(&[c3], T0).await.expect("failed"), 1);
    assert_eq!(tx.hold(&[c4], T0).await.expect("held"), 1);
    let later = T0.plus(Duration::from_secs(300));
    assert_eq!(tx.schedule_retry(&[c5], later, T0).await.expect("retry"), 1);
    // A finished entry keeps its outcome.
    assert_eq!(tx.mark_failed(&[c1], T0).await.expect("no change"), 0);
    tx.commit().await.expect("commit");

    let status = |id| {
        let store = store.clone();
        async move {
            store
                .queue_entry(id)
                .await
                .expect("read")
                .expect("exists")
                .status
        }
    };
    assert_eq!(status(c1).await, EntryStatus::Done);
    assert_eq!(status(c2).await, EntryStatus::Skipped);
    assert_eq!(status(c3).await, EntryStatus::Failed);
    assert_eq!(status(c4).await, EntryStatus::Held);
    assert_eq!(status(c5).await, EntryStatus::Pending);

    // Only c6's lease is still running; after it ends only c6 is ready, c5 waits for backoff.
    let t1 = T0.plus(LEASE);
    let ready = store
        .claim_batch(&ClaimRequest::any(10, LEASE), t1)
        .await
        .expect("claim");
    assert_eq!(ids(&ready), [c6]);
    assert_eq!(
        store.next_ready_at().await.expect("next ready"),
        Some(t1.plus(LEASE)),
        "c6's new lease ends before c5's backoff"
    );
    store.mark_done(&[c6], t1).await.expect("done");
    let ready = store
        .claim_batch(&ClaimRequest::any(10, LEASE), later)
        .await
        .expect("claim");
    assert_eq!(ids(&ready), [c5]);

    // Held entries come back when released, failed ones when re-queued.
    let mut tx = store.begin().await.expect("begin");
    assert_eq!(
        tx.release_held(Some("customers"), later)
            .await
            .expect("release"),
        1
    );
    assert_eq!(tx.requeue(&[c3, c1], later).await.expect("requeue"), 1);
    tx.commit().await.expect("commit");
    let ready = store
        .claim_batch(&ClaimRequest::any(10, LEASE), later)
        .await
        .expect("claim");
    assert_eq!(ids(&ready), [c3, c4]);
    assert_eq!(ready[0].attempts, 1, "a re-queued entry starts again");
}

#[tokio::test]
async fn parallel_claims_never_share_an_entry() {
    let (_dir, store) = open_temp().await;
    let batch: Vec<NewEntry> = (0..2_000)
        .map(|i| entry("customers", &format!("C{i}"), 1, "g", 1))
        .collect();
    store
        .enqueue_changes("fno-env", 1, &batch, T0)
        .await
        .expect("enqueue");
    let mut workers = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let claimed = store
                    .claim_batch(&ClaimRequest::any(37, LEASE), T0)
                    .await
                    .expect("claim");
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(ids(&claimed));
            }
        }));
    }
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    let distinct: BTreeSet<EntryId> = all.iter().copied().collect();
    assert_eq!(all.len(), 2_000);
    assert_eq!(distinct.len(), 2_000);
}

fn error(entry: Option<EntryId>, map: &str, category: ErrorCategory, message: &str) -> NewError {
    NewError {
        queue_entry: entry,
        map_id: map.to_string(),
        key: Some(key(&[json!("USMF"), json!("C1")])),
        category,
        message: message.to_string(),
        row: Some(json!({"AccountNum": "C1", "CustGroup": "BAD"})),
        attempts: 1,
    }
}

#[tokio::test]
async fn error_log_filters_retry_and_resolve() {
    let (_dir, store) = open_temp().await;
    let batch = vec![
        entry("customers", "C1", 1, "g", 1),
        entry("customers", "C2", 1, "g", 1),
        entry("contacts", "P1", 1, "g", 2),
    ];
    store
        .enqueue_changes("fno-env", 3, &batch, T0)
        .await
        .expect("enqueue");
    let claimed = store
        .claim_batch(&ClaimRequest::any(10, LEASE), T0)
        .await
        .expect("claim");
    let [c1, c2, p1] = ids(&claimed)[..] else {
        panic!("three entries expected");
    };

    let mut tx = store.begin().await.expect("begin");
    tx.mark_failed(&[c1, p1], T0).await.expect("failed");
    tx.mark_skipped(&[c2], T0).await.expect("skipped");
    tx.log_errors(
        &[
            error(
                Some(c1),
                "customers",
                ErrorCategory::Application,
                "lookup not found",
            ),
            error(
                Some(c2),
                "customers",
                ErrorCategory::Concurrency,
                "version moved on",
            ),
            error(
                Some(p1),
                "contacts",
                ErrorCategory::Application,
                "constraint",
            ),
            error(
                None,
                "contacts",
                ErrorCategory::System,
                "live: connection lost",
            ),
        ],
        T0,
    )
    .await
    .expect("log");
    tx.commit().await.expect("commit");

    let all = store
        .list_errors(&ErrorFilter::default())
        .await
        .expect("all");
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].message, "lookup not found");
    assert_eq!(
        all[0].row,
        Some(json!({"AccountNum": "C1", "CustGroup": "BAD"}))
    );
    let application = store
        .list_errors(&ErrorFilter {
            category: Some(ErrorCategory::Application),
            ..ErrorFilter::default()
        })
        .await
        .expect("application");
    assert_eq!(application.len(), 2);
    let contacts = store
        .list_errors(&ErrorFilter {
            map_id: Some("contacts".to_string()),
            ..ErrorFilter::default()
        })
        .await
        .expect("contacts");
    assert_eq!(contacts.len(), 2);
    let (e_c1, e_c2, e_p1, e_live) = (all[0].id, all[1].id, all[2].id, all[3].id);

    // Retry by id: the failed entry is back in line as new; the error is closed as retried.
    let outcome = store
        .retry_errors(&RetrySelection::Ids(vec![e_c1, e_live, ErrorId(999)]), T0)
        .await
        .expect("retry");
    assert_eq!(outcome.retried, [e_c1]);
    assert_eq!(outcome.requeued_entries, 1);
    assert_eq!(outcome.not_retryable, [e_live]);
    assert_eq!(outcome.unknown, [ErrorId(999)]);
    let c1_entry = store.queue_entry(c1).await.expect("read").expect("exists");
    assert_eq!(
        (c1_entry.status, c1_entry.attempts),
        (EntryStatus::Pending, 0)
    );
    let unresolved = store
        .list_errors(&ErrorFilter {
            unresolved_only: true,
            ..ErrorFilter::default()
        })
        .await
        .expect("unresolved");
    assert_eq!(
        unresolved.iter().map(|e| e.id).collect::<Vec<_>>(),
        [e_c2, e_p1, e_live]
    );
    let retried = store
        .list_errors(&ErrorFilter::default())
        .await
        .expect("all");
    assert_eq!(retried[0].resolution, Some(Resolution::Retried));
    assert_eq!(retried[0].resolved_at, Some(T0));

    // Retry all: application errors are re-queued, the concurrency skip is not.
    let outcome = store
        .retry_errors(&RetrySelection::AllUnresolved, T0)
        .await
        .expect("retry all");
    assert_eq!(outcome.retried, [e_p1]);
    assert_eq!(outcome.not_retryable, [e_c2, e_live]);
    assert_eq!(
        store
            .queue_entry(c2)
            .await
            .expect("read")
            .expect("exists")
            .status,
        EntryStatus::Skipped
    );
    assert_eq!(
        store
            .queue_entry(p1)
            .await
            .expect("read")
            .expect("exists")
            .status,
        EntryStatus::Pending
    );

    // Resolve closes what retry cannot.
    assert_eq!(
        store
            .resolve_errors(&[e_live, e_c1], T0)
            .await
            .expect("resolve"),
        1
    );
    let unresolved = store
        .list_errors(&ErrorFilter {
            unresolved_only: true,
            ..ErrorFilter::default()
        })
        .await
        .expect("unresolved");
    assert_eq!(unresolved.iter().map(|e| e.id).collect::<Vec<_>>(), [e_c2]);
}

#[tokio::test]
async fn error_counts_within_a_window() {
    let (_dir, store) = open_temp().await;
    let minute = Duration::from_secs(60);
    let mut tx = store.begin().await.expect("begin");
    for (at, map, category) in [
        (T0, "customers", ErrorCategory::Application),
        (T0.plus(minute * 6), "customers", ErrorCategory::Application),
        (T0.plus(minute * 8), "customers", ErrorCategory::Application),
        (T0.plus(minute * 9), "customers", ErrorCategory::System),
        (T0.plus(minute * 9), "contacts", ErrorCategory::Application),
    ] {
        tx.log_errors(&[error(None, map, category, "boom")], at)
            .await
            .expect("log");
    }
    tx.commit().await.expect("commit");
    let now = T0.plus(minute * 10);
    let counts = store
        .error_counts_since(now.minus(minute * 5))
        .await
        .expect("counts");
    let get = |map: &str, category| {
        counts
            .iter()
            .find(|c| c.map_id == map && c.category == category)
            .map_or(0, |c| c.count)
    };
    assert_eq!(get("customers", ErrorCategory::Application), 2);
    assert_eq!(get("customers", ErrorCategory::System), 1);
    assert_eq!(get("contacts", ErrorCategory::Application), 1);
    assert_eq!(counts.len(), 3);
    let wider = store
        .error_counts_since(now.minus(minute * 15))
        .await
        .expect("counts");
    assert_eq!(
        wider
            .iter()
            .find(|c| c.map_id == "customers" && c.category == ErrorCategory::Application)
            .map(|c| c.count),
        Some(3)
    );
}

fn snapshot(map: &str, k: &str, fno: serde_json::Value, dataverse: serde_json::Value) -> Snapshot {
    Snapshot {
        map_id: map.to_string(),
        key: key(&[json!(k)]),
        fno: SideSnapshot {
            values: fno,
            version: Some("1".to_string()),
        },
        dataverse: SideSnapshot {
            values: dataverse,
            version: None,
        },
        synced_at: T0,
    }
}

#[tokio::test]
async fn snapshots_upsert_and_read() {
    let (_dir, store) = open_temp().await;
    let a = snapshot(
        "customers",
        "C1",
        json!({"Name": "Contoso"}),
        json!({"name": "Contoso"}),
    );
    let b = snapshot(
        "customers",
        "C2",
        json!({"Name": "Fabrikam"}),
        json!({"name": "Fabrikam"}),
    );
    let mut tx = store.begin().await.expect("begin");
    tx.upsert_snapshots(&[a.clone(), b.clone()])
        .await
        .expect("write");
    tx.commit().await.expect("commit");
    assert_eq!(
        store.snapshot("customers", &a.key).await.expect("read"),
        Some(a.clone())
    );
    assert_eq!(
        store.snapshot("contacts", &a.key).await.expect("read"),
        None
    );

    let mut changed = a.clone();
    changed.fno.values = json!({"Name": "Contoso Ltd"});
    changed.fno.version = Some("2".to_string());
    changed.synced_at = T0.plus(Duration::from_secs(1));
    let mut tx = store.begin().await.expect("begin");
    tx.upsert_snapshots(std::slice::from_ref(&changed))
        .await
        .expect("replace");
    tx.commit().await.expect("commit");
    let read = store
        .snapshot("customers", &a.key)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(read, changed);
    assert_eq!(read.side(Side::Fno).version.as_deref(), Some("2"));

    let many = store
        .snapshots(
            "customers",
            &[a.key.clone(), key(&[json!("nope")]), b.key.clone()],
        )
        .await
        .expect("batch");
    assert_eq!(many.len(), 2);

    let mut tx = store.begin().await.expect("begin");
    assert_eq!(
        tx.delete_snapshots("customers", std::slice::from_ref(&a.key))
            .await
            .expect("delete"),
        1
    );
    tx.commit().await.expect("commit");
    assert_eq!(
        store.snapshot("customers", &a.key).await.expect("read"),
        None
    );
    assert!(store
        .snapshot("customers", &b.key)
        .await
        .expect("read")
        .is_some());
}

/// Snapshots written as JSON text (the initial sync's bulk path) read back as the same snapshots
/// as those written from values, and replace them the same way.
#[tokio::test]
async fn snapshot_texts_read_back_as_snapshots() {
    let (_dir, store) = open_temp().await;
    let expected = snapshot(
        "customers",
        "C1",
        json!({"Name": "Contoso", "Credit": 0.1, "Qty": 3, "Note": null}),
        json!({"name": "Contoso", "credit": 0.1, "qty": 3, "note": null}),
    );
    let earlier = snapshot("customers", "C1", json!({"Name": "old"}), json!({}));
    let mut tx = store.begin().await.expect("begin");
    tx.upsert_snapshots(std::slice::from_ref(&earlier))
        .await
        .expect("write");
    let texts: Vec<SnapshotText<'_>> = (0..2_000)
        .map(|i| SnapshotText {
            map_id: "customers",
            key: if i == 0 {
                expected.key.clone()
            } else {
                key(&[json!(format!("K{i}"))])
            },
            fno_values: expected.fno.values.to_string(),
            fno_version: expected.fno.version.clone(),
            dataverse_values: expected.dataverse.values.to_string(),
            dataverse_version: None,
            synced_at: T0,
        })
        .collect();
    tx.upsert_snapshot_texts(&texts).await.expect("write texts");
    tx.commit().await.expect("commit");
    assert_eq!(
        store
            .snapshot("customers", &expected.key)
            .await
            .expect("read"),
        Some(expected)
    );
    let last = store
        .snapshot("customers", &key(&[json!("K1999")]))
        .await
        .expect("read");
    assert!(last.is_some(), "every row of a many-row write is stored");
}

#[tokio::test]
async fn conflicts_are_recorded_and_listed() {
    let (_dir, store) = open_temp().await;
    let conflict = |map: &str, k: &str, winner: Side| NewConflict {
        map_id: map.to_string(),
        key: key(&[json!(k)]),
        winning_side: winner,
        winning_values: json!({"name": format!("{k} primary")}),
        losing_values: json!({"name": format!("{k} other")}),
    };
    let mut tx = store.begin().await.expect("begin");
    tx.record_conflicts(
        &[
            conflict("customers", "C1", Side::Fno),
            conflict("contacts", "P1", Side::Dataverse),
        ],
        T0,
    )
    .await
    .expect("record");
    tx.record_conflicts(
        &[conflict("customers", "C2", Side::Fno)],
        T0.plus(Duration::from_secs(5)),
    )
    .await
    .expect("record");
    tx.commit().await.expect("commit");

    let all = store
        .list_conflicts(&ConflictFilter::default())
        .await
        .expect("all");
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].winning_side, Side::Dataverse);
    assert_eq!(all[1].losing_values, json!({"name": "P1 other"}));
    assert_eq!(all[2].detected_at, T0.plus(Duration::from_secs(5)));
    let customers = store
        .list_conflicts(&ConflictFilter {
            map_id: Some("customers".to_string()),
            ..ConflictFilter::default()
        })
        .await
        .expect("customers");
    assert_eq!(
        customers
            .iter()
            .map(|c| c.key.to_string())
            .collect::<Vec<_>>(),
        ["[\"C1\"]", "[\"C2\"]"]
    );
    let page = store
        .list_conflicts(&ConflictFilter {
            after: Some(all[0].id),
            limit: Some(1),
            ..ConflictFilter::default()
        })
        .await
        .expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, all[1].id);
}

#[tokio::test]
async fn initial_sync_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join(".dualwrite");
    let store = Store::open(&state).await.expect("open");
    let run = store.start_run(RunKind::Initial, T0).await.expect("start");

    // Two batches of USMF customers are copied and recorded.
    for (last, rows) in [("C0500", 500), ("C1000", 500)] {
        let mut tx = store.begin().await.expect("begin");
        tx.record_progress(
            run,
            "customers",
            Some("USMF"),
            &key(&[json!(last)]),
            rows,
            T0,
        )
        .await
        .expect("progress");
        tx.commit().await.expect("commit");
    }
    // A third batch is written to the target but the process dies before recording it.
    let mut tx = store.begin().await.expect("begin");
    tx.record_progress(
        run,
        "customers",
        Some("USMF"),
        &key(&[json!("C1500")]),
        500,
        T0,
    )
    .await
    .expect("progress");
    drop(tx);
    // Currencies (not company-striped) finished.
    let mut tx = store.begin().await.expect("begin");
    tx.record_progress(run, "currencies", None, &key(&[json!("USD")]), 40, T0)
        .await
        .expect("progress");
    tx.complete_progress(run, "currencies", None, T0)
        .await
        .expect("complete");
    tx.commit().await.expect("commit");
    store.close().await;

    // Restart: the unfinished run is found with its resume points.
    let store = Store::open(&state).await.expect("reopen");
    let unfinished = store
        .list_runs(Some(RunKind::Initial), true, 10)
        .await
        .expect("runs");
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].id, run);
    assert_eq!(unfinished[0].status, RunStatus::Running);
    let customers = store
        .progress_of(run, "customers", Some("USMF"))
        .await
        .expect("progress")
        .expect("exists");
    assert_eq!(customers.last_key, Some(key(&[json!("C1000")])));
    assert_eq!(customers.rows_done, 1_000);
    assert!(!customers.completed);
    assert_eq!(
        store
            .progress_of(run, "customers", Some("DEMF"))
            .await
            .expect("progress"),
        None,
        "another legal entity has not started"
    );
    let all = store.progress(run).await.expect("all");
    assert_eq!(all.len(), 2);
    let currencies = all
        .iter()
        .find(|p| p.map_id == "currencies")
        .expect("currencies");
    assert_eq!(
        (currencies.legal_entity.clone(), currencies.completed),
        (None, true)
    );

    store
        .finish_run(
            run,
            RunStatus::Succeeded,
            &json!({"rows": 1040}),
            T0.plus(LEASE),
        )
        .await
        .expect("finish");
    let finished = store.run(run).await.expect("run").expect("exists");
    assert_eq!(finished.status, RunStatus::Succeeded);
    assert_eq!(finished.finished_at, Some(T0.plus(LEASE)));
    assert_eq!(finished.counters, json!({"rows": 1040}));
    assert!(store
        .list_runs(Some(RunKind::Initial), true, 10)
        .await
        .expect("runs")
        .is_empty());
    let missing = store
        .finish_run(
            dualwrite::store::RunId(404),
            RunStatus::Failed,
            &json!({}),
            T0,
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound { id: 404, .. })));
}

#[tokio::test]
async fn live_journal_lifecycle_and_in_doubt_query() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join(".dualwrite");
    let store = Store::open(&state).await.expect("open");
    let summary = json!({"maps": ["salesorders"], "keys": [["SO-1"]], "records": 3});

    let ok = store
        .journal_prepare(Side::Fno, "gone-1", &summary, T0)
        .await
        .expect("prepare");
    store
        .journal_transition(ok, LiveState::TargetCommitted, T0)
        .await
        .expect("target");
    store
        .journal_transition(ok, LiveState::Committed, T0)
        .await
        .expect("committed");
    let failed = store
        .journal_prepare(Side::Dataverse, "gone-1", &summary, T0)
        .await
        .expect("prepare");
    store
        .journal_transition(failed, LiveState::RolledBack, T0)
        .await
        .expect("rolled back");
    // Crashes: one between the two commits, one before the target committed.
    let between = store
        .journal_prepare(Side::Fno, "gone-1", &summary, T0)
        .await
        .expect("prepare");
    store
        .journal_transition(between, LiveState::TargetCommitted, T0)
        .await
        .expect("target");
    let before = store
        .journal_prepare(Side::Fno, "gone-1", &summary, T0)
        .await
        .expect("prepare");
    store.close().await;

    let store = Store::open(&state).await.expect("reopen");
    let unresolved = store.unresolved_live_txns().await.expect("unresolved");
    assert_eq!(
        unresolved.iter().map(|t| t.id).collect::<Vec<_>>(),
        [between, before]
    );
    assert_eq!(unresolved[0].state, LiveState::TargetCommitted);
    assert_eq!(
        (unresolved[0].source_side, unresolved[0].target_side),
        (Side::Fno, Side::Dataverse)
    );
    assert_eq!(unresolved[0].payload_summary, summary);
    assert_eq!(unresolved[0].owner.as_deref(), Some("gone-1"));

    let later = T0.plus(Duration::from_secs(1));
    store
        .journal_transition(between, LiveState::InDoubt, later)
        .await
        .expect("in doubt");
    // Repeating a step after a crash is harmless.
    store
        .journal_transition(between, LiveState::InDoubt, later)
        .await
        .expect("in doubt again");
    store
        .journal_transition(between, LiveState::RolledBack, later)
        .await
        .expect("compensated");
    store
        .journal_transition(before, LiveState::RolledBack, later)
        .await
        .expect("rolled back");
    assert!(store
        .unresolved_live_txns()
        .await
        .expect("unresolved")
        .is_empty());
    let settled = store
        .live_txn(between)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (settled.state, settled.updated_at),
        (LiveState::RolledBack, later)
    );

    // The journal refuses moves that would un-commit or skip a step.
    let refused = store
        .journal_transition(ok, LiveState::RolledBack, later)
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::InvalidTransition {
                from: "committed",
                to: "rolled_back",
                ..
            })
        ),
        "{refused:?}"
    );
    let fresh = store
        .journal_prepare(Side::Fno, "gone-1", &summary, later)
        .await
        .expect("prepare");
    assert!(store
        .journal_transition(fresh, LiveState::Committed, later)
        .await
        .is_err());
    assert!(matches!(
        store
            .journal_transition(
                dualwrite::store::LiveTxnId(404),
                LiveState::Committed,
                later
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

#[tokio::test]
async fn pause_keeps_entries_queued_and_resume_catches_up() {
    let (_dir, store) = open_temp().await;
    store
        .enqueue_changes(
            "fno-env",
            3,
            &[
                entry("customers", "C1", 1, "g", 1),
                entry("contacts", "P1", 1, "g", 2),
            ],
            T0,
        )
        .await
        .expect("enqueue");
    store
        .pause_map(
            "customers",
            &PauseReason::AlertRule {
                rule: "5 application errors within 10 minutes".to_string(),
            },
            T0,
        )
        .await
        .expect("pause");
    assert!(store.is_paused("customers").await.expect("paused"));
    // Changes keep arriving while paused.
    store
        .enqueue_changes("fno-env", 4, &[entry("customers", "C2", 1, "g", 1)], T0)
        .await
        .expect("enqueue while paused");

    let claimed = store
        .claim_batch(&ClaimRequest::any(10, LEASE), T0)
        .await
        .expect("claim");
    assert_eq!(keys_of(&claimed), ["[\"USMF\",\"P1\"]"]);
    store.mark_done(&ids(&claimed), T0).await.expect("done");
    assert_eq!(count(&store, "customers", EntryStatus::Pending).await, 2);
    assert_eq!(
        store.next_ready_at().await.expect("next"),
        None,
        "nothing claimable while paused"
    );
    let states = store.map_states().await.expect("states");
    assert_eq!(states.len(), 1);
    assert_eq!(
        states[0].reason,
        Some(PauseReason::AlertRule {
            rule: "5 application errors within 10 minutes".to_string()
        })
    );

    assert!(store.resume_map("customers", T0).await.expect("resume"));
    assert!(!store
        .resume_map("customers", T0)
        .await
        .expect("resume again"));
    assert!(!store.is_paused("customers").await.expect("paused"));
    let caught_up = store
        .claim_batch(&ClaimRequest::any(10, LEASE), T0)
        .await
        .expect("claim");
    assert_eq!(
        keys_of(&caught_up),
        ["[\"USMF\",\"C1\"]", "[\"USMF\",\"C2\"]"]
    );
    let states = store.map_states().await.expect("states");
    assert_eq!((states[0].paused, states[0].reason.clone()), (false, None));
}

#[tokio::test]
async fn placeholders_are_created_and_hydrated() {
    let (_dir, store) = open_temp().await;
    let parent = |k: &str| PlaceholderRef {
        map_id: "customers".to_string(),
        side: Side::Dataverse,
        key: key(&[json!("USMF"), json!(k)]),
    };
    let mut tx = store.begin().await.expect("begin");
    tx.record_placeholders(&[parent("C1"), parent("C2")], T0)
        .await
        .expect("record");
    tx.record_placeholders(&[parent("C1")], T0)
        .await
        .expect("record twice");
    tx.commit().await.expect("commit");
    let waiting = store
        .unhydrated_among(
            "customers",
            Side::Dataverse,
            &[parent("C1").key, parent("C3").key],
        )
        .await
        .expect("among");
    assert_eq!(waiting, [parent("C1").key]);
    assert!(store
        .unhydrated_among("customers", Side::Fno, &[parent("C1").key])
        .await
        .expect("other side")
        .is_empty());

    let later = T0.plus(Duration::from_secs(9));
    let mut tx = store.begin().await.expect("begin");
    assert_eq!(
        tx.hydrate_placeholders(&[parent("C1"), parent("C3")], later)
            .await
            .expect("hydrate"),
        1
    );
    tx.commit().await.expect("commit");
    let all = store
        .placeholders(Some("customers"), false)
        .await
        .expect("all");
    assert_eq!(all.len(), 2);
    let c1 = all.iter().find(|p| p.key == parent("C1").key).expect("C1");
    assert_eq!((c1.created_at, c1.hydrated_at), (T0, Some(later)));
    let open = store.placeholders(None, true).await.expect("open");
    assert_eq!(
        open.iter().map(|p| p.key.clone()).collect::<Vec<_>>(),
        [parent("C2").key]
    );

    // Referenced again after its row was deleted: a placeholder again.
    let mut tx = store.begin().await.expect("begin");
    tx.record_placeholders(&[parent("C1")], later)
        .await
        .expect("again");
    tx.commit().await.expect("commit");
    assert_eq!(store.placeholders(None, true).await.expect("open").len(), 2);
}

#[tokio::test]
async fn activity_log_lists_latest_and_tails() {
    let (_dir, store) = open_temp().await;
    for i in 0..5 {
        store
            .log_activity(
                ActivityLevel::Info,
                Some("customers"),
                &format!("line {i}"),
                T0.plus(Duration::from_secs(i)),
            )
            .await
            .expect("log");
    }
    store
        .log_activity(ActivityLevel::Warning, None, "map paused", T0)
        .await
        .expect("log");
    let latest = store.activity(None, 3).await.expect("latest");
    assert_eq!(
        latest
            .iter()
            .map(|l| l.message.as_str())
            .collect::<Vec<_>>(),
        ["line 3", "line 4", "map paused"]
    );
    assert_eq!(
        (latest[2].level, latest[2].map_id.clone()),
        (ActivityLevel::Warning, None)
    );
    let tail = store.activity(Some(latest[0].id), 10).await.expect("tail");
    assert_eq!(
        tail.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
        ["line 4", "map paused"]
    );
}

#[test]
fn words_parse_with_a_helpful_error() {
    assert_eq!(
        "application".parse::<ErrorCategory>(),
        Ok(ErrorCategory::Application)
    );
    let error = "app".parse::<ErrorCategory>().expect_err("not a category");
    let message = error.to_string();
    assert!(
        message.contains("application, system, concurrency, conflict"),
        "{message}"
    );
    for status in EntryStatus::ALL {
        assert_eq!(status.as_str().parse::<EntryStatus>(), Ok(*status));
    }
}

/// Set in the child process of
/// `a_live_owner_lock_is_held_until_its_process_dies`: the state directory to lock in.
const OWNER_CHILD_DIR: &str = "DUALWRITE_TEST_OWNER_CHILD_DIR";

/// Two real processes: a child (this test binary, re-run for this test alone) claims a live
/// owner lock and waits; while it lives the parent cannot take the lock over, and once the child
/// is killed (no chance to clean up) the operating system has released it and the parent can.
/// The lock file of a lock dropped normally is removed; an owner id from a damaged store is
/// refused rather than used as a path.
#[tokio::test]
async fn a_live_owner_lock_is_held_until_its_process_dies() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    if let Ok(dir) = std::env::var(OWNER_CHILD_DIR) {
        // Child: hold a lock until killed.
        let store = Store::open(Path::new(&dir)).await.expect("child open");
        let lock = store.claim_live_owner().expect("child claim");
        // On a line of its own: the test harness has already written the test's name.
        println!("\nowner={}", lock.owner());
        // The parent kills this process long before; the limit only bounds a broken run.
        std::thread::sleep(Duration::from_secs(60));
        panic!("the parent did not kill the child within a minute");
    }

    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join(".dualwrite");
    let store = Store::open(&state).await.expect("open");

    // In one process: a held lock excludes a second holder, even a second handle of this one.
    let own = store.claim_live_owner().expect("claim");
    let file = state
        .join(dualwrite::store::OWNER_DIR)
        .join(format!("{}.lock", own.owner()));
    assert!(file.exists(), "{}", file.display());
    assert!(store
        .take_over_live_owner(own.owner())
        .expect("try")
        .is_none());
    let owner = own.owner().to_string();
    drop(own);
    assert!(!file.exists(), "the lock file goes with the lock");
    let taken = store.take_over_live_owner(&owner).expect("try");
    assert!(taken.is_some(), "a released owner can be taken over");
    drop(taken);
    assert!(matches!(
        store.take_over_live_owner("../../etc/passwd"),
        Err(StoreError::Corrupt {
            column: "owner",
            ..
        })
    ));

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "a_live_owner_lock_is_held_until_its_process_dies",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(OWNER_CHILD_DIR, &state)
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the child");
    let stdout = child.stdout.take().expect("child stdout");
    let owner = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("owner=").map(str::to_string))
        .expect("the child reports its owner id");
    assert!(
        store.take_over_live_owner(&owner).expect("try").is_none(),
        "the child process holds {owner}"
    );
    child.kill().expect("kill the child");
    child.wait().expect("reap the child");
    let taken = store
        .take_over_live_owner(&owner)
        .expect("try")
        .expect("the dead child's lock is free");
    assert_eq!(taken.owner(), owner);
    drop(taken);
    store.close().await;
}

/// A store written before migration 0004 (snapshots as JSON objects) is converted when opened:
/// every snapshot reads back as the same values, whatever they hold (digits of reals, escapes,
/// booleans, nulls, nested values, values that are not objects, empty objects).
#[tokio::test]
async fn old_snapshots_are_converted_by_migration_0004() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join(".dualwrite");
    std::fs::create_dir_all(&state).expect("state dir");
    // Migrations 0001-0003 only, as an older build applied them.
    let old = dir.path().join("old-migrations");
    std::fs::create_dir_all(&old).expect("old migrations dir");
    for entry in std::fs::read_dir("migrations").expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.as_str() < "0004" {
            std::fs::copy(&path, old.join(&name)).expect("copy migration");
        }
    }
    let path = state.join(dualwrite::store::DATABASE_FILE);
    let mut raw = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", path.display()))
        .await
        .expect("raw connection");
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .expect("old migrator")
        .run(&mut raw)
        .await
        .expect("old migrations");
    let cases = [
        (
            "K1",
            json!({"Name": "Contoso \"Ltd\"\n\u{e9}", "Credit": 0.30000000000000004, "Qty": 9007199254740993_i64, "On": true, "Off": false, "Note": null}),
            json!({"name": "Contoso \"Ltd\"\n\u{e9}", "credit": 0.30000000000000004, "qty": 9007199254740993_i64, "on": true, "off": false, "note": null}),
        ),
        (
            "K2",
            json!({"Name": "x", "Big": 1e300, "Neg": -0.5}),
            json!({}),
        ),
        (
            "K3",
            json!({"Nested": {"a": [1, "b"]}, "Name": "y"}),
            json!(null),
        ),
        (
            "K4",
            json!({"Name": "x", "Big": 1e300, "Neg": -0.5}),
            json!({"name": "z"}),
        ),
    ];
    for (k, fno, dv) in &cases {
        sqlx::query(
            "INSERT INTO snapshots (map_id, key_text, fno_values, fno_version, dataverse_values, \
             dataverse_version, synced_at) VALUES ('customers', ?, ?, '7', ?, NULL, ?)",
        )
        .bind(key(&[json!(k)]).as_str())
        .bind(fno.to_string())
        .bind(dv.to_string())
        .bind(T0.as_millis())
        .execute(&mut raw)
        .await
        .expect("old snapshot");
    }
    raw.close().await.expect("close raw");

    let store = Store::open(&state).await.expect("open converts");
    assert_eq!(
        store.applied_migrations().await.expect("applied"),
        known_migrations()
    );
    for (k, fno, dv) in cases {
        let read = store
            .snapshot("customers", &key(&[json!(k)]))
            .await
            .expect("read")
            .expect("converted");
        assert_eq!(read.fno.values, fno, "{k}");
        assert_eq!(read.dataverse.values, dv, "{k}");
        assert_eq!(read.fno.version.as_deref(), Some("7"));
        assert_eq!(read.synced_at, T0);
        // The order of the columns is kept too.
        let names = |v: &serde_json::Value| -> Vec<String> {
            v.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default()
        };
        assert_eq!(names(&read.fno.values), names(&fno), "{k}");
    }
    // Writing over a converted snapshot replaces it.
    let newer = snapshot(
        "customers",
        "K1",
        json!({"Name": "new"}),
        json!({"name": "new"}),
    );
    let mut tx = store.begin().await.expect("begin");
    tx.upsert_snapshots(std::slice::from_ref(&newer))
        .await
        .expect("write");
    tx.commit().await.expect("commit");
    assert_eq!(
        store.snapshot("customers", &newer.key).await.expect("read"),
        Some(newer)
    );
}

/// Snapshots written in bulk from value arrays read back as objects of layout column -> value;
/// the Dataverse side left out is read as the F&O values under the Dataverse names; a second
/// write of the same keys replaces the first, and layouts are shared, not repeated per row.
#[tokio::test]
async fn snapshot_arrays_read_back_as_objects() {
    let (_dir, store) = open_temp().await;
    let fno_layout = Arc::new(SnapshotLayout::new(["Id", "Name", "Qty"]));
    let dv_layout = Arc::new(SnapshotLayout::new(["id", "name", "qty"]));
    let arrays =
        |k: &str, fno: Vec<serde_json::Value>, dv: Option<Vec<serde_json::Value>>| SnapshotArrays {
            key: key(&[json!(k)]),
            fno_layout: fno_layout.clone(),
            fno_values: values_array_text(&fno),
            fno_version: None,
            dataverse_layout: dv_layout.clone(),
            dataverse_values: dv.map(|d| values_array_text(&d)),
            dataverse_version: None,
            synced_at: T0,
        };
    let mut many: Vec<SnapshotArrays> = (0..250)
        .map(|i| {
            arrays(
                &format!("K{i}"),
                vec![json!(format!("K{i}")), json!("n"), json!(i)],
                None,
            )
        })
        .collect();
    many.push(arrays(
        "D",
        vec![json!("D"), json!("Fabrikam"), json!(1)],
        Some(vec![json!("D"), json!("fabrikam"), json!(1.5)]),
    ));
    store
        .write_snapshot_arrays("items", many)
        .await
        .expect("bulk write");
    let same = store
        .snapshot("items", &key(&[json!("K7")]))
        .await
        .expect("read")
        .expect("written");
    assert_eq!(same.fno.values, json!({"Id": "K7", "Name": "n", "Qty": 7}));
    assert_eq!(
        same.dataverse.values,
        json!({"id": "K7", "name": "n", "qty": 7})
    );
    let differs = store
        .snapshot("items", &key(&[json!("D")]))
        .await
        .expect("read")
        .expect("written");
    assert_eq!(
        differs.fno.values,
        json!({"Id": "D", "Name": "Fabrikam", "Qty": 1})
    );
    assert_eq!(
        differs.dataverse.values,
        json!({"id": "D", "name": "fabrikam", "qty": 1.5})
    );
    // Rewriting replaces; the bulk writer and the transactional writer agree.
    store
        .write_snapshot_arrays(
            "items",
            vec![arrays("K7", vec![json!("K7"), json!("m"), json!(8)], None)],
        )
        .await
        .expect("rewrite");
    let read = store
        .snapshot("items", &key(&[json!("K7")]))
        .await
        .expect("read")
        .expect("written");
    assert_eq!(read.fno.values["Name"], json!("m"));
    let mut tx = store.begin().await.expect("begin");
    tx.upsert_snapshot_arrays(
        "items",
        &[arrays(
            "X1",
            vec![json!("X1"), json!(null), json!(true)],
            None,
        )],
    )
    .await
    .expect("transactional write");
    tx.commit().await.expect("commit");
    let read = store
        .snapshot("items", &key(&[json!("X1")]))
        .await
        .expect("read")
        .expect("written");
    assert_eq!(
        read.dataverse.values,
        json!({"id": "X1", "name": null, "qty": true})
    );
    let path = store.path().to_path_buf();
    store.close().await;
    let mut raw = raw_connection(&path).await;
    let layouts: i64 = sqlx::query_scalar("SELECT count(*) FROM snapshot_layouts")
        .fetch_one(&mut raw)
        .await
        .expect("count layouts");
    assert_eq!(layouts, 2);
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM snapshots WHERE dataverse_values IS NULL")
            .fetch_one(&mut raw)
            .await
            .expect("count rows");
    assert_eq!(
        rows, 251,
        "values stored once when both sides hold the same"
    );
}

/// One bulk write whose rows change layouts midway (as a page does when a map's columns
/// differ between rows): each row reads back under its own layout, including a layout equal to
/// an earlier one but built apart (another `Arc` of the same columns).
#[tokio::test]
async fn snapshot_arrays_of_several_layouts_in_one_write_keep_their_own() {
    let (_dir, store) = open_temp().await;
    let names = Arc::new(SnapshotLayout::new(["Id", "Name"]));
    let notes = Arc::new(SnapshotLayout::new(["Id", "Note"]));
    let names_again = Arc::new(SnapshotLayout::new(["Id", "Name"]));
    let dv = Arc::new(SnapshotLayout::new(["id", "text"]));
    let arrays = |k: &str, layout: &Arc<SnapshotLayout>| SnapshotArrays {
        key: key(&[json!(k)]),
        fno_layout: layout.clone(),
        fno_values: values_array_text([json!(k), json!(format!("v{k}"))]),
        fno_version: None,
        dataverse_layout: dv.clone(),
        dataverse_values: None,
        dataverse_version: None,
        synced_at: T0,
    };
    let rows = vec![
        arrays("A", &names),
        arrays("B", &names),
        arrays("C", &notes),
        arrays("D", &names_again),
        arrays("E", &notes),
    ];
    store
        .write_snapshot_arrays("items", rows)
        .await
        .expect("bulk write");
    for (k, column) in [
        ("A", "Name"),
        ("B", "Name"),
        ("C", "Note"),
        ("D", "Name"),
        ("E", "Note"),
    ] {
        let read = store
            .snapshot("items", &key(&[json!(k)]))
            .await
            .expect("read")
            .expect("written");
        assert_eq!(
            read.fno.values,
            json!({"Id": k, column: format!("v{k}")}),
            "{k}"
        );
        assert_eq!(
            read.dataverse.values,
            json!({"id": k, "text": format!("v{k}")}),
            "{k}"
        );
    }
}

/// The initial sync records a backlog of copied pages in one bulk transaction: their snapshots,
/// and the progress they make added to the run's (the last key, the rows). All or nothing: a
/// record the store refuses (here a run that does not exist) leaves neither its snapshots nor
/// its progress.
#[tokio::test]
async fn copied_pages_record_snapshots_and_progress_together() {
    let (_dir, store) = open_temp().await;
    let run = store.start_run(RunKind::Initial, T0).await.expect("start");
    let layout = Arc::new(SnapshotLayout::new(["Id"]));
    let snapshot = |k: &str| SnapshotArrays {
        key: key(&[json!(k)]),
        fno_layout: layout.clone(),
        fno_values: values_array_text([json!(k)]),
        fno_version: None,
        dataverse_layout: layout.clone(),
        dataverse_values: None,
        dataverse_version: None,
        synced_at: T0,
    };
    let pages = |run: RunId, last: &str, rows: u64, snapshots: Vec<SnapshotArrays>| CopiedPages {
        run,
        map_id: "customers".into(),
        progress_name: "customers (second pass)".into(),
        legal_entity: Some("USMF".into()),
        last_key: key(&[json!(last)]),
        rows_added: rows,
        snapshots,
        now: T0,
    };
    store
        .record_copied_pages(pages(
            run,
            "C0002",
            2,
            vec![snapshot("C0001"), snapshot("C0002")],
        ))
        .await
        .expect("first pages");
    store
        .record_copied_pages(pages(run, "C0005", 3, Vec::new()))
        .await
        .expect("pages without snapshots");
    let progress = store
        .progress_of(run, "customers (second pass)", Some("USMF"))
        .await
        .expect("progress")
        .expect("recorded");
    assert_eq!(progress.last_key, Some(key(&[json!("C0005")])));
    assert_eq!(progress.rows_done, 5);
    for k in ["C0001", "C0002"] {
        let read = store
            .snapshot("customers", &key(&[json!(k)]))
            .await
            .expect("read");
        assert_eq!(read.map(|s| s.fno.values), Some(json!({"Id": k})), "{k}");
    }

    let no_such_run = RunId(run.0 + 100);
    let refused = store
        .record_copied_pages(pages(no_such_run, "C0009", 4, vec![snapshot("C0009")]))
        .await;
    assert!(
        refused.is_err(),
        "a progress row for an unknown run is refused"
    );
    assert_eq!(
        store
            .snapshot("customers", &key(&[json!("C0009")]))
            .await
            .expect("read"),
        None,
        "the refused record's snapshots were rolled back with it"
    );
    assert_eq!(
        store.progress(no_such_run).await.expect("progress"),
        Vec::new()
    );
}
