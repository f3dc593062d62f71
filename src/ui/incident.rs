//! Recent incidents and the selected incident: trigger, hotspots, hypotheses, plan, report.

use egui::RichText;

use super::ack::AckForm;
use super::i18n::t;
use super::style;
use super::widgets::risk_text;
use crate::engine::Command;
use crate::engine::Snapshot;
use crate::model::{
    HypothesisMark, Incident, IncidentStatus, Lang, PlanState, Risk, TriggerOrigin,
};
use crate::text::format_duration;

/// What the incident views own: the incident shown, and whether the fixed-rule report is
/// shown where an AI report exists.
#[derive(Default)]
pub(crate) struct IncidentsView {
    /// The incident shown in detail; `None` follows the newest.
    pub selected: Option<u64>,
    /// Whether the fixed-rule report is shown beside an AI report.
    pub show_fixed_report: bool,
    /// The note being written (or edited) on the timeline.
    pub note: super::incident_story::NoteDraft,
    /// The resolution note the next Close sends.
    pub resolution: String,
    /// The review sections and the follow-up being written.
    pub review: super::incident_review::ReviewDraft,
    /// The incident last said to be open (team mode), so it is said once per change.
    pub viewing_sent: Option<Option<u64>>,
}

/// What the incident views ask of the window, besides commands to the engine.
pub(crate) enum IncidentIntent {
    /// Open the Execute dialog on this incident's plan.
    Execute(u64),
    /// Ask where to export this incident's report, and export it.
    Export(u64),
    /// Ask where to write this incident's review, and write it.
    Review(u64),
}

/// The list on the left and the detail on the right; returns what the window should do.
pub(crate) fn incidents_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    view: &mut IncidentsView,
    ack: &mut AckForm,
    send: &dyn Fn(Command),
) -> Option<IncidentIntent> {
    let mut intent = None;
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let selected = view
        .selected
        .and_then(|id| snap.incidents.iter().find(|i| i.id == id))
        .or_else(|| snap.incidents.last());
    let selected_id = selected.map(|i| i.id);
    // The team sees who has which incident open; solo, nobody asks.
    let team = snap.team != crate::model::TeamStatus::Off;
    if team && view.viewing_sent != Some(selected_id) {
        view.viewing_sent = Some(selected_id);
        send(Command::Viewing {
            incident: selected_id,
        });
    }
    ui.horizontal_top(|ui| {
        let list_size = egui::vec2(250.0, ui.available_height());
        ui.allocate_ui_with_layout(list_size, egui::Layout::top_down(egui::Align::Min), |ui| {
            ui.set_width(250.0);
            ui.label(RichText::new(t(lang, "Recent incidents", "최근 인시던트")).strong());
            if snap.incidents.is_empty() {
                ui.label(
                    RichText::new(t(
                        lang,
                        "None yet. The monitor opens one when a metric breaches, or use Trigger alert.",
                        "아직 없습니다. 메트릭이 임계치를 넘으면 모니터가 열거나, 알림 발생을 누르세요.",
                    ))
                    .weak(),
                );
            }
            egui::ScrollArea::vertical()
                .id_salt("incident-list")
                .auto_shrink([false, false])
                .show(ui, |ui| {
                    for inc in snap.incidents.iter().rev() {
                        let text = format!(
                            "#{} {} · {}",
                            crate::model::incident_label(inc.id),
                            inc.scenario.code,
                            crate::text::incident_status(inc.status, lang)
                        );
                        let mut rich = RichText::new(text);
                        if let Some(c) = style::status_color(inc.status, dark) {
                            rich = rich.color(c);
                        }
                        let resp = ui
                            .selectable_label(selected_id == Some(inc.id), rich)
                            .on_hover_text(format!(
                                "{} · {}",
                                inc.scenario.title.text(lang),
                                inc.opened_at.format("%Y-%m-%d %H:%M:%S UTC")
                            ));
                        if resp.clicked() {
                            view.selected = Some(inc.id);
                        }
                    }
                });
        });
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("incident-detail")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.vertical(|ui| match selected {
                    Some(inc) => {
                        let mut parts = Parts {
                            view,
                            ack,
                            intent: &mut intent,
                        };
                        detail_ui(ui, inc, snap, &mut parts, send)
                    }
                    None => {
                        ui.label(t(
                            lang,
                            "Select an incident to see its runbook.",
                            "인시던트를 선택하면 러너북이 보입니다.",
                        ));
                    }
                })
            });
    });
    intent
}

/// What the detail's parts may change: the view, the Acknowledge form, and what the window
/// is asked to do.
struct Parts<'a> {
    view: &'a mut IncidentsView,
    ack: &'a mut AckForm,
    intent: &'a mut Option<IncidentIntent>,
}

fn detail_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    snap: &Snapshot,
    parts: &mut Parts,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        let label = crate::model::incident_label(inc.id);
        ui.heading(format!("#{label} {}", inc.scenario.title.text(lang)));
        let mut status = RichText::new(crate::text::incident_status(inc.status, lang)).strong();
        if let Some(c) = style::status_color(inc.status, dark) {
            status = status.color(c);
        }
        ui.label(status);
    });
    super::incident_team::team_row_ui(ui, inc, snap, send);
    ui.label(RichText::new(inc.scenario.description.text(lang)).weak());
    ui.add_space(4.0);
    let tr = &inc.trigger;
    ui.scope(|ui| {
        ui.spacing_mut().item_spacing.y = 4.0;
        fact_ui(ui, t(lang, "Source", "출처"), |ui| {
            ui.label(&inc.scenario.source);
        });
        fact_ui(ui, t(lang, "Detected", "감지 시각"), |ui| {
            ui.label(format!(
                "{} ({})",
                inc.opened_at.format("%Y-%m-%d %H:%M:%S UTC"),
                match tr.origin {
                    TriggerOrigin::Monitor => t(lang, "background monitor", "백그라운드 모니터"),
                    TriggerOrigin::Manual => t(lang, "manual trigger", "수동 발생"),
                    TriggerOrigin::Alertmanager =>
                        t(lang, "Alertmanager alert", "Alertmanager 알림"),
                }
            ));
        });
        fact_ui(ui, t(lang, "Trigger", "트리거 값"), |ui| {
            ui.horizontal_wrapped(|ui| {
                for rv in &tr.values {
                    value_vs_threshold_ui(ui, rv, lang, dark);
                }
                if let Some(series) = &tr.series {
                    ui.label(format!("· {series}"));
                }
                if inc.flapping {
                    ui.label(
                        RichText::new(t(lang, "flapping", "플래핑"))
                            .color(style::pending(dark))
                            .strong(),
                    );
                }
            });
        });
        fact_ui(ui, t(lang, "Re-fires", "재발생"), |ui| {
            ui.label(inc.refire_count.to_string());
        });
        fact_ui(ui, t(lang, "Hotspots", "핫스팟"), |ui| {
            ui.vertical(|ui| {
                if inc.hotspots.is_empty() {
                    ui.label(RichText::new(t(lang, "none", "없음")).weak());
                }
                for h in &inc.hotspots {
                    let samples = match (lang, h.samples) {
                        (Lang::En, 1) => "breaching sample",
                        _ => t(lang, "breaching samples", "회 초과"),
                    };
                    // The unit as the trigger recorded it for this rule.
                    let peak = tr
                        .value_of(&h.rule)
                        .map_or_else(|| format!("{:.4}", h.peak), |rv| rv.unit.format(h.peak));
                    let cleared = match h.cleared_at {
                        Some(at) => format!(
                            ", {} {}",
                            t(lang, "clear at", "해소"),
                            at.format("%H:%M:%S")
                        ),
                        None if inc.status.is_active() => {
                            format!(", {}", t(lang, "still in breach", "아직 초과"))
                        }
                        None => String::new(),
                    };
                    let rule = if tr.values.len() > 1 || tr.rule.as_deref() != Some(h.rule.as_str())
                    {
                        format!("{} · ", h.rule)
                    } else {
                        String::new()
                    };
                    ui.label(format!(
                        "{rule}{}: {} {samples}, {} {peak}, {}–{}{cleared}",
                        h.series,
                        h.samples,
                        t(lang, "peak", "최고"),
                        h.first_at.format("%H:%M:%S"),
                        h.last_at.format("%H:%M:%S"),
                    ));
                }
            });
        });
        if let Some(ttr) = inc.time_to_recover() {
            fact_ui(ui, t(lang, "Time to recover", "복구 소요"), |ui| {
                ui.label(RichText::new(format_duration(ttr)).color(style::recovered(dark)));
            });
        } else if inc.status == IncidentStatus::Mitigating {
            fact_ui(ui, t(lang, "Recovery watch", "복구 감시"), |ui| {
                ui.label(
                    RichText::new(format!(
                        "{} / {} {}",
                        inc.healthy_streak,
                        snap.settings.recovery_samples,
                        t(lang, "healthy samples in a row", "연속 정상 샘플")
                    ))
                    .color(style::pending(dark)),
                );
            });
        }
    });
    super::incident_alerts::incident_alerts_ui(ui, inc, snap, parts.ack, send);

    hypotheses_ui(ui, inc, lang, send);
    plan_ui(ui, inc, snap, parts, send);
    let view = &mut *parts.view;
    let (show_fixed, note) = (&mut view.show_fixed_report, &mut view.note);
    use super::incident_story::StoryAsk;
    match super::incident_story::story_ui(ui, inc, snap, show_fixed, note, send) {
        Some(StoryAsk::ExportReport) => *parts.intent = Some(IncidentIntent::Export(inc.id)),
        Some(StoryAsk::WriteReview) => *parts.intent = Some(IncidentIntent::Review(inc.id)),
        None => {}
    }
    let lang = snap.lang();
    let llm_on = snap.settings.llm.enabled;
    super::incident_review::review_ui(ui, inc, lang, llm_on, &mut parts.view.review, send);
}

/// The Top-3 hypotheses with their evidence, live checks and the responder's marks.
fn hypotheses_ui(ui: &mut egui::Ui, inc: &Incident, lang: Lang, send: &dyn Fn(Command)) {
    ui.add_space(6.0);
    ui.label(
        RichText::new(t(lang, "Top-3 hypotheses", "상위 3개 가설"))
            .strong()
            .size(15.0),
    );
    for (rank, &h_idx) in inc.scenario.top_hypotheses().iter().enumerate() {
        let h = &inc.scenario.hypotheses[h_idx];
        let mark = inc.marks.get(h_idx).copied().unwrap_or_default();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    RichText::new(format!(
                        "{}. {} ({:.0}%)",
                        rank + 1,
                        h.statement.text(lang),
                        h.confidence * 100.0
                    ))
                    .strong(),
                );
            });
            for &e in &h.evidence {
                if let Some(ev) = inc.scenario.evidence.get(e) {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(format!("  • {}", ev.text.text(lang)));
                        let check = inc.checks.get(e).and_then(Option::as_ref);
                        super::ai_report::check_ui(ui, ev.check.is_some(), check, lang);
                    });
                }
            }
            ui.horizontal(|ui| {
                let mut chosen = mark;
                ui.selectable_value(&mut chosen, HypothesisMark::Open, t(lang, "Open", "미정"));
                ui.selectable_value(
                    &mut chosen,
                    HypothesisMark::Confirmed,
                    t(lang, "Confirmed", "확인됨"),
                );
                ui.selectable_value(
                    &mut chosen,
                    HypothesisMark::Rejected,
                    t(lang, "Rejected", "기각"),
                );
                if chosen != mark {
                    send(Command::MarkHypothesis {
                        incident: inc.id,
                        hypothesis: h_idx,
                        mark: chosen,
                    });
                }
            });
        });
    }
}

/// The action plan: its actions and risks, its state, the second approval, the buttons, notifications and the audit.
fn plan_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    snap: &Snapshot,
    parts: &mut Parts,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.add_space(6.0);
    ui.label(
        RichText::new(t(lang, "Action plan", "액션 플랜"))
            .strong()
            .size(15.0),
    );
    for (i, a) in inc.scenario.actions.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}. {}", i + 1, a.title.text(lang)));
            let mut risk = RichText::new(format!("[{}]", risk_text(a.risk, lang))).small();
            if a.risk == Risk::High {
                risk = risk.color(style::breach(dark));
            }
            ui.label(risk);
        });
    }
    let plan_words = crate::text::plan::state(inc.plan.state, lang);
    ui.label(RichText::new(plan_words).color(match inc.plan.state {
        PlanState::Executed(_) => style::recovered(dark),
        PlanState::Stopped { .. } => style::breach(dark),
        _ => style::pending(dark),
    }));
    super::actions::second_approval_ui(ui, inc, snap.previews.get(&inc.id), lang, send);
    ui.horizontal(|ui| {
        let can_execute = inc.status.is_active()
            && !matches!(inc.plan.state, PlanState::Executed(_))
            && !inc.plan.state.is_in_progress()
            && !snap.headless;
        if ui
            .add_enabled(
                can_execute,
                egui::Button::new(t(lang, "Execute plan…", "플랜 실행…")),
            )
            .clicked()
        {
            *parts.intent = Some(IncidentIntent::Execute(inc.id));
            // Pinned: a newer incident must not take the view while this plan runs.
            parts.view.selected = Some(inc.id);
        }
        let can_defer = inc.status.is_active() && inc.plan.state == PlanState::AwaitingApproval;
        if ui
            .add_enabled(can_defer, egui::Button::new(t(lang, "Defer", "연기")))
            .clicked()
        {
            send(Command::DeferPlan { incident: inc.id });
        }
        let open = inc.status != IncidentStatus::Closed;
        if open {
            ui.add(
                egui::TextEdit::singleline(&mut parts.view.resolution)
                    .hint_text(t(lang, "Resolution (optional)", "해결 내용 (선택)"))
                    .desired_width(170.0),
            );
        }
        if ui
            .add_enabled(
                open,
                egui::Button::new(t(lang, "Close incident", "인시던트 종료")),
            )
            .clicked()
        {
            let resolution = std::mem::take(&mut parts.view.resolution);
            send(Command::CloseIncident {
                incident: inc.id,
                resolution,
            });
        }
        let slack_off = snap.settings.slack.unusable();
        let button = ui
            .add_enabled(
                slack_off.is_none(),
                egui::Button::new(t(lang, "Send to Slack", "Slack으로 전송")),
            )
            .on_hover_text(format!(
                "{} {}",
                t(lang, "Post the report to", "보고서 전송 채널:"),
                snap.settings.slack.channel
            ));
        let button = match &slack_off {
            Some(why) => button.on_disabled_hover_text(format!("Slack: {why}")),
            None => button,
        };
        if button.clicked() {
            send(Command::SendToSlack { incident: inc.id });
        }
    });
    notifications_line_ui(ui, inc.id, snap, lang, dark);
    super::actions::audit_ui(ui, snap, inc.id);
}

/// `HTTP error rate 10.77 % / 5.00 %`: the value as its card writes it, red when in breach.
fn value_vs_threshold_ui(ui: &mut egui::Ui, rv: &crate::model::RuleValue, lang: Lang, dark: bool) {
    let value = rv.value.map_or("n/a".to_string(), |v| rv.unit.format(v));
    let text = format!(
        "{} {value} / {}{}",
        rv.title.text(lang),
        rv.comparison.symbol(),
        rv.unit.format(rv.threshold)
    );
    let mut rich = RichText::new(text).monospace();
    if rv.in_breach() {
        rich = rich.color(style::breach(dark));
    }
    ui.label(rich);
}

/// Where this incident's notifications stand: one short entry per job.
fn notifications_line_ui(ui: &mut egui::Ui, id: u64, snap: &Snapshot, lang: Lang, dark: bool) {
    use crate::model::{Destination, JobState};
    let jobs: Vec<_> = snap
        .notifications
        .iter()
        .filter(|j| j.incident == id)
        .collect();
    if jobs.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t(lang, "Notified:", "알림:")).weak());
        for j in jobs {
            let to = match &j.destination {
                Destination::Slack { channel } => format!("Slack {channel}"),
                Destination::Email { to } => format!("{} ({})", t(lang, "email", "메일"), to.len()),
            };
            let (word, colour) = match &j.state {
                JobState::Delivered { .. } => (t(lang, "sent", "전송됨"), None),
                JobState::Queued => (t(lang, "sending", "전송 중"), Some(style::pending(dark))),
                JobState::Pending { .. } => (t(lang, "pending", "보류"), Some(style::breach(dark))),
                JobState::SentByOther { .. } => (t(lang, "sent by the team", "팀이 전송"), None),
                JobState::Acknowledged { .. } => (t(lang, "not sent", "미전송"), None),
            };
            let event = match j.event {
                crate::model::NotifyEvent::Opened => t(lang, "report", "보고"),
                crate::model::NotifyEvent::Manual(_) => t(lang, "report again", "재전송"),
                crate::model::NotifyEvent::PlanExecuted => t(lang, "plan executed", "플랜 실행"),
                crate::model::NotifyEvent::PlanDeferred => t(lang, "plan deferred", "플랜 연기"),
                crate::model::NotifyEvent::PlanStopped => t(lang, "plan stopped", "플랜 중단"),
                crate::model::NotifyEvent::Recovered => t(lang, "recovered", "복구"),
                crate::model::NotifyEvent::Closed => t(lang, "closed", "종료"),
                crate::model::NotifyEvent::Refired(_) => t(lang, "re-fire", "재발"),
                crate::model::NotifyEvent::AiReport => t(lang, "AI report", "AI 보고서"),
                crate::model::NotifyEvent::Reminder => t(lang, "reminder", "리마인더"),
                crate::model::NotifyEvent::Escalated => t(lang, "escalation", "에스컬레이션"),
            };
            let mut rt = RichText::new(format!("{to} {event}: {word}")).small();
            if let Some(c) = colour {
                rt = rt.color(c);
            }
            ui.label(rt);
        }
    });
}

/// Width of the label column of an incident's facts, in points.
const FACT_LABEL_WIDTH: f32 = 120.0;

/// One row of an incident's facts: a label in a fixed-width column and its value beside it.
/// A two-column `Grid` would look the same, but it re-measures whenever a value's width
/// changes (every breaching sample changes a hotspot line) and then asks for two more frames,
/// each drawn on the CPU where there is no GPU.
fn fact_ui(ui: &mut egui::Ui, label: &str, value: impl FnOnce(&mut egui::Ui)) {
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(
            egui::vec2(FACT_LABEL_WIDTH, 0.0),
            egui::Layout::left_to_right(egui::Align::TOP),
            |ui| {
                ui.set_min_width(FACT_LABEL_WIDTH);
                ui.label(label);
            },
        );
        value(ui);
    });
}
