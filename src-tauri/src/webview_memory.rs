//! Keeps the window's web view small on Linux, where WebKitGTK's defaults are those of a web
//! browser: caches sized for browsing many pages, and accelerated compositing whose GL buffers
//! (software GL where no GPU is available, as under Xvfb) the web process keeps while idle.
//!
//! The app shows one local page whose assets come from its own binary, so WebKit's
//! "document viewer" cache model (no page or resource caches) loses nothing, and its drawing
//! (a form-like UI and an SVG chart) does not need the GPU: no hardware acceleration policy in
//! the web view, and no GL in GTK (`GDK_GL=disable`) or WebKit's compositor
//! (`WEBKIT_DISABLE_COMPOSITING_MODE=1`). With no compositing there is nothing for WebKit's
//! DMA-BUF renderer to share between the processes either, and `WEBKIT_DISABLE_DMABUF_RENDERER=1`
//! keeps the UI process from setting it up (4-5 MB less in the app process, 4 MB in WebKit's
//! MiniBrowser; the variable many Tauri apps already set to work around GPU driver bugs).
//! WebKitGTK 2.50 still opens an EGL display in the app and the web process whatever these say
//! (Mesa's driver and LLVM, 20-24 MB per process under Xvfb); no setting of WebKit's avoids it.
//!
//! The app process returns its start-up garbage to the system: 10 s after setup, when the
//! window has loaded and been served its project, `malloc_trim(0)` gives back the free pages
//! glibc's allocator keeps in its heaps (3-4 MB less in the app process). It runs once, on its
//! own short-lived thread, on a timer because the start-up work (page load, project load, the
//! front end's first commands, spread over the tokio runtime's threads) has no single end.
//!
//! Measured and left out (idle PSS of the whole app unchanged within 1 MB, median of three runs
//! each): `MALLOC_ARENA_MAX=2`, `MALLOC_TRIM_THRESHOLD_`, JavaScriptCore heap sizing
//! (`JSC_largeHeapSize`) and GC threads (`JSC_numberOfGCMarkers=1`), memory pressure settings
//! for the network process (`webkit_website_data_manager_set_memory_pressure_settings`); those
//! of the web process can only be given when the web context is built, which wry does. Turning
//! JavaScriptCore's JIT off saves 9 MB in the web process and its top tier (`JSC_useFTLJIT=false`)
//! 1-2 MB, but the chart's layout (elkjs) runs in JavaScript and needs them.
//!
//! Measured effect in BENCHMARKS.md (idle memory). `DUALWRITE_STUDIO_GPU=1` keeps all the
//! drawing settings as WebKit has them, for comparison or for a machine where software drawing
//! is too slow; variables the user set are never overridden.
//!
//! These are WebKitGTK settings (process environment read when GTK and the web view start, and
//! the web view's own settings through Tauri's `with_webview`) and glibc's allocator; other
//! platforms are left as they are.

/// How long after setup the app process trims its allocator: the window's start-up (page
/// load, first commands, the demo project on a first start) is over by then.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether the user asked to keep GPU drawing.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn keep_gpu() -> bool {
    std::env::var_os("DUALWRITE_STUDIO_GPU").is_some_and(|v| v == "1")
}

/// Sets the GL and DMA-BUF switches in the process environment. Call first thing in `main`,
/// before GTK starts and before any other thread exists (the environment is not thread-safe to
/// change).
pub fn prepare_process() {
    #[cfg(target_os = "linux")]
    if !keep_gpu() {
        for (name, value) in [
            ("GDK_GL", "disable"),
            ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
            ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ] {
            if std::env::var_os(name).is_none() {
                std::env::set_var(name, value);
            }
        }
    }
}

/// Applies the memory-saving settings to a window's web view and schedules the app heap's
/// trim after start-up (Linux only; elsewhere a no-op).
pub fn economise<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let keep_gpu = keep_gpu();
        let applied = window.with_webview(move |webview| linux::apply(&webview.inner(), keep_gpu));
        if let Err(error) = applied {
            tracing::warn!(%error, "could not reach the web view to reduce its memory use");
        }
        #[cfg(target_env = "gnu")]
        trim_after_start_up();
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// Gives the app process's free heap pages back to the system once start-up is over (glibc
/// only: other C libraries' allocators have no `malloc_trim`).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_after_start_up() {
    let spawned = std::thread::Builder::new()
        .name("trim-after-start-up".into())
        .spawn(|| {
            std::thread::sleep(TRIM_AFTER);
            // SAFETY: malloc_trim only returns free memory of glibc's allocator to the system;
            // it takes the allocator's own locks and touches no memory in use.
            let released = unsafe { libc::malloc_trim(0) } == 1;
            tracing::debug!(released, "app heap trimmed after start-up");
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not start the thread that trims the heap after start-up");
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };

    pub fn apply(view: &webkit2gtk::WebView, keep_gpu: bool) {
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if !keep_gpu {
            if let Some(settings) = WebViewExt::settings(view) {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        }
        tracing::debug!(keep_gpu, "web view set to the document-viewer cache model");
    }
}
