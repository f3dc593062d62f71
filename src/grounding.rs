//! Only facts go in, and every fact has an id: the numbered fact sheet an AI report is asked
//! from, the JSON schema of the answer, the answer's own checks, and the flags the view shows
//! (a number found in no fact, a cited id that does not exist). Pure: no I/O, no clock.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use crate::model::{AnswerFlag as Flag, Fact, FactKind};
use serde_json::{Value, json};

use crate::model::{AiAnswer, HypothesisMark, Incident, Lang};

/// A downsampled series: its name and `(time, value)` points.
pub type SeriesSamples = (String, Vec<(chrono::DateTime<chrono::Utc>, f64)>);

/// Everything the prompt is made of, numbered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FactSheet {
    /// In the order they are given to the model.
    pub facts: Vec<Fact>,
}

/// The most points of one series given to the model.
pub const MAX_POINTS: usize = 12;

impl FactSheet {
    /// The facts of `incident`: itself, its values, the breaching series' recent `samples`, the
    /// runbook's hypotheses with the responder's marks, the evidence (each with its live check
    /// in `checks`, where there is one), the actions, and `more` (knowledge-base hits, past
    /// incidents) as given.
    pub fn for_incident(
        incident: &Incident,
        samples: &[SeriesSamples],
        checks: &[Option<String>],
        more: &[(FactKind, String)],
    ) -> Self {
        let mut sheet = FactSheet::default();
        let s = &incident.scenario;
        let origin = match incident.trigger.origin {
            crate::model::TriggerOrigin::Monitor => "백그라운드 모니터가 감지",
            crate::model::TriggerOrigin::Manual => "담당자가 수동으로 발생",
            crate::model::TriggerOrigin::Alertmanager => "Alertmanager 알림으로 열림",
        };
        sheet.push(
            FactKind::Incident,
            format!(
                "인시던트 #{} '{}' (런북 {}), {}, 열린 시각 {}. {}",
                incident.id,
                s.title.text(Lang::Ko),
                s.code,
                origin,
                incident.opened_at.format("%Y-%m-%d %H:%M:%S UTC"),
                s.description.text(Lang::Ko)
            ),
        );
        for rv in &incident.trigger.values {
            let value = rv.value.map_or("값 없음".to_string(), |v| {
                format!("{} ({v:.4})", rv.unit.format(v))
            });
            let series = rv.series.as_deref().unwrap_or("-");
            sheet.push(
                FactKind::Value,
                format!(
                    "규칙 {} ({}): 최악 값 {value}, 시리즈 {series}, 임계치 {} {} ({:.4}){}",
                    rv.rule,
                    rv.title.text(Lang::Ko),
                    rv.comparison.symbol(),
                    rv.unit.format(rv.threshold),
                    rv.threshold,
                    if rv.in_breach() {
                        ", 임계치 초과"
                    } else {
                        ", 정상 범위"
                    }
                ),
            );
        }
        if let Some(links) = &incident.alerts {
            for fact in alert_facts(links) {
                sheet.push(FactKind::Value, fact);
            }
        }
        for (series, points) in samples {
            let points = downsample(points, MAX_POINTS);
            let text: Vec<String> = points
                .iter()
                .map(|(at, v)| format!("{} {v:.4}", at.format("%H:%M:%S")))
                .collect();
            sheet.push(
                FactKind::Samples,
                format!("시리즈 {series}의 최근 샘플: {}", text.join(", ")),
            );
        }
        for (i, h) in s.hypotheses.iter().enumerate() {
            let mark = match incident.marks.get(i).copied().unwrap_or_default() {
                HypothesisMark::Open => "미정",
                HypothesisMark::Confirmed => "담당자가 확인함",
                HypothesisMark::Rejected => "담당자가 기각함",
            };
            sheet.push(
                FactKind::Hypothesis(i),
                format!(
                    "가설 {}: {} (사전 확신도 {:.2}, 담당자 판단: {mark})",
                    i + 1,
                    h.statement.text(Lang::Ko),
                    h.confidence
                ),
            );
        }
        for (i, e) in s.evidence.iter().enumerate() {
            let check = checks
                .get(i)
                .cloned()
                .flatten()
                .unwrap_or_else(|| "실시간 확인 없음".into());
            sheet.push(
                FactKind::Evidence(i),
                format!("근거 {}: {} — {check}", i + 1, e.text.text(Lang::Ko)),
            );
        }
        for (i, a) in s.actions.iter().enumerate() {
            sheet.push(
                FactKind::Action(i),
                format!(
                    "권장 조치 {}: {} (명령 `{}`, 위험도 {:?})",
                    i + 1,
                    a.title.text(Lang::Ko),
                    a.command,
                    a.risk
                ),
            );
        }
        for (kind, text) in more {
            sheet.push(kind.clone(), text.clone());
        }
        sheet
    }

    pub(crate) fn push(&mut self, kind: FactKind, text: String) {
        let id = format!("F{}", self.facts.len() + 1);
        self.facts.push(Fact { id, kind, text });
    }

    /// The fact with this id.
    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts.iter().find(|f| f.id == id)
    }

    /// A stable hash of the facts (FNV-1a over their ids and texts): the cache key of an
    /// answer, equal across runs for equal facts.
    pub fn hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for f in &self.facts {
            for b in f.id.bytes().chain([0]).chain(f.text.bytes()).chain([0]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    /// The system and user messages.
    pub fn prompt(&self) -> (String, String) {
        let system = "당신은 인시던트 대응 분석가입니다. 아래에 번호가 붙은 사실(F1, F2, …)만 근거로 삼아 \
한국어 분석 보고서를 씁니다. 모든 주장에는 근거가 된 사실 id를 cites에 적습니다. \
사실에 없는 숫자는 쓰지 않습니다. 사실로 판단할 수 없으면 추측하지 말고 \"inconclusive\"(판단 불가)라고 씁니다. \
각 가설(가설 사실)마다 supported, possible, refuted, inconclusive 중 하나로 판정합니다."
            .to_string();
        let mut user = String::from("사실:\n");
        for f in &self.facts {
            user.push_str(&format!("{}: {}\n", f.id, f.text));
        }
        user.push_str(
            "\n요약(summary), 근본 원인(root_cause), 영향(impact), 조치 계획(action_plan), \
후속 조치(follow_up)를 한국어로 쓰고, 가설마다 판정(hypotheses)을 주세요.",
        );
        (system, user)
    }

    /// The hypothesis facts' ids.
    pub fn hypothesis_ids(&self) -> Vec<String> {
        self.facts
            .iter()
            .filter(|f| matches!(f.kind, FactKind::Hypothesis(_)))
            .map(|f| f.id.clone())
            .collect()
    }
}

/// At most `max` points, evenly spaced, the last one always kept.
pub(crate) fn downsample<T: Clone>(points: &[T], max: usize) -> Vec<T> {
    if points.len() <= max || max == 0 {
        return points.to_vec();
    }
    let step = points.len() as f64 / max as f64;
    let mut out: Vec<T> = (0..max)
        .map(|i| points[((i as f64 * step) as usize).min(points.len() - 1)].clone())
        .collect();
    if let (Some(last), Some(end)) = (out.last_mut(), points.last()) {
        *last = end.clone();
    }
    out
}

/// One claim's schema: its text and the fact ids it cites.
pub(crate) fn claim_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "text": {"type": "string"},
            "cites": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["text", "cites"],
        "additionalProperties": false
    })
}

/// The answer's JSON schema, strict (every property required, nothing extra), as OpenAI's
/// `json_schema` mode wants it.
pub fn schema() -> Value {
    let claim = claim_schema();
    json!({
        "type": "object",
        "properties": {
            "summary": claim,
            "root_cause": claim,
            "impact": claim,
            "action_plan": {"type": "array", "items": claim},
            "follow_up": {"type": "array", "items": claim},
            "hypotheses": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "fact": {"type": "string"},
                    "verdict": {"type": "string",
                                "enum": ["supported", "possible", "refuted", "inconclusive"]},
                    "cites": {"type": "array", "items": {"type": "string"}}
                },
                "required": ["fact", "verdict", "cites"],
                "additionalProperties": false
            }}
        },
        "required": ["summary", "root_cause", "impact", "action_plan", "follow_up", "hypotheses"],
        "additionalProperties": false
    })
}

/// Checks an answer against the schema, locally (servers that ignore `strict` may send
/// anything): every part present and typed, a non-empty summary.
pub fn parse_answer(v: &Value) -> Result<AiAnswer, String> {
    let answer: AiAnswer = serde_json::from_value(v.clone())
        .map_err(|e| format!("the answer does not fit the schema: {e}"))?;
    if answer.summary.text.trim().is_empty() {
        return Err("the answer's summary is empty".into());
    }
    Ok(answer)
}

/// What the view flags in `answer`: cited ids that are no fact, and numbers no fact holds
/// (at the answer's own precision, so a rounded `10.8` of a fact's `10.77` is backed). Whole
/// numbers 0–9 are left alone: they count and list things.
pub fn flags(answer: &AiAnswer, sheet: &FactSheet) -> Vec<Flag> {
    let mut parts: Vec<(String, &crate::model::Claim)> = vec![
        ("summary".into(), &answer.summary),
        ("root_cause".into(), &answer.root_cause),
        ("impact".into(), &answer.impact),
    ];
    parts.extend(
        answer
            .action_plan
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("action_plan[{}]", i + 1), c)),
    );
    parts.extend(
        answer
            .follow_up
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("follow_up[{}]", i + 1), c)),
    );
    let mut out = claim_flags(&parts, sheet);
    let known: BTreeSet<&str> = sheet.facts.iter().map(|f| f.id.as_str()).collect();
    for h in &answer.hypotheses {
        for id in std::iter::once(&h.fact).chain(&h.cites) {
            if !known.contains(id.as_str()) {
                out.push(Flag::UnknownCite {
                    id: id.to_string(),
                    part: "hypotheses".into(),
                });
            }
        }
    }
    out
}

/// The flags of named claims: cited ids that are no fact of `sheet`, and numbers no fact
/// holds (see [`flags`]).
pub fn claim_flags(parts: &[(String, &crate::model::Claim)], sheet: &FactSheet) -> Vec<Flag> {
    let known: BTreeSet<&str> = sheet.facts.iter().map(|f| f.id.as_str()).collect();
    let fact_numbers: Vec<f64> = sheet
        .facts
        .iter()
        .flat_map(|f| numbers(&f.text))
        .filter_map(|n| n.parse().ok())
        .collect();
    let mut out = Vec::new();
    let cite = |id: &str, part: &str, out: &mut Vec<Flag>| {
        if !known.contains(id) {
            out.push(Flag::UnknownCite {
                id: id.to_string(),
                part: part.to_string(),
            });
        }
    };
    for (part, claim) in parts {
        for id in &claim.cites {
            cite(id, part, &mut out);
        }
        for n in numbers(&claim.text) {
            if !backed(&n, &fact_numbers) {
                out.push(Flag::UnbackedNumber {
                    number: n,
                    part: part.clone(),
                });
            }
        }
    }
    out
}

/// The numbers written in `text`, as written; digits that are part of a name (`F3`,
/// `edge-node-01`, `5xx`) are not numbers.
fn numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_digit()
                    || (chars[i] == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)))
            {
                i += 1;
            }
            let before = start.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i).copied();
            let in_name = before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                || after.is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if !in_name {
                out.push(chars[start..i].iter().collect());
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `written` is one of `facts` at the precision it is written with.
fn backed(written: &str, facts: &[f64]) -> bool {
    let normal = written;
    let Ok(value) = normal.parse::<f64>() else {
        return true;
    };
    let decimals = normal.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    if decimals == 0 && (0.0..10.0).contains(&value) {
        return true;
    }
    let scale = 10f64.powi(decimals);
    facts
        .iter()
        .any(|f| ((f * scale).round() - value * scale).abs() < 0.5)
}

/// Attached alerts listed one by one up to this many; past it the model gets a summary.
const ALERTS_LISTED: usize = 10;

/// The facts about an incident's Alertmanager alerts: each one while they are few; for a
/// storm's group, the counts, each label's most common values, and the first few critical
/// ones, never thousands of lines.
fn alert_facts(links: &crate::model::IncidentAlerts) -> Vec<String> {
    let state = |fp: &str| {
        if links.resolved.contains(fp) {
            "해소됨"
        } else {
            "발생 중"
        }
    };
    let line = |fp: &str, labels: &crate::model::Labels| {
        let labels: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{v}\"")).collect();
        format!(
            "Alertmanager 알림 {fp} ({}): {}",
            state(fp),
            labels.join(", ")
        )
    };
    if links.count() <= ALERTS_LISTED {
        return links.alerts.iter().map(|(fp, l)| line(fp, l)).collect();
    }
    let resolved = links
        .fingerprints()
        .filter(|f| links.resolved.contains(*f))
        .count();
    let mut facts = vec![format!(
        "Alertmanager 알림 {}개가 이 인시던트에 연결됨 (발생 중 {}, 해소 {resolved}); 레이블 집계는 레이블이 남아 있는 처음 {}개 기준",
        links.count(),
        links.count() - resolved,
        links.alerts.len()
    )];
    let mut values: std::collections::BTreeMap<&str, std::collections::BTreeMap<&str, usize>> =
        Default::default();
    for (_, labels) in &links.alerts {
        for (k, v) in labels {
            *values.entry(k).or_default().entry(v).or_default() += 1;
        }
    }
    for (name, counts) in values {
        let mut top: Vec<(&str, usize)> = counts.iter().map(|(v, n)| (*v, *n)).collect();
        top.sort_by_key(|(v, n)| (std::cmp::Reverse(*n), *v));
        let shown: Vec<String> = top
            .iter()
            .take(3)
            .map(|(v, n)| format!("\"{v}\" {n}개"))
            .collect();
        facts.push(format!(
            "레이블 {name}: 값 {}종, 많은 순 {}",
            top.len(),
            shown.join(", ")
        ));
    }
    let mut worst: Vec<&(String, crate::model::Labels)> = links.alerts.iter().collect();
    worst.sort_by_key(|(fp, l)| {
        let severity = l.get("severity").map_or("", String::as_str);
        (
            links.resolved.contains(fp),
            severity != "critical",
            severity != "warning",
        )
    });
    for (fp, labels) in worst.into_iter().take(3) {
        facts.push(line(fp, labels));
    }
    facts
}

pub mod review;

#[cfg(test)]
mod tests;
