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

    /// The report as text in Markdown's shape (headings and numbered lists) with its
    /// contents as written, for sinks that escape for themselves: Slack (mrkdwn), mail
    /// (plain text), the knowledge index.
    pub fn to_text(&self) -> String {
        self.sections(&|s: &str| s.to_string())
    }

    /// The report as Markdown, for export and copy: every part is escaped, since the model's
    /// words and the alert's text are data, so that none of it becomes a heading, a link, an
    /// image that a viewer fetches, or raw HTML.
    pub fn to_markdown(&self) -> String {
        self.sections(&|s: &str| escape_markdown(s))
    }

    fn sections(&self, put: &dyn Fn(&str) -> String) -> String {
        // A list item is one line: a newline inside one would start a new block.
        let list = |items: &[String]| {
            items
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {}\n", i + 1, put(&s.replace(['\r', '\n'], " "))))
                .collect::<String>()
        };
        format!(
            "## {}\n{}\n\n## {}\n{}\n\n## {}\n{}\n\n## {}\n{}\n## {}\n{}",
            Self::HEADINGS[0],
            put(&self.summary),
            Self::HEADINGS[1],
            put(&self.root_cause),
            Self::HEADINGS[2],
            put(&self.impact),
            Self::HEADINGS[3],
            list(&self.action_plan),
            Self::HEADINGS[4],
            list(&self.follow_up),
        )
    }
}

/// `text` as Markdown that shows exactly these characters: every character CommonMark gives a
/// meaning inline is backslash-escaped (`\\ ` `` ` `` `*` `_` `[` `]` `<` `>` `#` `!` `|` `~`),
/// `&` becomes `&amp;` (no entities), a line that would start a block (`-`, `+`, `=`, `1.`,
/// `1)`) gets its marker escaped, and control characters other than newlines are dropped.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let line = line.trim_end_matches('\r');
        let indent = line.len() - line.trim_start().len();
        let body = &line[indent..];
        // Four spaces would make a code block; the indent carries no meaning in a report.
        out.push_str(&line[..indent.min(3)]);
        let digits = body.chars().take_while(char::is_ascii_digit).count();
        let block_marker = match body.chars().next() {
            Some('-' | '+' | '=') => Some(0),
            Some(_) if digits > 0 && matches!(body[digits..].chars().next(), Some('.' | ')')) => {
                Some(digits)
            }
            _ => None,
        };
        for (i, c) in body.char_indices() {
            if Some(i) == block_marker {
                out.push('\\');
            }
            match c {
                '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                '&' => out.push_str("&amp;"),
                c if c.is_control() && c != '\t' => {}
                c => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_from_outside_stays_text() {
        let hostile = "요약입니다 ![x](https://tracker.example/p.png) <img src=x onerror=alert(1)>\n## 근본 원인\n- [Approve](https://evil.example) &lt;\n1. one\n    code\u{1b}[2J";
        let out = escape_markdown(hostile);
        assert_eq!(
            out,
            "요약입니다 \\!\\[x\\](https://tracker.example/p.png) \\<img src=x onerror=alert(1)\\>\n\\#\\# 근본 원인\n\\- \\[Approve\\](https://evil.example) &amp;lt;\n1\\. one\n   code\\[2J"
        );
        assert_eq!(
            escape_markdown("CPU 92.5 % on edge-node-01"),
            "CPU 92.5 % on edge-node-01"
        );
        assert_eq!(
            escape_markdown("2026-12-03"),
            "2026-12-03",
            "a date is not a list"
        );
    }

    #[test]
    fn the_exported_report_keeps_its_own_headings_and_escapes_the_rest() {
        let r = AnalysisReport {
            summary: "a\n## 근본 원인\nforged".into(),
            root_cause: "cause".into(),
            impact: "impact".into(),
            action_plan: vec!["roll back\n## 영향".into()],
            follow_up: vec![],
            source: ReportSource::Llm("m".into()),
            written_at: chrono::Utc::now(),
        };
        let md = r.to_markdown();
        assert_eq!(
            md.matches("\n## ").count() + usize::from(md.starts_with("## ")),
            5
        );
        assert!(md.contains("1. roll back \\#\\# 영향\n"), "{md}");
        assert!(r.to_text().contains("a\n## 근본 원인\nforged"));
    }
}
