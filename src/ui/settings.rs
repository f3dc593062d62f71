//! Settings: General, Prometheus, Slack and Email tabs. The form edits a draft of strings; Save
//! validates every number and says what is wrong before anything is sent to the engine.

use egui::RichText;

use super::i18n::t;
use super::{style, widgets};
use crate::engine::Snapshot;
use crate::engine::{Command, SourceStatus};
use crate::model::overrides;
use crate::model::{Lang, PromAuth, Secret, Settings, SettingsError, ThemeChoice};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum AuthKind {
    #[default]
    None,
    Bearer,
    Basic,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tab {
    #[default]
    General,
    Prometheus,
    Slack,
    Email,
    Alertmanager,
    Ai,
    Actions,
    Rules,
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
    series_label: String,
    timeout: String,
    max_body_mib: String,
    auth: AuthKind,
    token: String,
    user: String,
    password: String,
    headers: String,
    notify: super::notify::NotifyDraft,
    intake: super::intake_tab::IntakeDraft,
    ai: super::ai_tab::AiDraft,
    actions: super::actions_tab::ActionsDraft,
    rules: super::rules::RulesForm,
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
        self.series_label = s.prometheus.series_label.clone();
        self.timeout = s.prometheus.timeout_secs.to_string();
        self.max_body_mib = s.prometheus.max_body_mib.to_string();
        (self.auth, self.token, self.user, self.password) = match &s.prometheus.auth {
            PromAuth::None => (AuthKind::None, String::new(), String::new(), String::new()),
            PromAuth::Bearer { token } => (
                AuthKind::Bearer,
                token.expose().to_string(),
                String::new(),
                String::new(),
            ),
            PromAuth::Basic { user, password } => (
                AuthKind::Basic,
                String::new(),
                user.clone(),
                password.expose().to_string(),
            ),
        };
        self.headers = s
            .prometheus
            .extra_headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        self.notify.load(s);
        self.intake.load(s);
        self.ai.load(s);
        self.actions.load(s);
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
            Settings::parse_recovery_samples(&self.recovery_samples)
                .map(|v| s.recovery_samples = v),
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
        s.prometheus.series_label = self.series_label.trim().to_string();
        keep(
            Settings::parse_timeout("timeout (s)", &self.timeout)
                .map(|v| s.prometheus.timeout_secs = v),
        );
        keep(
            Settings::parse_max_body_mib(&self.max_body_mib).map(|v| s.prometheus.max_body_mib = v),
        );
        s.prometheus.auth = match self.auth {
            AuthKind::None => PromAuth::None,
            AuthKind::Bearer => PromAuth::Bearer {
                token: Secret::new(self.token.trim()),
            },
            AuthKind::Basic => PromAuth::Basic {
                user: self.user.trim().to_string(),
                password: Secret::new(self.password.clone()),
            },
        };
        keep(Settings::parse_headers(&self.headers).map(|h| s.prometheus.extra_headers = h));
        self.notify.apply(&mut s, &mut errors);
        self.intake.apply(&mut s, &mut errors);
        self.ai.apply(&mut s, &mut errors);
        match self.actions.actions() {
            Ok(a) => s.actions = a,
            Err(e) => errors.extend(e),
        }
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
        // A language switch alone keeps what is being edited in the other fields.
        let only_language = form.base.as_ref().is_some_and(|b| {
            Settings {
                language: snap.settings.language,
                ..b.clone()
            } == snap.settings
        });
        if only_language {
            form.language = snap.settings.language;
            form.base = Some(snap.settings.clone());
        } else {
            form.load(&snap.settings);
        }
    }
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        ui.selectable_value(&mut form.tab, Tab::General, t(lang, "General", "일반"));
        ui.selectable_value(&mut form.tab, Tab::Rules, t(lang, "Rules", "규칙"));
        ui.selectable_value(&mut form.tab, Tab::Prometheus, "Prometheus");
        ui.selectable_value(&mut form.tab, Tab::Slack, "Slack");
        ui.selectable_value(&mut form.tab, Tab::Email, t(lang, "Email", "메일"));
        ui.selectable_value(&mut form.tab, Tab::Alertmanager, "Alertmanager");
        ui.selectable_value(&mut form.tab, Tab::Ai, "AI");
        ui.selectable_value(&mut form.tab, Tab::Actions, t(lang, "Actions", "조치"));
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
                        // Applies at once, the feed included; no Save needed.
                        for (choice, name) in [(Lang::En, "English"), (Lang::Ko, "한국어")] {
                            if ui
                                .selectable_value(&mut form.language, choice, name)
                                .clicked()
                            {
                                send(Command::SetLanguage(choice));
                            }
                        }
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
                    widgets::text_row_ui(
                        ui,
                        t(lang, "Poll interval (s)", "수집 주기 (초)"),
                        &mut form.poll_interval,
                    );
                    widgets::text_row_ui(
                        ui,
                        t(lang, "Recovery samples", "복구 판정 샘플 수"),
                        &mut form.recovery_samples,
                    );
                    ui.label(t(lang, "Automatic reports", "자동 보고"));
                    ui.horizontal(|ui| {
                        ui.checkbox(
                            &mut form.notify.target_slack,
                            t(lang, "Post to Slack", "Slack 게시"),
                        );
                        ui.checkbox(
                            &mut form.notify.target_email,
                            t(lang, "Send email", "메일 발송"),
                        );
                    });
                    ui.end_row();
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
        Tab::Prometheus => prometheus_tab_ui(ui, snap, form, send),
        Tab::Slack => {
            super::notify::slack_tab_ui(ui, snap, &mut form.notify, &mut form.errors, send)
        }
        Tab::Email => super::notify::email_tab_ui(ui, snap, &mut form.notify),
        Tab::Alertmanager => super::intake_tab::intake_tab_ui(ui, snap, &mut form.intake),
        Tab::Ai => super::ai_tab::ai_tab_ui(ui, snap, &mut form.ai, &mut form.errors, send),
        Tab::Actions => super::actions_tab::actions_tab_ui(ui, snap, &mut form.actions),
        Tab::Rules => {
            // Each rule is saved on its own, to its own file: no shared Save button here.
            return super::rules::rules_tab_ui(ui, snap, &mut form.rules, send);
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

fn prometheus_tab_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    form: &mut SettingsForm,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let env = |name: &'static str| snap.set_by_env(name);
    egui::Grid::new("prometheus-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "Base URL", "기본 URL"),
                &mut form.base_url,
                env(overrides::PROMETHEUS_URL),
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "HTTP-error query", "HTTP 오류 쿼리"),
                &mut form.http_query,
                env(overrides::PROMETHEUS_HTTP_QUERY),
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "HTTP threshold", "HTTP 임계치"),
                &mut form.http_threshold,
                env(overrides::PROMETHEUS_HTTP_THRESHOLD),
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "CPU query", "CPU 쿼리"),
                &mut form.cpu_query,
                env(overrides::PROMETHEUS_CPU_QUERY),
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "CPU threshold", "CPU 임계치"),
                &mut form.cpu_threshold,
                env(overrides::PROMETHEUS_CPU_THRESHOLD),
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "Hotspot label", "핫스팟 레이블"),
                &mut form.series_label,
                None,
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "Timeout (s)", "타임아웃 (초)"),
                &mut form.timeout,
                None,
                false,
            );
            widgets::env_row_ui(
                ui,
                lang,
                t(lang, "Largest answer (MiB)", "최대 응답 크기 (MiB)"),
                &mut form.max_body_mib,
                None,
                false,
            );
            ui.label(t(lang, "Authentication", "인증"));
            ui.add_enabled_ui(env(overrides::PROMETHEUS_TOKEN).is_none(), |ui| {
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut form.auth, AuthKind::None, t(lang, "None", "없음"));
                    ui.selectable_value(&mut form.auth, AuthKind::Bearer, "Bearer");
                    ui.selectable_value(&mut form.auth, AuthKind::Basic, "Basic");
                });
            });
            ui.end_row();
            match form.auth {
                AuthKind::None => {}
                AuthKind::Bearer => widgets::env_row_ui(
                    ui,
                    lang,
                    t(lang, "Token", "토큰"),
                    &mut form.token,
                    env(overrides::PROMETHEUS_TOKEN),
                    true,
                ),
                AuthKind::Basic => {
                    widgets::env_row_ui(
                        ui,
                        lang,
                        t(lang, "User", "사용자"),
                        &mut form.user,
                        None,
                        false,
                    );
                    widgets::env_row_ui(
                        ui,
                        lang,
                        t(lang, "Password", "비밀번호"),
                        &mut form.password,
                        None,
                        true,
                    );
                }
            }
            let l = ui.label(t(lang, "Extra headers", "추가 헤더"));
            ui.add(
                egui::TextEdit::multiline(&mut form.headers)
                    .desired_rows(2)
                    .desired_width(260.0)
                    .hint_text("X-Scope-OrgID: tenant-1"),
            )
            .labelled_by(l.id);
            ui.end_row();
        });
    ui.label(
        RichText::new(t(
            lang,
            "The two queries and thresholds tune the built-in rules http_error_rate and cpu_usage; a file in rules/ with the same id replaces one. Every other rule is in the Rules tab.",
            "두 쿼리와 임계치는 내장 규칙 http_error_rate, cpu_usage에 적용됩니다. rules/에 같은 ID의 파일이 있으면 그 파일이 우선합니다. 다른 규칙은 규칙 탭에 있습니다.",
        ))
        .weak()
        .small(),
    );
    if ui
        .button(t(lang, "Test", "테스트"))
        .on_hover_text(t(
            lang,
            "Run every rule's query once with the values above (nothing is saved)",
            "위 값으로 모든 규칙의 쿼리를 한 번 실행합니다 (저장하지 않음)",
        ))
        .clicked()
    {
        match form.parse(&snap.settings) {
            Ok(s) => {
                form.errors.clear();
                send(Command::TestPrometheus(Box::new(s.prometheus)));
            }
            Err(errors) => form.errors = errors,
        }
    }
    test_result_ui(ui, snap, lang, dark);
    if matches!(snap.source, SourceStatus::Demo { .. }) {
        ui.label(
            RichText::new(t(
                lang,
                "Demo mode is on (General tab): Save keeps the demo data; turn demo mode off to go live. Thresholds apply to the demo data too.",
                "데모 모드가 켜져 있습니다 (일반 탭): 실시간으로 전환하려면 데모 모드를 끄세요. 임계치는 데모 데이터에도 적용됩니다.",
            ))
            .weak(),
        );
    }
}

fn test_result_ui(ui: &mut egui::Ui, snap: &Snapshot, lang: Lang, dark: bool) {
    if let Some(test) = &snap.prometheus_test {
        widgets::prom_test_ui(ui, test, &snap.rules, lang, dark);
    }
}
