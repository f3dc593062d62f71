//! The event feed: newest first, filtered by text, virtualized (only visible rows are built).

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::{EngineHandle, Snapshot};
use crate::model::Lang;
use crate::text::feed::message;

/// Filter text and the cached list of matching rows.
#[derive(Default)]
pub(crate) struct FeedView {
    /// What the user typed.
    pub filter: String,
    /// (feed_total, filter, language) the matches were computed for.
    key: Option<(u64, String, Lang)>,
    /// Indices into the feed of matching entries, newest first.
    matches: Vec<usize>,
}

impl FeedView {
    fn refresh(&mut self, engine: &EngineHandle, snap: &Snapshot) {
        let needle = self.filter.trim().to_lowercase();
        if needle.is_empty() {
            self.key = None;
            self.matches.clear();
            return;
        }
        let lang = snap.lang();
        let key = (snap.feed_total, needle.clone(), lang);
        if self.key.as_ref() == Some(&key) {
            return;
        }
        self.matches = engine.with_feed(|feed| {
            feed.iter()
                .enumerate()
                .rev()
                .filter(|(_, e)| {
                    // What the reader sees is what the filter matches: the words in their language.
                    message(&e.event, lang).to_lowercase().contains(&needle)
                        || e.kind.tag().to_lowercase().contains(&needle)
                })
                .map(|(i, _)| i)
                .collect()
        });
        self.key = Some(key);
    }
}

/// The feed panel.
pub(crate) fn feed_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    engine: &EngineHandle,
    view: &mut FeedView,
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading(t(lang, "Event feed", "이벤트 피드"));
        let label = ui.label(t(lang, "Filter", "필터"));
        ui.add(
            egui::TextEdit::singleline(&mut view.filter)
                .hint_text(t(
                    lang,
                    "text, e.g. REFIRE or edge-node-02",
                    "예: REFIRE, edge-node-02",
                ))
                .desired_width(260.0),
        )
        .labelled_by(label.id);
        view.refresh(engine, snap);
        let shown = if view.filter.trim().is_empty() {
            snap.feed_len
        } else {
            view.matches.len()
        };
        ui.label(
            RichText::new(format!(
                "{shown} / {} {}",
                snap.feed_len,
                t(lang, "entries", "건")
            ))
            .weak(),
        );
    });
    ui.separator();
    let filtered = !view.filter.trim().is_empty();
    let total = if filtered {
        view.matches.len()
    } else {
        snap.feed_len
    };
    let row_height = ui.text_style_height(&egui::TextStyle::Body);
    egui::ScrollArea::vertical()
        .id_salt("feed-scroll")
        .auto_shrink([false, false])
        .show_rows(ui, row_height, total, |ui, rows| {
            // Copy just the visible rows under the lock, then draw without it.
            let entries: Vec<_> = engine.with_feed(|feed| {
                let len = feed.len();
                rows.filter_map(|r| {
                    let idx = if filtered {
                        *view.matches.get(r)?
                    } else {
                        len.checked_sub(r + 1)?
                    };
                    feed.get(idx).cloned()
                })
                .collect()
            });
            for e in entries {
                ui.horizontal(|ui| {
                    ui.label(
                        RichText::new(e.at.format("%m-%d %H:%M:%S").to_string())
                            .monospace()
                            .weak(),
                    );
                    let mut tag = RichText::new(format!("{:<9}", e.kind.tag())).monospace();
                    if let Some(c) = style::feed_color(e.kind, dark) {
                        tag = tag.color(c);
                    }
                    ui.label(tag);
                    ui.add(egui::Label::new(message(&e.event, lang)).truncate());
                });
            }
        });
}
