//! Settings as the engine owns them: a whole save from the settings form (validated, the
//! environment's overrides kept out of the file, applied at once), and the language alone.

use chrono::{DateTime, Utc};

use super::publish::HistoryOp;
use super::{Engine, threshold_desc};
use crate::model::{FeedEvent, Settings};

impl Engine {
    pub(super) fn save_settings(&mut self, mut edited: Settings, now: DateTime<Utc>) {
        if let Err(e) = edited.validate() {
            let reason = e.to_string();
            return self.emit(now, FeedEvent::SettingsRejected { reason });
        }
        let token_made = self.make_receiver_token(&mut edited);
        // What the engine keeps in the desktop settings is its own, not the form's copy.
        let own = &self.saved_settings.desktop;
        (edited.desktop.said_tray, edited.desktop.muted_until) = (own.said_tray, own.muted_until);
        // What the environment set for this run stays out of the file.
        let to_save = self.overrides.unapply(&edited, &self.saved_settings);
        if let Err(e) = self.store.save_settings(&to_save) {
            let reason = e.to_string();
            return self.emit(now, FeedEvent::SettingsRejected { reason });
        }
        self.saved_settings = to_save;
        let old_team = self.settings.team.clone();
        let old_desktop = self.settings.desktop.clone();
        let settings = self.overrides.apply(&self.saved_settings);
        // New settings: say again (once) if Slack or email still cannot be used.
        self.notifier.settings_changed();
        self.settings = settings.clone();
        self.refresh_previews();
        let poll = self.poll_interval_secs();
        let board = self.board_mut();
        board.settings = settings;
        board.poll_interval_secs = poll;
        self.history_op(HistoryOp::EnsurePollInterval(poll));
        // The built-in rules take their query and threshold from these settings.
        self.apply_rules(now);
        let team_changed = self.settings.team != old_team;
        self.select_source(now);
        self.select_intake();
        if team_changed {
            self.select_team();
        }
        let thresholds = self
            .rules
            .iter()
            .filter(|r| r.enabled)
            .map(threshold_desc)
            .collect();
        self.apply_autostart(&old_desktop, now);
        let event = FeedEvent::SettingsSaved {
            source: self.source_desc(),
            poll_secs: poll,
            thresholds,
        };
        self.emit(now, event);
        if token_made {
            self.emit(now, FeedEvent::IntakeTokenMade);
        }
    }

    /// Turning the receiver on for the first time without a token gives it a random one, so
    /// that only an Alertmanager configured with it can post (a process on this machine or a
    /// page's request could otherwise open incidents). A token cleared later, with the
    /// receiver already on, stays cleared: that is the responder's choice. Returns whether
    /// one was made; `false` too when the OS gave no random bytes (the receiver then runs
    /// without, as before).
    fn make_receiver_token(&self, edited: &mut Settings) -> bool {
        let first_enable = edited.intake.enabled && !self.saved_settings.intake.enabled;
        if !first_enable
            || !edited.intake.token.is_empty()
            || self.overrides.is_set(crate::model::overrides::INTAKE_TOKEN)
        {
            return false;
        }
        let mut bytes = [0u8; 24];
        if getrandom::fill(&mut bytes).is_err() {
            return false;
        }
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        edited.intake.token = crate::model::Secret::new(token);
        true
    }

    /// Saves what the engine itself keeps in the desktop settings (`change` makes it), in the
    /// file and in the running settings; a failure is said.
    fn save_desktop(
        &mut self,
        now: DateTime<Utc>,
        change: impl Fn(&mut crate::model::DesktopSettings),
    ) -> bool {
        let mut to_save = self.saved_settings.clone();
        change(&mut to_save.desktop);
        if let Err(e) = self.store.save_settings(&to_save) {
            let reason = e.to_string();
            self.emit(now, FeedEvent::SettingsRejected { reason });
            return false;
        }
        self.saved_settings = to_save;
        change(&mut self.settings.desktop);
        change(&mut self.board_mut().settings.desktop);
        true
    }

    /// The tray's mute: no sound and no repeats for `mins` minutes (0: sound again now),
    /// saved so that a restart within them stays quiet.
    pub(super) fn mute(&mut self, mins: u32, now: DateTime<Utc>) {
        let until = (mins > 0).then(|| now + chrono::Duration::minutes(i64::from(mins)));
        self.save_desktop(now, |d| d.muted_until = until);
    }

    /// The tray's host came or went: said when it is missing, and when it comes after that.
    pub(super) fn tray_host(&mut self, shown: bool, now: DateTime<Utc>) {
        let was = self.desktop.tray_shown.replace(shown);
        if was == Some(shown) || (shown && was.is_none()) {
            return;
        }
        self.emit(now, FeedEvent::TrayHost { shown });
    }

    /// The window closed into the tray: the first time, said in the feed and in a
    /// notification, and remembered in the settings file so it is not said again.
    pub(super) fn went_to_tray(&mut self, now: DateTime<Utc>) {
        if self.saved_settings.desktop.said_tray || !self.save_desktop(now, |d| d.said_tray = true)
        {
            return;
        }
        self.emit(now, FeedEvent::WentToTray);
        if self.desktop.on && self.settings.desktop.enabled {
            let (title, body) = crate::text::desktop::went_to_tray(self.settings.language);
            self.show_desktop(super::alerts::desktop::Notice {
                about: None,
                severity: "info".into(),
                title,
                body,
            });
        }
    }

    /// Starting at login follows the settings: the OS's entry is written or removed when
    /// the choice changed (and said in the feed), not on every save; only by the window's run
    /// (a headless run or a test's engine leaves the user's login alone).
    fn apply_autostart(&mut self, old: &crate::model::DesktopSettings, now: DateTime<Utc>) {
        let d = &self.settings.desktop;
        let (on, minimised) = (d.start_at_login, d.start_minimised);
        if (on, minimised) == (old.start_at_login, old.start_minimised) || !self.desktop.on {
            return;
        }
        // The login's run uses this run's data dir, unless it is the default one.
        let dir = std::path::absolute(self.store.dir()).unwrap_or_else(|_| self.store.dir().into());
        let default = crate::store::Store::default_dir();
        let data_dir = (default.as_deref() != Some(dir.as_path())).then_some(dir.as_path());
        let start = crate::integrations::autostart::Start {
            minimised,
            data_dir,
        };
        let event = match crate::integrations::autostart::set(on, start) {
            Ok(()) => FeedEvent::AutostartSet { on, minimised },
            Err(reason) => FeedEvent::AutostartFailed { reason },
        };
        self.emit(now, event);
    }

    /// The language applies at once: saved alone, without the rest of the form.
    pub(super) fn set_language(&mut self, lang: crate::model::Lang, now: DateTime<Utc>) {
        if self.saved_settings.language == lang {
            return;
        }
        let mut to_save = self.saved_settings.clone();
        to_save.language = lang;
        if let Err(e) = self.store.save_settings(&to_save) {
            let reason = e.to_string();
            return self.emit(now, FeedEvent::SettingsRejected { reason });
        }
        self.saved_settings = to_save;
        self.settings.language = lang;
        self.board_mut().settings.language = lang;
        self.emit(now, FeedEvent::LanguageSet);
    }
}
