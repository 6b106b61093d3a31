//! Declares the app's own commands so that each one sits behind a permission
//! (`allow-<command>`), granted to the main window in `capabilities/main.json`.

const COMMANDS: &[&str] = &[
    "start",
    "open_project",
    "new_project",
    "import_helper_config",
    "save_project",
    "analyze",
    "recent_projects",
    "test_environment",
    "secret_status",
    "store_secret",
    "forget_secret",
    "run_sync",
    "stop_run",
    "project_status",
    "list_errors",
    "retry_errors",
    "list_conflicts",
    "set_map_paused",
    "record_pair",
    "run_live",
    "live_examples",
    "load_live_example",
    "export_chart",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to read the Tauri configuration or the app's permissions");
}
