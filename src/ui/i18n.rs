//! Korean and English UI strings. Each call site carries both texts, so a string can never be
//! missing in one language.

use crate::model::Lang;

/// Picks the text for `lang`.
pub fn t(lang: Lang, en: &'static str, ko: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}
