//! Keeps the window's web view small on Linux, where WebKitGTK's defaults are those of a web
//! browser: caches sized for browsing many pages, and accelerated compositing whose GL buffers
//! (software GL where no GPU is available, as under Xvfb) the web process keeps while idle.
//!
//! The app shows one local page whose assets come from its own binary, so WebKit's
//! "document viewer" cache model (no page or resource caches) loses nothing, and its drawing
//! (a form-like UI and an SVG chart) does not need the GPU: no hardware acceleration policy in
//! the web view, and no GL in GTK (`GDK_GL=disable`) or WebKit's compositor
//! (`WEBKIT_DISABLE_COMPOSITING_MODE=1`), which otherwise load a GL driver (Mesa's llvmpipe and
//! LLVM, 14 MB per process, where there is no GPU). Measured effect in BENCHMARKS.md (idle
//! memory). `DUALWRITE_STUDIO_GPU=1` keeps all of it on, for comparison or for a machine where
//! software drawing is too slow; variables the user set are never overridden.
//!
//! These are WebKitGTK settings (process environment read when GTK and the web view start, and
//! the web view's own settings through Tauri's `with_webview`); other platforms' web views are
//! left as they are.

/// Whether the user asked to keep GPU drawing.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn keep_gpu() -> bool {
    std::env::var_os("DUALWRITE_STUDIO_GPU").is_some_and(|v| v == "1")
}

/// Sets the GL switches in the process environment. Call first thing in `main`, before GTK
/// starts and before any other thread exists (the environment is not thread-safe to change).
pub fn prepare_process() {
    #[cfg(target_os = "linux")]
    if !keep_gpu() {
        for (name, value) in [
            ("GDK_GL", "disable"),
            ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ] {
            if std::env::var_os(name).is_none() {
                std::env::set_var(name, value);
            }
        }
    }
}

/// Applies the memory-saving settings to a window's web view (Linux only; elsewhere a no-op).
pub fn economise<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let keep_gpu = keep_gpu();
        let applied = window.with_webview(move |webview| linux::apply(&webview.inner(), keep_gpu));
        if let Err(error) = applied {
            tracing::warn!(%error, "could not reach the web view to reduce its memory use");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
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
