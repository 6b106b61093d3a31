//! Sweeping the owner lock files that killed runs leave behind (`store::owner_sweep`): only
//! files whose owner is gone, that are old enough, and that nothing in the store names.

use std::path::{Path, PathBuf};
use std::time::Duration;

use dualwrite::model::Side;
use dualwrite::store::{
    ClaimRequest, KeyText, NewEntry, Op, Store, Timestamp, OWNER_DIR, QUEUE_OWNER_DIR,
    STALE_OWNER_LOCK_AGE,
};
use serde_json::json;

/// A lock file as a killed process leaves it: present, not locked by anyone.
fn left_behind(state: &Path, dir: &str, owner: &str) -> PathBuf {
    let path = state.join(dir).join(format!("{owner}.lock"));
    std::fs::create_dir_all(path.parent().expect("parent")).expect("owner dir");
    std::fs::write(&path, b"").expect("lock file");
    path
}

fn lock_files(state: &Path, dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(state.join(dir))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn entry(k: &str) -> NewEntry {
    NewEntry {
        map_id: "customers".to_string(),
        source_side: Side::Fno,
        key: KeyText::from_values(&[json!("USMF"), json!(k)]),
        row_version: "1".to_string(),
        op: Op::Upsert,
        group_id: "parties".to_string(),
        sequence: 1,
        wave: 0,
    }
}

#[tokio::test]
async fn only_old_unlocked_unnamed_owner_files_are_swept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join(".dualwrite");
    let store = Store::open(&state).await.expect("open store");
    let now = Timestamp::now();
    let later = now.plus(STALE_OWNER_LOCK_AGE + Duration::from_secs(5));

    // Queue owners: one gone and named by nothing, one gone whose lease is still running (its
    // leases are released by the next engine, which then removes it), one alive.
    left_behind(&state, QUEUE_OWNER_DIR, "111-gone");
    left_behind(&state, QUEUE_OWNER_DIR, "222-leasing");
    let alive = store.claim_queue_owner().expect("live owner");
    let mut tx = store.begin().await.expect("begin");
    tx.enqueue(&[entry("C-1")], now).await.expect("enqueue");
    let claimed = tx
        .claim(
            &ClaimRequest::any(10, Duration::from_secs(600)).owned_by("222-leasing"),
            now,
        )
        .await
        .expect("claim");
    tx.commit().await.expect("commit");
    assert_eq!(claimed.len(), 1);
    // Live owners: one gone with an unresolved journal entry, one gone with nothing.
    left_behind(&state, OWNER_DIR, "333-journaled");
    left_behind(&state, OWNER_DIR, "444-gone");
    store
        .journal_prepare(Side::Fno, "333-journaled", &json!({"keys": []}), now)
        .await
        .expect("journal");
    // Not a lock file of ours: never touched.
    std::fs::write(state.join(OWNER_DIR).join("notes.txt"), b"keep").expect("other file");

    // Young files are kept even when nobody holds them: an owner may be creating one right now.
    assert_eq!(store.sweep_stale_owner_locks(now).await.expect("sweep"), 0);
    assert_eq!(lock_files(&state, QUEUE_OWNER_DIR).len(), 3);

    assert_eq!(
        store.sweep_stale_owner_locks(later).await.expect("sweep"),
        2
    );
    let alive_file = format!("{}.lock", alive.owner());
    let mut expected_queue = vec!["222-leasing.lock".to_string(), alive_file.clone()];
    expected_queue.sort();
    assert_eq!(lock_files(&state, QUEUE_OWNER_DIR), expected_queue);
    assert_eq!(
        lock_files(&state, OWNER_DIR),
        ["333-journaled.lock", "notes.txt"]
    );

    // Once the leases are released, the leasing owner's file goes as well; the living owner's
    // stays for as long as it lives.
    assert_eq!(
        store.release_orphaned_leases(now).await.expect("release"),
        1
    );
    store.sweep_stale_owner_locks(later).await.expect("sweep");
    assert_eq!(lock_files(&state, QUEUE_OWNER_DIR), [alive_file]);
    drop(alive);
    assert!(lock_files(&state, QUEUE_OWNER_DIR).is_empty());
    store.close().await;
}
