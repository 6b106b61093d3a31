//! Runtime store queue throughput: 100,000 entries enqueued (with the cursor advance, as the
//! engine does after each change-log read), claimed in batches and marked done, on a real
//! SQLite file in a temporary directory. Each iteration starts from a fresh store (the
//! dedupe would otherwise ignore the second enqueue); only the queue work is timed.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dualwrite::model::Side;
use dualwrite::store::{
    ClaimRequest, Durability, KeyText, NewEntry, Op, Store, StoreOptions, Timestamp,
};

const ENTRIES: usize = 100_000;
/// Entries per change-log read (one enqueue transaction each).
const ENQUEUE_BATCH: usize = 1_000;
/// Entries per claim, and per mark-done transaction.
const CLAIM_BATCH: u32 = 1_000;
const LEASE: Duration = Duration::from_secs(300);

fn entries() -> Vec<NewEntry> {
    (0..ENTRIES)
        .map(|i| NewEntry {
            map_id: ["customers", "contacts", "salesorderlines"][i % 3].to_string(),
            source_side: Side::Fno,
            key: KeyText::from_values(&[
                serde_json::json!("USMF"),
                serde_json::json!(format!("K{i:07}")),
            ]),
            row_version: (i as u64 * 7 + 1).to_string(),
            op: Op::Upsert,
            group_id: if i % 3 == 2 { "orders" } else { "parties" }.to_string(),
            sequence: u32::try_from(i % 3).unwrap_or(0),
            wave: u32::try_from(i % 3).unwrap_or(0),
        })
        .collect()
}

struct Phases {
    enqueue: Duration,
    claim_and_done: Duration,
}

async fn run_once(entries: &[NewEntry], durability: Durability) -> Phases {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = StoreOptions {
        durability,
        ..StoreOptions::default()
    };
    let store = Store::open_with(dir.path(), &options)
        .await
        .expect("open store");
    let now = Timestamp::now();

    let started = Instant::now();
    for (read, chunk) in entries.chunks(ENQUEUE_BATCH).enumerate() {
        let seq = i64::try_from((read + 1) * ENQUEUE_BATCH).unwrap_or(i64::MAX);
        store
            .enqueue_changes("fno-env", seq, chunk, now)
            .await
            .expect("enqueue");
    }
    let enqueue = started.elapsed();

    let started = Instant::now();
    let mut done = 0;
    loop {
        let batch = store
            .claim_batch(&ClaimRequest::any(CLAIM_BATCH, LEASE), now)
            .await
            .expect("claim");
        if batch.is_empty() {
            break;
        }
        let ids: Vec<_> = batch.iter().map(|e| e.id).collect();
        done += store.mark_done(&ids, now).await.expect("mark done");
    }
    let claim_and_done = started.elapsed();
    assert_eq!(done, ENTRIES as u64);
    store.close().await;
    Phases {
        enqueue,
        claim_and_done,
    }
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let entries = entries();
    let mut group = c.benchmark_group("store_queue_100k");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Elements(ENTRIES as u64));

    for (name, durability) in [
        ("process_crash", Durability::ProcessCrash),
        ("power_loss", Durability::PowerLoss),
    ] {
        group.bench_function(format!("enqueue_claim_done/{name}"), |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let phases = runtime.block_on(run_once(&entries, durability));
                    total += phases.enqueue + phases.claim_and_done;
                }
                total
            })
        });
    }
    group.bench_function("enqueue_only/process_crash", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += runtime
                    .block_on(run_once(&entries, Durability::ProcessCrash))
                    .enqueue;
            }
            total
        })
    });
    group.bench_function("claim_done_only/process_crash", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                total += runtime
                    .block_on(run_once(&entries, Durability::ProcessCrash))
                    .claim_and_done;
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
