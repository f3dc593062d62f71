//! The window's "Write review…": the post-incident review written from what the engine holds
//! (an active incident's samples from memory, a finished one's from its kept file), in the
//! window's language, as HTML or Markdown by the file's extension. And "Draft with AI": the
//! model asked for the review's narrative from the incident's facts, its draft kept on the
//! timeline (by `model`) with what the facts do not back.

use chrono::{DateTime, Utc};

use super::analyst::AnalysisEvent;
use super::{Engine, Input};
use crate::grounding::{FactSheet, review as narrative};
use crate::integrations::llm::{self, LlmClient, RetryPolicy};
use crate::model::{Author, FeedEvent, IncidentEventKind, ReviewNarrative};
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

    /// Asks the model for the review's narrative of incident `id`, in the window's language;
    /// the answer comes back as [`AnalysisEvent::Drafted`].
    pub(super) fn draft_review(&mut self, id: u64, now: DateTime<Utc>) {
        let settings = self.settings.llm.clone();
        let Some(inc) = self.book.find(id) else {
            return self.unknown_incident(id, now);
        };
        if !settings.enabled {
            let reason = "AI analysis is off (Settings → AI)".to_string();
            return self.emit(now, FeedEvent::ReviewDraftFailed { id, reason });
        }
        let client = match LlmClient::new(&settings) {
            Ok(c) => c,
            Err(e) => {
                let reason = e.to_string();
                return self.emit(now, FeedEvent::ReviewDraftFailed { id, reason });
            }
        };
        let lang = self.settings.language;
        let sheet = narrative::facts(inc, lang);
        let model = settings.model.clone();
        self.emit(
            now,
            FeedEvent::ReviewDraftAsked {
                id,
                model: model.clone(),
            },
        );
        let (tx, memory) = (self.inputs.clone(), self.analyst.memory.clone());
        tokio::spawn(async move {
            let (system, user) = narrative::prompt(&sheet, lang);
            let result = llm::ask(
                &client,
                (&system, &user),
                &narrative::schema(),
                &memory,
                RetryPolicy::default(),
                narrative::parse,
            )
            .await
            .map(|(answer, _)| (answer, sheet))
            .map_err(|e| e.to_string());
            let result = Box::new(result);
            let event = AnalysisEvent::Drafted {
                incident: id,
                model,
                result,
            };
            let _ = tx.send(Input::Analysis(event));
        });
    }

    /// The draft (or its failure) onto the incident's timeline and the feed.
    pub(super) fn take_draft(
        &mut self,
        id: u64,
        model: String,
        result: Result<(ReviewNarrative, FactSheet), String>,
        now: DateTime<Utc>,
    ) {
        let (who, event) = match result {
            Ok((narrative, sheet)) => {
                let flags = narrative::flags(&narrative, &sheet);
                let cites = narrative.summary.cites.iter();
                let cites: Vec<&String> =
                    cites.chain(&narrative.contributing_factors.cites).collect();
                let cited = (sheet.facts.iter())
                    .filter(|f| cites.contains(&&f.id))
                    .cloned()
                    .collect();
                let event = FeedEvent::ReviewDrafted {
                    id,
                    model,
                    narrative,
                    flags,
                    cited,
                };
                (Author::Model, event)
            }
            Err(reason) => (Author::Console, FeedEvent::ReviewDraftFailed { id, reason }),
        };
        if let Some(inc) = self.incident_mut(id) {
            inc.log(now, who, IncidentEventKind::ModelReport, event.clone());
            self.publish_incidents();
        }
        self.emit(now, event);
    }
}
