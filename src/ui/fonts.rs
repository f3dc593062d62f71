//! The bundled Hangul font, installed as a fallback so Korean renders on a machine with no CJK
//! system font (and in the kittest harness, which would otherwise panic on the first 가).

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};

/// NanumGothic (SIL OFL 1.1, see `assets/NanumGothic-LICENSE.txt`).
pub const NANUM_GOTHIC: &[u8] = include_bytes!("../../assets/NanumGothic.ttf");

/// Adds NanumGothic after egui's own fonts for both families.
pub fn install(ctx: &egui::Context) {
    ctx.add_font(FontInsert::new(
        "NanumGothic",
        egui::FontData::from_static(NANUM_GOTHIC),
        vec![
            InsertFontFamily {
                family: egui::FontFamily::Proportional,
                priority: FontPriority::Lowest,
            },
            InsertFontFamily {
                family: egui::FontFamily::Monospace,
                priority: FontPriority::Lowest,
            },
        ],
    ));
}
