//! The Tauri shell of Dual-write Studio.
//!
//! Thin on purpose: [`commands`] forwards each IPC command to [`dualwrite::studio::Studio`],
//! where the use cases live and are tested without a window. This file only builds the app:
//! plugins, the managed `Studio` state with the app's directories, and the command list.

pub mod commands;
mod webview_memory;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use dualwrite::studio::Studio;
use tauri::Manager;

/// `$DUALWRITE_STUDIO_HOME`, when set: everything the app keeps lives under it (isolated
/// end-to-end and benchmark runs, portable use).
fn studio_home() -> Option<PathBuf> {
    std::env::var_os("DUALWRITE_STUDIO_HOME").map(PathBuf::from)
}

/// Where the app keeps its files: the platform's config and data directories, or
/// `$DUALWRITE_STUDIO_HOME/{config,data}` when set.
fn app_dirs(app: &tauri::App) -> tauri::Result<(PathBuf, PathBuf)> {
    if let Some(home) = studio_home() {
        return Ok((home.join("config"), home.join("data")));
    }
    Ok((app.path().app_config_dir()?, app.path().app_data_dir()?))
}

/// Opens the main window from its configuration (`create: false` in tauri.conf.json). Built
/// here rather than by Tauri so that, under `$DUALWRITE_STUDIO_HOME`, the web view's own data
/// (localStorage: the theme, the chart layout kept across restarts) lives there too instead of
/// in the user's data directory, where isolated runs would share it with the real app.
fn open_main_window(app: &tauri::App) -> tauri::Result<tauri::WebviewWindow> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .unwrap_or_default();
    let mut window = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?;
    if let Some(home) = studio_home() {
        window = window.data_directory(home.join("webview"));
    }
    window.build()
}

/// Registers the plugins, state and commands on a builder (shared with the tests).
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(commands::handler())
}

/// When the process started, for the start-up time logged when the window first asks for its
/// project (`scripts/bench-app` reads it).
static LAUNCHED: OnceLock<Instant> = OnceLock::new();

/// Milliseconds since the app started.
pub fn since_launch_ms() -> u128 {
    LAUNCHED.get_or_init(Instant::now).elapsed().as_millis()
}

/// Starts the app.
pub fn run() {
    LAUNCHED.get_or_init(Instant::now);
    webview_memory::prepare_process();
    let _ = tracing_subscriber::fmt()
        .with_ansi(std::io::stdout().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DUALWRITE_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .try_init();
    let result = builder(tauri::Builder::default())
        .setup(|app| {
            let (config, data) = app_dirs(app)?;
            tracing::info!(config = %config.display(), data = %data.display(), "app directories");
            app.manage(Studio::new(&config, &data));
            let window = open_main_window(app)?;
            webview_memory::economise(&window);
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = result {
        tracing::error!(%error, "the app stopped with an error");
        std::process::exit(1);
    }
}
