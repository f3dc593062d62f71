//! Small pieces more than one panel draws: a row the environment may own, a Test's answer,
//! risk in words. Panels import these; nothing here imports a panel, so there is no circle.

use egui::RichText;

use super::i18n::t;
use super::style;
use crate::engine::{PromTest, Snapshot};
use crate::model::{Lang, Risk, overrides};

/// Risk in words.
pub(crate) fn risk_text(risk: Risk, lang: Lang) -> &'static str {
    match risk {
        Risk::Low => t(lang, "low risk", "위험 낮음"),
        Risk::Medium => t(lang, "medium risk", "위험 중간"),
        Risk::High => t(lang, "HIGH RISK", "위험 높음"),
    }
}

/// A labelled one-line text field as a row of a two-column grid.
pub(crate) fn text_row_ui(ui: &mut egui::Ui, label: &str, value: &mut String) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(220.0))
        .labelled_by(l.id);
    ui.end_row();
}

/// A text row that the environment may own for this run: then it is read-only and says which
/// variable set it. `secret` masks the text.
fn env_row_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    label: &str,
    value: &mut String,
    env: Option<&'static str>,
    secret: bool,
) {
    let l = ui.label(label);
    ui.vertical(|ui| {
        let edit = egui::TextEdit::singleline(value)
            .desired_width(260.0)
            .password(secret);
        ui.add_enabled(env.is_none(), edit).labelled_by(l.id);
        env_note_ui(ui, lang, env);
    });
    ui.end_row();
}

/// The text rows of a settings grid, made from the snapshot once per tab: a row names the
/// variables that may set its field, and the overrides table and the snapshot decide the rest
/// (read-only with the variable named when one is set for this run, masked when the first
/// holds a secret), so a tab cannot mask one field and forget its twin.
pub(crate) struct EnvRows<'a> {
    snap: &'a Snapshot,
}

impl<'a> EnvRows<'a> {
    /// Rows for the snapshot's run and language.
    pub(crate) fn new(snap: &'a Snapshot) -> Self {
        Self { snap }
    }

    /// A field that any of `vars` may set (the first one set is named under it).
    pub(crate) fn var_ui(
        &self,
        ui: &mut egui::Ui,
        label: &str,
        value: &mut String,
        vars: &[&'static str],
    ) {
        let env = vars.iter().find_map(|v| self.snap.set_by_env(v));
        let secret = vars.first().is_some_and(|v| overrides::is_secret(v));
        env_row_ui(ui, self.snap.lang(), label, value, env, secret);
    }

    /// A field no variable sets.
    pub(crate) fn text_ui(&self, ui: &mut egui::Ui, label: &str, value: &mut String) {
        env_row_ui(ui, self.snap.lang(), label, value, None, false);
    }

    /// A secret field no variable sets, masked.
    pub(crate) fn secret_ui(&self, ui: &mut egui::Ui, label: &str, value: &mut String) {
        env_row_ui(ui, self.snap.lang(), label, value, None, true);
    }
}

/// "set for this run by VAR" under a field the environment owns; nothing otherwise.
pub(crate) fn env_note_ui(ui: &mut egui::Ui, lang: Lang, env: Option<&'static str>) {
    if let Some(var) = env {
        ui.label(
            RichText::new(format!(
                "{} {var}",
                t(lang, "set for this run by", "이번 실행에서 설정한 변수:")
            ))
            .weak()
            .small(),
        );
    }
}

/// A Test's answer: per rule, each series' value as its card writes it, or the error in words.
pub(crate) fn prom_test_ui(
    ui: &mut egui::Ui,
    test: &PromTest,
    rules: &[crate::model::Rule],
    lang: Lang,
    dark: bool,
) {
    match test {
        PromTest::Running { url } => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("{} {url}…", t(lang, "Testing", "테스트 중")));
            });
        }
        PromTest::Done { url, at, results } => {
            ui.label(
                RichText::new(format!(
                    "{} {url} {} {}",
                    t(lang, "Test of", "테스트:"),
                    t(lang, "at", "시각"),
                    at.with_timezone(&chrono::Local).format("%H:%M:%S")
                ))
                .strong(),
            );
            let per_rule = match results {
                Err(e) => {
                    ui.label(RichText::new(e).color(style::breach(dark)));
                    return;
                }
                Ok(r) => r,
            };
            for (rule_id, answer) in per_rule {
                let rule = rules.iter().find(|r| &r.id == rule_id);
                let write = |v: f64| match rule {
                    Some(r) if v.is_finite() => r.format(v),
                    _ => crate::model::prom_number(v),
                };
                match answer {
                    Err(e) => {
                        ui.label(
                            RichText::new(format!("{rule_id}: {e}")).color(style::breach(dark)),
                        );
                    }
                    Ok(series) if series.is_empty() => {
                        ui.label(
                            RichText::new(format!(
                                "{rule_id}: {}",
                                t(
                                    lang,
                                    "the query returned no series",
                                    "쿼리 결과에 시계열이 없습니다"
                                )
                            ))
                            .color(style::pending(dark)),
                        );
                    }
                    Ok(series) => {
                        let shown: Vec<String> = series
                            .iter()
                            .take(12)
                            .map(|(k, v)| format!("{k} = {}", write(*v)))
                            .collect();
                        let more = series.len().saturating_sub(12);
                        let mut text = format!("{rule_id}: {}", shown.join(", "));
                        if more > 0 {
                            text.push_str(&format!(" (+{more})"));
                        }
                        let bad = series.iter().any(|(_, v)| !v.is_finite());
                        let mut rt = RichText::new(text).monospace();
                        if bad {
                            rt = rt.color(style::pending(dark));
                        }
                        ui.add(egui::Label::new(rt).wrap());
                    }
                }
            }
        }
    }
}
