//! The Rules tab: every rule with where it comes from; add, edit, disable and remove rules
//! (the engine writes the files), and Test a query once against the Prometheus in force.

use egui::RichText;

use crate::engine::Command;
use crate::engine::Snapshot;
use crate::model::{Comparison, Lang, Localized, Rule, RuleId, Severity, Unit};
use crate::ui::i18n::t;
use crate::ui::style;

/// The rule being edited, as text the user types.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RuleDraft {
    /// The id the rule had when editing began (`None`: a new rule).
    original: Option<RuleId>,
    id: String,
    title_en: String,
    title_ko: String,
    query: String,
    unit: Unit,
    comparison: Comparison,
    threshold: String,
    window: String,
    series_label: String,
    severity: Severity,
    runbook: String,
    enabled: bool,
}

impl RuleDraft {
    fn new_rule() -> Self {
        Self {
            window: crate::model::DEFAULT_WINDOW_SAMPLES.to_string(),
            series_label: "instance".into(),
            enabled: true,
            ..Self::default()
        }
    }

    fn from_rule(rule: &Rule) -> Self {
        Self {
            original: Some(rule.id.clone()),
            id: rule.id.clone(),
            title_en: rule.title.en.clone(),
            title_ko: rule.title.ko.clone(),
            query: rule.query.clone(),
            unit: rule.unit,
            comparison: rule.comparison,
            threshold: rule.threshold.to_string(),
            window: rule.window.to_string(),
            series_label: rule.series_label.clone(),
            severity: rule.severity,
            runbook: rule.runbook.clone().unwrap_or_default(),
            enabled: rule.enabled,
        }
    }

    /// The rule the text describes, or what is wrong, in words. The numbers are parsed here;
    /// every other check is [`Rule::validate`], the one the engine and the file loader use.
    pub(crate) fn parse(&self) -> Result<Rule, String> {
        let threshold: f64 = self
            .threshold
            .trim()
            .parse()
            .map_err(|_| format!("threshold: \"{}\" is not a number", self.threshold))?;
        let window: u32 = self.window.trim().parse().map_err(|_| {
            format!(
                "window: \"{}\" is not a whole number of samples",
                self.window
            )
        })?;
        let id = self.id.trim().to_string();
        let rule = Rule {
            title: Localized {
                en: if self.title_en.trim().is_empty() {
                    id.clone()
                } else {
                    self.title_en.trim().to_string()
                },
                ko: self.title_ko.trim().to_string(),
            },
            id,
            query: self.query.trim().to_string(),
            unit: self.unit,
            comparison: self.comparison,
            threshold,
            window,
            series_label: self.series_label.trim().to_string(),
            severity: self.severity,
            runbook: Some(self.runbook.trim().to_string()).filter(|r| !r.is_empty()),
            enabled: self.enabled,
        };
        rule.validate()?;
        Ok(rule)
    }
}

/// UI-only state of the Rules tab.
#[derive(Default)]
pub(crate) struct RulesForm {
    draft: Option<RuleDraft>,
    error: Option<String>,
}

fn unit_text(unit: Unit, lang: Lang) -> &'static str {
    match unit {
        Unit::Ratio => t(lang, "ratio (0–1, shown as %)", "비율 (0–1, %로 표시)"),
        Unit::Percent => t(lang, "percent", "퍼센트"),
        Unit::Seconds => t(lang, "seconds", "초"),
        Unit::Bytes => t(lang, "bytes", "바이트"),
        Unit::Count => t(lang, "count", "개수"),
        Unit::None => t(lang, "none", "없음"),
    }
}

fn severity_text(severity: Severity, lang: Lang) -> &'static str {
    match severity {
        Severity::Critical => t(lang, "critical", "심각"),
        Severity::Warning => t(lang, "warning", "경고"),
        Severity::Info => t(lang, "info", "정보"),
    }
}

/// The tab: the list, then the editor when a rule is being edited.
pub(crate) fn rules_tab_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    form: &mut RulesForm,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.label(
        RichText::new(format!(
            "{} {}/rules",
            t(lang, "Rule files live in", "규칙 파일 위치:"),
            snap.data_dir
        ))
        .weak()
        .small(),
    );
    rule_list_ui(ui, snap, form);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button(t(lang, "Add rule", "규칙 추가")).clicked() {
            form.draft = Some(RuleDraft::new_rule());
            form.error = None;
        }
        if ui
            .button(t(lang, "Reload rules", "규칙 다시 읽기"))
            .clicked()
        {
            send(Command::ReloadRules);
        }
    });
    let Some(draft) = form.draft.as_mut() else {
        return;
    };
    ui.separator();
    ui.strong(match &draft.original {
        Some(id) => format!("{} {id}", t(lang, "Editing rule", "규칙 편집:")),
        None => t(lang, "New rule", "새 규칙").to_string(),
    });
    rule_editor_ui(ui, snap, draft);
    let close = rule_buttons_ui(ui, snap, draft, &mut form.error, send);
    if let Some(e) = &form.error {
        ui.label(RichText::new(e).color(style::breach(dark)));
    }
    if let Some(test) = &snap.rule_test {
        // Values are written in the unit being edited, even before the rule is saved.
        let edited: Vec<Rule> = draft.parse().ok().into_iter().collect();
        let rules = if edited.is_empty() {
            &snap.rules[..]
        } else {
            &edited[..]
        };
        crate::ui::widgets::prom_test_ui(ui, &test.0, rules, lang, dark);
    }
    if close {
        form.draft = None;
        form.error = None;
    }
}

/// Every rule file, each with an Edit button that opens the editor on it.
fn rule_list_ui(ui: &mut egui::Ui, snap: &Snapshot, form: &mut RulesForm) {
    let lang = snap.lang();
    for loaded in snap.rule_files.iter() {
        let effective = snap.rules.iter().find(|r| r.id == loaded.rule.id);
        let rule = effective.unwrap_or(&loaded.rule);
        ui.group(|ui| {
            ui.set_width(ui.available_width());
            ui.horizontal(|ui| {
                let mut name =
                    RichText::new(format!("{} ({})", rule.title.text(lang), rule.id)).strong();
                if !rule.enabled {
                    name = name.weak().strikethrough();
                }
                ui.label(name);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    if ui
                        .small_button(format!("{} {}", t(lang, "Edit", "편집"), rule.id))
                        .clicked()
                    {
                        form.draft = Some(RuleDraft::from_rule(rule));
                        form.error = None;
                    }
                });
            });
            let origin = match (&loaded.file, loaded.built_in) {
                (None, _) => t(lang, "built in", "내장").to_string(),
                (Some(f), true) => format!(
                    "{} {}",
                    t(lang, "built in, replaced by", "내장, 덮어쓴 파일:"),
                    f.file_name().unwrap_or_default().to_string_lossy()
                ),
                (Some(f), false) => f.file_name().unwrap_or_default().to_string_lossy().into(),
            };
            let state = if rule.enabled {
                ""
            } else {
                t(lang, " · disabled", " · 사용 안 함")
            };
            ui.label(
                RichText::new(format!(
                    "{} {} · {} · {origin}{state}",
                    rule.comparison.symbol(),
                    rule.format(rule.threshold),
                    severity_text(rule.severity, lang)
                ))
                .small(),
            );
            ui.add(
                egui::Label::new(RichText::new(&rule.query).monospace().small().weak()).truncate(),
            );
        });
    }
}

/// The editor's fields, on the draft.
fn rule_editor_ui(ui: &mut egui::Ui, snap: &Snapshot, draft: &mut RuleDraft) {
    let lang = snap.lang();
    egui::Grid::new("rule-editor")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            let row = crate::ui::widgets::text_row_ui;
            row(ui, t(lang, "Rule id", "규칙 ID"), &mut draft.id);
            row(
                ui,
                t(lang, "Title (English)", "제목 (영어)"),
                &mut draft.title_en,
            );
            row(
                ui,
                t(lang, "Title (Korean)", "제목 (한국어)"),
                &mut draft.title_ko,
            );
            let l = ui.label(t(lang, "Query (PromQL)", "쿼리 (PromQL)"));
            ui.add(
                egui::TextEdit::multiline(&mut draft.query)
                    .desired_rows(2)
                    .desired_width(240.0)
                    .code_editor(),
            )
            .labelled_by(l.id);
            ui.end_row();
            ui.label(t(lang, "Unit", "단위"));
            egui::ComboBox::from_id_salt("rule-unit")
                .selected_text(unit_text(draft.unit, lang))
                .show_ui(ui, |ui| {
                    for unit in Unit::ALL {
                        ui.selectable_value(&mut draft.unit, unit, unit_text(unit, lang));
                    }
                });
            ui.end_row();
            ui.label(t(lang, "Breach when", "초과 조건"));
            ui.horizontal(|ui| {
                ui.selectable_value(
                    &mut draft.comparison,
                    Comparison::Above,
                    t(lang, "above", "초과"),
                );
                ui.selectable_value(
                    &mut draft.comparison,
                    Comparison::Below,
                    t(lang, "below", "미만"),
                );
            });
            ui.end_row();
            row(ui, t(lang, "Threshold", "임계치"), &mut draft.threshold);
            row(
                ui,
                t(lang, "Window (samples)", "판정 구간 (샘플)"),
                &mut draft.window,
            );
            row(
                ui,
                t(lang, "Series label", "시리즈 레이블"),
                &mut draft.series_label,
            );
            ui.label(t(lang, "Severity", "심각도"));
            ui.horizontal(|ui| {
                for s in Severity::ALL {
                    ui.selectable_value(&mut draft.severity, s, severity_text(s, lang));
                }
            });
            ui.end_row();
            ui.label(t(lang, "Runbook", "런북"));
            egui::ComboBox::from_id_salt("rule-runbook")
                .selected_text(if draft.runbook.is_empty() {
                    t(lang, "none (generic incident)", "없음 (일반 인시던트)").to_string()
                } else {
                    draft.runbook.clone()
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(
                        &mut draft.runbook,
                        String::new(),
                        t(lang, "none (generic incident)", "없음 (일반 인시던트)"),
                    );
                    for s in snap.scenarios.iter() {
                        ui.selectable_value(&mut draft.runbook, s.code.clone(), &s.code);
                    }
                });
            ui.end_row();
            ui.label(t(lang, "Enabled", "사용"));
            ui.checkbox(
                &mut draft.enabled,
                t(lang, "Watch this rule", "이 규칙 감시"),
            );
            ui.end_row();
        });
}

/// Test, Save, Remove (or Reset) and Cancel; returns whether the editor closes. A draft that
/// does not parse leaves its problem in `error`.
fn rule_buttons_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    draft: &RuleDraft,
    error: &mut Option<String>,
    send: &dyn Fn(Command),
) -> bool {
    let lang = snap.lang();
    let mut close = false;
    ui.horizontal(|ui| {
        if ui.button(t(lang, "Test query", "쿼리 테스트")).clicked() {
            match draft.parse() {
                Ok(rule) => {
                    *error = None;
                    send(Command::TestRule(Box::new(rule)));
                }
                Err(e) => *error = Some(e),
            }
        }
        if ui.button(t(lang, "Save rule", "규칙 저장")).clicked() {
            match draft.parse() {
                Ok(rule) => {
                    send(Command::SaveRule {
                        rule: Box::new(rule),
                        replaces: draft.original.clone(),
                    });
                    close = true;
                }
                Err(e) => *error = Some(e),
            }
        }
        let file = draft.original.as_ref().and_then(|id| {
            snap.rule_files
                .iter()
                .find(|l| &l.rule.id == id)
                .and_then(|l| l.file.as_ref().map(|_| l.built_in))
        });
        if let Some(built_in) = file {
            let label = if built_in {
                t(lang, "Reset to built-in", "내장 규칙으로 되돌리기")
            } else {
                t(lang, "Remove rule", "규칙 삭제")
            };
            if ui.button(label).clicked() {
                if let Some(id) = draft.original.clone() {
                    send(Command::DeleteRule { id });
                }
                close = true;
            }
        }
        if ui.button(t(lang, "Cancel", "취소")).clicked() {
            close = true;
        }
    });
    close
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_parses_into_a_valid_rule_or_says_what_is_wrong() {
        let mut d = RuleDraft::new_rule();
        d.id = "sample_up".into();
        d.query = "up{job=\"sample\"}".into();
        d.comparison = Comparison::Below;
        d.threshold = "1".into();
        let rule = d.parse().unwrap();
        assert_eq!(
            rule.title.en, "sample_up",
            "the id stands in for a missing title"
        );
        assert_eq!(rule.window, 5);
        assert_eq!(rule.runbook, None);
        d.threshold = "one".into();
        assert_eq!(d.parse().unwrap_err(), "threshold: \"one\" is not a number");
        d.threshold = "1".into();
        d.window = "0".into();
        assert!(d.parse().unwrap_err().contains("window 0"));
        d.window = "5".into();
        d.id = "with space".into();
        assert!(d.parse().unwrap_err().contains("letters, digits"));
    }
}
