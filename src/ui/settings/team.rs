//! The Team tab: the team store's PostgreSQL URL (masked: it may hold the password; or
//! `INCIDENT_TEAM_DATABASE_URL` for the run), and where the console stands with it now.

use egui::RichText;

use crate::engine::Snapshot;
use crate::model::overrides;
use crate::model::{Secret, Settings, TeamStatus, check_database_url};
use crate::ui::i18n::t;
use crate::ui::style;
use crate::ui::widgets::EnvRows;

/// The Team part of the settings draft.
#[derive(Default)]
pub(crate) struct TeamDraft {
    url: String,
}

impl TeamDraft {
    pub(super) fn load(&mut self, s: &Settings) {
        self.url = s.team.database_url.expose().to_string();
    }

    /// Puts the draft into `s`; a problem goes to `errors` (never quoting the URL).
    pub(super) fn apply(&self, s: &mut Settings, errors: &mut Vec<String>) {
        match check_database_url(&self.url) {
            Ok(()) => s.team.database_url = Secret::new(self.url.trim()),
            Err(e) => errors.push(format!("Team database URL: {e}")),
        }
    }
}

/// Draws the tab.
pub(super) fn team_tab_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut TeamDraft) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.label(
        RichText::new(t(
            lang,
            "Consoles of one team share incidents through a PostgreSQL database: one incident per breach, one notification, one run of each action. Empty: this console works alone.",
            "한 팀의 콘솔은 PostgreSQL 데이터베이스로 인시던트를 공유합니다: 장애 하나에 인시던트 하나, 알림 한 번, 조치 실행 한 번. 비워 두면 이 콘솔은 단독으로 동작합니다.",
        ))
        .weak(),
    );
    let rows = EnvRows::new(snap);
    egui::Grid::new("team-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            rows.var_ui(
                ui,
                t(lang, "Database URL", "데이터베이스 URL"),
                &mut d.url,
                &[overrides::TEAM_DATABASE_URL],
            );
        });
    ui.label(
        RichText::new("postgres://user:password@host:5432/incidents?sslmode=verify-full")
            .weak()
            .small(),
    );
    if let Some(words) = crate::text::team::status(&snap.team, chrono::Utc::now(), lang) {
        let color = match snap.team {
            TeamStatus::Joined { .. } => style::recovered(dark),
            TeamStatus::Connecting => ui.visuals().text_color(),
            _ => style::breach(dark),
        };
        ui.label(RichText::new(words).color(color));
    }
}
