//! How feed events name the things they are about (a source, a saved file, a notification
//! job, a threshold): small descriptions kept apart from [`super::FeedEvent`] so that enum
//! reads as the feed's vocabulary alone.

use serde::{Deserialize, Serialize};

use super::{Comparison, Destination, NotifyEvent, RuleId, Unit};

/// One rule's answer in a Test: how many series, or the error in words.
pub type RuleCount = (RuleId, Result<usize, String>);

/// Where numbers come from, as an event names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SourceDesc {
    /// The demo source; `forced` when `--demo` chose it.
    Demo {
        /// Whether `--demo` forced it.
        forced: bool,
        /// Its seed.
        seed: u64,
    },
    /// A Prometheus server (URL without credentials).
    Live {
        /// The server.
        url: String,
    },
    /// A Prometheus server that fails, and why (words from the client).
    Failing {
        /// The server.
        url: String,
        /// Why, as the client said it.
        reason: String,
    },
    /// Demo is off and no Prometheus URL is set.
    Off,
}

/// Which file an event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SavedFile {
    /// `feed.ron`.
    Feed,
    /// `incidents.ron`.
    Incidents,
    /// `outbox.ron`.
    Outbox,
    /// `alert_history.ron`.
    AlertHistory,
    /// An incident's kept samples, `samples/incident-<id>.ron`.
    Samples,
}

/// Which kind of user file a load problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserFile {
    /// A runbook in `scenarios/`.
    Scenario,
    /// A rule in `rules/`.
    Rule,
}

/// A notification, as an event names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobDesc {
    /// The incident it is about.
    pub incident: u64,
    /// What it reports.
    pub event: NotifyEvent,
    /// Where it goes.
    pub destination: Destination,
}

/// A rule's threshold as an event names it (so the words read the same after the rule changes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThresholdDesc {
    /// The rule.
    pub rule: RuleId,
    /// Which side is bad.
    pub comparison: Comparison,
    /// The threshold, in the query's unit.
    pub threshold: f64,
    /// How it is written.
    pub unit: Unit,
}
