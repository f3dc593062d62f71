//! Filling an action's templates: each `{{name}}` is replaced by an incident variable, escaped
//! for the slot it lands in. Text from outside the console (an alert's labels, a series' name)
//! is data: it is capped, refused when it holds control characters, and can never change the
//! shape of what runs: not a URL's scheme, host or port, not a JSON document's structure, not a
//! header line, not an option of a program, not the working directory.
//!
//! | slot | what a value gets |
//! | --- | --- |
//! | URL path, query, fragment | percent-encoded (all but `A-Z a-z 0-9 - . _ ~`) |
//! | URL scheme, user info, host, port | refused: the host is fixed by the runbook |
//! | JSON body, inside a string | JSON-escaped |
//! | JSON body, outside a string | only a number; the filled body must parse as JSON |
//! | form body | percent-encoded |
//! | other body | as it is |
//! | header value | as it is, refused if the value would hold a line break |
//! | argument | one argument; refused if it would start with `-` (unless allowed) |
//! | environment value | as it is |
//! | working directory | refused for values from outside |

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The longest value from outside (an alert label, a series' name) that goes into an action, in
/// bytes: longer ones are refused, never cut (a cut name could name something else).
pub const OUTSIDE_VALUE_LIMIT_BYTES: usize = 256;

/// One incident variable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    /// Its value.
    pub value: String,
    /// It came from outside the console (an alert's labels, a series' name), so whoever can
    /// post an alert chose it.
    pub outside: bool,
}

impl Var {
    /// A value the console or the runbook chose.
    pub fn own(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            outside: false,
        }
    }

    /// A value from an alert or a series.
    pub fn outside(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            outside: true,
        }
    }
}

/// Incident variables by name (`incident.id`, `labels.service`, …).
pub type Vars = BTreeMap<String, Var>;

/// Why a template cannot be filled, in words (English; the feed's Korean is in `text::plan`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TemplateError {
    /// `{{name}}` names no incident variable.
    #[error("`{{{{{0}}}}}` is not an incident variable (known: {1})")]
    Unknown(String, String),
    /// A `{{` without its `}}`.
    #[error("a `{{{{` is not closed")]
    Unclosed,
    /// A variable in a URL's scheme, user info, host or port.
    #[error(
        "`{{{{{0}}}}}` is in the URL's scheme, host or port; only its path and query may use variables"
    )]
    InUrlAuthority(String),
    /// A value from outside is longer than [`OUTSIDE_VALUE_LIMIT_BYTES`].
    #[error(
        "`{{{{{name}}}}}` comes from the alert and is {bytes} bytes long (at most {OUTSIDE_VALUE_LIMIT_BYTES} go into an action)"
    )]
    OutsideTooLong {
        /// The variable.
        name: String,
        /// Its length in bytes.
        bytes: usize,
    },
    /// A value from outside holds control characters (a line break, an escape).
    #[error("`{{{{{0}}}}}` comes from the alert and holds control characters")]
    OutsideControl(String),
    /// A variable outside a JSON string whose value is not a number.
    #[error(
        "`{{{{{0}}}}}` stands outside a JSON string and its value is not a number (put it in quotes)"
    )]
    NotJsonNumber(String),
    /// The body, filled, does not parse as JSON.
    #[error("the body is not JSON once filled: {0}")]
    BodyNotJson(String),
    /// A header's value would hold a line break or a NUL.
    #[error("header `{0}` would hold a line break")]
    HeaderBreak(String),
    /// An argument would start with `-` because of a variable's value.
    #[error(
        "argument {number} would start with `-` from `{{{{{name}}}}}` and could be read as an option (the runbook may allow it: args_may_start_with_dash: [{number}])"
    )]
    LeadingDash {
        /// The argument's number, from 1.
        number: usize,
        /// The variable.
        name: String,
    },
    /// A value from outside in the working directory.
    #[error("`{{{{{0}}}}}` comes from the alert and cannot choose the working directory")]
    OutsideInCwd(String),
    /// A NUL in an argument or an environment value (no program can be given one).
    #[error("`{{{{{0}}}}}` holds a NUL character")]
    Nul(String),
}

/// A template cut into literal text and variable names.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            out.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        out.push(Piece::Var(after[..end].trim()));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    Ok(out)
}

/// Fills templates from one set of variables, remembering which values from outside it used
/// (the approval marks them).
pub struct Filler<'a> {
    vars: &'a Vars,
    /// The variables from outside used so far, by name, in order of first use.
    pub used_outside: Vec<(String, String)>,
}

impl<'a> Filler<'a> {
    /// A filler over `vars`.
    pub fn new(vars: &'a Vars) -> Self {
        Self {
            vars,
            used_outside: Vec::new(),
        }
    }

    /// Looks `name` up and checks a value from outside (its length, control characters).
    fn var(&mut self, name: &str) -> Result<&'a Var, TemplateError> {
        let Some(var) = self.vars.get(name) else {
            let known: Vec<&str> = self.vars.keys().map(String::as_str).collect();
            return Err(TemplateError::Unknown(name.to_string(), known.join(", ")));
        };
        if var.outside {
            if var.value.len() > OUTSIDE_VALUE_LIMIT_BYTES {
                return Err(TemplateError::OutsideTooLong {
                    name: name.to_string(),
                    bytes: var.value.len(),
                });
            }
            if var.value.chars().any(char::is_control) {
                return Err(TemplateError::OutsideControl(name.to_string()));
            }
            if !self.used_outside.iter().any(|(n, _)| n == name) {
                self.used_outside
                    .push((name.to_string(), var.value.clone()));
            }
        }
        Ok(var)
    }

    /// Fills `template`, each variable's value passed through `place` (which knows the text
    /// filled so far).
    fn fill(
        &mut self,
        template: &str,
        mut place: impl FnMut(&str, &str, &Var) -> Result<String, TemplateError>,
        mut on_text: impl FnMut(&str),
    ) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(template.len());
        for piece in pieces(template)? {
            match piece {
                Piece::Text(t) => {
                    on_text(t);
                    out.push_str(t);
                }
                Piece::Var(name) => {
                    let var = self.var(name)?;
                    let v = place(&out, name, var)?;
                    out.push_str(&v);
                }
            }
        }
        Ok(out)
    }

    /// Text as it is (a plain body). An unknown name is an error, never an empty string: a
    /// request sent with a blank where an id should be could act on the wrong thing.
    pub fn text(&mut self, template: &str) -> Result<String, TemplateError> {
        self.fill(template, |_, _, v| Ok(v.value.clone()), |_| {})
    }

    /// A URL: variables only in its path, query or fragment, percent-encoded there.
    pub fn url(&mut self, template: &str) -> Result<String, TemplateError> {
        let mut literal = String::new();
        let in_authority = std::cell::Cell::new(true);
        self.fill(
            template,
            |_, name, v| {
                if in_authority.get() {
                    return Err(TemplateError::InUrlAuthority(name.to_string()));
                }
                Ok(percent_encode(&v.value))
            },
            |t| {
                literal.push_str(t);
                // The authority ends at the first `/`, `\` (a special scheme's URL parser reads it
                // as `/`), `?` or `#` after `://`; before `://` is the scheme.
                in_authority.set(match literal.split_once("://") {
                    None => true,
                    Some((_, rest)) => !rest.contains(['/', '\\', '?', '#']),
                });
            },
        )
    }

    /// A form body (`application/x-www-form-urlencoded`): values percent-encoded.
    pub fn form(&mut self, template: &str) -> Result<String, TemplateError> {
        self.fill(template, |_, _, v| Ok(percent_encode(&v.value)), |_| {})
    }

    /// A JSON body: a value inside a string is JSON-escaped; outside one it must be a number.
    /// The filled body must parse as JSON.
    pub fn json(&mut self, template: &str) -> Result<String, TemplateError> {
        // Which pieces are inside a string depends only on the literal text: values inside
        // strings are escaped (no quote of theirs counts) and values outside are numbers.
        let mut states = Vec::new();
        let (mut in_string, mut escaped) = (false, false);
        for piece in pieces(template)? {
            match piece {
                Piece::Text(t) => {
                    for c in t.chars() {
                        if escaped {
                            escaped = false;
                        } else if in_string && c == '\\' {
                            escaped = true;
                        } else if c == '"' {
                            in_string = !in_string;
                        }
                    }
                }
                Piece::Var(_) => states.push(in_string),
            }
        }
        let mut next = states.into_iter();
        let filled = self.fill(
            template,
            |_, name, v| {
                if next.next().unwrap_or(false) {
                    let quoted = serde_json::to_string(&v.value).unwrap_or_default();
                    Ok(quoted[1..quoted.len() - 1].to_string())
                } else if is_json_number(&v.value) {
                    Ok(v.value.clone())
                } else {
                    Err(TemplateError::NotJsonNumber(name.to_string()))
                }
            },
            |_| {},
        )?;
        serde_json::from_str::<serde_json::Value>(&filled)
            .map_err(|e| TemplateError::BodyNotJson(e.to_string()))?;
        Ok(filled)
    }

    /// A header's value: refused if it would hold a line break or a NUL.
    pub fn header(&mut self, header: &str, template: &str) -> Result<String, TemplateError> {
        let v = self.text(template)?;
        if v.contains(['\r', '\n', '\0']) {
            return Err(TemplateError::HeaderBreak(header.to_string()));
        }
        Ok(v)
    }

    /// Argument `number` (from 1) of a command: one argument whatever it holds; refused if a
    /// variable's value would make it start with `-`, unless `dash_ok`.
    pub fn arg(
        &mut self,
        number: usize,
        template: &str,
        dash_ok: bool,
    ) -> Result<String, TemplateError> {
        self.fill(
            template,
            |so_far, name, v| {
                if v.value.contains('\0') {
                    return Err(TemplateError::Nul(name.to_string()));
                }
                if so_far.is_empty() && v.value.starts_with('-') && !dash_ok {
                    return Err(TemplateError::LeadingDash {
                        number,
                        name: name.to_string(),
                    });
                }
                Ok(v.value.clone())
            },
            |_| {},
        )
    }

    /// An environment variable's value.
    pub fn env(&mut self, template: &str) -> Result<String, TemplateError> {
        self.fill(
            template,
            |_, name, v| {
                if v.value.contains('\0') {
                    return Err(TemplateError::Nul(name.to_string()));
                }
                Ok(v.value.clone())
            },
            |_| {},
        )
    }

    /// The working directory: no value from outside may choose it.
    pub fn cwd(&mut self, template: &str) -> Result<String, TemplateError> {
        self.fill(
            template,
            |_, name, v| {
                if v.outside {
                    return Err(TemplateError::OutsideInCwd(name.to_string()));
                }
                Ok(v.value.clone())
            },
            |_| {},
        )
    }
}

/// Every byte but the unreserved ones (`A-Z a-z 0-9 - . _ ~`) as `%XX`, so a value stays one
/// path segment or one query value (a `/`, `?`, `&`, `#` or `@` in it is only data).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `s` is a JSON number as JSON writes one (`7`, `-0.5`, `1e3`).
fn is_json_number(s: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(s),
        Ok(serde_json::Value::Number(_))
    ) && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("incident.id".into(), Var::own("7"));
        v.insert("responder".into(), Var::own("kim \"the\" oncall"));
        v.insert(
            "labels.service".into(),
            Var::outside(r#"x", "admin": true, "y": "\u0041"#),
        );
        v.insert("labels.port".into(), Var::outside("443@evil.example"));
        v.insert("labels.path".into(), Var::outside("../../admin?x=1#frag&y"));
        v.insert("labels.flag".into(), Var::outside("--kubeconfig=/tmp/evil"));
        v.insert("labels.nl".into(), Var::outside("a\r\nX-Evil: 1"));
        v.insert("labels.long".into(), Var::outside("x".repeat(300)));
        v.insert("labels.ok".into(), Var::outside("checkout"));
        v
    }

    #[test]
    fn a_url_takes_variables_in_its_path_and_query_only_and_encodes_them() {
        let v = vars();
        let mut f = Filler::new(&v);
        assert_eq!(
            f.url(
                "https://jobs.example.com/run/{{labels.path}}?svc={{labels.ok}}&id={{incident.id}}"
            )
            .unwrap(),
            "https://jobs.example.com/run/..%2F..%2Fadmin%3Fx%3D1%23frag%26y?svc=checkout&id=7"
        );
        assert_eq!(
            f.used_outside,
            [
                (
                    "labels.path".to_string(),
                    "../../admin?x=1#frag&y".to_string()
                ),
                ("labels.ok".to_string(), "checkout".to_string())
            ]
        );
        for bad in [
            "https://rundeck.example.com:{{labels.port}}/run",
            "https://{{labels.ok}}.example.com/run",
            "{{labels.ok}}://x/",
            "https://u:{{labels.ok}}@rundeck.example.com/",
        ] {
            assert!(
                matches!(f.url(bad), Err(TemplateError::InUrlAuthority(_))),
                "{bad}"
            );
        }
        // A `\` ends the authority for the URL parser, so what follows it is the path.
        assert_eq!(
            f.url("https://evil.example\\{{labels.port}}").unwrap(),
            "https://evil.example\\443%40evil.example"
        );
    }

    #[test]
    fn a_json_body_escapes_values_in_strings_and_takes_only_numbers_outside_them() {
        let v = vars();
        let mut f = Filler::new(&v);
        let body = f
            .json(r#"{"svc": "{{labels.service}}", "id": {{incident.id}}, "by": "{{responder}}", "lit": "a \" {{incident.id}}"}"#)
            .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["svc"], r#"x", "admin": true, "y": "\u0041"#);
        assert!(parsed.get("admin").is_none(), "{body}");
        assert_eq!(parsed["id"], 7);
        assert_eq!(parsed["by"], "kim \"the\" oncall");
        assert_eq!(parsed["lit"], "a \" 7");
        assert_eq!(
            f.json(r#"{"svc": {{labels.ok}}}"#),
            Err(TemplateError::NotJsonNumber("labels.ok".into()))
        );
        assert!(matches!(
            f.json(r#"{"svc": "{{labels.ok}}""#),
            Err(TemplateError::BodyNotJson(_))
        ));
    }

    #[test]
    fn outside_values_are_capped_and_refused_with_control_characters() {
        let v = vars();
        let mut f = Filler::new(&v);
        assert_eq!(
            f.text("{{labels.long}}"),
            Err(TemplateError::OutsideTooLong {
                name: "labels.long".into(),
                bytes: 300
            })
        );
        assert_eq!(
            f.text("{{labels.nl}}"),
            Err(TemplateError::OutsideControl("labels.nl".into()))
        );
        // The console's own values are not outside: a long id is the runbook's business.
        let mut own = Vars::new();
        own.insert("x".into(), Var::own("a\nb"));
        assert_eq!(Filler::new(&own).text("{{x}}").unwrap(), "a\nb");
        assert_eq!(
            Filler::new(&own).header("X-A", "{{x}}"),
            Err(TemplateError::HeaderBreak("X-A".into()))
        );
    }

    #[test]
    fn an_argument_cannot_become_an_option_unless_the_runbook_allows_it() {
        let v = vars();
        let mut f = Filler::new(&v);
        assert_eq!(
            f.arg(3, "{{labels.flag}}", false),
            Err(TemplateError::LeadingDash {
                number: 3,
                name: "labels.flag".into()
            })
        );
        assert_eq!(
            f.arg(3, "deployment/{{labels.flag}}", false).unwrap(),
            "deployment/--kubeconfig=/tmp/evil"
        );
        assert_eq!(
            f.arg(3, "{{labels.flag}}", true).unwrap(),
            "--kubeconfig=/tmp/evil"
        );
        assert_eq!(
            f.arg(1, "--ns={{labels.ok}}", false).unwrap(),
            "--ns=checkout"
        );
        assert_eq!(
            f.cwd("/srv/{{labels.ok}}"),
            Err(TemplateError::OutsideInCwd("labels.ok".into()))
        );
        assert_eq!(f.cwd("/srv/{{incident.id}}").unwrap(), "/srv/7");
    }

    #[test]
    fn unknown_and_unclosed_templates_are_errors() {
        let v = vars();
        let render = |t: &str, v: &Vars| Filler::new(v).text(t);
        let err = render("undo {{labels.deploy}}", &v).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`{{labels.deploy}}` is not an incident variable"),
            "{err}"
        );
        assert_eq!(render("a {{b", &v), Err(TemplateError::Unclosed));
        assert_eq!(render("no variables", &v).unwrap(), "no variables");
        assert_eq!(render("{{ incident.id }}", &v).unwrap(), "7");
    }
}
