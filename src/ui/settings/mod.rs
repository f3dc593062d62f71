//! The settings window: the tab bar ([`Tab::ALL`]), one file per tab (`general`, `rules`,
//! `prometheus`, `notify` for Slack and Email, `alertmanager`, `desktop`, `ai`, `actions`), and the form
//! they edit, a draft of strings. Save validates every number and says what is wrong before
//! anything is sent to the engine; the Rules tab saves each rule on its own.

use egui::RichText;

mod actions;
mod ai;
mod alertmanager;
mod desktop;
mod general;
mod notify;
mod prometheus;
mod rules;
mod team;

use super::i18n::t;
use super::style;
use crate::engine::Command;
use crate::engine::Snapshot;
use crate::model::{Lang, Settings};

/// The tabs, each drawn by its own file; [`Tab::ALL`] drives the tab bar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Tab {
    #[default]
    General,
    Prometheus,
    Slack,
    Email,
    Alertmanager,
    Desktop,
    Ai,
    Actions,
    Team,
    Rules,
}

impl Tab {
    /// Every tab, in the bar's order.
    const ALL: [Tab; 10] = [
        Tab::General,
        Tab::Rules,
        Tab::Prometheus,
        Tab::Slack,
        Tab::Email,
        Tab::Alertmanager,
        Tab::Desktop,
        Tab::Ai,
        Tab::Actions,
        Tab::Team,
    ];

    /// The tab's title in the bar.
    fn title(self, lang: Lang) -> &'static str {
        match self {
            Tab::General => t(lang, "General", "일반"),
            Tab::Rules => t(lang, "Rules", "규칙"),
            Tab::Prometheus => "Prometheus",
            Tab::Slack => "Slack",
            Tab::Email => t(lang, "Email", "메일"),
            Tab::Alertmanager => "Alertmanager",
            Tab::Desktop => t(lang, "Desktop", "데스크톱"),
            Tab::Ai => "AI",
            Tab::Actions => t(lang, "Actions", "조치"),
            Tab::Team => t(lang, "Team", "팀"),
        }
    }
}

/// The editable copy of the settings.
#[derive(Default)]
pub(crate) struct SettingsForm {
    tab: Tab,
    /// The saved settings the draft was made from; a new save elsewhere refreshes the draft.
    base: Option<Settings>,
    general: general::GeneralDraft,
    prometheus: prometheus::PrometheusDraft,
    notify: notify::NotifyDraft,
    intake: alertmanager::IntakeDraft,
    desktop: desktop::DesktopDraft,
    ai: ai::AiDraft,
    actions: actions::ActionsDraft,
    team: team::TeamDraft,
    rules: rules::RulesForm,
    errors: Vec<String>,
}

impl SettingsForm {
    fn load(&mut self, s: &Settings) {
        self.base = Some(s.clone());
        self.general.load(s);
        self.prometheus.load(&s.prometheus);
        self.notify.load(s);
        self.intake.load(s);
        self.desktop.load(s);
        self.ai.load(s);
        self.actions.load(s);
        self.team.load(s);
    }

    /// Builds settings from the draft, or every problem in words.
    fn parse(&self, base: &Settings) -> Result<Settings, Vec<String>> {
        let mut errors = Vec::new();
        let mut s = base.clone();
        self.general.apply(&mut s, &mut errors);
        self.prometheus.apply(&mut s.prometheus, &mut errors);
        self.notify.apply(&mut s, &mut errors);
        self.intake.apply(&mut s, &mut errors);
        self.desktop.apply(&mut s, &mut errors);
        self.ai.apply(&mut s, &mut errors);
        self.team.apply(&mut s, &mut errors);
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
            form.general.language = snap.settings.language;
            form.base = Some(snap.settings.clone());
        } else {
            form.load(&snap.settings);
        }
    }
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        for tab in Tab::ALL {
            ui.selectable_value(&mut form.tab, tab, tab.title(lang));
        }
    });
    ui.separator();
    match form.tab {
        Tab::General => {
            general::general_tab_ui(ui, snap, &mut form.general, &mut form.notify, send)
        }
        Tab::Prometheus => {
            prometheus::prometheus_tab_ui(ui, snap, &mut form.prometheus, &mut form.errors, send)
        }
        Tab::Slack => notify::slack_tab_ui(ui, snap, &mut form.notify, &mut form.errors, send),
        Tab::Email => notify::email_tab_ui(ui, snap, &mut form.notify),
        Tab::Alertmanager => alertmanager::intake_tab_ui(ui, snap, &mut form.intake),
        Tab::Desktop => desktop::desktop_tab_ui(ui, snap, &mut form.desktop),
        Tab::Ai => ai::ai_tab_ui(ui, snap, &mut form.ai, &mut form.errors, send),
        Tab::Actions => actions::actions_tab_ui(ui, snap, &mut form.actions),
        Tab::Team => team::team_tab_ui(ui, snap, &mut form.team),
        Tab::Rules => {
            // Each rule is saved on its own, to its own file: no shared Save button here.
            return rules::rules_tab_ui(ui, snap, &mut form.rules, send);
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
