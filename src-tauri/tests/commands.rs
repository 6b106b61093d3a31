//! The IPC commands through Tauri's own invoke path (`tauri::test`, no display): the real
//! configuration and capabilities, the real core behind each command, and errors arriving as
//! `{ code, message }`.

use dualwrite::studio::Studio;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindowBuilder};

struct App {
    _home: tempfile::TempDir,
    _app: tauri::App<MockRuntime>,
    window: tauri::WebviewWindow<MockRuntime>,
}

fn app() -> App {
    let home = tempfile::tempdir().unwrap();
    let app = dualwrite_studio::builder(mock_builder())
        .build(tauri::generate_context!())
        .unwrap();
    app.manage(Studio::new(
        &home.path().join("config"),
        &home.path().join("data"),
    ));
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _home: home,
        _app: app,
        window,
    }
}

fn request(command: &str, url: &str, args: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    }
}

fn invoke(app: &App, command: &str, args: Value) -> Result<Value, Value> {
    let response = get_ipc_response(&app.window, request(command, "tauri://localhost", args))?;
    Ok(response.deserialize::<Value>().unwrap())
}

fn codes(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn new_then_analyze_returns_the_core_findings() {
    let app = app();
    let opened = invoke(
        &app,
        "new_project",
        json!({ "template": "standard", "name": "Std" }),
    )
    .unwrap();
    assert_eq!(opened["path"], Value::Null);
    assert_eq!(opened["project"]["tableMaps"].as_array().unwrap().len(), 93);
    assert!(codes(&opened["analysis"]["findings"]).contains(&"DW004".to_string()));

    // The front end sends an edited project back: a live and an async map in one group.
    let mut project = opened["project"].clone();
    project["tableMaps"][0]["syncMode"] = json!("live");
    project["tableMaps"][1]["syncMode"] = json!("async");
    project["groups"] = json!([{ "id": "g", "name": "G", "members": [
        { "map": project["tableMaps"][0]["id"], "sequence": 10 },
        { "map": project["tableMaps"][1]["id"], "sequence": 20 }
    ] }]);
    let analysis = invoke(&app, "analyze", json!({ "project": project })).unwrap();
    let mixed =
        analysis["findings"].as_array().unwrap().iter().any(|f| {
            f["code"] == "DW001" && f["subjects"].as_array().unwrap().contains(&json!("g"))
        });
    assert!(mixed, "{analysis}");
}

#[test]
fn errors_cross_the_boundary_as_code_and_message() {
    let app = app();
    let error = invoke(
        &app,
        "open_project",
        json!({ "path": "/nowhere/x.dwproj.json" }),
    )
    .unwrap_err();
    assert_eq!(error["code"], "project-file", "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("/nowhere/x.dwproj.json"),
        "{error}"
    );

    let error = invoke(
        &app,
        "export_chart",
        json!({ "path": "/tmp/x.dwproj.json", "svg": "<svg/>" }),
    )
    .unwrap_err();
    assert_eq!(error["code"], "export-kind", "{error}");
}

#[test]
fn a_malformed_argument_is_refused_before_the_core_runs() {
    let app = app();
    let error = invoke(
        &app,
        "new_project",
        json!({ "template": "galaxy", "name": "x" }),
    )
    .unwrap_err();
    assert!(error.to_string().contains("galaxy"), "{error}");
}

#[test]
fn the_first_start_opens_the_demo_through_the_start_command() {
    let app = app();
    let started = invoke(&app, "start", json!({})).unwrap();
    assert_eq!(started["demoCreated"], true);
    assert_eq!(started["opened"]["project"]["name"], "Contoso demo");
    let recent = invoke(&app, "recent_projects", json!({})).unwrap();
    assert_eq!(recent.as_array().unwrap().len(), 1);
}

#[test]
fn commands_are_refused_to_a_remote_origin() {
    let app = app();
    let response = get_ipc_response(
        &app.window,
        request("recent_projects", "https://example.com", json!({})),
    );
    let error = response.unwrap_err();
    assert!(error.to_string().contains("not allowed"), "{error}");
}

#[test]
fn the_window_may_close_itself_but_not_move_or_resize() {
    let app = app();
    let refused = invoke(
        &app,
        "plugin:window|set_position",
        json!({ "label": "main", "value": { "Physical": { "x": 0, "y": 0 } } }),
    )
    .unwrap_err();
    assert!(refused.to_string().contains("not allowed"), "{refused}");
    // The front end destroys the window itself once unsaved changes are answered for.
    let closed = invoke(&app, "plugin:window|destroy", json!({ "label": "main" }));
    assert!(closed.is_ok(), "{closed:?}");
}

#[test]
fn the_demo_live_examples_come_from_the_core() {
    let app = app();
    let started = invoke(&app, "start", json!({})).unwrap();
    let project = &started["opened"]["project"];
    let path = started["opened"]["path"].clone();

    let examples = invoke(
        &app,
        "live_examples",
        json!({ "project": project, "from": "fno" }),
    )
    .unwrap();
    let failing: Vec<&Value> = examples
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["failing"])
        .collect();
    assert_eq!(failing, [&json!(false), &json!(true)], "{examples}");

    let rows = invoke(
        &app,
        "load_live_example",
        json!({ "request": { "projectPath": path, "from": "fno", "failing": true } }),
    )
    .unwrap();
    assert_eq!(rows[0]["table"], "SalesOrderHeaderV2Entity", "{rows}");
    assert_eq!(rows[0]["values"]["SALESORDERSTATUS"], "OnHold", "{rows}");

    // Nothing synced yet: the Dataverse example cannot find the demo customer there.
    let error = invoke(
        &app,
        "load_live_example",
        json!({ "request": { "projectPath": path, "from": "dataverse", "failing": false } }),
    )
    .unwrap_err();
    assert_eq!(error["code"], "live-example-unavailable", "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("initial sync"),
        "{error}"
    );

    let mut other = project.clone();
    other["tableMaps"] = json!([]);
    let none = invoke(
        &app,
        "live_examples",
        json!({ "project": other, "from": "dataverse" }),
    )
    .unwrap();
    assert_eq!(none, json!([]));
}
