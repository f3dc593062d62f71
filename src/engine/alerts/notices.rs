//! Notices from outside said at most once a minute per kind: a flood of refused requests or
//! cut alerts gives one feed line a minute per reason, with a count of the rest, instead of
//! pushing the responder's own entries out of the feed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

/// Seconds between two lines of one kind.
pub(in crate::engine) const NOTICE_EVERY_SECS: i64 = 60;

/// When each kind was last said, and how many of it were held back since.
pub(in crate::engine) struct OncePerMinute<K: Ord> {
    last: BTreeMap<K, (DateTime<Utc>, u64)>,
}

impl<K: Ord> Default for OncePerMinute<K> {
    fn default() -> Self {
        Self {
            last: BTreeMap::new(),
        }
    }
}

impl<K: Ord> OncePerMinute<K> {
    /// One more of `kind` at `now`: `Some(held back since the last line)` when it is to be
    /// said, `None` when it is held back (and counted).
    pub fn allow(&mut self, kind: K, now: DateTime<Utc>) -> Option<u64> {
        match self.last.get_mut(&kind) {
            Some((at, held)) if now - *at < chrono::Duration::seconds(NOTICE_EVERY_SECS) => {
                *held += 1;
                None
            }
            Some((at, held)) => {
                *at = now;
                Some(std::mem::take(held))
            }
            None => {
                self.last.insert(kind, (now, 0));
                Some(0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn once_a_minute_per_kind_with_the_rest_counted() {
        let t =
            |s| Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap() + chrono::Duration::seconds(s);
        let mut n = OncePerMinute::default();
        assert_eq!(n.allow("a", t(0)), Some(0));
        assert_eq!(n.allow("b", t(1)), Some(0), "another kind is said at once");
        for s in 1..60 {
            assert_eq!(n.allow("a", t(s)), None);
        }
        assert_eq!(n.allow("a", t(60)), Some(59));
        assert_eq!(n.allow("a", t(61)), None);
        assert_eq!(n.allow("a", t(200)), Some(1));
    }
}
