//! "Say it once per change": what the feed last said of one condition, so that a failing
//! save, an unusable notification target, a desktop without a notification service or a
//! failing Alertmanager is said when it starts or changes, not on every attempt, and its end
//! is said only after its start was.

/// What the feed last said of one condition (`None`: nothing, or it ended).
#[derive(Clone, Debug)]
pub(super) struct Said<T>(Option<T>);

impl<T> Default for Said<T> {
    fn default() -> Self {
        Said(None)
    }
}

impl<T: PartialEq> Said<T> {
    /// Whether `now` is news (nothing was said, or something else was), and remembers it.
    pub(super) fn news(&mut self, now: T) -> bool {
        if self.0.as_ref() == Some(&now) {
            return false;
        }
        self.0 = Some(now);
        true
    }

    /// The condition is over: whether it had been said (then its end is news too).
    pub(super) fn over(&mut self) -> bool {
        self.0.take().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn said_once_per_change_and_its_end_only_after_its_start() {
        let mut said = Said::default();
        assert!(!said.over(), "nothing was said, so no end either");
        assert!(said.news("disk full"));
        assert!(!said.news("disk full"), "the same again is not news");
        assert!(said.news("read-only"), "a different reason is");
        assert!(said.over());
        assert!(!said.over());
        assert!(
            said.news("disk full"),
            "after its end, a start is news again"
        );
    }
}
