//! Stage 4 of the engine throughput bench: live transactions of 1,000 records SQLite -> SQLite
//! against the two bare commits of the same rows (source transaction, then target transaction,
//! no engine), each pair measured back to back:
//! - inserts: upserts of new keys, against multi-row INSERTs;
//! - updates: upserts of every column of rows that exist on both sides (the target's pre-images
//!   are journaled), against multi-row `INSERT ... ON CONFLICT DO UPDATE` of the same values.

use std::time::{Duration, Instant};

use dualwrite::engine::live::{LiveOptions, TxnRow};
use dualwrite::engine::Engine;
use dualwrite::model::Side;
use sqlx::SqlitePool;

use super::{
    insert_rows, load, row_version, sqlite_pool, write_rows, Dv, Line, Pair, RAW_ROWS_PER_STATEMENT,
};

/// The bare update of the source table: every column but the key.
const FNO_UPDATE: &str = " ON CONFLICT (ItemId) DO UPDATE SET Name = excluded.Name, \
     Qty = excluded.Qty, Price = excluded.Price, Note = excluded.Note";
/// The bare update of the target table.
const DV_UPDATE: &str = " ON CONFLICT (itemnumber) DO UPDATE SET name = excluded.name, \
     qty = excluded.qty, price = excluded.price, note = excluded.note";

/// The unit of work: rows `first..first + n` at `version` (0: new rows) as upserts.
fn live_rows(first: u64, n: usize, version: u64) -> Vec<TxnRow> {
    (first..first + n as u64)
        .map(|i| {
            let (a, b, c, d, e) = row_version(i, version);
            serde_json::from_value(serde_json::json!({
                "table": "LiveItemEntity", "op": "upsert",
                "values": { "ItemId": a, "Name": b, "Qty": c, "Price": d, "Note": e }
            }))
            .expect("txn row")
        })
        .collect()
}

/// Both bare commits of rows `first..first + n`: source transaction, then target transaction.
async fn bare_pair(fno: &SqlitePool, dv: &SqlitePool, first: u64, n: u64, per: usize) -> Duration {
    let started = Instant::now();
    insert_rows(fno, "LiveItemEntity", first, n, per).await;
    insert_rows(dv, "liveitem", first, n, per).await;
    started.elapsed()
}

/// Both bare commits of updates of rows `first..first + n` to `version`.
async fn bare_update_pair(fno: &SqlitePool, dv: &SqlitePool, first: u64, n: u64) -> Duration {
    let per = RAW_ROWS_PER_STATEMENT;
    let started = Instant::now();
    write_rows(fno, "LiveItemEntity", FNO_UPDATE, first, n, per, 1).await;
    write_rows(dv, "liveitem", DV_UPDATE, first, n, per, 1).await;
    started.elapsed()
}

async fn live_once(engine: &Engine, txn: &[TxnRow]) -> Duration {
    let started = Instant::now();
    let outcome = engine
        .live_transaction(Side::Fno, txn, &LiveOptions::default())
        .await;
    let took = started.elapsed();
    assert!(outcome.committed, "live transaction committed: {outcome:?}");
    took
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(v: &[Duration]) -> Vec<u128> {
    v.iter().map(Duration::as_millis).collect()
}

pub(super) async fn live_sqlite(records: usize, repeats: u64, lines: &mut Vec<Line>) {
    let pair = Pair::new(Dv::Sqlite).await;
    let dv = sqlite_pool(&pair.dir.path().join("dv.db")).await;
    let engine = pair.engine().await;
    let load_before = load();
    let (mut live, mut bare, mut bare_single) = (Vec::new(), Vec::new(), Vec::new());
    let n = records as u64;
    // Each repeat uses 3n fresh keys: n live, n bare, n bare one row per statement.
    let first = |r: u64| 1 + r * 3 * n;
    for r in 0..repeats {
        live.push(live_once(&engine, &live_rows(first(r), records, 0)).await);
        bare.push(bare_pair(&pair.fno, &dv, first(r) + n, n, RAW_ROWS_PER_STATEMENT).await);
        bare_single.push(bare_pair(&pair.fno, &dv, first(r) + 2 * n, n, 1).await);
    }
    // Updates of the rows the inserts wrote: the live ones live, the bare ones bare.
    let (mut live_update, mut bare_update) = (Vec::new(), Vec::new());
    for r in 0..repeats {
        live_update.push(live_once(&engine, &live_rows(first(r), records, 1)).await);
        bare_update.push(bare_update_pair(&pair.fno, &dv, first(r) + n, n).await);
    }
    engine.close().await;
    dv.close().await;
    println!(
        "live: engine {:?} ms, bare {:?} ms, bare one row/statement {:?} ms; updates: engine {:?} \
         ms, bare {:?} ms",
        ms(&live),
        ms(&bare),
        ms(&bare_single),
        ms(&live_update),
        ms(&bare_update)
    );
    let live_median = median(&mut live);
    let bare_median = median(&mut bare);
    let single_median = median(&mut bare_single);
    let live_update_median = median(&mut live_update);
    let bare_update_median = median(&mut bare_update);
    let load_after = load();
    for (what, time) in [
        ("100 rows/statement", bare_median),
        ("1 row/statement", single_median),
    ] {
        lines.push(Line {
            what: format!("bare commits ({what}), source txn + target txn, median of {repeats}"),
            rows: n,
            time,
            versus: String::new(),
            load: load_after.clone(),
        });
    }
    lines.push(Line {
        what: format!("live transaction SQLite -> SQLite, median of {repeats}"),
        rows: n,
        time: live_median,
        versus: format!(
            "{:.2}x the bare commits at 100 rows/statement, {:.2}x at 1 (target <= 1.25x)",
            live_median.as_secs_f64() / bare_median.as_secs_f64(),
            live_median.as_secs_f64() / single_median.as_secs_f64()
        ),
        load: load_before.clone(),
    });
    lines.push(Line {
        what: format!(
            "bare commits of updates (upsert of existing keys, {RAW_ROWS_PER_STATEMENT} \
             rows/statement), source txn + target txn, median of {repeats}"
        ),
        rows: n,
        time: bare_update_median,
        versus: String::new(),
        load: load_after,
    });
    lines.push(Line {
        what: format!("live transaction of updates SQLite -> SQLite, median of {repeats}"),
        rows: n,
        time: live_update_median,
        versus: format!(
            "{:.2}x the bare commits of the updates",
            live_update_median.as_secs_f64() / bare_update_median.as_secs_f64()
        ),
        load: load_before,
    });
}
