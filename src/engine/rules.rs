//! Rules as the engine owns them: loading and reloading the files, applying the settings to
//! the built-in rules, and the Rules tab's writes (add, edit, disable, remove).

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::{FeedKind, Rule};

impl Engine {
    /// Recomputes the rules in force from what is loaded and the settings, and publishes them.
    /// Detection state of removed or disabled rules is dropped; the source restarts only when
    /// a query changed (see `LiveKey`).
    pub(super) fn apply_rules(&mut self, _now: DateTime<Utc>) {
        let rules = crate::rules::effective(&self.rule_load, &self.settings.prometheus);
        self.detector.retain(&rules);
        self.rules = Arc::new(rules);
        let mut st = self.state.lock();
        st.rules = self.rules.clone();
        st.rule_files = Arc::new(self.rule_load.clone());
        st.flapping
            .retain(|r| self.rules.iter().any(|x| x.enabled && &x.id == r));
        self.changed = true;
    }

    pub(super) fn reload_rules(&mut self, now: DateTime<Utc>) {
        let load = crate::rules::load(Some(&self.store.rules_dir()));
        self.rule_load = load.rules;
        for err in load.errors {
            self.push_feed(now, FeedKind::Error, format!("rule file skipped: {err}"));
        }
        self.apply_rules(now);
        self.select_source(now);
        let enabled = self.rules.iter().filter(|r| r.enabled).count();
        self.push_feed(
            now,
            FeedKind::Info,
            format!("Rules reloaded: {enabled} enabled of {}", self.rules.len()),
        );
    }

    pub(super) fn save_rule(&mut self, rule: Rule, replaces: Option<String>, now: DateTime<Utc>) {
        if let Err(e) = rule.validate() {
            return self.push_feed(now, FeedKind::Error, format!("Rule not saved: {e}"));
        }
        let renamed = replaces.as_deref().filter(|old| *old != rule.id);
        let is_new_id = replaces.is_none() || renamed.is_some();
        if is_new_id && self.rule_load.iter().any(|l| l.rule.id == rule.id) {
            return self.push_feed(
                now,
                FeedKind::Error,
                format!(
                    "Rule not saved: a rule with id `{}` already exists",
                    rule.id
                ),
            );
        }
        let dir = self.store.rules_dir();
        let existing = self
            .rule_load
            .iter()
            .find(|l| l.rule.id == rule.id)
            .and_then(|l| l.file.clone());
        let path = match crate::rules::save(&dir, &rule, existing.as_deref()) {
            Ok(p) => p,
            Err(e) => {
                return self.push_feed(
                    now,
                    FeedKind::Error,
                    format!("Rule {} not saved to {}: {e}", rule.id, dir.display()),
                );
            }
        };
        if let Some(old) = renamed
            && let Some(old_file) = self
                .rule_load
                .iter()
                .find(|l| l.rule.id == old)
                .and_then(|l| l.file.clone())
            && let Err(e) = std::fs::remove_file(&old_file)
        {
            self.push_feed(
                now,
                FeedKind::Error,
                format!(
                    "Rule {old} was renamed to {} but its old file {} could not be removed: {e}",
                    rule.id,
                    old_file.display()
                ),
            );
        }
        let id = rule.id.clone();
        let state = if rule.enabled { "enabled" } else { "disabled" };
        let text = format!(
            "Rule {id} saved to {} ({state}): `{}` {} {}, window {} samples",
            path.display(),
            rule.query,
            rule.comparison.symbol(),
            rule.format(rule.threshold),
            rule.window
        );
        self.reload_quietly(now);
        self.push_feed(now, FeedKind::Settings, text);
    }

    pub(super) fn delete_rule(&mut self, id: &str, now: DateTime<Utc>) {
        let Some(loaded) = self.rule_load.iter().find(|l| l.rule.id == id).cloned() else {
            return self.push_feed(now, FeedKind::Error, format!("There is no rule `{id}`"));
        };
        let Some(file) = loaded.file else {
            return self.push_feed(
                now,
                FeedKind::Error,
                format!("Rule {id} is built in and has no file to remove; disable it instead"),
            );
        };
        if let Err(e) = std::fs::remove_file(&file) {
            return self.push_feed(
                now,
                FeedKind::Error,
                format!("Rule {id} not removed: {}: {e}", file.display()),
            );
        }
        let what = if loaded.built_in {
            "its file removed; the built-in rule is back"
        } else {
            "removed"
        };
        self.reload_quietly(now);
        self.push_feed(
            now,
            FeedKind::Settings,
            format!("Rule {id} {what} ({})", file.display()),
        );
    }

    /// Re-reads the files after a write of our own: the result goes to the feed, but not the
    /// "reloaded" line.
    fn reload_quietly(&mut self, now: DateTime<Utc>) {
        let load = crate::rules::load(Some(&self.store.rules_dir()));
        self.rule_load = load.rules;
        for err in load.errors {
            self.push_feed(now, FeedKind::Error, format!("rule file skipped: {err}"));
        }
        self.apply_rules(now);
        self.select_source(now);
    }
}
