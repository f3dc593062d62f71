//! The Prometheus tab: where numbers come from (URL, queries, thresholds, the series label,
//! limits, authentication, extra headers), and its Test.

use egui::RichText;

use crate::engine::{Command, Snapshot, SourceStatus};
use crate::model::overrides;
use crate::model::{Lang, PromAuth, PrometheusSettings, Secret, Settings, SettingsError};
use crate::ui::i18n::t;
use crate::ui::widgets;

/// The Prometheus tab's part of the settings draft: strings as typed, checked on Save.
#[derive(Default)]
pub(super) struct PrometheusDraft {
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
}

impl PrometheusDraft {
    /// The draft of `p`.
    pub(super) fn load(&mut self, p: &PrometheusSettings) {
        self.base_url = p.base_url.clone();
        self.http_query = p.http_query.clone();
        self.cpu_query = p.cpu_query.clone();
        self.http_threshold = p.http_threshold.to_string();
        self.cpu_threshold = p.cpu_threshold.to_string();
        self.series_label = p.series_label.clone();
        self.timeout = p.timeout_secs.to_string();
        self.max_body_mib = p.max_body_mib.to_string();
        (self.auth, self.token, self.user, self.password) = match &p.auth {
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
        self.headers = p
            .extra_headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
    }

    /// Puts the draft into `p`; each problem goes to `errors` in words.
    pub(super) fn apply(&self, p: &mut PrometheusSettings, errors: &mut Vec<String>) {
        let mut keep = |r: Result<(), SettingsError>| {
            if let Err(e) = r {
                errors.push(e.to_string());
            }
        };
        keep(
            Settings::parse_threshold("HTTP threshold", &self.http_threshold)
                .map(|v| p.http_threshold = v),
        );
        keep(
            Settings::parse_threshold("CPU threshold", &self.cpu_threshold)
                .map(|v| p.cpu_threshold = v),
        );
        p.base_url = self.base_url.trim().trim_end_matches('/').to_string();
        p.http_query = self.http_query.trim().to_string();
        p.cpu_query = self.cpu_query.trim().to_string();
        p.series_label = self.series_label.trim().to_string();
        keep(Settings::parse_timeout("timeout (s)", &self.timeout).map(|v| p.timeout_secs = v));
        keep(Settings::parse_max_body_mib(&self.max_body_mib).map(|v| p.max_body_mib = v));
        p.auth = match self.auth {
            AuthKind::None => PromAuth::None,
            AuthKind::Bearer => PromAuth::Bearer {
                token: Secret::new(self.token.trim()),
            },
            AuthKind::Basic => PromAuth::Basic {
                user: self.user.trim().to_string(),
                password: Secret::new(self.password.clone()),
            },
        };
        keep(Settings::parse_headers(&self.headers).map(|h| p.extra_headers = h));
    }
}

/// How the Prometheus tab's draft authenticates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum AuthKind {
    #[default]
    None,
    Bearer,
    Basic,
}

pub(super) fn prometheus_tab_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    draft: &mut PrometheusDraft,
    errors: &mut Vec<String>,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let env = |name: &'static str| snap.set_by_env(name);
    let rows = widgets::EnvRows::new(snap);
    egui::Grid::new("prometheus-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            rows.var_ui(
                ui,
                t(lang, "Base URL", "기본 URL"),
                &mut draft.base_url,
                &[overrides::PROMETHEUS_URL],
            );
            rows.var_ui(
                ui,
                t(lang, "HTTP-error query", "HTTP 오류 쿼리"),
                &mut draft.http_query,
                &[overrides::PROMETHEUS_HTTP_QUERY],
            );
            rows.var_ui(
                ui,
                t(lang, "HTTP threshold", "HTTP 임계치"),
                &mut draft.http_threshold,
                &[overrides::PROMETHEUS_HTTP_THRESHOLD],
            );
            rows.var_ui(
                ui,
                t(lang, "CPU query", "CPU 쿼리"),
                &mut draft.cpu_query,
                &[overrides::PROMETHEUS_CPU_QUERY],
            );
            rows.var_ui(
                ui,
                t(lang, "CPU threshold", "CPU 임계치"),
                &mut draft.cpu_threshold,
                &[overrides::PROMETHEUS_CPU_THRESHOLD],
            );
            rows.text_ui(
                ui,
                t(lang, "Hotspot label", "핫스팟 레이블"),
                &mut draft.series_label,
            );
            rows.text_ui(
                ui,
                t(lang, "Timeout (s)", "타임아웃 (초)"),
                &mut draft.timeout,
            );
            rows.text_ui(
                ui,
                t(lang, "Largest answer (MiB)", "최대 응답 크기 (MiB)"),
                &mut draft.max_body_mib,
            );
            ui.label(t(lang, "Authentication", "인증"));
            ui.add_enabled_ui(env(overrides::PROMETHEUS_TOKEN).is_none(), |ui| {
                ui.horizontal(|ui| {
                    ui.selectable_value(&mut draft.auth, AuthKind::None, t(lang, "None", "없음"));
                    ui.selectable_value(&mut draft.auth, AuthKind::Bearer, "Bearer");
                    ui.selectable_value(&mut draft.auth, AuthKind::Basic, "Basic");
                });
            });
            ui.end_row();
            match draft.auth {
                AuthKind::None => {}
                AuthKind::Bearer => rows.var_ui(
                    ui,
                    t(lang, "Token", "토큰"),
                    &mut draft.token,
                    &[overrides::PROMETHEUS_TOKEN],
                ),
                AuthKind::Basic => {
                    rows.text_ui(ui, t(lang, "User", "사용자"), &mut draft.user);
                    rows.secret_ui(ui, t(lang, "Password", "비밀번호"), &mut draft.password);
                }
            }
            let l = ui.label(t(lang, "Extra headers", "추가 헤더"));
            ui.add(
                egui::TextEdit::multiline(&mut draft.headers)
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
        // Only this tab's fields count: a problem in another tab does not stop a Test.
        let mut s = snap.settings.clone();
        errors.clear();
        draft.apply(&mut s.prometheus, errors);
        if errors.is_empty()
            && let Err(e) = s.validate()
        {
            errors.push(e.to_string());
        }
        if errors.is_empty() {
            send(Command::TestPrometheus(Box::new(s.prometheus)));
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
