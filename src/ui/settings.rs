//! Settings: a General tab and a Prometheus tab. The form edits a draft of strings; Save
//! validates every number and says what is wrong before anything is sent to the engine.

use egui::RichText;

use super::app::Snapshot;
use super::i18n::t;
use super::style;
use crate::engine::{Command, SourceStatus};
use crate::model::{Lang, Settings, SettingsError, ThemeChoice};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tab {
    #[default]
    General,
    Prometheus,
}

/// The editable copy of the settings.
#[derive(Default)]
pub(crate) struct SettingsForm {
    tab: Tab,
    /// The saved settings the draft was made from; a new save elsewhere refreshes the draft.
    base: Option<Settings>,
    language: Lang,
    theme: ThemeChoice,
    demo_mode: bool,
    poll_interval: String,
    recovery_samples: String,
    graph_window_mins: u32,
    base_url: String,
    http_query: String,
    cpu_query: String,
    http_threshold: String,
    cpu_threshold: String,
    errors: Vec<String>,
}

impl SettingsForm {
    fn load(&mut self, s: &Settings) {
        self.base = Some(s.clone());
        self.language = s.language;
        self.theme = s.theme;
        self.demo_mode = s.demo_mode;
        self.poll_interval = s.poll_interval_secs.to_string();
        self.recovery_samples = s.recovery_samples.to_string();
        self.graph_window_mins = s.graph_window_mins;
        self.base_url = s.prometheus.base_url.clone();
        self.http_query = s.prometheus.http_query.clone();
        self.cpu_query = s.prometheus.cpu_query.clone();
        self.http_threshold = s.prometheus.http_threshold.to_string();
        self.cpu_threshold = s.prometheus.cpu_threshold.to_string();
    }

    /// Builds settings from the draft, or every problem in words.
    fn parse(&self, base: &Settings) -> Result<Settings, Vec<String>> {
        let mut errors = Vec::new();
        let mut s = base.clone();
        s.language = self.language;
        s.theme = self.theme;
        s.demo_mode = self.demo_mode;
        s.graph_window_mins = self.graph_window_mins;
        let mut keep = |r: Result<(), SettingsError>| {
            if let Err(e) = r {
                errors.push(e.to_string());
            }
        };
        keep(Settings::parse_poll_interval(&self.poll_interval).map(|v| s.poll_interval_secs = v));
        keep(
            self.recovery_samples
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=100).contains(n))
                .map(|v| s.recovery_samples = v)
                .ok_or(SettingsError::OutOfRange {
                    field: "recovery samples",
                    value: self.recovery_samples.clone(),
                    min: "1".into(),
                    max: "100".into(),
                }),
        );
        keep(
            Settings::parse_threshold("HTTP threshold", &self.http_threshold)
                .map(|v| s.prometheus.http_threshold = v),
        );
        keep(
            Settings::parse_threshold("CPU threshold", &self.cpu_threshold)
                .map(|v| s.prometheus.cpu_threshold = v),
        );
        s.prometheus.base_url = self.base_url.trim().trim_end_matches('/').to_string();
        s.prometheus.http_query = self.http_query.trim().to_string();
        s.prometheus.cpu_query = self.cpu_query.trim().to_string();
        if errors.is_empty()
            && let Err(e) = s.validate()
        {
            errors.push(e.to_string());
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

/// The settings section of the side panel.
pub(crate) fn settings_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    form: &mut SettingsForm,
    send: &dyn Fn(Command),
) {
    if form.base.as_ref() != Some(&snap.settings) {
        form.load(&snap.settings);
    }
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.heading(t(lang, "Settings", "설정"));
    ui.horizontal(|ui| {
        ui.selectable_value(&mut form.tab, Tab::General, t(lang, "General", "일반"));
        ui.selectable_value(&mut form.tab, Tab::Prometheus, "Prometheus");
    });
    ui.separator();
    match form.tab {
        Tab::General => {
            egui::Grid::new("general-settings")
                .num_columns(2)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    ui.label(t(lang, "Language", "언어"));
                    ui.horizontal(|ui| {
                        ui.selectable_value(&mut form.language, Lang::En, "English");
                        ui.selectable_value(&mut form.language, Lang::Ko, "한국어");
                    });
                    ui.end_row();
                    ui.label(t(lang, "Theme", "테마"));
                    ui.horizontal(|ui| {
                        ui.selectable_value(
                            &mut form.theme,
                            ThemeChoice::Light,
                            t(lang, "Light", "밝게"),
                        );
                        ui.selectable_value(
                            &mut form.theme,
                            ThemeChoice::Dark,
                            t(lang, "Dark", "어둡게"),
                        );
                    });
                    ui.end_row();
                    ui.label(t(lang, "Data dir", "데이터 폴더"));
                    ui.add(
                        egui::Label::new(RichText::new(&snap.data_dir).monospace().small()).wrap(),
                    );
                    ui.end_row();
                    ui.label(t(lang, "Demo mode", "데모 모드"));
                    ui.checkbox(
                        &mut form.demo_mode,
                        t(lang, "Use simulated metrics", "시뮬레이션 메트릭 사용"),
                    );
                    ui.end_row();
                    text_row_ui(
                        ui,
                        t(lang, "Poll interval (s)", "수집 주기 (초)"),
                        &mut form.poll_interval,
                    );
                    text_row_ui(
                        ui,
                        t(lang, "Recovery samples", "복구 판정 샘플 수"),
                        &mut form.recovery_samples,
                    );
                    ui.label(t(lang, "Graph window", "그래프 구간"));
                    ui.horizontal(|ui| {
                        for (mins, label) in [(15, "15m"), (60, "1h"), (360, "6h"), (1440, "24h")] {
                            ui.selectable_value(&mut form.graph_window_mins, mins, label);
                        }
                    });
                    ui.end_row();
                });
            if snap.poll_interval_secs != snap.settings.poll_interval_secs {
                ui.label(
                    RichText::new(format!(
                        "{} {} s (--poll-secs)",
                        t(lang, "This run polls every", "이번 실행의 수집 주기:"),
                        snap.poll_interval_secs
                    ))
                    .weak(),
                );
            }
            if snap.demo_forced {
                ui.label(
                    RichText::new(t(
                        lang,
                        "--demo is set: this run uses demo data whatever is saved here.",
                        "--demo 옵션: 이번 실행은 저장된 설정과 관계없이 데모 데이터를 씁니다.",
                    ))
                    .weak(),
                );
            }
        }
        Tab::Prometheus => {
            egui::Grid::new("prometheus-settings")
                .num_columns(2)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    text_row_ui(ui, t(lang, "Base URL", "기본 URL"), &mut form.base_url);
                    text_row_ui(
                        ui,
                        t(lang, "HTTP-error query", "HTTP 오류 쿼리"),
                        &mut form.http_query,
                    );
                    text_row_ui(
                        ui,
                        t(lang, "HTTP threshold", "HTTP 임계치"),
                        &mut form.http_threshold,
                    );
                    text_row_ui(ui, t(lang, "CPU query", "CPU 쿼리"), &mut form.cpu_query);
                    text_row_ui(
                        ui,
                        t(lang, "CPU threshold", "CPU 임계치"),
                        &mut form.cpu_threshold,
                    );
                });
            let saved_url = &snap.settings.prometheus.base_url;
            let status = if saved_url.is_empty() {
                t(
                    lang,
                    "No Prometheus URL saved.",
                    "저장된 Prometheus URL이 없습니다.",
                )
                .to_string()
            } else {
                format!(
                    "{saved_url}: {}",
                    t(
                        lang,
                        "not connected yet (this version has no live client)",
                        "아직 연결되지 않음 (이 버전에는 실시간 클라이언트가 없습니다)"
                    )
                )
            };
            ui.label(RichText::new(status).color(style::pending(dark)));
            if matches!(snap.source, SourceStatus::Demo { .. }) {
                ui.label(
                    RichText::new(t(
                        lang,
                        "Thresholds apply to the demo data too.",
                        "임계치는 데모 데이터에도 적용됩니다.",
                    ))
                    .weak(),
                );
            }
        }
    }
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button(t(lang, "Save settings", "설정 저장")).clicked() {
            match form.parse(&snap.settings) {
                Ok(s) => {
                    form.errors.clear();
                    send(Command::SaveSettings(Box::new(s)));
                }
                Err(errors) => form.errors = errors,
            }
        }
        if ui.button(t(lang, "Revert", "되돌리기")).clicked() {
            form.load(&snap.settings);
            form.errors.clear();
        }
    });
    for e in &form.errors {
        ui.label(RichText::new(e).color(style::breach(dark)));
    }
}

fn text_row_ui(ui: &mut egui::Ui, label: &str, value: &mut String) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(200.0))
        .labelled_by(l.id);
    ui.end_row();
}
