//! The confirmation before executing a plan (the safety guard), and the "Action results" panel.

use egui::RichText;

use super::i18n::t;
use super::style;
use super::widgets::risk_text;
use crate::engine::Command;
use crate::engine::Snapshot;
use crate::model::{ActionOutcome, PlanState, Risk};

/// Which plan awaits confirmation, and whether high-risk actions were acknowledged.
#[derive(Default)]
pub(crate) struct ConfirmState {
    incident: Option<u64>,
    high_risk_acknowledged: bool,
}

impl ConfirmState {
    /// Asks for confirmation of incident `id`'s plan.
    pub fn open(&mut self, id: u64) {
        self.incident = Some(id);
        self.high_risk_acknowledged = false;
    }
}

/// The modal listing each action before anything runs.
pub(crate) fn confirm_modal_ui(
    ctx: &egui::Context,
    snap: &Snapshot,
    confirm: &mut ConfirmState,
    send: &dyn Fn(Command),
) {
    let Some(id) = confirm.incident else {
        return;
    };
    let Some(inc) = snap.incidents.iter().find(|i| i.id == id) else {
        confirm.incident = None;
        return;
    };
    let lang = snap.lang();
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm-execute")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        let dark = ui.visuals().dark_mode;
        ui.heading(t(lang, "Execute this action plan?", "이 액션 플랜을 실행할까요?"));
        ui.label(format!("#{} {}", inc.id, inc.scenario.title.text(lang)));
        ui.add_space(6.0);
        for (i, a) in inc.scenario.actions.iter().enumerate() {
            let mut head = RichText::new(format!(
                "{}. {} [{}]",
                i + 1,
                a.title.text(lang),
                risk_text(a.risk, lang)
            ));
            if a.risk == Risk::High {
                head = head.color(style::breach(dark));
            }
            ui.label(head);
            ui.label(RichText::new(format!("    {}", a.command)).monospace().small());
        }
        ui.add_space(6.0);
        ui.label(
            RichText::new(t(
                lang,
                "The offline simulator records each action; nothing outside this console is changed.",
                "오프라인 시뮬레이터가 각 액션을 기록만 하며, 콘솔 밖의 어떤 것도 변경하지 않습니다.",
            ))
            .weak(),
        );
        let needs_ack = inc.scenario.actions.iter().any(|a| a.risk == Risk::High);
        if needs_ack {
            ui.checkbox(
                &mut confirm.high_risk_acknowledged,
                t(
                    lang,
                    "I have reviewed the high-risk actions",
                    "위험도 높은 액션을 검토했습니다",
                ),
            );
        }
        ui.horizontal(|ui| {
            let ready = !needs_ack || confirm.high_risk_acknowledged;
            if ui
                .add_enabled(ready, egui::Button::new(t(lang, "Execute now", "지금 실행")))
                .clicked()
            {
                // The tick covers every high-risk action listed above; the engine checks each.
                let acknowledged_high_risk = if confirm.high_risk_acknowledged {
                    inc.scenario
                        .actions
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| a.risk == Risk::High)
                        .map(|(i, _)| i)
                        .collect()
                } else {
                    Vec::new()
                };
                send(Command::ExecutePlan {
                    incident: id,
                    acknowledged_high_risk,
                });
                close = true;
            }
            if ui.button(t(lang, "Cancel", "취소")).clicked() {
                close = true;
            }
        });
    });
    if close || modal.should_close() {
        confirm.incident = None;
    }
}

/// Executed and deferred plans, newest first.
pub(crate) fn results_ui(ui: &mut egui::Ui, snap: &Snapshot) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.heading(t(lang, "Action results", "액션 결과"));
    let mut any = false;
    for inc in snap.incidents.iter().rev() {
        let (state_text, color) = match inc.plan.state {
            PlanState::AwaitingApproval => continue,
            PlanState::Executed(at) => (
                format!(
                    "{} {}",
                    t(lang, "executed", "실행됨"),
                    at.format("%H:%M:%S")
                ),
                style::recovered(dark),
            ),
            PlanState::Deferred(at) => (
                format!(
                    "{} {}",
                    t(lang, "deferred", "연기됨"),
                    at.format("%H:%M:%S")
                ),
                style::pending(dark),
            ),
        };
        any = true;
        egui::CollapsingHeader::new(
            RichText::new(format!("#{} {} · {state_text}", inc.id, inc.scenario.code)).color(color),
        )
        .id_salt(("results", inc.id))
        .default_open(true)
        .show(ui, |ui| {
            if inc.plan.results.is_empty() {
                for a in &inc.scenario.actions {
                    ui.label(format!(
                        "• {} ({})",
                        a.title.text(lang),
                        t(lang, "kept for review", "검토 대기")
                    ));
                }
            }
            for r in &inc.plan.results {
                let title = inc
                    .scenario
                    .actions
                    .get(r.action)
                    .map_or("?", |a| a.title.text(lang));
                let outcome = match r.outcome {
                    ActionOutcome::Simulated => t(lang, "simulated", "시뮬레이션 완료"),
                    ActionOutcome::Failed => t(lang, "failed", "실패"),
                };
                ui.label(format!(
                    "• {title}: {outcome} ({})",
                    r.at.format("%H:%M:%S")
                ));
                ui.add(egui::Label::new(RichText::new(&r.detail).weak().small()).wrap());
            }
        });
    }
    if !any {
        ui.label(
            RichText::new(t(
                lang,
                "No plan executed or deferred yet.",
                "아직 실행되거나 연기된 플랜이 없습니다.",
            ))
            .weak(),
        );
    }
}
