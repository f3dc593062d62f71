use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who wrote an analysis report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ReportSource {
    /// Built from the scenario and the triggering sample by fixed rules.
    Deterministic,
    /// Written by a language model (the model's name).
    Llm(String),
}

/// The Korean analysis report, in its five fixed parts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisReport {
    /// 요약: what happened, in two or three sentences.
    pub summary: String,
    /// 근본 원인: the most likely cause and the evidence for it.
    pub root_cause: String,
    /// 영향: who and what is affected.
    pub impact: String,
    /// 조치 계획: what to do now, in order.
    pub action_plan: Vec<String>,
    /// 후속 조치: what to do after recovery.
    pub follow_up: Vec<String>,
    /// Who wrote it.
    pub source: ReportSource,
    /// When it was written.
    pub written_at: DateTime<Utc>,
}

impl AnalysisReport {
    /// The five section headings, in order.
    pub const HEADINGS: [&'static str; 5] = ["요약", "근본 원인", "영향", "조치 계획", "후속 조치"];

    /// The report as Markdown, for export and copy.
    pub fn to_markdown(&self) -> String {
        let list = |items: &[String]| {
            items
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {s}\n", i + 1))
                .collect::<String>()
        };
        format!(
            "## {}\n{}\n\n## {}\n{}\n\n## {}\n{}\n\n## {}\n{}\n## {}\n{}",
            Self::HEADINGS[0],
            self.summary,
            Self::HEADINGS[1],
            self.root_cause,
            Self::HEADINGS[2],
            self.impact,
            Self::HEADINGS[3],
            list(&self.action_plan),
            Self::HEADINGS[4],
            list(&self.follow_up),
        )
    }
}
