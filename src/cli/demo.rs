//! `dualwrite demo DIR`: demo environments, synced once, with a summary of what happened.
//!
//! It is the tool's first impression, so it does the whole tour: seed the two databases
//! ([`crate::demo`]), copy every map from F&O (the contacts map's primary side is Dataverse,
//! which starts empty, so the source is forced to F&O), install change capture, make a few
//! edits on both sides as the applications would, carry them across with one async round, and
//! say what to run next. The edits are deterministic (the first contacts by key), so two demos
//! with the same options print the same counts.

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use super::engine_runtime::runtime;
use super::progress::{initial_sync_with_bars, seed_bar};
use super::{CliError, DemoArgs, Outcome};
use crate::demo::{create_with_progress, DemoOptions};
use crate::endpoint::{EndpointError, Operation, Origin, ScanRequest, Value};
use crate::engine::{Engine, EngineError, InitialSyncOptions, RoundOptions};
use crate::model::Side;

/// The async map the demo edits, by its table on each side.
const FNO_CONTACTS: &str = "ContactPersonEntity";
const FNO_CONTACT_KEYS: [&str; 2] = ["CONTACTPERSONID", "DATAAREAID"];
const DATAVERSE_CONTACTS: &str = "contact";
const DATAVERSE_CONTACT_KEYS: [&str; 2] = ["msdyn_contactpersonid", "msdyn_company"];
/// Contacts the F&O application edits.
const FNO_EDITS: usize = 3;

/// Creates and syncs the demo.
pub fn run(
    args: &DemoArgs,
    out: &mut dyn Write,
    console: &super::Console,
) -> Result<Outcome, CliError> {
    let quiet = console.is_quiet();
    let options = DemoOptions {
        customers: args.customers,
        orders: args.orders,
        force: args.force,
        ..DemoOptions::default()
    };
    runtime()?.block_on(async {
        let (bar, mut callback) = seed_bar(quiet);
        let demo = create_with_progress(&args.dir, &options, &mut callback).await;
        bar.finish_and_clear();
        let demo = demo?;
        writeln!(out, "Demo created in {}", args.dir.display())?;
        writeln!(
            out,
            "  F&O:       {}\n  Dataverse: {}\n  Project:   {}\n  {} rows seeded",
            demo.fno_path.display(),
            demo.dataverse_path.display(),
            demo.project_path.display(),
            demo.total_rows()
        )?;
        let engine = Engine::open(&demo.project_path, None).await?;
        let result = sync_demo(&engine, out, quiet).await;
        engine.close().await;
        let outcome = result?;
        next_steps(&demo.project_path, out)?;
        Ok(outcome)
    })
}

async fn sync_demo(engine: &Engine, out: &mut dyn Write, quiet: bool) -> Result<Outcome, CliError> {
    let options = InitialSyncOptions {
        all_maps: true,
        source: Some(Side::Fno),
        ..InitialSyncOptions::default()
    };
    let started = Instant::now();
    let report = initial_sync_with_bars(engine, options, quiet).await?;
    let elapsed = started.elapsed();
    writeln!(
        out,
        "Initial sync from F&O (run #{}, {:.1} s):",
        report.run,
        elapsed.as_secs_f64()
    )?;
    for map in &report.maps {
        let failed = if map.rows_failed > 0 {
            format!(", {} failed", map.rows_failed)
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {:<40} {:>7} rows{failed}",
            map.map_id, map.rows_written
        )?;
    }

    engine.install_capture().await?;
    let edited = edit_contacts(engine).await.map_err(EngineError::from)?;
    writeln!(
        out,
        "Application edits: {edited} contact e-mails ({FNO_EDITS} in F&O, the rest in Dataverse)"
    )?;
    let round = engine.sync_once(&RoundOptions::default()).await?;
    writeln!(out, "Async round: {}", super::sync::describe_round(&round))?;
    Ok(if report.rows_failed() > 0 || round.failed > 0 {
        Outcome::Findings
    } else {
        Outcome::Success
    })
}

/// Changes the e-mail of the first contacts in F&O and of one other contact in Dataverse, as
/// the applications would (captured, origin "app"). Returns the rows changed.
async fn edit_contacts(engine: &Engine) -> Result<usize, EndpointError> {
    let fno_rows = scan(
        engine,
        Side::Fno,
        FNO_CONTACTS,
        &FNO_CONTACT_KEYS,
        FNO_EDITS,
    )
    .await?;
    let edited_ids: HashSet<String> = fno_rows
        .iter()
        .map(|row| text_of(row.get(FNO_CONTACT_KEYS[0])))
        .collect();
    let fno_count = write_emails(
        engine,
        Side::Fno,
        FNO_CONTACTS,
        &FNO_CONTACT_KEYS,
        "EMAIL",
        fno_rows,
    )
    .await?;
    let dataverse_rows: Vec<_> = scan(
        engine,
        Side::Dataverse,
        DATAVERSE_CONTACTS,
        &DATAVERSE_CONTACT_KEYS,
        FNO_EDITS * 4 + 1,
    )
    .await?
    .into_iter()
    .filter(|row| !edited_ids.contains(&text_of(row.get(DATAVERSE_CONTACT_KEYS[0]))))
    .take(1)
    .collect();
    let dataverse_count = write_emails(
        engine,
        Side::Dataverse,
        DATAVERSE_CONTACTS,
        &DATAVERSE_CONTACT_KEYS,
        "emailaddress1",
        dataverse_rows,
    )
    .await?;
    Ok(fno_count + dataverse_count)
}

async fn scan(
    engine: &Engine,
    side: Side,
    table: &str,
    keys: &[&str],
    limit: usize,
) -> Result<Vec<crate::endpoint::Row>, EndpointError> {
    let keys = keys.iter().map(|k| k.to_string()).collect();
    engine
        .endpoint(side)
        .scan(&ScanRequest::new(table, keys, limit))
        .await
}

async fn write_emails(
    engine: &Engine,
    side: Side,
    table: &str,
    keys: &[&str],
    column: &str,
    rows: Vec<crate::endpoint::Row>,
) -> Result<usize, EndpointError> {
    let key_columns: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let operations: Vec<Operation> = rows
        .into_iter()
        .map(|mut values| {
            let id = text_of(values.get(keys[0])).to_lowercase();
            values.insert(
                column.into(),
                Value::Text(format!("{id}@updated.contoso.example")),
            );
            Operation::Upsert {
                table: table.to_string(),
                key_columns: key_columns.clone(),
                values,
            }
        })
        .collect();
    let mut tx = engine.endpoint(side).begin_as(Origin::App).await?;
    tx.apply(&operations).await?;
    tx.commit().await?;
    Ok(operations.len())
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::Text(text)) => text.clone(),
        Some(other) => other.to_json().to_string(),
        None => String::new(),
    }
}

fn next_steps(project: &Path, out: &mut dyn Write) -> Result<(), CliError> {
    let project = project.display();
    writeln!(
        out,
        "Next:\n  dualwrite status {project}\n  dualwrite validate {project}\n  \
         dualwrite sync {project} --once    (after editing fno.db or dataverse.db)"
    )?;
    Ok(())
}
