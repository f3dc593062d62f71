//! The AI analyst's settings and the answer it asks a chat-completions server for.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Secret;

/// Where the OpenAI-compatible chat-completions server is (OpenAI, Ollama, llama.cpp's server,
/// vLLM) and how to ask it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmSettings {
    /// The on/off switch; off, every report is the fixed-rule one.
    pub enabled: bool,
    /// Base URL up to `/v1` (the client adds `/chat/completions`).
    pub base_url: String,
    /// The model's name as the server knows it.
    pub model: String,
    /// Sent as `Authorization: Bearer …`; empty for servers that take none (Ollama).
    pub api_key: Secret,
    /// Extra request headers (`OpenAI-Organization`, a gateway's tenant header).
    pub extra_headers: Vec<(String, String)>,
    /// Seconds one call may take before it is given up.
    pub timeout_secs: u64,
    /// Sampling temperature, sent with every request (Ollama's default is 1.0 otherwise).
    pub temperature: f64,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            base_url: "https://api.openai.com/v1".into(),
            model: "gpt-4o-mini".into(),
            api_key: Secret::default(),
            extra_headers: Vec::new(),
            timeout_secs: 60,
            temperature: 0.2,
        }
    }
}

/// One statement of the answer and the ids of the facts it rests on (`F3`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The statement, in Korean.
    pub text: String,
    /// Fact ids it cites; an empty list is an uncited claim.
    pub cites: Vec<String>,
}

/// The model's draft of a review's narrative, each part citing facts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewNarrative {
    /// What happened, its impact, how it was resolved.
    pub summary: Claim,
    /// What contributed to it.
    pub contributing_factors: Claim,
}

/// What the model says of one of the runbook's hypotheses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The facts support it.
    Supported,
    /// The facts neither support nor refute it.
    Possible,
    /// The facts contradict it.
    Refuted,
    /// Too little is known to say.
    Inconclusive,
}

/// The model's verdict on one hypothesis, which is itself a fact (`fact` is its id).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HypothesisVerdict {
    /// The hypothesis's fact id.
    pub fact: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Fact ids the verdict rests on.
    pub cites: Vec<String>,
}

/// The answer the schema asks for: the five parts of the Korean report (요약, 근본 원인, 영향,
/// 조치 계획, 후속 조치), each claim citing facts, and a verdict per hypothesis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiAnswer {
    /// 요약.
    pub summary: Claim,
    /// 근본 원인 ("inconclusive" when the facts do not say).
    pub root_cause: Claim,
    /// 영향.
    pub impact: Claim,
    /// 조치 계획, in order.
    pub action_plan: Vec<Claim>,
    /// 후속 조치.
    pub follow_up: Vec<Claim>,
    /// One verdict per hypothesis fact.
    pub hypotheses: Vec<HypothesisVerdict>,
}

/// What a fact is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactKind {
    /// The incident: runbook, origin, when.
    Incident,
    /// A rule's value against its threshold, or an alert's labels.
    Value,
    /// One breaching series' recent samples, downsampled.
    Samples,
    /// Hypothesis `n` of the runbook (0-based) with the responder's mark.
    Hypothesis(usize),
    /// Evidence item `n` (0-based), with its live check when there is one.
    Evidence(usize),
    /// Recommended action `n` (0-based).
    Action(usize),
    /// A knowledge-base document.
    Knowledge,
    /// A past incident of the same runbook and how its plan went.
    PastIncident,
    /// One event of the incident's timeline (for the review's draft).
    Event,
    /// The incident's key times, or what a responder wrote in its review.
    Review,
}

/// One numbered fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// `F1`, `F2`, …
    pub id: String,
    /// What it is about.
    pub kind: FactKind,
    /// The fact in words, numbers written as the view shows them (and ratios also raw).
    pub text: String,
}

/// Something in an answer the facts do not back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AnswerFlag {
    /// A cited id that is no fact.
    UnknownCite {
        /// The id as cited.
        id: String,
        /// Which part cited it (`summary`, `action_plan[2]`, `hypotheses`).
        part: String,
    },
    /// A number that appears in no fact.
    UnbackedNumber {
        /// The number as written.
        number: String,
        /// Which part holds it.
        part: String,
    },
}

/// Where an AI report stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AiState {
    /// Asked; the model has not answered yet.
    Analysing,
    /// Answered and checked.
    Done,
    /// No usable answer (the reason in words); the fixed-rule report stands.
    Failed(String),
    /// The responder cancelled it.
    Cancelled,
}

/// A language model's report on an incident, with what it was asked from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AiReport {
    /// Where it stands.
    pub state: AiState,
    /// When it was asked.
    pub started_at: DateTime<Utc>,
    /// When it answered, failed or was cancelled.
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// The model's name.
    pub model: String,
    /// The server's base URL (no credentials).
    pub server: String,
    /// The hash of `facts` (the cache key).
    pub input_hash: u64,
    /// The numbered facts it was given.
    pub facts: Vec<Fact>,
    /// The answer, once there is one.
    #[serde(default)]
    pub answer: Option<AiAnswer>,
    /// What the facts do not back in it.
    #[serde(default)]
    pub flags: Vec<AnswerFlag>,
    /// How the JSON was asked for (`json_schema`, `json_object`, `prompt`) and in how many
    /// requests.
    #[serde(default)]
    pub asked: Option<(String, u32)>,
}

/// A knowledge-base document or past incident related to an incident: listed under its report
/// (with or without a model) and given to the model as a fact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Related {
    /// `document` or `incident`.
    pub kind: String,
    /// Its title.
    pub title: String,
    /// Where it came from (a file, an incident).
    pub source: String,
    /// The start of its text.
    pub snippet: String,
}
