//! The General tab: language (applied at once), theme, demo mode, poll interval, recovery
//! samples, the automatic reports and the graphs' window.

use egui::RichText;

use super::notify::NotifyDraft;
use crate::engine::{Command, Snapshot};
use crate::model::{Lang, Settings, SettingsError, ThemeChoice};
use crate::ui::i18n::t;
use crate::ui::widgets;

/// The General part of the settings draft (the automatic reports' targets it shows are the
/// notify draft's).
#[derive(Default)]
pub(super) struct GeneralDraft {
    pub(super) language: Lang,
    theme: ThemeChoice,
    demo_mode: bool,
    poll_interval: String,
    recovery_samples: String,
    graph_window_mins: u32,
}

impl GeneralDraft {
    /// The draft of `s`.
    pub(super) fn load(&mut self, s: &Settings) {
        self.language = s.language;
        self.theme = s.theme;
        self.demo_mode = s.demo_mode;
        self.poll_interval = s.poll_interval_secs.to_string();
        self.recovery_samples = s.recovery_samples.to_string();
        self.graph_window_mins = s.graph_window_mins;
    }

    /// Puts the draft into `s`; what does not parse goes to `errors`, in words.
    pub(super) fn apply(&self, s: &mut Settings, errors: &mut Vec<String>) {
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
    }
}

/// Draws the tab.
pub(super) fn general_tab_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    form: &mut GeneralDraft,
    notify: &mut NotifyDraft,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
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
            ui.add(egui::Label::new(RichText::new(&snap.data_dir).monospace().small()).wrap());
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
                    &mut notify.target_slack,
                    t(lang, "Post to Slack", "Slack 게시"),
                );
                ui.checkbox(&mut notify.target_email, t(lang, "Send email", "메일 발송"));
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
