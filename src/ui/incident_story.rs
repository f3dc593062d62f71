//! The incident's story under its plan: the reports (AI and fixed-rule) with Copy and
//! Export, related knowledge, and the timeline.

use egui::RichText;

use super::i18n::t;
use crate::engine::{Command, Snapshot};
use crate::model::{AnalysisReport, Incident, IncidentEventKind, Lang, ReportSource};

/// A timeline event in words.
fn event_text(kind: &IncidentEventKind, lang: Lang) -> &'static str {
    match kind {
        IncidentEventKind::Opened => t(lang, "opened", "열림"),
        IncidentEventKind::Refired => t(lang, "re-fired", "재발생"),
        IncidentEventKind::PlanExecuted => t(lang, "plan executed", "플랜 실행"),
        IncidentEventKind::PlanDeferred => t(lang, "plan deferred", "플랜 연기"),
        IncidentEventKind::ActionRan => t(lang, "action ran", "조치 실행"),
        IncidentEventKind::PlanStopped => t(lang, "plan stopped", "플랜 중단"),
        IncidentEventKind::Recovered => t(lang, "recovered", "복구됨"),
        IncidentEventKind::Closed => t(lang, "closed", "종료"),
        IncidentEventKind::Flapping => t(lang, "flapping", "플래핑"),
        IncidentEventKind::SeriesCleared => t(lang, "series clear", "시리즈 해소"),
        IncidentEventKind::AlertAttached => t(lang, "alert attached", "알림 추가"),
        IncidentEventKind::Acknowledged => t(lang, "acknowledged", "확인(ack)"),
        IncidentEventKind::Unsilenced => t(lang, "unsilenced", "사일런스 해제"),
        IncidentEventKind::AlertsResolved => t(lang, "alerts resolved", "알림 해소"),
    }
}

/// The reports (AI and fixed-rule), related knowledge, and the timeline; returns whether the
/// responder asked to export the report.
pub(super) fn story_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    snap: &Snapshot,
    show_fixed_report: &mut bool,
    send: &dyn Fn(Command),
) -> bool {
    let lang = snap.lang();
    ui.add_space(6.0);
    let llm_on = snap.settings.llm.enabled;
    let fixed = super::ai_report::ai_report_ui(ui, inc, lang, show_fixed_report, llm_on, send);
    let export = fixed && report_ui(ui, &inc.report, lang);
    super::ai_report::related_ui(ui, inc, &snap.incidents, lang);

    ui.add_space(6.0);
    egui::CollapsingHeader::new(t(lang, "Timeline", "타임라인"))
        .id_salt(("timeline", inc.id))
        .show(ui, |ui| {
            for ev in &inc.timeline {
                // v0.1's entries are English sentences; later ones are events, in `lang`.
                let detail = ev.event.as_ref().map_or_else(
                    || ev.detail.clone(),
                    |e| crate::text::feed::message(e, lang),
                );
                ui.label(format!(
                    "{}  {}  {detail}",
                    ev.at.format("%H:%M:%S"),
                    event_text(&ev.kind, lang),
                ));
            }
        });
    export
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
