//! The engine commands end to end on a small demo: `demo`, `sync`, `status`, `errors`,
//! `conflicts`, `retry`, `pause` and `resume`, against the demo's real SQLite files.

use std::path::{Path, PathBuf};

use predicates::prelude::*;
use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::support::*;

const CONTACTS: &str = "contacts - Contact persons";

/// A small demo in a fresh workspace; returns the workspace and the project file.
fn small_demo() -> (Workspace, PathBuf) {
    let ws = Workspace::new();
    let dir = ws.path("demo");
    let output = dualwrite()
        .arg("demo")
        .arg(&dir)
        .args(["--customers", "30", "--orders", "20"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    (ws, dir.join("contoso.dwproj.json"))
}

fn database(project: &Path, file: &str) -> PathBuf {
    project.parent().expect("the demo directory").join(file)
}

/// Runs SQL statements on a SQLite file, foreign keys on, as an application would.
fn execute(db: &Path, sql: &str) {
    with_pool(db, |pool| async move {
        sqlx::raw_sql(sql).execute(&pool).await.expect("SQL runs");
    });
}

/// The first column of the first row of a query, as text.
fn query_text(db: &Path, sql: &str) -> Option<String> {
    let sql = sql.to_string();
    with_pool(db, |pool| async move {
        sqlx::query_scalar::<_, Option<String>>(&sql)
            .fetch_one(&pool)
            .await
            .expect("query runs")
    })
}

fn count(db: &Path, sql: &str) -> i64 {
    let sql = sql.to_string();
    with_pool(db, |pool| async move {
        sqlx::query_scalar::<_, i64>(&sql)
            .fetch_one(&pool)
            .await
            .expect("count runs")
    })
}

fn with_pool<T, F, Fut>(db: &Path, body: F) -> T
where
    F: FnOnce(sqlx::SqlitePool) -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let options = SqliteConnectOptions::new().filename(db).foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("database opens");
        let result = body(pool.clone()).await;
        pool.close().await;
        result
    })
}

/// Runs `dualwrite ARGS... PROJECT` and returns its exit code and stdout.
fn run(args: &[&str], project: &Path) -> (i32, String) {
    let output = dualwrite().args(args).arg(project).output().expect("runs");
    (output.status.code().unwrap_or(-1), stdout_of(&output))
}

fn json_of(args: &[&str], project: &Path) -> Value {
    let (code, stdout) = run(args, project);
    assert_eq!(code, 0, "{args:?}: {stdout}");
    serde_json::from_str(&stdout).expect("JSON output")
}

fn contact_email_in_dataverse(project: &Path, id: &str) -> Option<String> {
    query_text(
        &database(project, "dataverse.db"),
        &format!("SELECT emailaddress1 FROM contact WHERE msdyn_contactpersonid = '{id}'"),
    )
}

fn map_status<'a>(status: &'a Value, id: &str) -> &'a Value {
    status["maps"]
        .as_array()
        .expect("maps")
        .iter()
        .find(|m| m["id"] == id)
        .expect("the map is listed")
}

#[test]
fn demo_creates_syncs_and_summarises() {
    let ws = Workspace::new();
    let dir = ws.path("demo");
    let output = dualwrite()
        .arg("demo")
        .arg(&dir)
        .args(["--customers", "30", "--orders", "20"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    let text = stdout_of(&output);
    for file in ["fno.db", "dataverse.db", "contoso.dwproj.json"] {
        assert!(dir.join(file).is_file(), "{file} missing");
    }
    for expected in [
        "Initial sync from F&O",
        "accounts - Customers V3",
        "Async round: 4 enqueued, 4 applied",
        "dualwrite status ",
        "dualwrite validate ",
    ] {
        assert!(text.contains(expected), "no {expected:?} in {text}");
    }
    let fno = dir.join("fno.db");
    let dataverse = dir.join("dataverse.db");
    let customers = count(&fno, "SELECT COUNT(*) FROM CustCustomerV3Entity");
    assert!(customers >= 30, "{customers}");
    assert_eq!(count(&dataverse, "SELECT COUNT(*) FROM account"), customers);
    // The async round carried the application edits both ways.
    let edited = "LIKE '%@updated.contoso.example'";
    let in_fno = count(
        &fno,
        &format!("SELECT COUNT(*) FROM ContactPersonEntity WHERE EMAIL {edited}"),
    );
    let in_dataverse = count(
        &dataverse,
        &format!("SELECT COUNT(*) FROM contact WHERE emailaddress1 {edited}"),
    );
    assert_eq!((in_fno, in_dataverse), (4, 4));
    // The demo project is valid as shipped.
    dualwrite()
        .arg("validate")
        .arg(dir.join("contoso.dwproj.json"))
        .assert()
        .code(0);
}

#[test]
fn demo_refuses_an_existing_demo_without_force() {
    let (_ws, project) = small_demo();
    let dir = project.parent().expect("dir");
    dualwrite()
        .arg("demo")
        .arg(dir)
        .args(["--customers", "30", "--orders", "20"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    dualwrite()
        .arg("demo")
        .arg(dir)
        .args(["--customers", "30", "--orders", "20", "--force"])
        .assert()
        .code(0);
}

#[test]
fn status_json_lists_every_map_with_its_queue() {
    let (_ws, project) = small_demo();
    let status = json_of(&["status", "--format", "json"], &project);
    let maps = status["maps"].as_array().expect("maps");
    assert_eq!(
        maps.len(),
        dualwrite::project_file::load(&project)
            .expect("loads")
            .table_maps
            .len()
    );
    let contacts = map_status(&status, CONTACTS);
    assert_eq!(contacts["syncMode"], "async");
    assert_eq!(contacts["paused"], false);
    assert_eq!(contacts["queue"]["done"], 4);
    assert_eq!(
        map_status(&status, "accounts - Customers V3")["syncMode"],
        "live"
    );
    assert_eq!(status["lastRuns"][0]["kind"], "initial");
    assert_eq!(status["lastRuns"][0]["status"], "succeeded");
    assert!(status["lastRuns"][0]["startedAt"].is_i64());
    let written = status["lastRuns"][0]["counters"]["rowsWritten"].as_u64();
    assert!(written.is_some_and(|rows| rows > 0), "{status}");
}

#[test]
fn sync_once_carries_an_application_edit_to_dataverse() {
    let (_ws, project) = small_demo();
    execute(
        &database(&project, "fno.db"),
        "UPDATE ContactPersonEntity SET EMAIL = 'moved@fabrikam.example' \
         WHERE CONTACTPERSONID = 'CP-US-000002' AND DATAAREAID = 'USMF'",
    );
    let (code, stdout) = run(&["sync", "--once"], &project);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("1 applied"), "{stdout}");
    assert_eq!(
        contact_email_in_dataverse(&project, "CP-US-000002").as_deref(),
        Some("moved@fabrikam.example")
    );
    // Nothing left: a second run finds nothing to do.
    let (code, stdout) = run(&["sync", "--once"], &project);
    assert_eq!(code, 0);
    assert!(stdout.contains("total: 0 enqueued, 0 applied"), "{stdout}");
}

#[test]
fn sync_once_narrowed_to_a_map_leaves_the_other_maps_queued() {
    let (_ws, project) = small_demo();
    execute(
        &database(&project, "fno.db"),
        "UPDATE ContactPersonEntity SET EMAIL = 'narrow@fabrikam.example' \
         WHERE CONTACTPERSONID = 'CP-US-000002' AND DATAAREAID = 'USMF'",
    );
    let before = contact_email_in_dataverse(&project, "CP-US-000002");
    let (code, stdout) = run(
        &[
            "sync",
            "--once",
            "--map",
            "salesorderdetails - Sales order lines",
        ],
        &project,
    );
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("total: 1 enqueued, 0 applied"), "{stdout}");
    assert_eq!(contact_email_in_dataverse(&project, "CP-US-000002"), before);
    let status = json_of(&["status", "--format", "json"], &project);
    assert_eq!(map_status(&status, CONTACTS)["queue"]["pending"], 1);

    let (code, stdout) = run(&["sync", "--once", "--map", CONTACTS], &project);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("total: 0 enqueued, 1 applied"), "{stdout}");
    assert_eq!(
        contact_email_in_dataverse(&project, "CP-US-000002").as_deref(),
        Some("narrow@fabrikam.example")
    );
    // An async run checks its map and group names as the initial sync does.
    dualwrite()
        .args(["sync", "--once", "--map", "contacts - Contact person"])
        .arg(&project)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "did you mean \"{CONTACTS}\""
        )));
}

#[test]
fn sync_takes_a_worker_count_and_refuses_zero() {
    let (_ws, project) = small_demo();
    execute(
        &database(&project, "fno.db"),
        "UPDATE ContactPersonEntity SET EMAIL = 'four@fabrikam.example' \
         WHERE CONTACTPERSONID = 'CP-US-000003' AND DATAAREAID = 'USMF'",
    );
    let (code, stdout) = run(&["sync", "--workers", "0"], &project);
    assert_eq!(code, 2, "{stdout}");
    let (code, stdout) = run(&["sync", "--once", "--workers", "4"], &project);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("1 applied"), "{stdout}");
    assert_eq!(
        contact_email_in_dataverse(&project, "CP-US-000003").as_deref(),
        Some("four@fabrikam.example")
    );
}

#[test]
fn a_missing_parent_gets_a_placeholder_and_a_rejected_row_is_listed_and_retried() {
    let (_ws, project) = small_demo();
    assert_eq!(
        json_of(&["errors", "--format", "json"], &project),
        Value::Array(vec![])
    );
    assert_eq!(
        json_of(&["conflicts", "--format", "json"], &project),
        Value::Array(vec![])
    );
    // A customer the live map never sent, and a contact of it: the contacts map allows
    // placeholders, so the account is created on Dataverse by its key and the contact lands.
    execute(
        &database(&project, "fno.db"),
        "INSERT INTO CustCustomerV3Entity (CUSTOMERACCOUNT, DATAAREAID, ORGANIZATIONNAME, \
         CUSTOMERGROUPID) SELECT 'NEW-0001', DATAAREAID, 'Not in Dataverse', CUSTOMERGROUPID \
         FROM CustCustomerGroupEntity WHERE DATAAREAID = 'USMF' LIMIT 1; \
         INSERT INTO ContactPersonEntity (CONTACTPERSONID, DATAAREAID, LASTNAME, \
         ASSOCIATEDCUSTOMERACCOUNT) VALUES ('CP-NEW-1', 'USMF', 'Orphan', 'NEW-0001');",
    );
    let (code, stdout) = run(&["sync", "--once"], &project);
    assert_eq!(code, 0, "{stdout}");
    let dataverse = database(&project, "dataverse.db");
    assert_eq!(
        count(
            &dataverse,
            "SELECT count(*) FROM contact c JOIN account a ON c.parentcustomerid = a.accountid \
             JOIN cdm_company k ON a.msdyn_company = k.cdm_companyid \
             WHERE c.msdyn_contactpersonid = 'CP-NEW-1' AND a.accountnumber = 'NEW-0001' \
             AND a.name IS NULL AND k.cdm_companycode = 'USMF'"
        ),
        1,
        "a placeholder account (key only, in the right company) holds the contact"
    );

    // A business rule on Dataverse (a trigger, as a plug-in would) rejects a contact: an
    // application error in the error log, retried once the rule is lifted.
    execute(
        &dataverse,
        "CREATE TRIGGER reject_contact BEFORE INSERT ON contact WHEN NEW.lastname = 'Rejected' \
         BEGIN SELECT RAISE(ABORT, 'business rule: this contact is rejected'); END;",
    );
    execute(
        &database(&project, "fno.db"),
        "INSERT INTO ContactPersonEntity (CONTACTPERSONID, DATAAREAID, LASTNAME, \
         ASSOCIATEDCUSTOMERACCOUNT) VALUES ('CP-NEW-2', 'USMF', 'Rejected', 'NEW-0001');",
    );
    let (code, stdout) = run(&["sync", "--once"], &project);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("1 failed"), "{stdout}");

    let errors = json_of(
        &["errors", "--format", "json", "--category", "application"],
        &project,
    );
    let errors = errors.as_array().expect("an array");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["map_id"], CONTACTS);
    assert_eq!(errors[0]["category"], "application");
    assert!(errors[0]["key"].as_str().expect("key").contains("CP-NEW-2"));
    let message = errors[0]["message"].as_str().expect("message");
    assert!(message.contains("this contact is rejected"), "{message}");
    let none = json_of(
        &["errors", "--format", "json", "--category", "system"],
        &project,
    );
    assert_eq!(none, Value::Array(vec![]));
    let status = json_of(&["status", "--format", "json"], &project);
    assert_eq!(map_status(&status, CONTACTS)["errors"]["application"], 1);

    // Fix the cause (lift the rule), then retry and process the queue.
    execute(&dataverse, "DROP TRIGGER reject_contact;");
    let (code, stdout) = run(&["retry", "--all", "--run"], &project);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("re-queued 1 queue entry"), "{stdout}");
    assert!(stdout.contains("1 applied"), "{stdout}");
    assert_eq!(
        rows_with(&dataverse, "contact", "msdyn_contactpersonid", "CP-NEW-2"),
        1
    );
    let errors = json_of(&["errors", "--format", "json"], &project);
    assert_eq!(errors[0]["resolution"], "retried");
    let status = json_of(&["status", "--format", "json"], &project);
    assert!(map_status(&status, CONTACTS)["errors"]
        .get("application")
        .is_none());
}

#[test]
fn a_paused_map_queues_up_and_catches_up_on_resume() {
    let (_ws, project) = small_demo();
    dualwrite()
        .args(["pause", "--map", CONTACTS])
        .arg(&project)
        .assert()
        .code(0);
    let before = contact_email_in_dataverse(&project, "CP-GB-000002");
    execute(
        &database(&project, "fno.db"),
        "UPDATE ContactPersonEntity SET EMAIL = 'paused@fabrikam.example' \
         WHERE CONTACTPERSONID = 'CP-GB-000002' AND DATAAREAID = 'GBSI'",
    );
    let (code, stdout) = run(&["sync", "--once"], &project);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(contact_email_in_dataverse(&project, "CP-GB-000002"), before);
    let status = json_of(&["status", "--format", "json"], &project);
    let contacts = map_status(&status, CONTACTS);
    assert_eq!(contacts["paused"], true);
    assert_eq!(contacts["queue"]["pending"], 1);

    dualwrite()
        .args(["resume", "--map", CONTACTS])
        .arg(&project)
        .assert()
        .code(0);
    let (code, stdout) = run(&["sync", "--once"], &project);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        contact_email_in_dataverse(&project, "CP-GB-000002").as_deref(),
        Some("paused@fabrikam.example")
    );
}

#[test]
fn an_unknown_map_or_group_exits_2_naming_the_closest() {
    let (_ws, project) = small_demo();
    for command in ["pause", "resume"] {
        dualwrite()
            .args([command, "--map", "contacts - Contact person"])
            .arg(&project)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "did you mean \"{CONTACTS}\""
            )));
    }
    dualwrite()
        .args(["sync", "--initial", "--map", "acounts"])
        .arg(&project)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("acounts"));
    dualwrite()
        .args(["sync", "--initial", "--group", "nope"])
        .arg(&project)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    // Nothing was paused by the failed attempts.
    let status = json_of(&["status", "--format", "json"], &project);
    assert_eq!(map_status(&status, CONTACTS)["paused"], false);
}

#[test]
fn an_unreadable_project_exits_2() {
    let ws = Workspace::new();
    let missing = ws.path("missing.dwproj.json");
    for args in [
        &["status"][..],
        &["errors"],
        &["conflicts"],
        &["sync", "--once"],
    ] {
        dualwrite().args(args).arg(&missing).assert().code(2);
    }
}

#[test]
fn sync_initial_of_a_group_copies_its_maps_again_without_duplicates() {
    let (_ws, project) = small_demo();
    let dataverse = database(&project, "dataverse.db");
    let accounts = count(&dataverse, "SELECT COUNT(*) FROM account");
    let (code, stdout) = run(&["sync", "--initial", "--group", "customers"], &project);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("accounts - Customers V3: ") && !stdout.contains("contacts"),
        "{stdout}"
    );
    assert!(stdout.contains(", 0 failed"), "{stdout}");
    assert_eq!(count(&dataverse, "SELECT COUNT(*) FROM account"), accounts);
}

#[test]
fn sync_watch_carries_edits_until_interrupted() {
    let (_ws, project) = small_demo();
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("dualwrite"))
        .args(["sync", "--watch"])
        .arg(&project)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    execute(
        &database(&project, "fno.db"),
        "UPDATE ContactPersonEntity SET EMAIL = 'watched@fabrikam.example' \
         WHERE CONTACTPERSONID = 'CP-US-000003' AND DATAAREAID = 'USMF'",
    );
    // Wait (bounded) for the watcher to carry the edit; the assertion is on the data, not time.
    let carried = (0..600).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        contact_email_in_dataverse(&project, "CP-US-000003").as_deref()
            == Some("watched@fabrikam.example")
    });
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let output = child.wait_with_output().expect("the watcher ends");
    assert!(carried, "the edit never reached Dataverse");
    assert_eq!(output.status.code(), Some(0));
    let stdout = stdout_of(&output);
    assert!(
        stdout.contains("round ") && stdout.contains("1 applied"),
        "{stdout}"
    );
}

#[test]
fn contradictory_or_missing_options_exit_2() {
    let ws = Workspace::new();
    let project = ws.path("x.dwproj.json");
    for args in [
        &["retry"][..],
        &["sync", "--once", "--watch"],
        &["sync", "--initial", "--once"],
        &["sync", "--group", "G", "--map", "M"],
        &["pause"],
        &["errors", "--category", "fatal"],
        &["status", "--format", "sarif"],
    ] {
        dualwrite()
            .args(args)
            .arg(&project)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("error:"));
    }
    dualwrite()
        .args(["demo", "--customers", "0"])
        .arg(ws.path("demo"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("customers"));
}

/// Writes a transaction file beside the project.
fn txn_file(project: &Path, name: &str, rows: Value) -> PathBuf {
    let path = database(project, name);
    std::fs::write(&path, rows.to_string()).expect("transaction file written");
    path
}

fn live(project: &Path, txn: &Path, extra: &[&str]) -> (i32, String) {
    let output = dualwrite()
        .arg("live")
        .arg(project)
        .args(["--from", "fno", "--txn"])
        .arg(txn)
        .args(extra)
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        stdout_of(&output) + &stderr_of(&output),
    )
}

fn new_group(id: &str) -> Value {
    serde_json::json!({ "table": "CustCustomerGroupEntity", "op": "upsert", "values": {
        "CUSTOMERGROUPID": id, "DATAAREAID": "USMF", "DESCRIPTION": "Live customers",
        "PAYMENTTERMID": "Net30" } })
}

/// Rows of `table` whose `column` is `value`.
fn rows_with(db: &Path, table: &str, column: &str, value: &str) -> i64 {
    count(
        db,
        &format!("SELECT count(*) FROM {table} WHERE {column} = '{value}'"),
    )
}

fn new_customer(account: &str, group: &str, credit_limit: i64) -> Value {
    serde_json::json!({ "table": "CustCustomerV3Entity", "op": "upsert", "values": {
        "CUSTOMERACCOUNT": account, "DATAAREAID": "USMF", "ORGANIZATIONNAME": "Live Test Inc.",
        "CUSTOMERGROUPID": group, "SALESCURRENCYCODE": "USD", "CREDITLIMIT": credit_limit,
        "CREDITRATING": "Good", "ADDRESSCITY": "Seattle", "ADDRESSCOUNTRYREGIONID": "USA" } })
}

#[test]
fn live_commits_a_unit_of_work_on_both_sides_parents_first() {
    let (_ws, project) = small_demo();
    // A new customer group and a customer in it: one unit of work on the F&O side.
    let txn = txn_file(
        &project,
        "txn.json",
        serde_json::json!([new_group("LIVE"), new_customer("US-LIVE-1", "LIVE", 1000)]),
    );
    let (code, output) = live(&project, &txn, &[]);
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("committed: both sides"), "{output}");
    assert!(
        output.contains("target commit") && output.contains("source commit"),
        "{output}"
    );
    let dv = database(&project, "dataverse.db");
    let fno = database(&project, "fno.db");
    assert_eq!(
        rows_with(&fno, "CustCustomerV3Entity", "CUSTOMERACCOUNT", "US-LIVE-1"),
        1
    );
    assert_eq!(
        count(
            &dv,
            "SELECT count(*) FROM account a JOIN msdyn_customergroup g \
             ON a.msdyn_customergroupid = g.msdyn_customergroupid \
             WHERE a.accountnumber = 'US-LIVE-1' AND g.msdyn_groupid = 'LIVE'"
        ),
        1,
        "the account references the group created in the same transaction"
    );
}

#[test]
fn a_failing_live_transaction_rolls_back_both_sides_and_exits_1() {
    let (_ws, project) = small_demo();
    let txn = txn_file(
        &project,
        "bad.json",
        serde_json::json!([new_group("BAD"), new_customer("US-LIVE-2", "BAD", -5)]),
    );
    let (code, output) = live(&project, &txn, &["--format", "json"]);
    assert_eq!(code, 1, "{output}");
    let json_end = output.rfind('}').expect("JSON outcome") + 1;
    let outcome: Value = serde_json::from_str(&output[..json_end]).expect("JSON outcome");
    assert_eq!(outcome["committed"], false);
    assert_eq!(outcome["category"], "application");
    let fno = database(&project, "fno.db");
    let dv = database(&project, "dataverse.db");
    assert_eq!(
        rows_with(&fno, "CustCustomerGroupEntity", "CUSTOMERGROUPID", "BAD"),
        0
    );
    assert_eq!(
        rows_with(&dv, "msdyn_customergroup", "msdyn_groupid", "BAD"),
        0
    );
}

#[test]
fn a_refused_or_unreadable_live_transaction_exits_2_and_writes_nothing() {
    let (_ws, project) = small_demo();
    let txn = txn_file(
        &project,
        "unmapped.json",
        serde_json::json!([{ "table": "NoSuchEntity", "op": "upsert", "values": { "X": 1 } }]),
    );
    let (code, output) = live(&project, &txn, &[]);
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("refused"), "{output}");

    let broken = txn_file(
        &project,
        "broken.json",
        serde_json::json!([{ "table": "T", "op": "merge" }]),
    );
    let (code, output) = live(&project, &broken, &[]);
    assert_eq!(code, 2, "{output}");
    assert!(output.contains("broken.json"), "{output}");
}

#[test]
fn live_split_runs_each_chunk_on_its_own() {
    let (_ws, project) = small_demo();
    let txn = txn_file(
        &project,
        "split.json",
        serde_json::json!([new_group("S1"), new_customer("US-SPLIT-1", "S1", -1)]),
    );
    let (code, output) = live(&project, &txn, &["--split", "1"]);
    assert_eq!(code, 1, "one chunk rolled back: {output}");
    assert!(output.contains("rows 1-1: committed"), "{output}");
    assert!(output.contains("rows 2-2: rolled back"), "{output}");
    let dv = database(&project, "dataverse.db");
    assert_eq!(
        rows_with(&dv, "msdyn_customergroup", "msdyn_groupid", "S1"),
        1
    );
}
