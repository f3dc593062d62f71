//! The Prometheus tab: where numbers come from (URL, queries, thresholds, the series label,
//! limits, authentication, extra headers), and its Test.

use egui::RichText;

use super::SettingsForm;
use crate::engine::{Command, Snapshot, SourceStatus};
use crate::model::Lang;
use crate::model::overrides;
use crate::ui::i18n::t;
use crate::ui::widgets;

/// How the Prometheus tab's draft authenticates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum AuthKind {
    #[default]
    None,
    Bearer,
    Basic,
}

pub(super) fn prometheus_tab_ui(
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
