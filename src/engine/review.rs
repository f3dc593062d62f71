//! The window's "Write review…": the post-incident review written from what the engine holds
//! (an active incident's samples from memory, a finished one's from its kept file), in the
//! window's language, as HTML or Markdown by the file's extension.

use chrono::{DateTime, Utc};

use super::Engine;
use crate::model::FeedEvent;
use crate::review::{self, ReviewFormat, ReviewInput};

impl Engine {
    /// Writes incident `id`'s review to `path` and says so (or why not) in the feed.
    pub(super) fn export_review(&mut self, id: u64, path: &std::path::Path, now: DateTime<Utc>) {
        let Some(inc) = self.book.find(id) else {
            return self.unknown_incident(id, now);
        };
        let kept = match self.store.load_samples(id) {
            Ok(Some(kept)) if !inc.status.is_active() => Some(kept),
            // Active, or never kept: what memory holds now.
            _ => {
                let st = self.state.lock();
                Some(super::samples::samples_of(inc, &st.history, now))
            }
        };
        let input = ReviewInput {
            incident: inc,
            samples: kept.as_ref(),
            audit: (self.audit_log.lines.iter())
                .filter(|l| l.incident == id)
                .collect(),
            jobs: (self.notifier.outbox.jobs.iter())
                .filter(|j| j.incident == id)
                .collect(),
            written_at: now,
        };
        let made = review::build(&input, self.settings.language);
        let markdown = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md"));
        let format = if markdown {
            ReviewFormat::Markdown
        } else {
            ReviewFormat::Html
        };
        let shown = path.display().to_string();
        let event = match review::write(&made, format, path) {
            Ok(_) => FeedEvent::Exported { id, path: shown },
            Err(e) => FeedEvent::ExportFailed {
                id,
                path: shown,
                reason: e.to_string(),
            },
        };
        self.emit(now, event);
    }
}
