//! The desktop app's use cases (`dualwrite::studio`) on real files and real SQLite demo
//! databases: what each Tauri command does, without a window.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use dualwrite::demo::{self, DemoOptions};
use dualwrite::engine::live::{Step, TxnRow};
use dualwrite::model::{Side, SyncMode};
use dualwrite::studio::live::LiveRequest;
use dualwrite::studio::records::RecordRequest;
use dualwrite::studio::runs::{RunProgress, RunRequest, SyncRunKind};
use dualwrite::studio::secrets::SecretOrigin;
use dualwrite::studio::{AppError, Studio, StudioError, TemplateKind};
use resvg::tiny_skia::Pixmap;
use serde_json::json;

struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        Workspace { _dir: dir, root }
    }

    fn studio(&self) -> Studio {
        Studio::new(&self.root.join("config"), &self.root.join("data"))
    }

    async fn small_demo(&self) -> PathBuf {
        let created = demo::create(&self.root.join("project"), &DemoOptions::small())
            .await
            .unwrap();
        created.project_path
    }
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

/// An initial sync of the groups marked for it, copying from F&O (as the demo does).
fn initial_request(path: &Path) -> RunRequest {
    RunRequest {
        project_path: path_text(path),
        kind: SyncRunKind::Initial,
        maps: Vec::new(),
        group: None,
        fresh: false,
        source: Some(Side::Fno),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_start_creates_and_opens_the_demo_and_later_starts_reopen_the_last_project() {
    let ws = Workspace::new();
    let studio = ws.studio();
    let first = studio.start().await.unwrap();
    assert!(first.demo_created);
    assert!(Path::new(&first.demo_project).is_file());
    assert_eq!(
        first.opened.path.as_deref(),
        Some(first.demo_project.as_str())
    );
    assert!(first.opened.project.table_maps.len() >= 7);
    assert_eq!(first.recent.len(), 1, "the demo is remembered");

    // Save a copy elsewhere: the next start reopens it, and does not recreate the demo.
    let copy = ws.root.join("mine");
    let saved = studio
        .save_project(&copy, first.opened.project.clone())
        .unwrap();
    assert!(saved.path.as_deref().unwrap().ends_with("mine.dwproj.json"));
    let second = ws.studio().start().await.unwrap();
    assert!(!second.demo_created);
    assert_eq!(second.opened.path, saved.path);
    assert_eq!(second.recent.len(), 2);
    assert_eq!(second.recent[0].path, saved.path.clone().unwrap());
}

#[test]
fn new_projects_come_from_the_templates_unsaved_and_analysed() {
    let ws = Workspace::new();
    let studio = ws.studio();
    let standard = studio.new_project(TemplateKind::Standard, "Std").unwrap();
    assert_eq!(standard.path, None);
    assert_eq!(standard.project.table_maps.len(), 93);
    // The standard maps carry the Customers V3 self-reference and cycle.
    assert!(standard
        .analysis
        .findings
        .iter()
        .any(|f| f.code.as_str() == "DW004"));
    assert_eq!(standard.analysis.chart.nodes.len(), 93);
    let empty = studio.new_project(TemplateKind::Empty, "Blank").unwrap();
    assert!(empty.project.table_maps.is_empty());
    assert!(empty.analysis.findings.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_that_mixes_a_live_group_is_flagged_and_fixing_it_clears_the_finding() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = ws.studio();
    let mut project = studio.open_project(&path).unwrap().project;
    let clean = studio.analyze(&project);
    assert!(!clean.findings.iter().any(|f| f.code.as_str() == "DW001"));

    let lines = project
        .table_maps
        .iter_mut()
        .find(|m| m.id == "salesorderdetails - Sales order lines")
        .unwrap();
    lines.sync_mode = SyncMode::Async;
    let mixed = studio.analyze(&project);
    let finding = mixed
        .findings
        .iter()
        .find(|f| f.code.as_str() == "DW001")
        .expect("DW001");
    assert!(finding.subjects.contains(&"sales-orders".to_string()));
    assert_eq!(
        mixed.counts.errors as usize,
        mixed
            .findings
            .iter()
            .filter(|f| f.severity == dualwrite::validate::Severity::Error)
            .count()
    );
}

#[test]
fn opening_a_broken_file_is_an_error_with_a_code_and_the_file_named() {
    let ws = Workspace::new();
    let path = ws.root.join("broken.dwproj.json");
    std::fs::write(&path, "{ \"schemaVersion\": 1, \"name\": 3 }").unwrap();
    let error = AppError::from(ws.studio().open_project(&path).unwrap_err());
    assert_eq!(error.code, "project-file");
    assert!(
        error.message.contains("broken.dwproj.json"),
        "{}",
        error.message
    );
}

#[test]
fn importing_a_helper_config_gives_an_unsaved_project_with_notes() {
    let ws = Workspace::new();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dual-write-helper/App.config");
    let imported = ws.studio().import_helper_config(&fixture).unwrap();
    assert_eq!(imported.path, None);
    assert_eq!(imported.project.table_maps.len(), 73);
    assert!(!imported.project.groups.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn testing_an_environment_lists_its_tables_and_a_missing_database_is_named() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = ws.studio();
    let project = studio.open_project(&path).unwrap().project;
    let fno = project
        .environments
        .iter()
        .find(|e| e.side == Side::Fno)
        .unwrap();
    let report = studio.test_environment(Some(&path), fno).await.unwrap();
    let customers = report
        .tables
        .iter()
        .find(|t| t.name == "CustCustomerV3Entity")
        .expect("customers table");
    assert!(customers
        .columns
        .iter()
        .any(|c| c.name == "CUSTOMERACCOUNT"));

    let mut missing = fno.clone();
    missing.url = "nowhere.db".into();
    let error = AppError::from(
        studio
            .test_environment(Some(&path), &missing)
            .await
            .unwrap_err(),
    );
    assert_eq!(error.code, "endpoint");
    assert!(error.message.contains("nowhere.db"), "{}", error.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_sync_streams_progress_and_reports_per_map_then_the_record_matches_on_both_sides() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = ws.studio();
    let events = Mutex::new(Vec::new());
    let request = initial_request(&path);
    let report = studio
        .run_sync(&request, &|event| events.lock().unwrap().push(event))
        .await
        .unwrap();
    assert!(report.rows_written >= 60, "{report:?}");
    assert_eq!(report.rows_failed, 0, "{report:?}");
    assert!(!report.stopped);
    let events = events.into_inner().unwrap();
    assert!(matches!(events.first(), Some(RunProgress::Started { .. })));
    let finished_customers = events.iter().any(|e| {
        matches!(e,
        RunProgress::Map { map_id, finished: true, .. } if map_id == "accounts - Customers V3")
    });
    assert!(
        finished_customers,
        "a progress event says the customers are done"
    );

    // One customer, side by side: every compared field agrees after the sync.
    let fno_db = path.parent().unwrap().join("fno.db");
    let (account, company) = first_customer(&fno_db).await;
    let pair = studio
        .record_pair(&RecordRequest {
            project_path: path_text(&path),
            map: "accounts - Customers V3".into(),
            side: Side::Fno,
            key: vec![account.clone(), company],
        })
        .await
        .unwrap();
    assert!(pair.fno_row.is_some());
    assert!(
        pair.dataverse_row.is_some(),
        "the account exists on Dataverse"
    );
    let name = pair
        .fields
        .iter()
        .find(|f| f.fno == "CUSTOMERACCOUNT")
        .unwrap();
    assert!(name.same, "{name:?}");
    assert!(
        pair.fields.iter().filter(|f| !f.lookup).all(|f| f.same),
        "{:?}",
        pair.fields
    );

    // The status now shows the run.
    let status = studio.project_status(&path).await.unwrap();
    assert_eq!(status.last_runs.len(), 1);
}

async fn first_customer(db: &Path) -> (String, String) {
    let url = format!("sqlite://{}?mode=ro", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let row: (String, String) = sqlx::query_as(
        "SELECT CUSTOMERACCOUNT, DATAAREAID FROM CustCustomerV3Entity ORDER BY 1 LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    row
}

#[tokio::test(flavor = "multi_thread")]
async fn only_one_test_sync_runs_at_a_time_and_stop_interrupts_it() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = std::sync::Arc::new(ws.studio());
    assert!(!studio.stop_run(), "nothing to stop yet");
    let request = initial_request(&path);
    // Stop as soon as the first progress event arrives.
    let stopper = studio.clone();
    let report = studio
        .run_sync(&request, &move |event| {
            if matches!(event, RunProgress::Started { .. }) {
                assert!(stopper.stop_run());
            }
        })
        .await
        .unwrap();
    assert!(report.stopped, "{report:?}");
    // The slot is free again, and the next run resumes and finishes.
    let report = studio.run_sync(&request, &|_| {}).await.unwrap();
    assert!(!report.stopped);
    assert!(report.resumed);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_request_naming_an_unknown_group_is_refused() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let request = RunRequest {
        project_path: path_text(&path),
        kind: SyncRunKind::Async,
        maps: Vec::new(),
        group: Some("nope".into()),
        fresh: false,
        source: Some(Side::Fno),
    };
    let error = ws.studio().run_sync(&request, &|_| {}).await.unwrap_err();
    assert!(
        matches!(error, StudioError::Unknown(ref unknown) if unknown.id == "nope"),
        "{error}"
    );
}

/// An async test sync of chosen maps applies their queue entries only; the others wait.
#[tokio::test(flavor = "multi_thread")]
async fn an_async_test_sync_of_chosen_maps_leaves_the_other_maps_queued() {
    const CONTACTS: &str = "contacts - Contact persons";
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = ws.studio();
    let async_run = |maps: &[&str]| RunRequest {
        project_path: path_text(&path),
        kind: SyncRunKind::Async,
        maps: maps.iter().map(|m| m.to_string()).collect(),
        group: None,
        fresh: false,
        source: None,
    };
    // Capture is installed by the first async run; edits after it are what the rounds carry.
    studio.run_sync(&async_run(&[]), &|_| {}).await.unwrap();
    let fno_db = path.parent().unwrap().join("fno.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", fno_db.display()))
        .await
        .unwrap();
    let (contact, company): (String, String) = sqlx::query_as(
        "SELECT CONTACTPERSONID, DATAAREAID FROM ContactPersonEntity ORDER BY 1 LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE ContactPersonEntity SET EMAIL = 'narrow@fabrikam.example' \
         WHERE CONTACTPERSONID = ? AND DATAAREAID = ?",
    )
    .bind(&contact)
    .bind(&company)
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    // The customers (a live map here) have no queue entries: nothing of the contact's moves.
    let other = studio
        .run_sync(&async_run(&["accounts - Customers V3"]), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (other.round_totals.enqueued, other.round_totals.applied),
        (1, 0),
        "{other:?}"
    );
    let waiting = other.status.maps.iter().find(|m| m.id == CONTACTS).unwrap();
    assert_eq!(waiting.queue.values().sum::<u64>(), 1, "{waiting:?}");

    let contacts = studio
        .run_sync(&async_run(&[CONTACTS]), &|_| {})
        .await
        .unwrap();
    assert_eq!(contacts.round_totals.applied, 1, "{contacts:?}");
    let pair = studio
        .record_pair(&RecordRequest {
            project_path: path_text(&path),
            map: CONTACTS.into(),
            side: Side::Fno,
            key: vec![contact, company],
        })
        .await
        .unwrap();
    assert!(pair.fno_row.is_some() && pair.dataverse_row.is_some());
    let email = pair.fields.iter().find(|f| f.fno == "EMAIL").unwrap();
    assert!(email.same, "{email:?}");
}

fn rows(value: serde_json::Value) -> Vec<TxnRow> {
    serde_json::from_value(value).unwrap()
}

fn group_and_customer(group: &str, account: &str, credit_limit: i64) -> Vec<TxnRow> {
    rows(json!([
        { "table": "CustCustomerGroupEntity", "op": "upsert", "values": {
            "CUSTOMERGROUPID": group, "DATAAREAID": "USMF", "DESCRIPTION": "Studio test",
            "PAYMENTTERMID": "Net30" } },
        { "table": "CustCustomerV3Entity", "op": "upsert", "values": {
            "CUSTOMERACCOUNT": account, "DATAAREAID": "USMF", "ORGANIZATIONNAME": "Studio Inc.",
            "CUSTOMERGROUPID": group, "SALESCURRENCYCODE": "USD", "CREDITLIMIT": credit_limit,
            "CREDITRATING": "Good", "ADDRESSCITY": "Seattle", "ADDRESSCOUNTRYREGIONID": "USA" } }
    ]))
}

#[tokio::test(flavor = "multi_thread")]
async fn live_test_transactions_return_their_trace_for_success_and_rollback() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = ws.studio();
    studio
        .run_sync(&initial_request(&path), &|_| {})
        .await
        .unwrap();
    let ok = studio
        .run_live(&LiveRequest {
            project_path: path_text(&path),
            from: Side::Fno,
            rows: group_and_customer("STUDIO", "US-STUDIO-1", 1000),
        })
        .await
        .unwrap();
    assert!(ok.committed, "{ok:?}");
    let steps: Vec<Step> = ok.trace.iter().map(|s| s.step).collect();
    assert_eq!(steps.last(), Some(&Step::SourceCommit), "{steps:?}");

    let failed = studio
        .run_live(&LiveRequest {
            project_path: path_text(&path),
            from: Side::Fno,
            // The demo's Dataverse rejects credit limits above 1,000,000 (a business rule, as
            // a plug-in would): the target aborts and the source rolls back.
            rows: group_and_customer("STUDIO2", "US-STUDIO-2", 5_000_000),
        })
        .await
        .unwrap();
    assert!(!failed.committed && !failed.refused, "{failed:?}");
    let steps: Vec<Step> = failed.trace.iter().map(|s| s.step).collect();
    assert_eq!(steps.last(), Some(&Step::SourceRollback), "{steps:?}");
    assert!(steps.contains(&Step::SourcePreCommit), "{steps:?}");
    assert!(steps.contains(&Step::TargetAbort), "{steps:?}");
    assert!(!steps.contains(&Step::SourceCommit), "{steps:?}");
    let reason = failed.reason.unwrap_or_default();
    assert!(reason.contains("needs approval"), "{reason}");

    let empty = studio
        .run_live(&LiveRequest {
            project_path: path_text(&path),
            from: Side::Fno,
            rows: Vec::new(),
        })
        .await
        .unwrap_err();
    assert_eq!(AppError::from(empty).code, "empty-transaction");
}

#[tokio::test(flavor = "multi_thread")]
async fn pausing_a_map_shows_in_the_status_and_resuming_clears_it() {
    let ws = Workspace::new();
    let path = ws.small_demo().await;
    let studio = ws.studio();
    let map = "contacts - Contact persons";
    let status = studio.set_map_paused(&path, map, true).await.unwrap();
    assert!(status.maps.iter().find(|m| m.id == map).unwrap().paused);
    let status = studio.set_map_paused(&path, map, false).await.unwrap();
    assert!(!status.maps.iter().find(|m| m.id == map).unwrap().paused);
    let error = studio
        .set_map_paused(&path, "ghost", true)
        .await
        .unwrap_err();
    assert_eq!(AppError::from(error).code, "unknown-map");
    assert!(studio.list_errors(&path, None).await.unwrap().is_empty());
    assert!(studio.list_conflicts(&path).await.unwrap().is_empty());
    let retried = studio.retry_errors(&path, Some(vec![42])).await.unwrap();
    assert_eq!(retried.unknown.len(), 1);
}

/// A small chart-like SVG: a white background, a red rectangle, a blue circle styled the way
/// the web view's standalone SVG inlines computed styles, and a black label.
const SMALL_SVG: &str = r##"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="80" viewBox="0 0 100 80">
  <rect x="0" y="0" width="100" height="80" fill="white"/>
  <rect x="10" y="10" width="30" height="20" fill="#ff0000"/>
  <circle cx="70" cy="30" r="10" style="fill:rgb(0, 0, 255);stroke:none"/>
  <text x="10" y="70" style="fill:rgb(0, 0, 0);font-family:system-ui, sans-serif;font-size:16px;font-weight:700">WMW</text>
</svg>"##;

fn decode(path: &Path) -> Pixmap {
    Pixmap::decode_png(&std::fs::read(path).unwrap()).unwrap()
}

fn rgba(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 4] {
    let c = pixmap.pixel(x, y).unwrap().demultiply();
    [c.red(), c.green(), c.blue(), c.alpha()]
}

#[test]
fn chart_exports_are_written_only_as_svg_or_png() {
    let ws = Workspace::new();
    let studio = ws.studio();
    let svg = ws.root.join("chart.svg");
    studio.export_chart(&svg, SMALL_SVG).unwrap();
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), SMALL_SVG);
    let project = ws.root.join("x.dwproj.json");
    let error = AppError::from(studio.export_chart(&project, SMALL_SVG).unwrap_err());
    assert_eq!(error.code, "export-kind");
    assert!(!project.exists());
}

#[test]
fn a_png_export_is_the_svg_drawn_at_twice_its_size_with_its_colours_and_text() {
    let ws = Workspace::new();
    let path = ws.root.join("chart.PNG");
    ws.studio().export_chart(&path, SMALL_SVG).unwrap();
    let png = decode(&path);
    assert_eq!((png.width(), png.height()), (200, 160));
    assert_eq!(rgba(&png, 4, 4), [255, 255, 255, 255], "background");
    assert_eq!(rgba(&png, 50, 40), [255, 0, 0, 255], "red rectangle");
    assert_eq!(rgba(&png, 140, 60), [0, 0, 255, 255], "blue circle");
    // The label (y 58..70 in the SVG) is drawn with a system font: dark pixels where it stands,
    // none in the empty strip above it.
    let dark = |ys: std::ops::Range<u32>| {
        ys.flat_map(|y| (0..200).map(move |x| (x, y)))
            .filter(|&(x, y)| rgba(&png, x, y)[..3].iter().all(|&c| c < 100))
            .count()
    };
    assert!(
        dark(112..142) > 200,
        "the label is drawn: {}",
        dark(112..142)
    );
    assert_eq!(dark(64..100), 0);
}

#[test]
fn a_huge_chart_is_exported_smaller_so_the_png_stays_bounded() {
    let ws = Workspace::new();
    let studio = ws.studio();
    let wide = ws.root.join("wide.png");
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="50"><rect width="100000" height="50" fill="green"/></svg>"#;
    studio.export_chart(&wide, svg).unwrap();
    let png = decode(&wide);
    assert_eq!((png.width(), png.height()), (16_000, 8));
    assert_eq!(rgba(&png, 8_000, 4), [0, 128, 0, 255]);

    let large = ws.root.join("large.png");
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="5000" height="5000"><rect width="5000" height="5000" fill="green"/></svg>"#;
    studio.export_chart(&large, svg).unwrap();
    let png = decode(&large);
    assert_eq!(
        (png.width(), png.height()),
        (4_000, 4_000),
        "16 M pixels at most"
    );
}

/// The standalone SVG the chart component exports (ui/src/chart/DependencyChart.test.ts, saved
/// with `DW_DUMP_CHART_SVG=tests/fixtures/chart-export-jsdom.svg npx vitest run
/// src/chart/DependencyChart.test.ts` from ui/): the real markup, markers and labels, though with
/// jsdom's computed styles (black fills, `font-family:depends on user agent`) rather than WebKit's.
#[test]
fn the_svg_the_chart_exports_is_drawn_as_png() {
    let ws = Workspace::new();
    let path = ws.root.join("chart.png");
    let svg = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chart-export-jsdom.svg"),
    )
    .unwrap();
    ws.studio().export_chart(&path, &svg).unwrap();
    let png = decode(&path);
    assert_eq!((png.width(), png.height()), (2 * 829, 2 * 154));
    assert_eq!(rgba(&png, 2, 2), [255, 255, 255, 255], "background margin");
    // The first group's box (x 12, y 12 of the drawing, offset by the 16 px margin) is filled.
    assert_eq!(rgba(&png, 2 * (16 + 40), 2 * (16 + 60))[3], 255);
    assert_ne!(
        rgba(&png, 2 * (16 + 40), 2 * (16 + 60)),
        [255, 255, 255, 255]
    );
}

#[test]
fn an_svg_that_does_not_parse_is_refused_and_leaves_no_file() {
    let ws = Workspace::new();
    let studio = ws.studio();
    let out = ws.root.join("out");
    std::fs::create_dir(&out).unwrap();
    let path = out.join("chart.png");
    for svg in [
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\" height=\"10\"/>",
        "not svg at all",
    ] {
        let error = AppError::from(studio.export_chart(&path, svg).expect_err(svg));
        assert_eq!(error.code, "export-svg", "{svg}: {error}");
        assert!(error.message.contains("chart.png"), "{error}");
        assert!(error.message.contains("not valid"), "{error}");
        assert!(!path.exists());
    }
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "no temporary file left"
    );
}

/// The keychain itself (stored, used for connecting, forgotten; refused without a keychain
/// service) is tested in tests/keychain.rs, against a private Secret Service.
#[test]
fn passwords_come_from_the_environment_first_and_bad_names_are_refused() {
    let studio = Workspace::new().studio();
    std::env::set_var("DW_STUDIO_TEST_PW", "env-s3cret");
    let status = studio.secret_status("DW_STUDIO_TEST_PW");
    assert_eq!(status.origin, SecretOrigin::EnvironmentVariable);
    assert!(status.message.contains("DW_STUDIO_TEST_PW"));
    assert!(!status.message.contains("env-s3cret"));

    for name in ["bad name", "", "PG-PASSWORD"] {
        let error = AppError::from(studio.store_secret(name, "s3cret").unwrap_err());
        assert_eq!(error.code, "secret");
        assert!(
            error.message.contains(&format!("\"{name}\"")),
            "{}",
            error.message
        );
        assert!(!error.message.contains("s3cret"));
        let error = AppError::from(studio.forget_secret(name).unwrap_err());
        assert!(
            error.message.contains(&format!("\"{name}\"")),
            "{}",
            error.message
        );
    }
}
