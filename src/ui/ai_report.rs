//! The AI report beside the fixed-rule one: "analysing…" with Cancel while the model thinks,
//! then its five parts with the facts each claim cites, what the facts do not back flagged in
//! red, its verdicts on the hypotheses, and its sources; the fixed-rule report one click away.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::Command;
use crate::model::{AiReport, AiState, AnswerFlag, Claim, Incident, Lang, Verdict};

/// Draws the AI part; returns whether the fixed-rule report should be drawn (below it).
pub(crate) fn ai_report_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    lang: Lang,
    show_fixed: &mut bool,
    llm_on: bool,
    send: &dyn Fn(Command),
) -> bool {
    let Some(ai) = &inc.ai else {
        if llm_on && ui.button(t(lang, "Analyse with AI", "AI로 분석")).clicked() {
            send(Command::Analyse { incident: inc.id });
        }
        return true;
    };
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        match &ai.state {
            AiState::Analysing => {
                // Words, not a spinner: a spinner repaints every frame, and a model may take a
                // minute; the answer's arrival wakes the window.
                ui.label(
                    RichText::new(format!(
                        "{} ({})",
                        t(lang, "analysing…", "분석 중…"),
                        ai.model
                    ))
                    .color(style::pending(dark)),
                );
                if ui.button(t(lang, "Cancel", "취소")).clicked() {
                    send(Command::CancelAnalysis { incident: inc.id });
                }
            }
            AiState::Done => {
                ui.selectable_value(
                    show_fixed,
                    false,
                    format!("{} ({})", t(lang, "AI report", "AI 보고서"), ai.model),
                );
                ui.selectable_value(
                    show_fixed,
                    true,
                    t(lang, "Fixed-rule report", "규칙 기반 보고서"),
                );
            }
            AiState::Failed(reason) => {
                ui.label(
                    RichText::new(format!(
                        "{}: {reason}",
                        t(lang, "No AI report", "AI 보고서 없음")
                    ))
                    .color(style::breach(dark)),
                );
            }
            AiState::Cancelled => {
                ui.label(RichText::new(t(lang, "AI analysis cancelled", "AI 분석 취소됨")).weak());
            }
        }
        if ai.state != AiState::Analysing
            && ui.button(t(lang, "Analyse again", "다시 분석")).clicked()
        {
            send(Command::Analyse { incident: inc.id });
        }
    });
    if ai.state != AiState::Done || *show_fixed {
        return true;
    }
    answer_ui(ui, ai, lang, dark);
    false
}

fn answer_ui(ui: &mut egui::Ui, ai: &AiReport, lang: Lang, dark: bool) {
    let Some(answer) = &ai.answer else {
        return;
    };
    let asked = ai
        .asked
        .as_ref()
        .map_or(String::new(), |(mode, n)| format!(" · {mode}, {n}"));
    ui.label(
        RichText::new(format!(
            "{} {} · {}{asked}",
            t(lang, "written by the model", "작성 모델:"),
            ai.model,
            ai.server
        ))
        .weak()
        .small(),
    );
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let h = crate::model::AnalysisReport::HEADINGS;
        let parts: [(&str, &str, Vec<&Claim>); 5] = [
            (h[0], "summary", vec![&answer.summary]),
            (h[1], "root_cause", vec![&answer.root_cause]),
            (h[2], "impact", vec![&answer.impact]),
            (h[3], "action_plan", answer.action_plan.iter().collect()),
            (h[4], "follow_up", answer.follow_up.iter().collect()),
        ];
        for (heading, key, claims) in parts {
            ui.label(RichText::new(heading).strong());
            for (i, c) in claims.iter().enumerate() {
                let part = if claims.len() > 1 || key == "action_plan" || key == "follow_up" {
                    format!("{key}[{}]", i + 1)
                } else {
                    key.to_string()
                };
                claim_ui(ui, c, &part, &ai.flags, lang, dark);
            }
        }
        if !answer.hypotheses.is_empty() {
            ui.label(RichText::new(t(lang, "Hypotheses", "가설 판정")).strong());
            for v in &answer.hypotheses {
                let (word, color) = match v.verdict {
                    Verdict::Supported => (t(lang, "supported", "지지됨"), style::recovered(dark)),
                    Verdict::Possible => (t(lang, "possible", "가능"), style::pending(dark)),
                    Verdict::Refuted => (t(lang, "refuted", "반박됨"), style::breach(dark)),
                    Verdict::Inconclusive => {
                        (t(lang, "inconclusive", "판단 불가"), style::pending(dark))
                    }
                };
                let text = ai
                    .facts
                    .iter()
                    .find(|f| f.id == v.fact)
                    .map_or(v.fact.clone(), |f| f.text.clone());
                ui.horizontal_wrapped(|ui| {
                    ui.label(RichText::new(word).color(color).strong());
                    ui.label(text);
                    if !v.cites.is_empty() {
                        ui.label(
                            RichText::new(format!("[{}]", v.cites.join(", ")))
                                .weak()
                                .small(),
                        );
                    }
                });
            }
        }
    });
    egui::CollapsingHeader::new(format!(
        "{} ({})",
        t(lang, "Sources", "근거 사실"),
        ai.facts.len()
    ))
    .id_salt(("ai-sources", ai.input_hash))
    .show(ui, |ui| {
        for f in &ai.facts {
            ui.label(RichText::new(format!("{}: {}", f.id, f.text)).small());
        }
    });
}

fn claim_ui(
    ui: &mut egui::Ui,
    c: &Claim,
    part: &str,
    flags: &[AnswerFlag],
    lang: Lang,
    dark: bool,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(&c.text);
        if !c.cites.is_empty() {
            ui.label(
                RichText::new(format!("[{}]", c.cites.join(", ")))
                    .weak()
                    .small(),
            );
        }
        for f in flags {
            let text = match f {
                AnswerFlag::UnknownCite { id, part: p } if p == part => {
                    format!("{} {id}", t(lang, "no such fact:", "없는 사실:"))
                }
                AnswerFlag::UnbackedNumber { number, part: p } if p == part => format!(
                    "{} {number}",
                    t(lang, "number in no fact:", "사실에 없는 숫자:")
                ),
                _ => continue,
            };
            ui.label(RichText::new(text).color(style::breach(dark)).small());
        }
    });
}

/// Knowledge-base documents found for the incident and past incidents of its runbook, under
/// the report (with or without a model).
pub(crate) fn related_ui(ui: &mut egui::Ui, inc: &Incident, all: &[Incident], lang: Lang) {
    let past: Vec<&Incident> = all
        .iter()
        .rev()
        .filter(|p| p.id != inc.id && p.scenario.code == inc.scenario.code && !p.status.is_active())
        .take(3)
        .collect();
    if inc.related.is_empty() && past.is_empty() {
        return;
    }
    ui.label(
        RichText::new(t(
            lang,
            "Related documents and past incidents",
            "관련 문서와 과거 인시던트",
        ))
        .strong(),
    );
    for r in &inc.related {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(&r.title).strong());
            ui.label(RichText::new(&r.source).weak().small());
        });
        let snippet: String = r.snippet.split_whitespace().collect::<Vec<_>>().join(" ");
        ui.label(RichText::new(snippet).weak().small());
    }
    for p in past {
        let outcome = match p.time_to_recover() {
            Some(ttr) => format!(
                "{} {}",
                t(lang, "recovered in", "복구:"),
                crate::text::format_duration(ttr)
            ),
            None => t(lang, "no verified recovery", "검증된 복구 없음").to_string(),
        };
        ui.label(format!(
            "#{} {} · {} · {outcome}",
            p.id,
            p.scenario.title.text(lang),
            p.opened_at.format("%Y-%m-%d %H:%M")
        ));
    }
}

/// Beside an evidence item: its live check's result (observed, not observed, could not
/// check) with the value and the time, or "checking…".
pub(crate) fn check_ui(
    ui: &mut egui::Ui,
    has_check: bool,
    result: Option<&crate::model::CheckResult>,
    lang: Lang,
) {
    use crate::model::CheckState;
    let dark = ui.visuals().dark_mode;
    let Some(r) = result else {
        if has_check {
            ui.label(
                RichText::new(t(lang, "checking…", "확인 중…"))
                    .weak()
                    .small(),
            );
        }
        return;
    };
    let word = crate::text::timeline::check_state(r.state, lang);
    let color = match r.state {
        CheckState::Observed => style::breach(dark),
        CheckState::NotObserved => style::recovered(dark),
        CheckState::CouldNotCheck => style::pending(dark),
    };
    let value = match (&r.value, &r.series) {
        (Some(v), Some(s)) => format!(" {v:.4} ({s})"),
        (Some(v), None) => format!(" {v:.4}"),
        _ => String::new(),
    };
    let text = match r.state {
        CheckState::CouldNotCheck => format!("[{word}: {}]", r.detail),
        _ => format!("[{word}{value} · {}]", r.at.format("%H:%M:%S")),
    };
    ui.label(RichText::new(text).color(color).small());
}
