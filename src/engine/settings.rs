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
        // What the environment set for this run stays out of the file.
        let to_save = self.overrides.unapply(&edited, &self.saved_settings);
        if let Err(e) = self.store.save_settings(&to_save) {
            let reason = e.to_string();
            return self.emit(now, FeedEvent::SettingsRejected { reason });
        }
        self.saved_settings = to_save;
        let old_team = self.settings.team.clone();
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
