//! Sync engine throughput against the raw write limit of the same rows on the same kind of
//! database, each ratio measured in the same run (figures in BENCHMARKS.md):
//! 1. initial sync SQLite -> SQLite against a prepared INSERT of the same rows in one
//!    transaction on a fresh SQLite file with the endpoint's settings (WAL, `synchronous =
//!    NORMAL`); the fastest of single-row and 100-row statements, each through sqlx and through
//!    rusqlite (prepared once, bound per row, no async hand-off), is the limit;
//! 2. an async round (capture -> queue -> applied) of the same volume against the same limit,
//!    and what change capture costs the application's own writes (the same INSERT into a table
//!    without and with capture);
//! 3. initial sync SQLite -> PostgreSQL against COPY of the same rows (when
//!    `DUALWRITE_TEST_PG_URL` is set);
//! 4. live transactions of 1,000 records, of new rows and of updates of existing ones, against
//!    the two bare commits of the same rows (source transaction, then target transaction, no
//!    engine; see `engine_throughput/live.rs`);
//! 5. the peak RSS of the initial sync (VmHWM, reset through `/proc/self/clear_refs` first).
//!
//! A plain `main` rather than criterion: one 1,000,000-row run takes tens of seconds and the
//! ratios only mean something when both sides are measured back to back. Sizes:
//! `ENGINE_BENCH_ROWS` (default 1,000,000), `ENGINE_BENCH_ASYNC_ROWS` (default: the same),
//! `ENGINE_BENCH_LIVE_REPEATS` (default 5), `ENGINE_BENCH_BATCH` (the initial sync's page size,
//! default 1,000); `ENGINE_BENCH_TRACE` (a tracing filter such as
//! `dualwrite::engine::live=debug`) prints the time of each span as it closes. Without `--bench`
//! in the arguments (`cargo test --all-targets` runs bench targets that way) it runs tiny sizes,
//! as a smoke test.
//!
//! The rows: a 5-column table with a text key (`I-0000001`), a text name, an integer, a real and
//! a text note, about 50 bytes of values per row.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dualwrite::engine::{Engine, InitialSyncOptions, RoundOptions};
use dualwrite::model::Side;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};

#[path = "engine_throughput/live.rs"]
mod live;

const FNO_SCHEMA: &str = "
CREATE TABLE ItemEntity (ItemId TEXT NOT NULL PRIMARY KEY, Name TEXT NOT NULL, Qty INTEGER,
    Price REAL, Note TEXT);
CREATE TABLE LiveItemEntity (ItemId TEXT NOT NULL PRIMARY KEY, Name TEXT NOT NULL, Qty INTEGER,
    Price REAL, Note TEXT);
";

const DV_SCHEMA: &str = "
CREATE TABLE item (itemnumber TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, qty INTEGER,
    price REAL, note TEXT);
CREATE TABLE liveitem (itemnumber TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, qty INTEGER,
    price REAL, note TEXT);
";

/// Rows per multi-row INSERT of the raw limit (5 parameters each, far below SQLite's limit).
const RAW_ROWS_PER_STATEMENT: usize = 100;
/// Records of one live transaction (the platform's limit).
const LIVE_RECORDS: usize = 1_000;

fn project_json(dv_kind: &str, dv_url: &str) -> String {
    let map = |id: &str, mode: &str, entity: &str, table: &str| {
        format!(
            r#"{{ "id": "{id}", "name": "{id}",
      "fno": {{ "entity": "{entity}", "keys": ["ItemId"] }},
      "dataverse": {{ "table": "{table}", "keys": ["itemnumber"] }},
      "syncMode": "{mode}", "primary": "fno",
      "fields": [
        {{ "fno": "ItemId", "dataverse": "itemnumber" }},
        {{ "fno": "Name", "dataverse": "name" }},
        {{ "fno": "Qty", "dataverse": "qty" }},
        {{ "fno": "Price", "dataverse": "price" }},
        {{ "fno": "Note", "dataverse": "note" }}
      ] }}"#
        )
    };
    format!(
        r#"{{
  "schemaVersion": 1,
  "name": "engine throughput",
  "environments": [
    {{ "id": "fo", "side": "fno", "kind": "sqlite", "url": "fno.db" }},
    {{ "id": "dv", "side": "dataverse", "kind": "{dv_kind}", "url": "{dv_url}" }}
  ],
  "tableMaps": [ {}, {} ],
  "groups": [
    {{ "id": "items", "name": "Items", "initialSync": true,
       "members": [ {{ "map": "items", "sequence": 1 }} ] }},
    {{ "id": "live", "name": "Live items",
       "members": [ {{ "map": "liveitems", "sequence": 1 }} ] }}
  ]
}}"#,
        map("items", "async", "ItemEntity", "item"),
        map("liveitems", "live", "LiveItemEntity", "liveitem"),
    )
}

/// The values of row `i` (1-based), the same in every stage.
fn row_values(i: u64) -> (String, String, i64, f64, String) {
    row_version(i, 0)
}

/// The values of row `i` after `version` updates (version 0: as inserted); the key stays.
fn row_version(i: u64, version: u64) -> (String, String, i64, f64, String) {
    let name = if version == 0 {
        format!("Item {i}")
    } else {
        format!("Item {i} v{version}")
    };
    (
        format!("I-{i:07}"),
        name,
        i64::try_from((i + version) % 1000).unwrap_or(0),
        (i + version) as f64 * 0.01,
        format!("note {}", (i + version) * 7919 % 100_003),
    )
}

/// SQL that fills `table` with rows `1..=n` inside SQLite (no rows held in this process).
fn fill_sql(table: &str, n: u64) -> String {
    format!(
        "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) \
         INSERT INTO {table} SELECT printf('I-%07d', i), 'Item ' || i, i % 1000, i * 0.01, \
         'note ' || (i * 7919 % 100003) FROM s"
    )
}

/// A SQLite pool with the endpoint's settings (WAL, synchronous NORMAL, foreign keys).
async fn sqlite_pool(path: &Path) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true),
        )
        .await
        .expect("open sqlite file")
}

async fn exec(pool: &SqlitePool, sql: &str) {
    sqlx::raw_sql(sql)
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A temp dir with the two databases and the project; `dv` is a SQLite file or a PostgreSQL URL.
struct Pair {
    dir: tempfile::TempDir,
    project: PathBuf,
    fno: SqlitePool,
}

impl Pair {
    async fn new(dv: Dv<'_>) -> Pair {
        let dir = tempfile::tempdir().expect("temp dir");
        let fno = sqlite_pool(&dir.path().join("fno.db")).await;
        exec(&fno, FNO_SCHEMA).await;
        let project = dir.path().join("bench.dwproj.json");
        let json = match dv {
            Dv::Sqlite => {
                let dv = sqlite_pool(&dir.path().join("dv.db")).await;
                exec(&dv, DV_SCHEMA).await;
                dv.close().await;
                project_json("sqlite", "dv.db")
            }
            Dv::Postgres(url) => project_json("postgres", url),
        };
        std::fs::write(&project, json).expect("write project");
        Pair { dir, project, fno }
    }

    async fn engine(&self) -> Engine {
        Engine::open(&self.project, Some(&self.dir.path().join("state")))
            .await
            .expect("open engine")
    }
}

enum Dv<'a> {
    Sqlite,
    Postgres(&'a str),
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// CPU time of the whole process so far (user + system, all threads), from /proc/self/stat in
/// clock ticks of 1/100 s (`CLK_TCK` on Linux x86-64): less sensitive than wall time to the other
/// guests of a shared machine, so the CPU an engine change saves shows through their noise.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The fields after the command name's closing parenthesis: state is the first,
            // utime the 12th and stime the 13th.
            let after = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
            Some((ticks(11)? + ticks(12)?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// A `Vm*` line of /proc/self/status in MB.
fn vm_mb(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Resets VmHWM to the current RSS (Linux: "5" to clear_refs).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn rate(rows: u64, time: Duration) -> f64 {
    rows as f64 / time.as_secs_f64()
}

/// Rows `first..first + n` into `table` in one transaction of prepared INSERTs, `per` rows per
/// statement.
async fn insert_rows(pool: &SqlitePool, table: &str, first: u64, n: u64, per: usize) {
    write_rows(pool, table, "", first, n, per, 0).await;
}

/// Rows `first..first + n` at `version` (see [`row_version`]) into `table` in one transaction of
/// prepared multi-row INSERTs ending with `conflict` (e.g. an `ON CONFLICT ... DO UPDATE`
/// clause), `per` rows per statement.
async fn write_rows(
    pool: &SqlitePool,
    table: &str,
    conflict: &str,
    first: u64,
    n: u64,
    per: usize,
    version: u64,
) {
    let one = "(?, ?, ?, ?, ?)";
    let statement = |count: usize| {
        format!(
            "INSERT INTO {table} VALUES {}{conflict}",
            vec![one; count].join(", ")
        )
    };
    let full = statement(per);
    let mut conn = pool.acquire().await.expect("connection");
    sqlx::raw_sql("BEGIN IMMEDIATE")
        .execute(&mut *conn)
        .await
        .expect("begin");
    let end = first + n;
    let mut i = first;
    while i < end {
        let count = usize::try_from((end - i).min(per as u64)).unwrap_or(per);
        let partial;
        let sql = if count == per {
            full.as_str()
        } else {
            partial = statement(count);
            partial.as_str()
        };
        let mut query = sqlx::query(sql);
        for k in i..i + count as u64 {
            let (a, b, c, d, e) = row_version(k, version);
            query = query.bind(a).bind(b).bind(c).bind(d).bind(e);
        }
        query.execute(&mut *conn).await.expect("insert");
        i += count as u64;
    }
    sqlx::raw_sql("COMMIT")
        .execute(&mut *conn)
        .await
        .expect("commit");
}

/// Prepared INSERTs of rows `1..=n` into `table` of a fresh SQLite file, in one transaction:
/// `per` rows per statement.
async fn raw_sqlite(dir: &Path, table_sql: &str, table: &str, n: u64, per: usize) -> Duration {
    let path = dir.join(format!("raw-{per}.db"));
    let pool = sqlite_pool(&path).await;
    exec(&pool, table_sql).await;
    let started = Instant::now();
    insert_rows(&pool, table, 1, n, per).await;
    let took = started.elapsed();
    pool.close().await;
    let _ = std::fs::remove_file(&path);
    took
}

/// Prepared INSERTs of rows `1..=n` through rusqlite (no async hand-off per statement) into a
/// fresh SQLite file with the endpoint's settings, in one transaction, `per` rows per statement,
/// on a blocking thread.
async fn raw_rusqlite(dir: &Path, table_sql: &str, table: &str, n: u64, per: usize) -> Duration {
    let path = dir.join(format!("raw-rusqlite-{per}.db"));
    let table_sql = table_sql.to_string();
    let table = table.to_string();
    let took = tokio::task::spawn_blocking(move || {
        let mut conn = rusqlite::Connection::open(&path).expect("open sqlite file");
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
        )
        .expect("settings");
        conn.execute_batch(&table_sql).expect("create table");
        let one = "(?, ?, ?, ?, ?)";
        let sql =
            |count: usize| format!("INSERT INTO {table} VALUES {}", vec![one; count].join(", "));
        let started = Instant::now();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .expect("begin");
        {
            let mut full = tx.prepare(&sql(per)).expect("prepare");
            let mut i = 1;
            while i <= n {
                let count = usize::try_from((n + 1 - i).min(per as u64)).unwrap_or(per);
                let mut partial;
                let statement = if count == per {
                    &mut full
                } else {
                    partial = tx.prepare(&sql(count)).expect("prepare");
                    &mut partial
                };
                for (j, k) in (i..i + count as u64).enumerate() {
                    let (a, b, c, d, e) = row_values(k);
                    let at = j * 5;
                    statement.raw_bind_parameter(at + 1, a).expect("bind");
                    statement.raw_bind_parameter(at + 2, b).expect("bind");
                    statement.raw_bind_parameter(at + 3, c).expect("bind");
                    statement.raw_bind_parameter(at + 4, d).expect("bind");
                    statement.raw_bind_parameter(at + 5, e).expect("bind");
                }
                statement.raw_execute().expect("insert");
                i += count as u64;
            }
        }
        tx.commit().expect("commit");
        let took = started.elapsed();
        drop(conn);
        let _ = std::fs::remove_file(&path);
        took
    })
    .await
    .expect("raw rusqlite insert");
    took
}

/// The raw SQLite limits, each method in turn (see [`Raw::best`]).
struct Raw {
    /// sqlx, one row per statement (skipped with `ENGINE_BENCH_SQLX_SINGLE=0`: about a minute).
    sqlx_single: Option<Duration>,
    /// sqlx, [`RAW_ROWS_PER_STATEMENT`] rows per statement.
    sqlx_multi: Duration,
    /// rusqlite, one row per statement.
    rusqlite_single: Duration,
    /// rusqlite, [`RAW_ROWS_PER_STATEMENT`] rows per statement.
    rusqlite_multi: Duration,
}

impl Raw {
    /// The limit: the fastest of the methods.
    fn best(&self) -> Duration {
        [self.sqlx_multi, self.rusqlite_single, self.rusqlite_multi]
            .into_iter()
            .chain(self.sqlx_single)
            .min()
            .unwrap_or(self.sqlx_multi)
    }

    fn lines(&self, rows: u64, load: &str) -> Vec<Line> {
        let per = RAW_ROWS_PER_STATEMENT;
        let mut out = Vec::new();
        let mut push = |what: String, time: Duration| {
            out.push(Line {
                what,
                rows,
                time,
                versus: if time == self.best() {
                    "the limit".into()
                } else {
                    String::new()
                },
                load: load.to_string(),
            })
        };
        if let Some(single) = self.sqlx_single {
            push(
                "raw SQLite prepared INSERT via sqlx, 1 row/statement, 1 txn".into(),
                single,
            );
        }
        push(
            format!("raw SQLite prepared INSERT via sqlx, {per} rows/statement, 1 txn"),
            self.sqlx_multi,
        );
        push(
            "raw SQLite prepared INSERT via rusqlite, 1 row/statement, 1 txn".into(),
            self.rusqlite_single,
        );
        push(
            format!("raw SQLite prepared INSERT via rusqlite, {per} rows/statement, 1 txn"),
            self.rusqlite_multi,
        );
        out
    }
}

/// The raw SQLite limit: prepared INSERTs through sqlx and rusqlite, single-row and multi-row.
async fn raw_sqlite_best(dir: &Path, n: u64) -> Raw {
    let table = "CREATE TABLE item (itemnumber TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, \
                 qty INTEGER, price REAL, note TEXT)";
    let sqlx_single = if std::env::var("ENGINE_BENCH_SQLX_SINGLE").is_ok_and(|v| v == "0") {
        None
    } else {
        Some(raw_sqlite(dir, table, "item", n, 1).await)
    };
    let sqlx_multi = raw_sqlite(dir, table, "item", n, RAW_ROWS_PER_STATEMENT).await;
    let rusqlite_single = raw_rusqlite(dir, table, "item", n, 1).await;
    let rusqlite_multi = raw_rusqlite(dir, table, "item", n, RAW_ROWS_PER_STATEMENT).await;
    Raw {
        sqlx_single,
        sqlx_multi,
        rusqlite_single,
        rusqlite_multi,
    }
}

struct Line {
    what: String,
    rows: u64,
    time: Duration,
    versus: String,
    load: String,
}

fn print_table(lines: &[Line]) {
    println!();
    println!("| measurement | rows | time | rows/s | vs raw | load |");
    println!("| --- | ---: | ---: | ---: | --- | --- |");
    for l in lines {
        println!(
            "| {} | {} | {} | {:.0} | {} | {} |",
            l.what,
            l.rows,
            if l.time < Duration::from_secs(1) {
                format!("{:.1} ms", l.time.as_secs_f64() * 1e3)
            } else {
                format!("{:.2} s", l.time.as_secs_f64())
            },
            rate(l.rows, l.time),
            l.versus,
            l.load
        );
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    // `ENGINE_BENCH_TRACE=dualwrite::engine::live=debug` prints each span's time as it closes.
    if let Ok(filter) = std::env::var("ENGINE_BENCH_TRACE") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(std::io::stderr)
            .init();
    }
    let full = std::env::args().any(|a| a == "--bench");
    let rows = if full {
        env_u64("ENGINE_BENCH_ROWS", 1_000_000)
    } else {
        300
    };
    let async_rows = if full {
        env_u64("ENGINE_BENCH_ASYNC_ROWS", rows)
    } else {
        300
    };
    let repeats = if full {
        env_u64("ENGINE_BENCH_LIVE_REPEATS", 5)
    } else {
        1
    };
    let live_records = if full { LIVE_RECORDS } else { 50 };
    let stages: Vec<String> = std::env::var("ENGINE_BENCH_STAGES")
        .unwrap_or_else(|_| "initial,async,postgres,live".into())
        .split(',')
        .map(str::to_string)
        .collect();
    let pg_url = std::env::var("DUALWRITE_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty() && full);
    println!(
        "engine_throughput: {rows} rows (async {async_rows}), live {repeats} x {live_records}, \
         nproc {}, load {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load()
    );
    let mut lines = Vec::new();
    let scratch = tempfile::tempdir().expect("temp dir");

    if stages.iter().any(|s| s == "initial") {
        initial_sqlite(rows, scratch.path(), &mut lines).await;
    }
    if stages.iter().any(|s| s == "async") {
        async_sqlite(async_rows, scratch.path(), &mut lines).await;
    }
    if stages.iter().any(|s| s == "postgres") {
        match &pg_url {
            Some(url) => initial_postgres(rows, url, &mut lines).await,
            None => println!("postgres: skipped (DUALWRITE_TEST_PG_URL not set, or test mode)"),
        }
    }
    if stages.iter().any(|s| s == "live") {
        live::live_sqlite(live_records, repeats, &mut lines).await;
    }
    print_table(&lines);
}

fn initial_options() -> InitialSyncOptions {
    InitialSyncOptions {
        maps: vec!["items".into()],
        source: Some(Side::Fno),
        fresh: true,
        batch_size: env_u64("ENGINE_BENCH_BATCH", 1_000) as usize,
        ..InitialSyncOptions::default()
    }
}

async fn initial_sqlite(rows: u64, scratch: &Path, lines: &mut Vec<Line>) {
    let pair = Pair::new(Dv::Sqlite).await;
    exec(&pair.fno, &fill_sql("ItemEntity", rows)).await;
    exec(&pair.fno, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    let data_mb = std::fs::metadata(pair.dir.path().join("fno.db"))
        .map_or(f64::NAN, |m| m.len() as f64 / 1e6);
    let engine = pair.engine().await;
    let load_before = load();
    let rss_before = vm_mb("VmRSS");
    let peak_reset = reset_peak();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let report = engine
        .initial_sync(&initial_options())
        .await
        .expect("initial sync");
    let took = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let peak = vm_mb("VmHWM");
    assert_eq!(report.rows_written(), rows, "initial sync wrote every row");
    engine.close().await;
    let dv_mb =
        std::fs::metadata(pair.dir.path().join("dv.db")).map_or(f64::NAN, |m| m.len() as f64 / 1e6);
    println!(
        "initial sqlite: {:.2} s, CPU {cpu:.2} s; source file {data_mb:.1} MB, target file \
         {dv_mb:.1} MB; RSS before {rss_before:.1} MB, peak during the sync {peak:.1} MB{}",
        took.as_secs_f64(),
        if peak_reset {
            ""
        } else {
            " (peak not reset: since process start)"
        }
    );
    // The same copy without per-row snapshots and without counting the rows, into a fresh pair.
    let bare = Pair::new(Dv::Sqlite).await;
    exec(&bare.fno, &fill_sql("ItemEntity", rows)).await;
    let engine = bare.engine().await;
    let load_plain = load();
    let started = Instant::now();
    engine
        .initial_sync(&InitialSyncOptions {
            snapshots: false,
            count_rows: false,
            ..initial_options()
        })
        .await
        .expect("initial sync without snapshots");
    let plain = started.elapsed();
    engine.close().await;
    drop(bare);
    let load_raw = load();
    let raw = raw_sqlite_best(scratch, rows).await;
    let best = raw.best();
    lines.push(Line {
        what: "initial sync SQLite -> SQLite, no snapshots, no count".into(),
        rows,
        time: plain,
        versus: format!(
            "{:.2} of the best raw",
            best.as_secs_f64() / plain.as_secs_f64()
        ),
        load: load_plain,
    });
    lines.extend(raw.lines(rows, &load_raw));
    lines.push(Line {
        what: "initial sync SQLite -> SQLite (defaults: batch 1,000, snapshots, count)".into(),
        rows,
        time: took,
        versus: format!(
            "{:.2} of the best raw (target >= 0.5); CPU {cpu:.2} s, {:.1}x the best raw's time; \
             peak RSS {peak:.0} MB",
            best.as_secs_f64() / took.as_secs_f64(),
            cpu / best.as_secs_f64()
        ),
        load: load_before,
    });
}

async fn async_sqlite(rows: u64, scratch: &Path, lines: &mut Vec<Line>) {
    // What capture costs the application: the same INSERT into a table without and with it.
    let load_fill = load();
    let plain = Pair::new(Dv::Sqlite).await;
    let started = Instant::now();
    exec(&plain.fno, &fill_sql("ItemEntity", rows)).await;
    let plain_fill = started.elapsed();
    let pair = Pair::new(Dv::Sqlite).await;
    let engine = pair.engine().await;
    engine.install_capture().await.expect("install capture");
    let started = Instant::now();
    exec(&pair.fno, &fill_sql("ItemEntity", rows)).await;
    let captured_fill = started.elapsed();
    lines.push(Line {
        what: "application INSERT ... SELECT of the rows, one statement, no capture".into(),
        rows,
        time: plain_fill,
        versus: String::new(),
        load: load_fill.clone(),
    });
    lines.push(Line {
        what: "the same INSERT into a table with change capture installed".into(),
        rows,
        time: captured_fill,
        versus: format!(
            "{:.2}x the INSERT without capture",
            captured_fill.as_secs_f64() / plain_fill.as_secs_f64()
        ),
        load: load_fill,
    });
    let load_before = load();
    let started = Instant::now();
    let mut applied = 0;
    let options = RoundOptions::default();
    loop {
        let round = engine.sync_once(&options).await.expect("async round");
        applied += round.applied;
        if round.enqueued == 0 && round.applied == 0 {
            break;
        }
    }
    let took = started.elapsed();
    assert_eq!(applied, rows, "the round applied every captured row");
    engine.close().await;
    let load_raw = load();
    let best = raw_sqlite_best(scratch, rows).await.best();
    lines.push(Line {
        what: "raw SQLite prepared INSERT (best of sqlx and rusqlite, 1 and 100 rows/statement)"
            .into(),
        rows,
        time: best,
        versus: String::new(),
        load: load_raw,
    });
    lines.push(Line {
        what: "async round SQLite -> SQLite (collect + queue + apply, defaults)".into(),
        rows,
        time: took,
        versus: format!(
            "{:.4} of raw (target >= 0.5)",
            best.as_secs_f64() / took.as_secs_f64()
        ),
        load: load_before,
    });
}

async fn initial_postgres(rows: u64, url: &str, lines: &mut Vec<Line>) {
    let schema = format!("bench_{}", std::process::id());
    let admin = sqlx::PgPool::connect(url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::raw_sql(&format!(
        "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path = {schema}"
    ))
    .execute(&admin)
    .await
    .expect("create schema");
    let separator = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{separator}options=-csearch_path%3D{schema}");
    let mut pg = sqlx::PgConnection::connect(&scoped).await.expect("connect");
    sqlx::raw_sql(&format!(
        "{DV_SCHEMA} CREATE TABLE item_copy (itemnumber TEXT NOT NULL PRIMARY KEY, \
         name TEXT NOT NULL, qty INTEGER, price DOUBLE PRECISION, note TEXT);"
    ))
    .execute(&mut pg)
    .await
    .expect("create tables");

    let pair = Pair::new(Dv::Postgres(&scoped)).await;
    exec(&pair.fno, &fill_sql("ItemEntity", rows)).await;
    let engine = pair.engine().await;
    let load_sync = load();
    let started = Instant::now();
    let report = engine
        .initial_sync(&initial_options())
        .await
        .expect("initial sync to PostgreSQL");
    let took = started.elapsed();
    assert_eq!(report.rows_written(), rows);
    engine.close().await;

    // COPY of the same rows, text format, sent in ~1 MB chunks, one transaction.
    let load_copy = load();
    let started = Instant::now();
    let mut copy = pg
        .copy_in_raw("COPY item_copy FROM STDIN")
        .await
        .expect("start COPY");
    let mut buffer = String::with_capacity(1 << 20);
    for i in 1..=rows {
        let (a, b, c, d, e) = row_values(i);
        buffer.push_str(&format!("{a}\t{b}\t{c}\t{d}\t{e}\n"));
        if buffer.len() >= 1 << 20 {
            copy.send(buffer.as_bytes()).await.expect("COPY data");
            buffer.clear();
        }
    }
    copy.send(buffer.as_bytes()).await.expect("COPY data");
    copy.finish().await.expect("finish COPY");
    let copy_took = started.elapsed();
    lines.push(Line {
        what: "raw PostgreSQL COPY (text, 1 txn)".into(),
        rows,
        time: copy_took,
        versus: String::new(),
        load: load_copy,
    });
    lines.push(Line {
        what: "initial sync SQLite -> PostgreSQL (defaults)".into(),
        rows,
        time: took,
        versus: format!(
            "{:.2} of COPY",
            copy_took.as_secs_f64() / took.as_secs_f64()
        ),
        load: load_sync,
    });
    let _ = pg.close().await;
    let _ = sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&admin)
        .await;
    admin.close().await;
}
