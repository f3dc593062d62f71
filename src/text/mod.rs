//! Pure words shared by the feed, notifications and the window: durations, and rule values
//! written with their units, in either language.

pub mod alerts;
pub mod analyst;
pub mod desktop;
pub mod feed;
pub mod intake;
pub mod plan;
pub mod report;
pub mod review;
pub mod team;
pub mod timeline;
pub mod tray;

use crate::model::{IncidentStatus, Lang, RuleValue, Trigger};

/// `text` with every provisional incident number (`#4503599627370497`, team mode's id for
/// an incident opened while the team's id is not known yet) written as the window writes it
/// (`#L1`). The sentences are made from the events' ids; a provisional one is 16 digits from
/// 2^52 up, which only such an id is (only the first 2^20 of them are read so), so nothing
/// else in a line is taken for one.
pub fn local_ids(text: String) -> String {
    use crate::model::{PROVISIONAL_ID_BASE, incident_label};
    if !text.contains('#') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find('#') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let id = (digits == 16)
            .then(|| rest[..digits].parse::<u64>().ok())
            .flatten();
        match id {
            Some(id) if (PROVISIONAL_ID_BASE..PROVISIONAL_ID_BASE + (1 << 20)).contains(&id) => {
                out.push_str(&incident_label(id));
                rest = &rest[digits..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// An incident's status in a word.
pub fn incident_status(status: IncidentStatus, lang: Lang) -> &'static str {
    let (en, ko) = match status {
        IncidentStatus::Open => ("open", "열림"),
        IncidentStatus::Mitigating => ("mitigating", "완화 중"),
        IncidentStatus::Recovered => ("recovered", "복구됨"),
        IncidentStatus::Closed => ("closed", "종료"),
    };
    match lang {
        Lang::En => en,
        Lang::Ko => ko,
    }
}

/// `1h 02m 03s`-style text for a duration.
pub fn format_duration(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, sec) => format!("{sec}s"),
        (0, m, sec) => format!("{m}m {sec:02}s"),
        (h, m, sec) => format!("{h}h {m:02}m {sec:02}s"),
    }
}

/// One rule's value against its threshold: `http_error_rate=10.77 % (threshold 5.00 %)` in
/// English (rule ids, compact for the feed), `HTTP 오류율 10.77 % (임계치 5.00 %)` in Korean.
pub fn rule_value(rv: &RuleValue, lang: Lang) -> String {
    let value = rv.value.map_or("n/a".to_string(), |v| rv.unit.format(v));
    let threshold = rv.unit.format(rv.threshold);
    let side = match rv.comparison {
        crate::model::Comparison::Above => "",
        crate::model::Comparison::Below => match lang {
            Lang::En => "below ",
            Lang::Ko => "미만 ",
        },
    };
    match lang {
        Lang::En => format!("{}={value} (threshold {side}{threshold})", rv.rule),
        Lang::Ko => format!(
            "{} {value} (임계치 {side}{threshold})",
            rv.title.text(Lang::Ko)
        ),
    }
}

/// Every value of a trigger, joined with `, `.
pub fn trigger_values(t: &Trigger, lang: Lang) -> String {
    if t.values.is_empty() {
        return match lang {
            Lang::En => "no values".into(),
            Lang::Ko => "값 없음".into(),
        };
    }
    t.values
        .iter()
        .map(|rv| rule_value(rv, lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The built-in HTTP rule's value `value` on edge-node-01, for tests across the crate.
#[cfg(test)]
pub(crate) fn http_value(value: f64) -> RuleValue {
    use crate::model::{Comparison, Localized, Unit};
    RuleValue {
        rule: "http_error_rate".into(),
        title: Localized {
            en: "HTTP error rate".into(),
            ko: "HTTP 오류율".into(),
        },
        unit: Unit::Ratio,
        comparison: Comparison::Above,
        threshold: 0.05,
        value: Some(value),
        series: Some("edge-node-01".into()),
    }
}

/// `line` made safe for a terminal: every control character (an ANSI escape, a newline, a
/// carriage return, C1 controls) and every bidirectional override is written as `\u{..}`, so
/// text from outside cannot forge a line, recolour or retitle the terminal, or reorder what is
/// shown. Everything else, Hangul included, stays as it is.
pub fn terminal_safe(line: &str) -> String {
    let hidden =
        |c: char| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if !line.contains(hidden) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` with CRLF line ends, for a file a Windows user opens in Notepad and friends; a `\r\n`
/// already there stays as it is.
pub fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\n' && prev != '\r' {
            out.push('\r');
        }
        out.push(c);
        prev = c;
    }
    out
}

/// `text` with this platform's line ends: CRLF on Windows, unchanged elsewhere.
pub fn platform_line_ends(text: String) -> String {
    if cfg!(windows) { crlf(&text) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_terminal_line_shows_control_characters_instead_of_obeying_them() {
        assert_eq!(terminal_safe("결제 5xx ok"), "결제 5xx ok");
        assert_eq!(
            terminal_safe("a\u{1b}]0;owned\u{7}\nFAKE LINE\r\u{202e}x"),
            "a\\u{1b}]0;owned\\u{7}\\u{a}FAKE LINE\\u{d}\\u{202e}x"
        );
    }

    #[test]
    fn crlf_adds_carriage_returns_once() {
        assert_eq!(
            crlf("# 제목\n\n- a\r\n- b\n"),
            "# 제목\r\n\r\n- a\r\n- b\r\n"
        );
        assert_eq!(crlf("no end"), "no end");
    }

    #[test]
    fn values_read_the_same_as_the_cards_in_both_languages() {
        let rv = RuleValue {
            series: None,
            ..http_value(0.1077)
        };
        assert_eq!(
            rule_value(&rv, Lang::En),
            "http_error_rate=10.77 % (threshold 5.00 %)"
        );
        assert_eq!(
            rule_value(&rv, Lang::Ko),
            "HTTP 오류율 10.77 % (임계치 5.00 %)"
        );
        assert_eq!(
            format_duration(chrono::Duration::seconds(3723)),
            "1h 02m 03s"
        );
    }
}
