//! The confirmation before a plan runs (the high-risk actions each ask for the incident id, or
//! the runbook's word, typed), and the "Action results" panel. The engine checks everything
//! again: this dialog only helps the responder get it right.

use std::collections::BTreeMap;

use egui::RichText;

use super::i18n::t;
use super::style;
use super::widgets::risk_text;
use crate::engine::Command;
use crate::engine::Snapshot;
use crate::model::{
    Action, ActionKind, ActionOutcome, ActionPreview, ActionResult, Lang, PlanState, Risk,
    RunPreview,
};

/// Which plan awaits confirmation, and what was typed for each high-risk action.
#[derive(Default)]
pub(crate) struct ConfirmState {
    incident: Option<u64>,
    typed: BTreeMap<usize, String>,
    /// What was typed to run high-risk actions while the team store is not joined.
    alone: String,
}

impl ConfirmState {
    /// Asks for confirmation of incident `id`'s plan, and asks the engine what it would run.
    pub fn open(&mut self, id: u64, send: &dyn Fn(Command)) {
        self.incident = Some(id);
        self.typed.clear();
        self.alone.clear();
        send(Command::PreviewPlan { incident: id });
    }
}

/// One prepared run as the dialogs show it: exactly what is sent or run (filled, secrets
/// masked), then each value an alert chose, marked as such.
fn preview_run_ui(ui: &mut egui::Ui, lead: &str, run: &RunPreview, lang: Lang) {
    let dark = ui.visuals().dark_mode;
    ui.add(
        egui::Label::new(
            RichText::new(format!("    {lead}{}", run.what))
                .monospace()
                .small(),
        )
        .wrap(),
    );
    for (name, value) in &run.from_outside {
        let from = match (name.starts_with("labels."), name == "series", lang) {
            (true, _, Lang::En) => "from the alert",
            (true, _, Lang::Ko) => "알림에서 온 값",
            (_, true, Lang::En) => "from the series",
            (_, true, Lang::Ko) => "시리즈에서 온 값",
            (_, _, Lang::En) => "from outside the console",
            (_, _, Lang::Ko) => "콘솔 밖에서 온 값",
        };
        let words = format!("      ! {from}: {name} = {value}");
        ui.add(egui::Label::new(RichText::new(words).small().color(style::pending(dark))).wrap());
    }
}

/// How action `a` would run, from the engine's preview; returns whether it is refused.
fn action_preview_ui(
    ui: &mut egui::Ui,
    a: &Action,
    preview: &ActionPreview,
    actions_on: bool,
    lang: Lang,
) -> bool {
    let dark = ui.visuals().dark_mode;
    match preview {
        ActionPreview::Done => {
            ui.label(
                RichText::new(t(
                    lang,
                    "    done: not run again",
                    "    완료: 다시 실행하지 않음",
                ))
                .weak()
                .small(),
            );
        }
        ActionPreview::Simulated => {
            let why = if a.kind != ActionKind::Simulated && !actions_on {
                t(
                    lang,
                    "simulated: Actions is off",
                    "시뮬레이션: 조치 기능 꺼짐",
                )
            } else {
                t(lang, "simulated", "시뮬레이션")
            };
            ui.add(
                egui::Label::new(
                    RichText::new(format!("    {} ({why})", a.command))
                        .monospace()
                        .small(),
                )
                .wrap(),
            );
        }
        ActionPreview::Ready { real, dry_run } => match dry_run {
            Some(dry) => {
                preview_run_ui(
                    ui,
                    t(lang, "dry run first: ", "먼저 사전 점검: "),
                    dry,
                    lang,
                );
                preview_run_ui(
                    ui,
                    t(
                        lang,
                        "then, after your second approval: ",
                        "두 번째 승인 뒤: ",
                    ),
                    real,
                    lang,
                );
            }
            None => preview_run_ui(ui, "", real, lang),
        },
        ActionPreview::Refused(r) => {
            let words = format!(
                "    {}: {}",
                t(lang, "refused", "거부"),
                crate::text::plan::refusal(r, lang)
            );
            ui.add(
                egui::Label::new(RichText::new(words).small().color(style::breach(dark))).wrap(),
            );
            return true;
        }
    }
    false
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
    let actions_on = snap.settings.actions.enabled;
    let mut close = false;
    let modal = egui::Modal::new(egui::Id::unique("confirm-execute")).show(ctx, |ui| {
        ui.set_max_width(620.0);
        let dark = ui.visuals().dark_mode;
        ui.heading(t(lang, "Execute this action plan?", "이 액션 플랜을 실행할까요?"));
        let label = crate::model::incident_label(inc.id);
        ui.label(format!("#{label} {}", inc.scenario.title.text(lang)));
        ui.add_space(6.0);
        let mut acting = 0;
        let mut all_confirmed = true;
        let mut high_risk = false;
        // What the engine prepared: the dialog shows what will run, not the templates.
        let previews = snap.previews.get(&id);
        let (mut ready, mut refused) = (true, false);
        for (i, a) in inc.scenario.actions.iter().enumerate() {
            let done = inc.plan.last_run(i).is_some_and(|r| r.outcome.is_done());
            let mut head = RichText::new(format!(
                "{}. {} [{}]",
                i + 1,
                a.title.text(lang),
                risk_text(a.risk, lang)
            ));
            if done {
                head = head.weak();
            } else if a.risk == Risk::High {
                head = head.color(style::breach(dark));
            }
            ui.label(head);
            if done {
                ui.label(RichText::new(t(lang, "    done: not run again", "    완료: 다시 실행하지 않음")).weak().small());
                continue;
            }
            if a.kind != ActionKind::Simulated {
                acting += 1;
            }
            match previews.and_then(|p| p.get(i)) {
                Some(p) => refused |= action_preview_ui(ui, a, p, actions_on, lang),
                None => {
                    ready = false;
                    ui.label(RichText::new(t(lang, "    preparing…", "    준비 중…")).weak().small());
                }
            }
            if a.risk == Risk::High {
                high_risk = true;
                let word = a.confirm_word.as_deref().map(str::trim).filter(|w| !w.is_empty());
                let prompt = match (word, lang) {
                    (Some(w), Lang::En) => format!("Type \"{w}\" to confirm action {}", i + 1),
                    (Some(w), Lang::Ko) => format!("조치 {}을 확인하려면 \"{w}\" 입력", i + 1),
                    (None, Lang::En) => format!("Type {label} to confirm action {}", i + 1),
                    (None, Lang::Ko) => format!("조치 {}을 확인하려면 {label} 입력", i + 1),
                };
                let text = confirm.typed.entry(i).or_default();
                ui.horizontal(|ui| {
                    let label = ui.label(prompt);
                    ui.add(egui::TextEdit::singleline(text).desired_width(120.0))
                        .labelled_by(label.id);
                });
                all_confirmed &= crate::model::confirmation_ok(word, id, text);
            }
        }
        // The engine refuses it too: the dialog only says so first.
        let alone = !matches!(
            snap.team,
            crate::model::TeamStatus::Off | crate::model::TeamStatus::Joined { .. }
        );
        if alone && high_risk {
            ui.add_space(6.0);
            let warning = t(
                lang,
                "The team store is unreachable: another console may act on this incident too.",
                "팀 저장소에 연결할 수 없습니다: 다른 콘솔도 이 인시던트에 조치할 수 있습니다.",
            );
            ui.add(egui::Label::new(RichText::new(warning).color(style::breach(dark))).wrap());
            ui.horizontal(|ui| {
                let prompt = t(
                    lang,
                    "Type \"alone\" to run its high-risk actions anyway",
                    "그래도 위험도 높은 조치를 실행하려면 \"단독\" 입력",
                );
                let label = ui.label(prompt);
                ui.add(egui::TextEdit::singleline(&mut confirm.alone).desired_width(120.0))
                    .labelled_by(label.id);
            });
            all_confirmed &= crate::model::alone_ack_ok(&confirm.alone);
        }
        ui.add_space(6.0);
        let note = if acting == 0 {
            t(
                lang,
                "The offline simulator records each action; nothing outside this console is changed.",
                "오프라인 시뮬레이터가 각 액션을 기록만 하며, 콘솔 밖의 어떤 것도 변경하지 않습니다.",
            )
        } else if actions_on {
            t(
                lang,
                "Webhooks and commands act outside this console, in order; the plan stops at the first failure. Nothing is retried by itself.",
                "웹훅과 명령은 콘솔 밖에서 순서대로 실행되며, 첫 실패에서 플랜이 멈춥니다. 자동 재시도는 없습니다.",
            )
        } else {
            t(
                lang,
                "Actions is off (Settings → Actions): webhooks and commands are simulated; nothing outside this console is changed.",
                "조치 기능이 꺼져 있습니다 (설정 → 조치): 웹훅과 명령은 시뮬레이션되며 콘솔 밖은 바뀌지 않습니다.",
            )
        };
        ui.add(egui::Label::new(RichText::new(note).weak()).wrap());
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    all_confirmed && ready && !refused,
                    egui::Button::new(t(lang, "Execute now", "지금 실행")),
                )
                .clicked()
            {
                let confirmations = confirm
                    .typed
                    .iter()
                    .map(|(i, text)| (*i, text.clone()))
                    .collect();
                send(Command::ExecutePlan {
                    incident: id,
                    confirmations,
                    alone_ack: confirm.alone.clone(),
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

/// The dry run that waits for the second approval: its output, then Run / Stop.
pub(crate) fn second_approval_ui(
    ui: &mut egui::Ui,
    inc: &crate::model::Incident,
    previews: Option<&Vec<ActionPreview>>,
    lang: Lang,
    send: &dyn Fn(Command),
) {
    let PlanState::AwaitingRun { action, .. } = inc.plan.state else {
        return;
    };
    if let Some(dry) = inc
        .plan
        .results
        .iter()
        .rev()
        .find(|r| r.action == action && r.dry_run)
    {
        run_ui(ui, dry, lang);
    }
    // What the real run sends, as prepared for this run.
    if let Some(ActionPreview::Ready { real, .. }) = previews.and_then(|p| p.get(action)) {
        preview_run_ui(ui, t(lang, "the real run: ", "실제 실행: "), real, lang);
    }
    ui.horizontal(|ui| {
        let run = format!("{} {}", t(lang, "Run action", "조치 실행"), action + 1);
        if ui.button(run).clicked() {
            send(Command::ApproveRun {
                incident: inc.id,
                action,
            });
        }
        if ui.button(t(lang, "Stop the plan", "플랜 중단")).clicked() {
            send(Command::StopPlan { incident: inc.id });
        }
    });
}

/// One run: outcome, what ran, status and time, and its output in a bounded box.
fn run_ui(ui: &mut egui::Ui, r: &ActionResult, lang: Lang) {
    let dark = ui.visuals().dark_mode;
    let color = match r.outcome {
        ActionOutcome::Succeeded | ActionOutcome::Simulated => style::recovered(dark),
        ActionOutcome::Failed | ActionOutcome::TimedOut | ActionOutcome::Unknown => {
            style::breach(dark)
        }
    };
    let mut head = String::new();
    if r.dry_run {
        head.push_str(t(lang, "dry run ", "사전 점검 "));
    }
    head.push_str(crate::text::plan::outcome(r.outcome, lang));
    if let Some(s) = r.status {
        head.push_str(&format!(" · {} {s}", t(lang, "status", "상태")));
    }
    if let Some(ms) = r.duration_ms {
        head.push_str(&format!(" · {:.1} s", ms as f64 / 1000.0));
    }
    head.push_str(&format!(" · {}", r.at.format("%H:%M:%S")));
    ui.add(egui::Label::new(RichText::new(head).color(color)).wrap());
    if !r.what.is_empty() {
        ui.add(egui::Label::new(RichText::new(&r.what).monospace().small()).wrap());
    }
    if !r.detail.is_empty() {
        ui.add(egui::Label::new(RichText::new(&r.detail).weak().small()).wrap());
    }
    if !r.output.is_empty() {
        // Framed, so what came back reads apart from what ran.
        egui::Frame::group(ui.style()).show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt(("output", r.action, r.dry_run, r.at.timestamp_millis()))
                .max_height(120.0)
                .show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(&r.output).monospace().small()).wrap());
                });
        });
    }
}

/// Executed, running, stopped and deferred plans, newest first.
pub(crate) fn results_ui(ui: &mut egui::Ui, snap: &Snapshot) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.heading(t(lang, "Action results", "액션 결과"));
    let mut any = false;
    for inc in snap.incidents.iter().rev() {
        let color = match inc.plan.state {
            PlanState::AwaitingApproval => continue,
            PlanState::Executed(_) => style::recovered(dark),
            PlanState::Stopped { .. } => style::breach(dark),
            _ => style::pending(dark),
        };
        any = true;
        // Short, so a long state cannot widen the side panel; the detail view says it whole.
        let short = crate::text::plan::short_state(inc.plan.state, lang);
        egui::CollapsingHeader::new(
            RichText::new(format!("#{} {} · {short}", inc.id, inc.scenario.code)).color(color),
        )
        .id_salt(("results", inc.id))
        .default_open(true)
        .show(ui, |ui| {
            if inc.plan.actions_off {
                ui.add(
                    egui::Label::new(
                        RichText::new(t(
                            lang,
                            "Actions was off: webhooks and commands were simulated.",
                            "조치 기능이 꺼져 있어 웹훅과 명령을 시뮬레이션했습니다.",
                        ))
                        .color(style::pending(dark)),
                    )
                    .wrap(),
                );
            }
            if inc.plan.results.is_empty() {
                for a in &inc.scenario.actions {
                    ui.label(format!(
                        "• {} ({})",
                        a.title.text(lang),
                        t(lang, "kept for review", "검토 대기")
                    ));
                }
            }
            // Each action once, with its runs (dry run, real run, runs again) in order.
            for (i, a) in inc.scenario.actions.iter().enumerate() {
                let runs: Vec<&ActionResult> =
                    inc.plan.results.iter().filter(|r| r.action == i).collect();
                if runs.is_empty() {
                    continue;
                }
                ui.add(egui::Label::new(format!("• {}. {}", i + 1, a.title.text(lang))).wrap());
                ui.indent(("runs", inc.id, i), |ui| {
                    for r in runs {
                        run_ui(ui, r, lang);
                    }
                });
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

/// The audit log lines of incident `id`, oldest first.
pub(crate) fn audit_ui(ui: &mut egui::Ui, snap: &Snapshot, id: u64) {
    let lang = snap.lang();
    let lines: Vec<&crate::audit::AuditLine> =
        snap.audit.iter().filter(|l| l.incident == id).collect();
    egui::CollapsingHeader::new(format!(
        "{} ({})",
        t(lang, "Audit log", "감사 로그"),
        lines.len()
    ))
    .id_salt(("audit", id))
    .show(ui, |ui| {
        if lines.is_empty() {
            ui.label(
                RichText::new(t(
                    lang,
                    "Nothing approved or run yet.",
                    "아직 승인되거나 실행된 것이 없습니다.",
                ))
                .weak(),
            );
        }
        for l in lines {
            ui.add(
                egui::Label::new(
                    RichText::new(crate::text::plan::audit_line(l, lang))
                        .monospace()
                        .small(),
                )
                .wrap(),
            );
        }
    });
}
