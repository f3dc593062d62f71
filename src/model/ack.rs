//! A responder's acknowledgement of alerts: the silences it made, and how long it lasts. Its
//! silences are slices the console extends while the alerts fire ([`Ack::step`]), so an ack
//! lasts as long as the alert, up to the end the responder chose.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::SilenceRef;

/// The responder's acknowledgement: silences in the Alertmanagers that reported the alerts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// The responder's name (settings), sent as the silences' `createdBy`.
    pub by: String,
    /// When it was given.
    pub at: DateTime<Utc>,
    /// The silences' comment.
    pub comment: String,
    /// When the silences end by themselves.
    pub until: DateTime<Utc>,
    /// The silences created; empty until Alertmanager answers.
    #[serde(default)]
    pub silences: Vec<SilenceRef>,
    /// When it ended: unsilenced, or every alert resolved.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    /// When its silences end now: a slice ([`ACK_SLICE_MINS`]) that the console extends
    /// while the alerts fire, up to `until`. `None` (a bulk ack, or one from an earlier
    /// release): the silences run to `until`.
    #[serde(default)]
    pub silenced_until: Option<DateTime<Utc>>,
}

/// An acknowledgement's silences last this many minutes at a time; the console extends them
/// while the alerts fire, so an ack lasts as long as the alert (up to its maximum) and a
/// silence never outlives the problem by much.
pub const ACK_SLICE_MINS: i64 = 15;
/// A slice is extended when less than this many minutes of it are left.
pub const ACK_RENEW_MINS: i64 = 5;

/// What an acknowledgement needs at `now`, its alerts `firing` or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckStep {
    /// Nothing now.
    Keep,
    /// Its silences end soon and the alerts still fire: extend them to `to`.
    Extend {
        /// The new end (never past the ack's maximum).
        to: DateTime<Utc>,
    },
    /// Its silences ended at `at` without being extended (the console was not running, or
    /// the maximum was reached): the ack is over.
    Lapse {
        /// When they ended.
        at: DateTime<Utc>,
    },
}

impl Ack {
    /// What the ack needs at `now` (see [`AckStep`]).
    pub fn step(&self, firing: bool, now: DateTime<Utc>) -> AckStep {
        let Some(end) = self.silenced_until else {
            return AckStep::Keep;
        };
        if self.ended_at.is_some() || self.silences.is_empty() {
            return AckStep::Keep;
        }
        if now >= end {
            return AckStep::Lapse { at: end };
        }
        let renew = chrono::Duration::minutes(ACK_RENEW_MINS);
        if firing && end < self.until && end - now <= renew {
            let to = (now + chrono::Duration::minutes(ACK_SLICE_MINS)).min(self.until);
            return AckStep::Extend { to };
        }
        AckStep::Keep
    }

    /// Whether it still holds at `now`.
    pub fn holds(&self, now: DateTime<Utc>) -> bool {
        self.ended_at.is_none() && now < self.until
    }
}
