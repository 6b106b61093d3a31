//! Keeps the window's web view small on Linux, where WebKitGTK's defaults are those of a web
//! browser: caches sized for browsing many pages, and accelerated compositing whose GL buffers
//! (software GL where no GPU is available, as under Xvfb) the web process keeps while idle.
//!
//! The app shows one local page whose assets come from its own binary, so WebKit's
//! "document viewer" cache model (no page or resource caches) loses nothing, and its drawing
//! (a form-like UI and an SVG chart) does not need the GPU. Measured effect in BENCHMARKS.md
//! (idle memory). `DUALWRITE_STUDIO_GPU=1` keeps hardware acceleration on, for comparison or for
//! a machine where software drawing is too slow.
//!
//! These are WebKitGTK settings, reached through Tauri's `with_webview`; other platforms'
//! web views are left as they are.

/// Applies the memory-saving settings to a window's web view (Linux only; elsewhere a no-op).
pub fn economise<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let keep_gpu = std::env::var_os("DUALWRITE_STUDIO_GPU").is_some_and(|v| v == "1");
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
