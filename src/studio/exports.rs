//! Writing an export of the chart (SVG or PNG) where the user chose in a save dialog.
//!
//! The web view builds a standalone SVG of the chart (styles inlined) and hands its text to this
//! use case with the path the dialog returned. `.svg` writes the text; `.png` renders it here with
//! resvg, so the PNG is tested Rust code and the web view needs no canvas nor `blob:` images.
//! Only `.svg` and `.png` files are written, atomically and only once rendering succeeded, so a
//! compromised or buggy front end cannot use the command to overwrite arbitrary files such as
//! project files, and a failed export leaves nothing behind.
//!
//! The PNG is drawn at scale 2 (sharp on high-density screens), reduced so that no side exceeds
//! [`MAX_SIDE`] pixels and the image stays under [`MAX_AREA`] pixels: the pixmap is held in memory
//! at 4 bytes a pixel (64 MB at the cap), a chart of thousands of maps would otherwise ask for
//! gigabytes, and common image viewers and browsers refuse images much larger than that.
//!
//! Text is drawn with the system fonts. fontdb maps the generic families to Windows names
//! (Arial, Times New Roman) that Linux machines rarely have, so the generic families are pointed
//! at the first installed font of a short list of usual ones; the font database is loaded once.
//! Images referring to files or URLs are not loaded: the chart has none, and an export must not
//! read other files.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use crate::project_file::write_atomically;

use super::error::StudioError;

/// Scale of the PNG against the SVG's own size.
pub const SCALE: f32 = 2.0;
/// Largest width or height of an exported PNG, in pixels.
pub const MAX_SIDE: f32 = 16_000.0;
/// Largest number of pixels of an exported PNG.
pub const MAX_AREA: f32 = 16_000_000.0;

/// Writes the chart `svg` to `path`: as is for `.svg`, rendered for `.png`.
pub fn export_chart(path: &Path, svg: &str) -> Result<(), StudioError> {
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let bytes = match extension.as_deref() {
        Some("svg") => svg.as_bytes().to_vec(),
        Some("png") => render_png(path, svg)?,
        _ => return Err(StudioError::ExportKind(path.to_path_buf())),
    };
    write_atomically(path, &bytes).map_err(|source| StudioError::File {
        what: "chart export",
        path: path.to_path_buf(),
        source,
    })?;
    tracing::info!(path = %path.display(), bytes = bytes.len(), "chart exported");
    Ok(())
}

/// The scale actually used for an SVG of `width` × `height`: [`SCALE`] within the caps.
pub fn png_scale(width: f32, height: f32) -> f32 {
    let (width, height) = (width.max(1.0), height.max(1.0));
    SCALE
        .min(MAX_SIDE / width)
        .min(MAX_SIDE / height)
        .min((MAX_AREA / (width * height)).sqrt())
}

fn render_png(path: &Path, svg: &str) -> Result<Vec<u8>, StudioError> {
    let mut options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    options.image_href_resolver.resolve_string = Box::new(|_, _| None);
    let tree = usvg::Tree::from_str(svg, &options).map_err(|source| StudioError::ExportSvg {
        path: path.to_path_buf(),
        source,
    })?;
    let size = tree.size();
    let scale = png_scale(size.width(), size.height());
    let (width, height) = (
        (size.width() * scale).ceil() as u32,
        (size.height() * scale).ceil() as u32,
    );
    let png_error = |reason: String| StudioError::ExportPng {
        path: path.to_path_buf(),
        reason,
    };
    let mut pixmap = Pixmap::new(width, height)
        .ok_or_else(|| png_error(format!("no image of {width} × {height} pixels can be made")))?;
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|error| png_error(error.to_string()))
}

/// The system fonts, loaded once, with the generic families set to installed fonts.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = fontdb::Database::new();
            db.load_system_fonts();
            let installed = |names: &[&str]| -> Option<String> {
                names
                    .iter()
                    .find(|name| {
                        db.faces()
                            .any(|face| face.families.iter().any(|(family, _)| family == *name))
                    })
                    .map(|name| name.to_string())
            };
            let sans = installed(&[
                "Arial",
                "Helvetica",
                "DejaVu Sans",
                "Liberation Sans",
                "Noto Sans",
            ]);
            let serif = installed(&[
                "Times New Roman",
                "DejaVu Serif",
                "Liberation Serif",
                "Noto Serif",
            ]);
            let mono = installed(&[
                "Courier New",
                "DejaVu Sans Mono",
                "Liberation Mono",
                "Noto Sans Mono",
            ]);
            tracing::debug!(
                faces = db.len(),
                ?sans,
                ?serif,
                ?mono,
                "fonts for chart exports loaded"
            );
            if let Some(family) = sans {
                db.set_sans_serif_family(family);
            }
            if let Some(family) = serif {
                db.set_serif_family(family);
            }
            if let Some(family) = mono {
                db.set_monospace_family(family);
            }
            Arc::new(db)
        })
        .clone()
}
