//! Label matchers with Alertmanager's semantics, for runbooks' `match_any` and the alerts
//! list's filter: `{severity="critical", team=~"pay.*"}`.
//!
//! - Operators `=`, `!=`, `=~`, `!~`; the matchers of one string are ANDed.
//! - Regexes are fully anchored (`=~"5.."` matches `503`, not `1503`).
//! - A label the alert does not have counts as the empty string (`team!="x"` matches an alert
//!   without `team`; `team=""` matches only such alerts).
//! - Braces are optional, values may be quoted or not, a trailing comma is allowed; inside
//!   quotes `\"`, `\n` and `\\` are escapes and a comma does not separate matchers (as
//!   Alertmanager's classic parser, `pkg/labels/parse.go`).

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;

/// How a matcher compares a label's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`: equal.
    Equal,
    /// `!=`: not equal.
    NotEqual,
    /// `=~`: the whole value matches the regex.
    Regex,
    /// `!~`: the whole value does not match the regex.
    NotRegex,
}

impl MatchOp {
    fn symbol(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// One `name op "value"`. The regex (for `=~` and `!~`) is compiled once, anchored.
#[derive(Clone, Debug)]
pub struct Matcher {
    /// The label's name.
    pub name: String,
    /// How the value is compared.
    pub op: MatchOp,
    /// The value, unescaped (a regex's source for `=~` and `!~`).
    pub value: String,
    regex: Option<Regex>,
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.op == other.op && self.value == other.value
    }
}

/// Why a matcher string cannot be used, in words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MatcherError {
    /// Not `name op value`.
    #[error("\"{0}\" is not a matcher: write name=\"value\" (or !=, =~, !~)")]
    Format(String),
    /// A label name Prometheus would not accept.
    #[error("\"{0}\" is not a label name: letters, digits, _ and :, not starting with a digit")]
    Name(String),
    /// A `"` inside the value that is not escaped, or a missing closing quote.
    #[error("the value of \"{0}\" has an unescaped or missing double quote")]
    Quote(String),
    /// The regex does not compile.
    #[error("the regex of \"{matcher}\" is not valid: {reason}")]
    Regex {
        /// The matcher as written.
        matcher: String,
        /// The regex engine's complaint.
        reason: String,
    },
}

impl Matcher {
    /// A matcher from its parts; fails only on a bad name or regex.
    pub fn new(name: &str, op: MatchOp, value: &str) -> Result<Self, MatcherError> {
        if !valid_label_name(name) {
            return Err(MatcherError::Name(name.to_string()));
        }
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(
                Regex::new(&format!("^(?:{value})$")).map_err(|e| MatcherError::Regex {
                    matcher: format!("{name}{}{value:?}", op.symbol()),
                    reason: e.to_string(),
                })?,
            ),
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Self {
            name: name.to_string(),
            op,
            value: value.to_string(),
            regex,
        })
    }

    /// Whether a label value (the empty string when the label is missing) matches.
    pub fn matches_value(&self, value: &str) -> bool {
        match (self.op, &self.regex) {
            (MatchOp::Equal, _) => value == self.value,
            (MatchOp::NotEqual, _) => value != self.value,
            (MatchOp::Regex, Some(re)) => re.is_match(value),
            (MatchOp::NotRegex, Some(re)) => !re.is_match(value),
            // `new` always compiles a regex for the regex operators.
            (MatchOp::Regex | MatchOp::NotRegex, None) => false,
        }
    }

    /// Whether a label set matches (a missing label is the empty string).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.name).map_or("", String::as_str))
    }

    /// Parses one `name op value`.
    pub fn parse(text: &str) -> Result<Self, MatcherError> {
        let t = text.trim();
        let name_end = t
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .ok_or_else(|| MatcherError::Format(t.to_string()))?;
        let name = &t[..name_end];
        let rest = t[name_end..].trim_start();
        // `=~` before `=`, or the `~` would become part of the value.
        let (op, raw) = [
            ("=~", MatchOp::Regex),
            ("!~", MatchOp::NotRegex),
            ("!=", MatchOp::NotEqual),
            ("=", MatchOp::Equal),
        ]
        .into_iter()
        .find_map(|(sym, op)| rest.strip_prefix(sym).map(|r| (op, r.trim())))
        .ok_or_else(|| MatcherError::Format(t.to_string()))?;
        if name.is_empty() {
            return Err(MatcherError::Format(t.to_string()));
        }
        let value = unquote(raw).map_err(|()| MatcherError::Quote(t.to_string()))?;
        Self::new(name, op, &value)
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let escaped = self
            .value
            .replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', "\\n");
        write!(f, "{}{}\"{escaped}\"", self.name, self.op.symbol())
    }
}

/// Matchers that must all match (one `match_any` entry, or the alerts list's filter).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matchers(pub Vec<Matcher>);

impl Matchers {
    /// Parses `{a="b", c=~"d.*"}` (braces optional, commas inside quotes kept). An empty or
    /// blank string is no matchers, which match everything.
    pub fn parse(text: &str) -> Result<Self, MatcherError> {
        let t = text.trim();
        let t = t.strip_prefix('{').unwrap_or(t);
        let t = t.strip_suffix('}').unwrap_or(t);
        let mut parts = Vec::new();
        let mut token = String::new();
        let (mut quoted, mut escaped) = (false, false);
        for c in t.chars() {
            match c {
                ',' if !quoted => {
                    parts.push(std::mem::take(&mut token));
                    continue;
                }
                '"' if escaped => escaped = false,
                '"' => quoted = !quoted,
                '\\' => escaped = !escaped,
                _ => escaped = false,
            }
            token.push(c);
        }
        if !token.trim().is_empty() {
            parts.push(token);
        }
        parts
            .iter()
            .map(|p| Matcher::parse(p))
            .collect::<Result<_, _>>()
            .map(Matchers)
    }

    /// Whether every matcher matches `labels`.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|m| m.matches(labels))
    }
}

impl fmt::Display for Matchers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{{{}}}", parts.join(", "))
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
fn valid_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A matcher's value: bare, or in double quotes with `\"`, `\n` and `\\` escaped; any other
/// backslash is literal (as Alertmanager tolerates it).
fn unquote(raw: &str) -> Result<String, ()> {
    let (body, quoted) = match raw.strip_prefix('"') {
        Some(rest) => (rest, true),
        None => (raw, false),
    };
    let mut out = String::with_capacity(body.len());
    // Whether the closing quote has been seen; nothing may follow it.
    let mut closed = false;
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if closed {
            return Err(());
        }
        match c {
            '\\' => match chars.peek() {
                Some('n') => {
                    out.push('\n');
                    chars.next();
                }
                Some(&e @ ('"' | '\\')) => {
                    out.push(e);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            '"' if quoted => closed = true,
            '"' => return Err(()),
            c => out.push(c),
        }
    }
    if quoted && !closed { Err(()) } else { Ok(out) }
}

#[cfg(test)]
mod tests;
