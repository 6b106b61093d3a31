//! Fault tests with real processes: the `dualwrite` binary is started as a child and killed with
//! SIGKILL (no simulation, no hooks) at random points, then started again on the same files:
//! - `sync --watch` killed 24 times while batches of changes on both sides keep arriving; a
//!   final `sync --once` must leave both sides equal under the maps, every change present, no
//!   duplicate, the queue empty and the error log empty (resume loses and duplicates nothing);
//!   on SQLite files, and again with Dataverse on the PostgreSQL test server when
//!   `DUALWRITE_TEST_PG_URL` is set;
//! - `live --txn` killed at random times, and as soon as the target's commit is visible (to
//!   land between the two commits); the next start's recovery must leave every transaction on
//!   both sides or on neither.
//!
//! The timing is random from a seeded RNG: the seed is printed, and `FAULT_SEED=N` replays it.
//! Unix only: `Child::kill` is SIGKILL there.
#![cfg(unix)]

mod engine_support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use dualwrite::model::SyncMode;
use engine_support::{App, World};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// Kills of `sync --watch` in the async test.
const SYNC_KILLS: usize = 24;
/// Live transactions attempted (and most of them killed) in the live test.
const LIVE_ATTEMPTS: usize = 16;

/// The RNG of a test: `FAULT_SEED` or a fresh seed, printed either way.
fn rng(test: &str) -> ChaCha8Rng {
    let seed = std::env::var("FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::thread_rng().gen::<u64>());
    eprintln!("{test}: seed {seed} (replay with FAULT_SEED={seed})");
    ChaCha8Rng::seed_from_u64(seed)
}

/// `dualwrite COMMAND PROJECT --state STATE ARGS...`, without the caller's logging settings.
fn dualwrite(world: &World, args: &[&str]) -> Command {
    let (command_name, args) = args.split_first().expect("a command");
    let mut command = Command::new(env!("CARGO_BIN_EXE_dualwrite"));
    command
        .arg(command_name)
        .arg(&world.project_path)
        .arg("--state")
        .arg(&world.state_dir)
        .args(args);
    for var in ["RUST_LOG", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
        command.env_remove(var);
    }
    command
}

fn output_of(mut command: Command) -> Output {
    command.output().expect("dualwrite runs")
}

fn text_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// SIGKILLs the child and reaps it.
fn kill(mut child: Child) {
    // An error means it already exited, which is a fine place to "crash" too.
    let _ = child.kill();
    child.wait().expect("the killed child is reaped");
}

/// Every row of a query as text columns (NULL as `None`).
async fn rows(app: &App, sql: &str) -> Vec<Vec<Option<String>>> {
    fn texts<R: sqlx::Row>(row: &R) -> Vec<Option<String>>
    where
        for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        usize: sqlx::ColumnIndex<R>,
    {
        (0..row.len())
            .map(|i| row.try_get::<Option<String>, _>(i).expect("a text column"))
            .collect()
    }
    let result = match app {
        App::Sqlite(pool) => sqlx::query(sql)
            .fetch_all(pool)
            .await
            .map(|rows| rows.iter().map(texts).collect()),
        App::Postgres(pool) => sqlx::query(sql)
            .fetch_all(pool)
            .await
            .map(|rows| rows.iter().map(texts).collect()),
    };
    result.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn count(app: &App, sql: &str) -> i64 {
    let result = match app {
        App::Sqlite(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
        App::Postgres(pool) => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await,
    };
    result.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// What a customer should look like on both sides (F&O vocabulary).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Customer {
    name: String,
    group: Option<String>,
    invoice: Option<String>,
    status: Option<String>,
}

/// The expected contents of both sides: (company, key) -> row.
#[derive(Debug, Default)]
struct Model {
    customers: BTreeMap<(String, String), Customer>,
    groups: BTreeMap<(String, String), Option<String>>,
}

type Rows = Vec<Vec<Option<String>>>;

fn customers_of(rows: Rows) -> BTreeMap<(String, String), Customer> {
    rows.into_iter()
        .map(|r| {
            let mut c = r.into_iter();
            let mut next = || c.next().expect("column");
            let key = (next().expect("company"), next().expect("account"));
            let customer = Customer {
                name: next().expect("name"),
                group: next(),
                invoice: next(),
                status: next(),
            };
            (key, customer)
        })
        .collect()
}

fn groups_of(rows: Rows) -> BTreeMap<(String, String), Option<String>> {
    rows.into_iter()
        .map(|r| {
            let mut c = r.into_iter();
            let mut next = || c.next().expect("column");
            ((next().expect("company"), next().expect("group")), next())
        })
        .collect()
}

const FNO_CUSTOMERS: &str = "SELECT dataAreaId, CustomerAccount, Name, CustomerGroupId, \
    InvoiceAccount, Status FROM CustCustomerV3Entity";
/// Dataverse customers in F&O terms: lookups followed to their keys, the value map reversed.
const DV_CUSTOMERS: &str = "SELECT a.company, a.accountnumber, a.name, g.msdyn_groupid, \
    i.accountnumber, CASE a.statuscode WHEN 1 THEN 'Active' WHEN 2 THEN 'OnHold' END \
    FROM account a \
    LEFT JOIN msdyn_customergroup g ON g.msdyn_customergroupid = a.msdyn_customergroupid \
    LEFT JOIN account i ON i.accountid = a.invoiceaccountid";
const FNO_GROUPS: &str =
    "SELECT dataAreaId, CustomerGroupId, Description FROM CustCustomerGroupEntity";
const DV_GROUPS: &str = "SELECT company, msdyn_groupid, msdyn_description FROM msdyn_customergroup";

impl Model {
    /// The model as F&O holds it now.
    async fn read_fno(world: &World) -> Model {
        Model {
            customers: customers_of(rows(&world.fno, FNO_CUSTOMERS).await),
            groups: groups_of(rows(&world.fno, FNO_GROUPS).await),
        }
    }

    /// Records a customer's new name and status and a group's new description.
    fn edited(
        &mut self,
        customer: (&str, &str),
        (name, status): (String, &str),
        group: (&str, &str),
        description: String,
    ) {
        let edited = self.customer(customer.0, customer.1);
        edited.name = name;
        edited.status = Some(status.into());
        self.groups
            .insert((group.0.into(), group.1.into()), Some(description));
    }

    fn customer(&mut self, company: &str, account: &str) -> &mut Customer {
        self.customers
            .get_mut(&(company.to_string(), account.to_string()))
            .unwrap_or_else(|| panic!("customer {company} {account} in the model"))
    }
}

/// Writes one batch of application changes on both sides and records them in the model: new
/// groups and customers on each side (a customer in a group created in the same batch),
/// updates of keys only that side edits, and the same keys edited (and one new key created)
/// on both sides, which the primary side (F&O) wins.
async fn write_batch(world: &World, model: &mut Model, batch: usize, rng: &mut ChaCha8Rng) {
    let b = format!("{batch:02}");
    let mut fno = format!(
        "INSERT INTO CustCustomerGroupEntity VALUES ('USMF','G{b}','F group {b}');\
         INSERT INTO CustCustomerV3Entity VALUES \
           ('USMF','F{b}-1','F customer {b}','G{b}',NULL,'Active',NULL,NULL),\
           ('DEMF','F{b}-2','F customer {b} two','10',NULL,'OnHold',NULL,NULL),\
           ('USMF','B{b}','Both, F side','10',NULL,'Active',NULL,NULL);"
    );
    let mut dv = format!(
        "INSERT INTO msdyn_customergroup (company, msdyn_groupid, msdyn_description) \
           VALUES ('DEMF','H{b}','D group {b}');\
         INSERT INTO account (company, accountnumber, name, msdyn_customergroupid, statuscode) \
           VALUES ('DEMF','D{b}-1','D customer {b}', (SELECT msdyn_customergroupid FROM \
             msdyn_customergroup WHERE company = 'DEMF' AND msdyn_groupid = 'H{b}'), 1),\
           ('USMF','B{b}','Both, D side', NULL, 2);"
    );
    model.groups.insert(
        ("USMF".into(), format!("G{b}")),
        Some(format!("F group {b}")),
    );
    model.groups.insert(
        ("DEMF".into(), format!("H{b}")),
        Some(format!("D group {b}")),
    );
    for (company, account, name, group, status) in [
        (
            "USMF",
            format!("F{b}-1"),
            format!("F customer {b}"),
            format!("G{b}"),
            "Active",
        ),
        (
            "DEMF",
            format!("F{b}-2"),
            format!("F customer {b} two"),
            "10".into(),
            "OnHold",
        ),
        (
            "DEMF",
            format!("D{b}-1"),
            format!("D customer {b}"),
            format!("H{b}"),
            "Active",
        ),
        (
            "USMF",
            format!("B{b}"),
            "Both, F side".into(),
            "10".into(),
            "Active",
        ),
    ] {
        model.customers.insert(
            (company.into(), account),
            Customer {
                name,
                group: Some(group),
                invoice: None,
                status: Some(status.into()),
            },
        );
    }
    if batch > 0 {
        // Keys only F&O edits, and keys only Dataverse edits, created by earlier batches.
        let f = format!("{:02}", rng.gen_range(0..batch));
        let d = format!("{:02}", rng.gen_range(0..batch));
        fno.push_str(&format!(
            "UPDATE CustCustomerV3Entity SET Name = 'F edit {b}', Status = 'Active' \
             WHERE dataAreaId = 'DEMF' AND CustomerAccount = 'F{f}-2';\
             UPDATE CustCustomerGroupEntity SET Description = 'F group edit {b}' \
             WHERE dataAreaId = 'USMF' AND CustomerGroupId = 'G{f}';"
        ));
        dv.push_str(&format!(
            "UPDATE account SET name = 'D edit {b}', statuscode = 2 \
             WHERE company = 'DEMF' AND accountnumber = 'D{d}-1';\
             UPDATE msdyn_customergroup SET msdyn_description = 'D group edit {b}' \
             WHERE company = 'DEMF' AND msdyn_groupid = 'H{d}';"
        ));
        model.edited(
            ("DEMF", &format!("F{f}-2")),
            (format!("F edit {b}"), "Active"),
            ("USMF", &format!("G{f}")),
            format!("F group edit {b}"),
        );
        model.edited(
            ("DEMF", &format!("D{d}-1")),
            (format!("D edit {b}"), "OnHold"),
            ("DEMF", &format!("H{d}")),
            format!("D group edit {b}"),
        );
    }
    // The same seeded customer edited on both sides: F&O, the primary side, wins.
    let company = if rng.gen_bool(0.5) { "DEMF" } else { "USMF" };
    let account = format!("C-{:04}", rng.gen_range(1..=3));
    fno.push_str(&format!(
        "UPDATE CustCustomerV3Entity SET Name = 'Both F {b}' \
         WHERE dataAreaId = '{company}' AND CustomerAccount = '{account}';"
    ));
    dv.push_str(&format!(
        "UPDATE account SET name = 'Both D {b}' \
         WHERE company = '{company}' AND accountnumber = '{account}';"
    ));
    model.customer(company, &account).name = format!("Both F {b}");
    world.fno.exec(&fno).await;
    world.dataverse.exec(&dv).await;
}

/// The differences between what a side holds and the model, one line per key.
fn differences<V: std::fmt::Debug + PartialEq>(
    side: &str,
    held: &BTreeMap<(String, String), V>,
    expected: &BTreeMap<(String, String), V>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (key, want) in expected {
        match held.get(key) {
            None => lines.push(format!("{side} lacks {key:?}: {want:?}")),
            Some(got) if got != want => {
                lines.push(format!("{side} {key:?}: holds {got:?}, expected {want:?}"))
            }
            Some(_) => {}
        }
    }
    for (key, got) in held {
        if !expected.contains_key(key) {
            lines.push(format!("{side} has an unexpected {key:?}: {got:?}"));
        }
    }
    lines
}

/// Both sides hold exactly the model, compared on every mapped column of every row.
async fn assert_sides_hold(world: &World, model: &Model) {
    let mut wrong = Vec::new();
    let customers = customers_of(rows(&world.fno, FNO_CUSTOMERS).await);
    wrong.extend(differences("F&O customers", &customers, &model.customers));
    let customers = customers_of(rows(&world.dataverse, DV_CUSTOMERS).await);
    wrong.extend(differences(
        "Dataverse customers",
        &customers,
        &model.customers,
    ));
    let groups = groups_of(rows(&world.fno, FNO_GROUPS).await);
    wrong.extend(differences("F&O groups", &groups, &model.groups));
    let groups = groups_of(rows(&world.dataverse, DV_GROUPS).await);
    wrong.extend(differences("Dataverse groups", &groups, &model.groups));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // No duplicate: as many rows as distinct keys on each side.
    for (app, sql) in [
        (
            &world.fno,
            "SELECT count(*) - count(DISTINCT dataAreaId || '/' || CustomerAccount) \
             FROM CustCustomerV3Entity",
        ),
        (
            &world.dataverse,
            "SELECT count(*) - count(DISTINCT company || '/' || accountnumber) FROM account",
        ),
        (
            &world.dataverse,
            "SELECT count(*) - count(DISTINCT company || '/' || msdyn_groupid) \
             FROM msdyn_customergroup",
        ),
    ] {
        assert_eq!(count(app, sql).await, 0, "duplicates: {sql}");
    }
}

fn json_of(world: &World, args: &[&str]) -> Value {
    let output = output_of(dualwrite(world, args));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        text_of(&output)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

/// Every map's queue holds nothing but settled entries (done, or skipped because a newer
/// entry of the row exists), and the error log is empty.
fn assert_queue_drained_and_no_errors(world: &World) {
    let status = json_of(world, &["status", "--format", "json"]);
    for map in status["maps"].as_array().expect("maps") {
        let queue = map["queue"].as_object().expect("queue counts");
        for (state, n) in queue {
            assert!(
                state == "done" || state == "skipped" || n == 0,
                "map {}: {n} {state} entries left: {status}",
                map["id"]
            );
        }
    }
    let errors = json_of(world, &["errors", "--format", "json"]);
    assert_eq!(errors, json!([]), "the error log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_watch_killed_at_random_resumes_without_loss_or_duplicates() {
    sync_watch_kills(World::sqlite().await, "sync --watch kills").await;
}

/// The same with Dataverse on the PostgreSQL test server (skipped without one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_watch_killed_at_random_resumes_on_postgres_too() {
    let Some(world) = World::sqlite_to_postgres("fault_sync_watch").await else {
        return;
    };
    let world = sync_watch_kills(world, "sync --watch kills, PostgreSQL").await;
    world.finish_pg().await;
}

async fn sync_watch_kills(world: World, test: &str) -> World {
    let mut rng = rng(test);
    engine_support::synced_engine(&world, 3).await.close().await;
    let mut model = Model::read_fno(&world).await;
    let started = Instant::now();
    let mut exited_before_kill = 0;
    for batch in 0..SYNC_KILLS {
        write_batch(&world, &mut model, batch, &mut rng).await;
        let mut child = dualwrite(&world, &["sync", "--watch"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync --watch starts");
        // Long enough to land anywhere: opening, capture, the first round or two, idle.
        let delay = Duration::from_millis(rng.gen_range(20..700));
        tokio::time::sleep(delay).await;
        if child.try_wait().expect("child state").is_some() {
            exited_before_kill += 1;
        }
        kill(child);
    }
    eprintln!(
        "{SYNC_KILLS} kills in {:?} ({exited_before_kill} had exited)",
        started.elapsed()
    );
    assert_eq!(exited_before_kill, 0, "sync --watch exits only on Ctrl-C");
    let output = output_of(dualwrite(&world, &["sync", "--once"]));
    assert_eq!(output.status.code(), Some(0), "{}", text_of(&output));
    assert_sides_hold(&world, &model).await;
    assert_queue_drained_and_no_errors(&world);
    // Quiescent: another run finds nothing to do.
    let output = output_of(dualwrite(&world, &["sync", "--once"]));
    let text = text_of(&output);
    assert!(text.contains("total: 0 enqueued, 0 applied"), "{text}");
    world
}

/// One live transaction from F&O: a new group, two customers in it, and an update of an
/// existing customer (so compensation must restore a pre-image, not only delete).
fn live_txn(n: usize) -> Value {
    let g = format!("L{n:02}");
    json!([
        { "table": "CustCustomerGroupEntity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerGroupId": g, "Description": format!("Live {n}") } },
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": format!("{g}-1"), "Name": format!("Live {n} one"),
            "CustomerGroupId": g, "Status": "Active" } },
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": format!("{g}-2"), "Name": format!("Live {n} two"),
            "CustomerGroupId": g, "Status": "OnHold" } },
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "dataAreaId": "USMF", "CustomerAccount": "C-0002", "Name": format!("Live edit {n}") } }
    ])
}

/// How many of transaction `n`'s three new rows a side holds.
async fn new_rows_of(app: &App, fno_side: bool, n: usize) -> i64 {
    let g = format!("L{n:02}");
    let sql = if fno_side {
        format!(
            "SELECT (SELECT count(*) FROM CustCustomerGroupEntity WHERE CustomerGroupId = '{g}') \
             + (SELECT count(*) FROM CustCustomerV3Entity WHERE CustomerAccount LIKE '{g}-%')"
        )
    } else {
        format!(
            "SELECT (SELECT count(*) FROM msdyn_customergroup WHERE msdyn_groupid = '{g}') \
             + (SELECT count(*) FROM account WHERE accountnumber LIKE '{g}-%')"
        )
    };
    count(app, &sql).await
}

/// Waits until the target (Dataverse) shows transaction `n`'s group, i.e. the target has
/// committed, or the child exits or `limit` passes; returns whether it was seen.
async fn wait_for_target_commit(
    world: &World,
    child: &mut Child,
    n: usize,
    limit: Duration,
) -> bool {
    let sql = format!("SELECT count(*) FROM msdyn_customergroup WHERE msdyn_groupid = 'L{n:02}'");
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if count(&world.dataverse, &sql).await > 0 {
            return true;
        }
        if child.try_wait().expect("child state").is_some() {
            return false;
        }
    }
    false
}

/// Customer C-0002 of USMF's name on both sides.
async fn c0002_names(world: &World) -> (Option<String>, Option<String>) {
    let fno = rows(
        &world.fno,
        "SELECT Name FROM CustCustomerV3Entity WHERE dataAreaId = 'USMF' AND CustomerAccount = 'C-0002'",
    )
    .await;
    let dv = rows(
        &world.dataverse,
        "SELECT name FROM account WHERE company = 'USMF' AND accountnumber = 'C-0002'",
    )
    .await;
    (fno[0][0].clone(), dv[0][0].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_transactions_killed_at_random_are_whole_or_absent_after_restart() {
    let mut rng = rng("live kills");
    let world = World::sqlite().await;
    world.edit_project(|project| {
        for map in &mut project.table_maps {
            map.sync_mode = SyncMode::Live;
        }
    });
    engine_support::synced_engine(&world, 3).await.close().await;
    let mut half_written = 0;
    let mut committed = Vec::new();
    let txn_path = world.dir.path().join("txn.json");
    for n in 0..LIVE_ATTEMPTS {
        std::fs::write(&txn_path, live_txn(n).to_string()).expect("transaction file");
        let mut child = dualwrite(&world, &["live", "--from", "fno", "--txn"])
            .arg(&txn_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("live starts");
        // Every other attempt hunts for the window between the commits: killed as soon as
        // the target's commit is visible; the others at a random time.
        if n % 2 == 0 {
            wait_for_target_commit(&world, &mut child, n, Duration::from_secs(20)).await;
        } else {
            tokio::time::sleep(Duration::from_millis(rng.gen_range(0..400))).await;
        }
        kill(child);
        let source = new_rows_of(&world.fno, true, n).await;
        let target = new_rows_of(&world.dataverse, false, n).await;
        eprintln!("attempt {n}: killed with source {source}/3, target {target}/3");
        if target == 3 && source == 0 {
            half_written += 1;
        }
        // The next start settles it: any command that opens the engine.
        let output = output_of(dualwrite(&world, &["sync", "--once"]));
        assert_eq!(output.status.code(), Some(0), "{}", text_of(&output));
        let source = new_rows_of(&world.fno, true, n).await;
        let target = new_rows_of(&world.dataverse, false, n).await;
        assert!(
            (source, target) == (3, 3) || (source, target) == (0, 0),
            "transaction {n} is half-written after recovery: source {source}/3, target {target}/3"
        );
        if source == 3 {
            committed.push(n);
        }
        let (fno_name, dv_name) = c0002_names(&world).await;
        assert_eq!(fno_name, dv_name, "C-0002 after transaction {n}");
        let expected = committed
            .last()
            .map_or("Customer 2 USMF".to_string(), |n| format!("Live edit {n}"));
        assert_eq!(fno_name.as_deref(), Some(expected.as_str()));
    }
    eprintln!(
        "{LIVE_ATTEMPTS} live transactions killed: {} whole, {half_written} half-written at the kill \
         (settled by the restart)",
        committed.len()
    );
    // Nothing left in doubt.
    let store = dualwrite::store::Store::open(&world.state_dir)
        .await
        .expect("store");
    let unresolved = store.unresolved_live_txns().await.expect("journal");
    assert!(unresolved.is_empty(), "{unresolved:?}");
    store.close().await;
}
