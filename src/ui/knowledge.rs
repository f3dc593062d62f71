//! The knowledge base in the side panel: a search box over documents and closed incidents, and
//! Import documents… (a file dialog on a thread of its own; the engine imports).

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::analyst::KbSearch;
use crate::engine::{Command, Snapshot};

/// What the search box holds between frames.
#[derive(Default)]
pub(crate) struct KnowledgeView {
    query: String,
}

/// Draws the section.
pub(crate) fn knowledge_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    view: &mut KnowledgeView,
    commands: Option<tokio::sync::mpsc::Sender<Command>>,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.add_space(8.0);
    ui.heading(t(lang, "Knowledge base", "지식 베이스"));
    let mut go = false;
    ui.horizontal(|ui| {
        let label = ui.label(t(lang, "Search knowledge", "지식 검색"));
        let edit = ui
            .add(
                egui::TextEdit::singleline(&mut view.query)
                    .hint_text(t(lang, "e.g. 결제 롤백", "예: 결제 롤백"))
                    .desired_width(150.0),
            )
            .labelled_by(label.id);
        go = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    });
    ui.horizontal(|ui| {
        go |= ui.button(t(lang, "Search", "검색")).clicked();
        if ui
            .button(t(lang, "Import documents…", "문서 가져오기…"))
            .clicked()
            && let Some(tx) = commands
        {
            std::thread::spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Import documents")
                    .add_filter("Documents", &["md", "txt", "json"])
                    .pick_files();
                // None: cancelled, or no file dialog on this desktop (no XDG portal).
                let _ = tx.blocking_send(Command::ImportKnowledge {
                    paths: picked.unwrap_or_default(),
                });
            });
        }
    });
    if go && !view.query.trim().is_empty() {
        send(Command::SearchKnowledge {
            query: view.query.trim().to_string(),
        });
    }
    match &snap.kb_search {
        None => {}
        Some(KbSearch {
            query,
            hits: Err(e),
        }) => {
            ui.label(RichText::new(format!("{query}: {e}")).color(style::breach(dark)));
        }
        Some(KbSearch {
            query,
            hits: Ok(hits),
        }) if hits.is_empty() => {
            ui.label(
                RichText::new(format!(
                    "{} \"{query}\"",
                    t(lang, "Nothing matches", "일치하는 문서 없음:")
                ))
                .weak(),
            );
        }
        Some(KbSearch { hits: Ok(hits), .. }) => {
            for h in hits {
                ui.horizontal_wrapped(|ui| {
                    let kind = match h.kind.as_str() {
                        "incident" => t(lang, "incident", "인시던트"),
                        _ => t(lang, "document", "문서"),
                    };
                    ui.label(RichText::new(kind).weak().small());
                    ui.label(RichText::new(&h.title).strong());
                });
                let snippet: String = h.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                ui.label(RichText::new(snippet).weak().small());
            }
        }
    }
}
