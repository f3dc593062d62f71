//! The pending-notifications box: what failed for good or is past its deadline, with Retry and
//! Acknowledge, and how many are still on their way.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::{Command, Snapshot};
use crate::model::JobState;

/// Pending notifications (failed for good or past their deadline) with Retry and Acknowledge,
/// and how many are still on their way. Draws nothing when all is delivered.
pub(crate) fn outbox_ui(ui: &mut egui::Ui, snap: &Snapshot, send: &dyn Fn(Command)) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let pending: Vec<_> = snap
        .notifications
        .iter()
        .filter(|j| matches!(j.state, JobState::Pending { .. }))
        .collect();
    let waiting = snap
        .notifications
        .iter()
        .filter(|j| j.state == JobState::Queued)
        .count();
    if pending.is_empty() && waiting == 0 {
        return;
    }
    ui.heading(t(lang, "Notifications", "알림 전송"));
    if waiting > 0 {
        ui.label(
            RichText::new(format!(
                "{waiting} {}",
                t(
                    lang,
                    "on their way (retrying with backoff)",
                    "건 전송 중 (재시도 포함)"
                )
            ))
            .color(style::pending(dark)),
        );
    }
    for j in pending {
        let JobState::Pending { reason, since } = &j.state else {
            continue;
        };
        ui.group(|ui| {
            ui.add(
                egui::Label::new(
                    RichText::new(format!(
                        "{} {}",
                        t(lang, "Not delivered:", "전송 실패:"),
                        crate::text::feed::job(&j.desc(), lang)
                    ))
                    .color(style::breach(dark))
                    .strong(),
                )
                .wrap(),
            );
            ui.add(egui::Label::new(RichText::new(reason).small()).wrap());
            ui.label(
                RichText::new(format!(
                    "{} {}",
                    t(lang, "since", "발생"),
                    since.with_timezone(&chrono::Local).format("%m-%d %H:%M:%S")
                ))
                .weak()
                .small(),
            );
            ui.horizontal(|ui| {
                if ui.button(t(lang, "Retry", "재시도")).clicked() {
                    send(Command::RetryNotification { job: j.id });
                }
                if ui.button(t(lang, "Acknowledge", "확인")).clicked() {
                    send(Command::AcknowledgeNotification { job: j.id });
                }
            });
        });
    }
    ui.separator();
}
