//! The font plots are drawn with. Machines without fonts (containers, CI)
//! still get legible PNGs: DejaVu Sans is bundled in `assets/fonts/` (with
//! its licence) and registered with plotters' ab_glyph backend as
//! `sans-serif`. A font given with `--font` (for example a CJK font, so that
//! plots can use Chinese names) replaces it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Error, Result};

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`).
pub static BUNDLED_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name plots ask for.
pub const FAMILY: &str = "sans-serif";

/// What is registered as `sans-serif`.
#[derive(Clone, PartialEq)]
enum Registered {
    Nothing,
    Bundled,
    File { path: PathBuf, chinese: bool },
}

static REGISTERED: Mutex<Registered> = Mutex::new(Registered::Nothing);

/// Register the bundled font, or the font file at `path`, as `sans-serif`.
/// Returns whether the registered font covers Chinese, so that plots may use
/// Chinese names. Repeating a registration does nothing; a font file is read
/// once and kept for the life of the process.
pub fn register(path: Option<&Path>) -> Result<bool> {
    let mut current = REGISTERED.lock().unwrap_or_else(|e| e.into_inner());
    match (&*current, path) {
        (Registered::Bundled, None) => return Ok(false),
        (Registered::File { path: p, chinese }, Some(q)) if p == q => return Ok(*chinese),
        _ => {}
    }
    let (bytes, next): (&'static [u8], Registered) = match path {
        None => (BUNDLED_FONT, Registered::Bundled),
        Some(p) => {
            let data = std::fs::read(p).map_err(|source| Error::Io {
                path: p.to_path_buf(),
                source,
            })?;
            let data: &'static [u8] = Box::leak(data.into_boxed_slice());
            let chinese = covers_chinese(data);
            (
                data,
                Registered::File {
                    path: p.to_path_buf(),
                    chinese,
                },
            )
        }
    };
    plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, bytes).map_err(
        |_| Error::Io {
            path: path.map_or_else(|| "DejaVuSans.ttf".into(), Path::to_path_buf),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "not a TrueType or OpenType font",
            ),
        },
    )?;
    let chinese = matches!(next, Registered::File { chinese: true, .. });
    *current = next;
    Ok(chinese)
}

/// Whether a font has glyphs for common Chinese characters (园区, "park").
fn covers_chinese(bytes: &[u8]) -> bool {
    use ab_glyph::Font;
    match ab_glyph::FontRef::try_from_slice(bytes) {
        Ok(font) => ['园', '区', '化'].iter().all(|&c| font.glyph_id(c).0 != 0),
        Err(_) => false,
    }
}

/// The width in pixels of `text` set at `size` pixels in the bundled font
/// (the first family the Sankey names), each character it has no glyph
/// for (Chinese) taken as a full em.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    use ab_glyph::{Font, FontRef};
    let Ok(font) = FontRef::try_from_slice(BUNDLED_FONT) else {
        return text.chars().count() as f64 * size;
    };
    let em = f64::from(font.units_per_em().unwrap_or(2048.0));
    text.chars()
        .map(|c| match font.glyph_id(c) {
            id if id.0 == 0 => size,
            id => f64::from(font.h_advance_unscaled(id)) / em * size,
        })
        .sum()
}
