//! A silence as an Alertmanager holds it: who made it (`createdBy`, whichever tool: this
//! console, amtool, karma, the Alertmanager UI), when, until when, and why. Alerts name the
//! silences that hold them (`Alert::silenced_by`), so a silence says who acknowledged them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest comment kept, in bytes (a silence's comment is outside text).
pub const SILENCE_COMMENT_LIMIT_BYTES: usize = 500;
/// The longest author kept, in bytes.
pub const SILENCE_AUTHOR_LIMIT_BYTES: usize = 100;

/// One silence, active or pending (expired ones are not kept).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    /// Alertmanager's id (a UUID).
    pub id: String,
    /// Who made it, as the tool said (capped at [`SILENCE_AUTHOR_LIMIT_BYTES`]).
    pub created_by: String,
    /// Why (capped at [`SILENCE_COMMENT_LIMIT_BYTES`]).
    pub comment: String,
    /// When it starts (or started).
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// The Alertmanager it was read from, without credentials.
    pub source: String,
}

/// `text` cut to at most `limit` bytes on a character boundary.
pub fn cap_text(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// An acknowledgement (a silence) ending within this many minutes while its alerts still
/// fire is *expiring*: the alert comes back unless someone extends it.
pub const EXPIRING_MINS: i64 = 15;
/// An acknowledgement older than this many hours whose alerts still fire is *stale*: taken
/// long ago, and the problem is still there.
pub const STALE_HOURS: i64 = 4;

/// Where an acknowledgement stands, for the list of acks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AckState {
    /// Its alerts still fire and it was taken more than [`STALE_HOURS`] ago.
    Stale,
    /// Its alerts still fire and it ends within [`EXPIRING_MINS`].
    Expiring,
    /// Holding firing alerts, neither stale nor expiring.
    Active,
    /// It holds no firing alert the console knows of (resolved, or not yet started).
    Idle,
}

/// Classifies `silence`, holding `firing` firing alerts, at `now`. Stale wins over
/// expiring: an ack taken hours ago is the first thing to look at.
pub fn ack_state(silence: &Silence, firing: usize, now: DateTime<Utc>) -> AckState {
    if firing == 0 || silence.starts_at > now {
        AckState::Idle
    } else if now - silence.starts_at > chrono::Duration::hours(STALE_HOURS) {
        AckState::Stale
    } else if silence.ends_at - now <= chrono::Duration::minutes(EXPIRING_MINS) {
        AckState::Expiring
    } else {
        AckState::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence(started_mins_ago: i64, ends_in_mins: i64, now: DateTime<Utc>) -> Silence {
        Silence {
            id: "s".into(),
            created_by: "lee".into(),
            comment: String::new(),
            starts_at: now - chrono::Duration::minutes(started_mins_ago),
            ends_at: now + chrono::Duration::minutes(ends_in_mins),
            source: "am".into(),
        }
    }

    #[test]
    fn an_ack_slice_is_extended_while_firing_up_to_its_end_and_lapses_unextended() {
        use crate::model::{Ack, AckStep, SilenceRef};
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mins = chrono::Duration::minutes;
        let ack = Ack {
            by: "kim".into(),
            at: t0,
            comment: String::new(),
            until: t0 + mins(40),
            silences: vec![SilenceRef {
                url: "am".into(),
                id: "s".into(),
                fingerprint: "f".into(),
            }],
            ended_at: None,
            silenced_until: Some(t0 + mins(15)),
        };
        assert_eq!(ack.step(true, t0 + mins(5)), AckStep::Keep, "10 min left");
        assert_eq!(
            ack.step(true, t0 + mins(11)),
            AckStep::Extend { to: t0 + mins(26) }
        );
        assert_eq!(
            ack.step(false, t0 + mins(11)),
            AckStep::Keep,
            "resolved: let it lapse"
        );
        let late = Ack {
            silenced_until: Some(t0 + mins(30)),
            ..ack.clone()
        };
        assert_eq!(
            late.step(true, t0 + mins(28)),
            AckStep::Extend { to: t0 + mins(40) },
            "never past the ack's end"
        );
        assert_eq!(
            ack.step(true, t0 + mins(20)),
            AckStep::Lapse { at: t0 + mins(15) },
            "the console was not running when it ended"
        );
        let bulk = Ack {
            silenced_until: None,
            ..ack
        };
        assert_eq!(bulk.step(true, t0 + mins(14)), AckStep::Keep);
    }

    #[test]
    fn an_ack_is_stale_expiring_active_or_idle() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(ack_state(&silence(10, 50, now), 2, now), AckState::Active);
        assert_eq!(ack_state(&silence(50, 10, now), 1, now), AckState::Expiring);
        assert_eq!(
            ack_state(&silence(5 * 60, 10, now), 1, now),
            AckState::Stale
        );
        assert_eq!(ack_state(&silence(10, 50, now), 0, now), AckState::Idle);
        assert_eq!(
            ack_state(&silence(-5, 50, now), 1, now),
            AckState::Idle,
            "pending"
        );
        assert_eq!(cap_text("가나다", 4), "가");
    }
}
