//! The AI analyst: when an incident opens (and on Analyse again), the incident's numbered facts
//! go to the configured chat-completions server in a task of its own; the answer comes back as
//! an [`Input`], is checked against the facts, and is kept beside the fixed-rule report, which
//! the incident shows from the start. Answers are cached by the hash of their facts. A slow
//! model never delays anything else: nothing waits for it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Engine, Input};
use crate::grounding::{self, FactKind, FactSheet};
use crate::integrations::llm::{self, Asked, FormatMemory, FormatMode, LlmClient, RetryPolicy};
use crate::model::{
    AiAnswer, AiReport, AiState, Author, FeedEvent, IncidentEventKind, LlmSettings,
};

/// Past incidents of the same runbook given to the model, newest first.
const PAST_INCIDENTS: usize = 5;

/// Knowledge-base documents found for an incident.
const RELATED_DOCS: usize = 3;

/// What an analysis task reports.
#[derive(Debug)]
pub enum AnalysisEvent {
    /// The model answered (or could not) for `incident`, asked with facts of hash `hash`.
    Answered {
        /// The incident.
        incident: u64,
        /// The facts' hash it was asked with.
        hash: u64,
        /// The checked answer, or why there is none (boxed: an answer is large).
        result: Box<Result<(AiAnswer, Asked), String>>,
    },
    /// The AI tab's Test: the model's words, or the error.
    Tested(Result<String, String>),
    /// A knowledge-base search finished.
    Searched(KbSearch),
    /// One live evidence check of an incident came back.
    Checked {
        /// The incident.
        incident: u64,
        /// The evidence item.
        index: usize,
        /// What it found.
        result: crate::model::CheckResult,
    },
    /// A knowledge-base import finished.
    Imported(crate::knowledge::ImportReport),
    /// The model's draft of a review's narrative, with the facts it was asked from (boxed:
    /// large), or why there is none.
    Drafted {
        /// The incident.
        incident: u64,
        /// The model asked.
        model: String,
        /// The draft and the facts, or the reason in words.
        result: Box<Result<(crate::model::ReviewNarrative, FactSheet), String>>,
    },
}

/// The side panel's last knowledge-base search.
#[derive(Clone, Debug, PartialEq)]
pub struct KbSearch {
    /// What was searched.
    pub query: String,
    /// The hits, or why there are none.
    pub hits: Result<Vec<crate::knowledge::KbHit>, String>,
}

/// The AI tab's last Test.
#[derive(Clone, Debug, PartialEq)]
pub enum LlmTest {
    /// Asked; waiting.
    Running,
    /// The model's answer, or the error in words.
    Done(Result<String, String>),
}

/// What the analyst keeps.
#[derive(Debug, Default)]
pub(super) struct Analyst {
    pub(super) memory: FormatMemory,
    /// Answers of this run by the hash of their facts.
    cache: HashMap<u64, (AiAnswer, Asked)>,
    running: HashMap<u64, tokio::task::JoinHandle<()>>,
    /// The last [`RECENT_SAMPLES`] samples of every series, by (rule, series): the breaching
    /// series' recent values among an incident's facts.
    recent: HashMap<(String, String), Ring>,
}

/// One series' recent `(time, value)` samples, oldest first.
type Ring = std::collections::VecDeque<(DateTime<Utc>, f64)>;

/// Samples kept per series for the facts (downsampled to [`crate::grounding::MAX_POINTS`]).
pub const RECENT_SAMPLES: usize = 60;

impl Analyst {
    /// Keeps the reading's values (bounded per series).
    pub(super) fn record(&mut self, reading: &crate::model::Reading) {
        for sv in &reading.values {
            let ring = self
                .recent
                .entry((sv.rule.clone(), sv.series.clone()))
                .or_default();
            if ring.len() == RECENT_SAMPLES {
                ring.pop_front();
            }
            ring.push_back((reading.at, sv.value));
        }
    }
}

impl Drop for Analyst {
    fn drop(&mut self) {
        for task in self.running.values() {
            task.abort();
        }
    }
}

fn mode_name(mode: FormatMode) -> &'static str {
    match mode {
        FormatMode::JsonSchema => "json_schema",
        FormatMode::JsonObject => "json_object",
        FormatMode::PromptOnly => "prompt",
    }
}

impl Engine {
    /// The facts of incident `id`: its own, and how past incidents of its runbook went.
    fn fact_sheet(&self, id: u64) -> Option<FactSheet> {
        let inc = self.book.find(id)?;
        let past: Vec<(FactKind, String)> = self
            .book
            .all()
            .iter()
            .rev()
            .filter(|p| p.id != id && p.scenario.code == inc.scenario.code)
            .filter(|p| !p.status.is_active())
            .take(PAST_INCIDENTS)
            .map(|p| {
                (
                    FactKind::PastIncident,
                    crate::text::analyst::past_incident_fact(p),
                )
            })
            .collect();
        let docs = inc
            .related
            .iter()
            .map(|r| (FactKind::Knowledge, crate::text::analyst::knowledge_fact(r)));
        let more: Vec<(FactKind, String)> = docs.chain(past).collect();
        let checks: Vec<Option<String>> = inc
            .checks
            .iter()
            .map(|c| c.as_ref().map(crate::text::analyst::check_fact))
            .collect();
        // The breaching series: the trigger's, and every hotspot's.
        let mut keys: Vec<(String, String)> = inc
            .hotspots
            .iter()
            .map(|h| (h.rule.clone(), h.series.clone()))
            .collect();
        if let (Some(rule), Some(series)) = (&inc.trigger.rule, &inc.trigger.series)
            && !keys.contains(&(rule.clone(), series.clone()))
        {
            keys.insert(0, (rule.clone(), series.clone()));
        }
        let samples: Vec<grounding::SeriesSamples> = keys
            .into_iter()
            .filter_map(|key| {
                let ring = self.analyst.recent.get(&key)?;
                Some((
                    format!("{} {}", key.0, key.1),
                    ring.iter().copied().collect(),
                ))
            })
            .collect();
        Some(FactSheet::for_incident(inc, &samples, &checks, &more))
    }

    /// Finds knowledge-base documents for a newly opened incident (by its runbook's title and
    /// description) and keeps them on it. The index is local and answers in milliseconds.
    pub(super) fn find_related(&mut self, id: u64) {
        let (Some(kb), Some(inc)) = (self.knowledge.clone(), self.book.find(id)) else {
            return;
        };
        let s = &inc.scenario;
        let query = format!(
            "{} {} {}",
            s.title.text(crate::model::Lang::Ko),
            s.title.en,
            inc.trigger.series.as_deref().unwrap_or_default()
        );
        let Ok(hits) = kb.search(&query, RELATED_DOCS * 3) else {
            return;
        };
        let related: Vec<crate::model::Related> = hits
            .into_iter()
            .filter(|h| h.kind == "document")
            .take(RELATED_DOCS)
            .map(|h| crate::model::Related {
                kind: h.kind,
                title: h.title,
                source: h.source,
                snippet: h.snippet,
            })
            .collect();
        if related.is_empty() {
            return;
        }
        if let Some(inc) = self.incident_mut(id) {
            inc.related = related;
            self.publish_incidents();
        }
    }

    /// Indexes a closed incident in the knowledge base, off the engine's thread.
    pub(super) fn remember_incident(&mut self, id: u64) {
        let (Some(kb), Some(inc)) = (self.knowledge.clone(), self.book.find(id)) else {
            return;
        };
        let doc = crate::knowledge::incident_doc(inc);
        tokio::task::spawn_blocking(move || {
            // A failure leaves the incident unindexed; it is still in incidents.ron.
            let _ = kb.add(&[doc]);
        });
    }

    /// Asks the model about incident `id` (a cached answer to the same facts is reused unless
    /// `fresh`). Off, it does nothing: the fixed-rule report is the report.
    pub(super) fn analyse(&mut self, id: u64, fresh: bool, now: DateTime<Utc>) {
        let settings = self.settings.llm.clone();
        if !settings.enabled {
            if fresh {
                let reason = "AI analysis is off (Settings → AI)".to_string();
                self.emit(now, FeedEvent::AiReportFailed { id, reason });
            }
            return;
        }
        let Some(sheet) = self.fact_sheet(id) else {
            return;
        };
        let hash = sheet.hash();
        let client = LlmClient::new(&settings);
        let mut report = AiReport {
            state: AiState::Analysing,
            started_at: now,
            finished_at: None,
            model: settings.model.clone(),
            server: crate::integrations::http::redact(&settings.base_url),
            input_hash: hash,
            facts: sheet.facts.clone(),
            answer: None,
            flags: Vec::new(),
            asked: None,
        };
        if let Some(task) = self.analyst.running.remove(&id) {
            task.abort();
        }
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                report.state = AiState::Failed(e.to_string());
                report.finished_at = Some(now);
                self.set_ai(id, report);
                return self.emit(
                    now,
                    FeedEvent::AiReportFailed {
                        id,
                        reason: e.to_string(),
                    },
                );
            }
        };
        if !fresh && let Some((answer, asked)) = self.analyst.cache.get(&hash).cloned() {
            self.set_ai(id, report);
            return self.take_answer(id, hash, Ok((answer, asked)), now);
        }
        self.set_ai(id, report);
        let tx = self.inputs.clone();
        let memory = self.analyst.memory.clone();
        let task = tokio::spawn(async move {
            let prompt = sheet.prompt();
            let result = llm::ask(
                &client,
                (&prompt.0, &prompt.1),
                &grounding::schema(),
                &memory,
                RetryPolicy::default(),
                grounding::parse_answer,
            )
            .await
            .map_err(|e| e.to_string());
            let event = AnalysisEvent::Answered {
                incident: id,
                hash,
                result: Box::new(result),
            };
            let _ = tx.send(Input::Analysis(event));
        });
        self.analyst.running.insert(id, task);
    }

    fn set_ai(&mut self, id: u64, report: AiReport) {
        if let Some(inc) = self.incident_mut(id) {
            inc.ai = Some(report);
            self.publish_incidents();
        }
    }

    /// The responder's Cancel: the task stops, the fixed-rule report stands.
    pub(super) fn cancel_analysis(&mut self, id: u64, now: DateTime<Utc>) {
        if let Some(task) = self.analyst.running.remove(&id) {
            task.abort();
        }
        if let Some(ai) = self.incident_mut(id).and_then(|i| i.ai.as_mut())
            && ai.state == AiState::Analysing
        {
            ai.state = AiState::Cancelled;
            ai.finished_at = Some(now);
            self.publish_incidents();
        }
    }

    /// Takes what an analysis task reported.
    pub(super) fn on_analysis(&mut self, event: AnalysisEvent) {
        let now = self.clock.now();
        match event {
            AnalysisEvent::Answered {
                incident,
                hash,
                result,
            } => {
                self.analyst.running.remove(&incident);
                if let Ok(answer) = result.as_ref() {
                    self.analyst.cache.insert(hash, answer.clone());
                }
                self.take_answer(incident, hash, *result, now);
            }
            AnalysisEvent::Drafted {
                incident,
                model,
                result,
            } => self.take_draft(incident, model, *result, now),
            AnalysisEvent::Tested(result) => {
                self.board_mut().llm_test = Some(LlmTest::Done(result));
            }
            AnalysisEvent::Searched(search) => self.board_mut().kb_search = Some(search),
            AnalysisEvent::Checked {
                incident,
                index,
                result,
            } => {
                self.set_check(incident, index, result);
                self.publish_incidents();
                // The analysis waits until every checked item has its result.
                let all_back = self.book.find(incident).is_some_and(|inc| {
                    !inc.checks.is_empty()
                        && (inc.scenario.evidence.iter().zip(&inc.checks))
                            .all(|(e, c)| e.check.is_none() || c.is_some())
                });
                if all_back {
                    self.analyse(incident, false, now);
                }
            }
            AnalysisEvent::Imported(report) => {
                let docs = report.imported.iter().map(|(_, n)| n).sum();
                let event = FeedEvent::KnowledgeImported {
                    files: report.imported.len(),
                    docs,
                    errors: report.errors,
                };
                self.emit(now, event);
            }
        }
    }

    fn take_answer(
        &mut self,
        id: u64,
        hash: u64,
        result: Result<(AiAnswer, Asked), String>,
        now: DateTime<Utc>,
    ) {
        let Some(ai) = self.incident_mut(id).and_then(|i| i.ai.as_mut()) else {
            return;
        };
        // An answer to older facts, or one the responder cancelled, is not this report's.
        if ai.input_hash != hash || ai.state != AiState::Analysing {
            return;
        }
        ai.finished_at = Some(now);
        let event = match result {
            Ok((answer, asked)) => {
                let sheet = FactSheet {
                    facts: ai.facts.clone(),
                };
                ai.flags = grounding::flags(&answer, &sheet);
                ai.asked = Some((mode_name(asked.mode).to_string(), asked.requests));
                ai.state = AiState::Done;
                let event = FeedEvent::AiReportReady {
                    id,
                    model: ai.model.clone(),
                    summary: answer.summary.text.clone(),
                    flags: ai.flags.len(),
                };
                ai.answer = Some(answer);
                event
            }
            Err(reason) => {
                ai.state = AiState::Failed(reason.clone());
                FeedEvent::AiReportFailed { id, reason }
            }
        };
        let answered = matches!(event, FeedEvent::AiReportReady { .. });
        if let Some(inc) = self.incident_mut(id) {
            // The model wrote the report; a failure to get one is the console's to tell.
            let who = if answered {
                Author::Model
            } else {
                Author::Console
            };
            inc.log(now, who, IncidentEventKind::ModelReport, event.clone());
        }
        self.publish_incidents();
        self.emit(now, event);
        // The fixed-rule report went out when the incident opened; the model's follows it.
        if answered {
            self.notify(id, crate::model::NotifyEvent::AiReport, now);
        }
    }

    /// The AI tab's Test: one tiny call with these (unsaved) settings.
    pub(super) fn test_llm(&mut self, settings: LlmSettings) {
        self.board_mut().llm_test = Some(LlmTest::Running);
        let tx = self.inputs.clone();
        tokio::spawn(async move {
            let result = match LlmClient::new(&settings) {
                Err(e) => Err(e.to_string()),
                Ok(client) => client
                    .chat(
                        "Answer in one short sentence.",
                        "Say that the incident console can reach you.",
                        &serde_json::Value::Null,
                        FormatMode::PromptOnly,
                    )
                    .await
                    .map(|t| t.trim().chars().take(300).collect())
                    .map_err(|e| e.to_string()),
            };
            let _ = tx.send(Input::Analysis(AnalysisEvent::Tested(result)));
        });
    }
}

impl Engine {
    /// Searches the knowledge base off the engine's thread; the hits go to the board.
    pub(super) fn search_knowledge(&mut self, query: String) {
        let Some(kb) = self.knowledge.clone() else {
            let hits = Err("the knowledge base could not be opened (see the feed)".to_string());
            self.board_mut().kb_search = Some(KbSearch { query, hits });
            return;
        };
        let tx = self.inputs.clone();
        tokio::task::spawn_blocking(move || {
            let hits = kb.search(&query, 10).map_err(|e| e.to_string());
            let _ = tx.send(Input::Analysis(AnalysisEvent::Searched(KbSearch {
                query,
                hits,
            })));
        });
    }

    /// Imports files into the knowledge base off the engine's thread; the feed says what came
    /// in and names each file that did not.
    pub(super) fn import_knowledge(&mut self, paths: Vec<std::path::PathBuf>, now: DateTime<Utc>) {
        if paths.is_empty() {
            let event = FeedEvent::KnowledgeImported {
                files: 0,
                docs: 0,
                errors: vec![
                    "no file was chosen (cancelled, or this desktop has no file dialog: use `incident-console kb import`)".into(),
                ],
            };
            return self.emit(now, event);
        }
        let Some(kb) = self.knowledge.clone() else {
            return;
        };
        let tx = self.inputs.clone();
        tokio::task::spawn_blocking(move || {
            let report = kb.import(&paths);
            let _ = tx.send(Input::Analysis(AnalysisEvent::Imported(report)));
        });
    }
}
