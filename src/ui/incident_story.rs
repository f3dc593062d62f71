//! The incident's story under its plan: the reports (AI and fixed-rule) with Copy and
//! Export, related knowledge, and the timeline with its key times, notes and stars.

use egui::RichText;

use super::i18n::t;
use crate::engine::{Command, Snapshot};
use crate::model::{
    AnalysisReport, EventId, Incident, IncidentEvent, IncidentEventKind, KeyTimes, Lang,
    ReportSource,
};
use crate::text::timeline;

/// The note being written on an incident's timeline, or the earlier note being edited.
#[derive(Default)]
pub(crate) struct NoteDraft {
    /// What the responder typed so far.
    pub text: String,
    /// The incident and note an edit is for; `None` adds a new note.
    pub editing: Option<(u64, EventId)>,
}

/// What the story asks of the window besides commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum StoryAsk {
    /// Ask where to export the analysis report.
    ExportReport,
    /// Ask where to write the post-incident review.
    WriteReview,
}

/// The reports (AI and fixed-rule), related knowledge, and the timeline; returns what the
/// responder asked the window for.
pub(super) fn story_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    snap: &Snapshot,
    show_fixed_report: &mut bool,
    note: &mut NoteDraft,
    send: &dyn Fn(Command),
) -> Option<StoryAsk> {
    let lang = snap.lang();
    ui.add_space(6.0);
    let llm_on = snap.settings.llm.enabled;
    let fixed = super::ai_report::ai_report_ui(ui, inc, lang, show_fixed_report, llm_on, send);
    let mut ask = (fixed && report_ui(ui, &inc.report, lang)).then_some(StoryAsk::ExportReport);
    super::ai_report::related_ui(ui, inc, &snap.incidents, lang);

    ui.add_space(6.0);
    let shown: Vec<&IncidentEvent> = inc
        .timeline
        .iter()
        .filter(|e| {
            !matches!(
                e.kind,
                IncidentEventKind::Starred | IncidentEventKind::NoteEdited
            )
        })
        .collect();
    egui::CollapsingHeader::new(format!(
        "{} ({})",
        t(lang, "Timeline", "타임라인"),
        shown.len()
    ))
    .id_salt(("timeline", inc.id))
    .default_open(true)
    .show(ui, |ui| {
        ui.horizontal(|ui| {
            key_times_ui(ui, &KeyTimes::of(inc), lang);
            let hover = t(
                lang,
                "Summary, key times, graphs, timeline, plan and notifications, as HTML or Markdown",
                "요약, 주요 시각, 그래프, 타임라인, 플랜, 알림 (HTML 또는 Markdown)",
            );
            if ui
                .button(t(lang, "Write review…", "사후 검토 작성…"))
                .on_hover_text(hover)
                .clicked()
            {
                ask = Some(StoryAsk::WriteReview);
            }
        });
        note_ui(ui, inc.id, note, lang, send);
        timeline_rows_ui(ui, inc, &shown, note, lang, send);
    });
    ask
}

/// Time to detect, acknowledge, mitigate, recover and close, in one line.
fn key_times_ui(ui: &mut egui::Ui, k: &KeyTimes, lang: Lang) {
    let d = |x: Option<chrono::Duration>| {
        x.map_or_else(|| "—".to_string(), crate::text::format_duration)
    };
    ui.horizontal_wrapped(|ui| {
        for (name, value) in [
            (t(lang, "detect", "감지"), d(Some(k.to_detect()))),
            (t(lang, "acknowledge", "확인"), d(k.to_acknowledge())),
            (t(lang, "mitigate", "완화"), d(k.to_mitigate())),
            (t(lang, "recover", "복구"), d(k.to_recover())),
            (t(lang, "close", "종료"), d(k.to_close())),
        ] {
            ui.label(RichText::new(format!("{name} {value}")).monospace());
            ui.separator();
        }
    });
}

/// The note box: Enter (or the button) adds the note, or saves the edit being made.
fn note_ui(
    ui: &mut egui::Ui,
    incident: u64,
    note: &mut NoteDraft,
    lang: Lang,
    send: &dyn Fn(Command),
) {
    // An edit begun on another incident does not follow the responder here.
    let edits = note.editing.filter(|(i, _)| *i == incident).map(|(_, e)| e);
    ui.horizontal(|ui| {
        let hint = match edits {
            Some(_) => t(lang, "Edit the note, then Enter", "메모를 고친 뒤 Enter"),
            None => t(lang, "Add a note, then Enter", "메모 입력 후 Enter"),
        };
        let label = ui.label(t(lang, "Note", "메모"));
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut note.text)
                    .hint_text(hint)
                    .desired_width(ui.available_width() - 150.0),
            )
            .labelled_by(label.id);
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let label = match edits {
            Some(_) => t(lang, "Save edit", "수정 저장"),
            None => t(lang, "Add note", "메모 추가"),
        };
        let clicked = ui
            .add_enabled(!note.text.trim().is_empty(), egui::Button::new(label))
            .clicked();
        if (entered || clicked) && !note.text.trim().is_empty() {
            send(Command::Note {
                incident,
                text: std::mem::take(&mut note.text),
                edits,
            });
            note.editing = None;
        }
        if edits.is_some() && ui.button(t(lang, "Cancel", "취소")).clicked() {
            *note = NoteDraft::default();
        }
    });
}

/// The timeline, newest last, as many rows as fit; each with its star, time, kind, author and
/// words (a note in its latest text, with Edit).
fn timeline_rows_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    shown: &[&IncidentEvent],
    note: &mut NoteDraft,
    lang: Lang,
    send: &dyn Fn(Command),
) {
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    egui::ScrollArea::vertical()
        .id_salt(("timeline rows", inc.id))
        .max_height(320.0)
        .stick_to_bottom(true)
        .show_rows(ui, row_height, shown.len(), |ui, rows| {
            for ev in &shown[rows] {
                ui.horizontal(|ui| {
                    let starred = inc.is_starred(ev.id);
                    let (star, hover) = if starred {
                        ("★", t(lang, "Unstar", "별표 해제"))
                    } else {
                        ("☆", t(lang, "Star: leads the review", "별표: 리뷰 맨 앞에"))
                    };
                    if ui.small_button(star).on_hover_text(hover).clicked() {
                        send(Command::Star {
                            incident: inc.id,
                            event: ev.id,
                            starred: !starred,
                        });
                    }
                    let words = match (&ev.event, inc.note_text(ev.id)) {
                        (_, Some(text)) => text.to_string(),
                        // v0.1's entries are English sentences; later ones are events, in `lang`.
                        (None, None) => ev.detail.clone(),
                        (Some(e), None) => crate::text::feed::message(e, lang),
                    };
                    // Every row keeps the Edit button's room, so the columns line up.
                    let is_note = ev.kind == IncidentEventKind::Note;
                    let edit = egui::Button::new(t(lang, "Edit", "수정")).small();
                    if ui.add_visible(is_note, edit).clicked() {
                        note.text = words.clone();
                        note.editing = Some((inc.id, ev.id));
                    }
                    let line = format!(
                        "{}  {}  {}  {words}",
                        ev.at.format("%H:%M:%S"),
                        timeline::kind(&ev.kind, lang),
                        timeline::author(&ev.author, lang),
                    );
                    ui.add(egui::Label::new(line).truncate());
                });
            }
        });
}

/// Asks for a file name on a thread of its own (the dialog blocks), then lets the engine write.
pub(crate) fn export_report(tx: tokio::sync::mpsc::Sender<Command>, incident: u64) {
    std::thread::spawn(move || {
        let picked = rfd::FileDialog::new()
            .set_title("Export analysis report")
            .set_file_name(format!("incident-{incident}-report.md"))
            .add_filter("Markdown", &["md"])
            .save_file();
        let cmd = match picked {
            Some(path) => Command::ExportReport { incident, path },
            None => Command::ExportCancelled,
        };
        let _ = tx.blocking_send(cmd);
    });
}

/// Asks where to write the review (HTML by default, `.md` for Markdown), then lets the
/// engine write it.
pub(crate) fn write_review(tx: tokio::sync::mpsc::Sender<Command>, incident: u64) {
    std::thread::spawn(move || {
        let picked = rfd::FileDialog::new()
            .set_title("Write post-incident review")
            .set_file_name(format!("incident-{incident}-review.html"))
            .add_filter("HTML", &["html"])
            .add_filter("Markdown", &["md"])
            .save_file();
        let cmd = match picked {
            Some(path) => Command::ExportReview { incident, path },
            None => Command::ExportCancelled,
        };
        let _ = tx.blocking_send(cmd);
    });
}

/// Draws the report; returns true when the user asked to export it.
fn report_ui(ui: &mut egui::Ui, report: &AnalysisReport, lang: Lang) -> bool {
    let mut export = false;
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(t(lang, "Analysis report (Korean)", "분석 보고서"))
                .strong()
                .size(15.0),
        );
        let source = match &report.source {
            ReportSource::Deterministic => t(
                lang,
                "written by fixed rules, no AI",
                "규칙 기반 작성 (AI 미사용)",
            )
            .to_string(),
            ReportSource::Llm(model) => format!("LLM: {model}"),
        };
        ui.label(RichText::new(source).weak().small());
        if ui.button(t(lang, "Copy report", "보고서 복사")).clicked() {
            ui.ctx().copy_text(report.to_markdown());
        }
        export = ui
            .button(t(lang, "Export report…", "보고서 내보내기…"))
            .clicked();
    });
    let h = AnalysisReport::HEADINGS;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        section_ui(ui, h[0], std::slice::from_ref(&report.summary), false);
        section_ui(ui, h[1], std::slice::from_ref(&report.root_cause), false);
        section_ui(ui, h[2], std::slice::from_ref(&report.impact), false);
        section_ui(ui, h[3], &report.action_plan, true);
        section_ui(ui, h[4], &report.follow_up, true);
    });
    export
}

fn section_ui(ui: &mut egui::Ui, heading: &str, lines: &[String], numbered: bool) {
    ui.label(RichText::new(heading).strong());
    for (i, line) in lines.iter().enumerate() {
        let text = if numbered {
            format!("{}. {line}", i + 1)
        } else {
            line.clone()
        };
        ui.add(egui::Label::new(text).wrap());
    }
    ui.add_space(3.0);
}
