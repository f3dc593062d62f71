//! Rules as the engine owns them: loading and reloading the files, applying the settings to
//! the built-in rules, and the Rules tab's writes (add, edit, disable, remove).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{FeedEvent, Rule, UserFile};

impl Engine {
    /// Recomputes the rules in force from what is loaded and the settings, and publishes them.
    /// Detection state of removed or disabled rules is dropped; the source restarts only when
    /// a query changed (see `LiveKey`).
    pub(super) fn apply_rules(&mut self, _now: DateTime<Utc>) {
        let rules = crate::rules::effective(&self.rule_load, &self.settings.prometheus);
        self.detector.retain(&rules);
        self.rules = Arc::new(rules);
        let rules = self.rules.clone();
        let board = self.board_mut();
        board.rules = rules.clone();
        board
            .flapping
            .retain(|r| rules.iter().any(|x| x.enabled && &x.id == r));
        self.board.rule_files = Arc::new(self.rule_load.clone());
        self.publish_unsourced();
    }

    pub(super) fn reload_rules(&mut self, now: DateTime<Utc>) {
        self.reload_quietly(now);
        let enabled = self.rules.iter().filter(|r| r.enabled).count();
        let total = self.rules.len();
        self.emit(now, FeedEvent::RulesReloaded { enabled, total });
    }

    fn reject(&mut self, now: DateTime<Utc>, rule: &str, reason: String) {
        let rule = rule.to_string();
        self.emit(now, FeedEvent::RuleRejected { rule, reason });
    }

    pub(super) fn save_rule(&mut self, rule: Rule, replaces: Option<String>, now: DateTime<Utc>) {
        if let Err(reason) = rule.validate() {
            return self.reject(now, &rule.id, reason);
        }
        let renamed = replaces.as_deref().filter(|old| *old != rule.id);
        let is_new_id = replaces.is_none() || renamed.is_some();
        if is_new_id && self.rule_load.iter().any(|l| l.rule.id == rule.id) {
            let reason = format!("a rule with id `{}` already exists", rule.id);
            return self.reject(now, &rule.id, reason);
        }
        let dir = self.store.rules_dir();
        let existing = self
            .rule_load
            .iter()
            .find(|l| l.rule.id == rule.id)
            .and_then(|l| l.file.clone());
        let path = match crate::rules::save(&dir, &rule, existing.as_deref()) {
            Ok(p) => p,
            Err(e) => return self.reject(now, &rule.id, format!("{}: {e}", dir.display())),
        };
        if let Some(old) = renamed
            && let Some(old_file) = self
                .rule_load
                .iter()
                .find(|l| l.rule.id == old)
                .and_then(|l| l.file.clone())
            && let Err(e) = std::fs::remove_file(&old_file)
        {
            let reason = format!(
                "renamed to {}, but its old file {} could not be removed: {e}",
                rule.id,
                old_file.display()
            );
            self.reject(now, old, reason);
        }
        let event = FeedEvent::RuleSaved {
            rule: rule.id.clone(),
            path: path.display().to_string(),
            enabled: rule.enabled,
            query: rule.query.clone(),
            threshold: super::threshold_desc(&rule),
            window: rule.window,
        };
        self.reload_quietly(now);
        self.emit(now, event);
    }

    pub(super) fn delete_rule(&mut self, id: &str, now: DateTime<Utc>) {
        let Some(loaded) = self.rule_load.iter().find(|l| l.rule.id == id).cloned() else {
            return self.reject(now, id, "there is no such rule".into());
        };
        let Some(file) = loaded.file else {
            let reason = "it is built in and has no file to remove; disable it instead".into();
            return self.reject(now, id, reason);
        };
        if let Err(e) = std::fs::remove_file(&file) {
            return self.reject(now, id, format!("{}: {e}", file.display()));
        }
        self.reload_quietly(now);
        let event = FeedEvent::RuleRemoved {
            rule: id.to_string(),
            path: file.display().to_string(),
            built_in: loaded.built_in,
        };
        self.emit(now, event);
    }

    /// Re-reads the files and applies them; a bad file is said in the feed, the rest apply.
    fn reload_quietly(&mut self, now: DateTime<Utc>) {
        let load = crate::rules::load(Some(&self.store.rules_dir()));
        self.rule_load = load.rules;
        for err in load.errors {
            let error = err.to_string();
            self.emit(
                now,
                FeedEvent::FileSkipped {
                    file: UserFile::Rule,
                    error,
                },
            );
        }
        self.apply_rules(now);
        self.select_source(now);
    }
}
