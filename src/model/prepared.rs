//! An action made ready to run: its templates filled with the incident's variables, its
//! secrets looked up, and a description of exactly what will run with every secret masked
//! (what the audit log, the timeline and the notifications show). Pure: the secrets come in
//! through a lookup, and nothing here sends or spawns.

use std::collections::BTreeMap;

use super::action::{ActionKind, CommandSpec, HeaderValue, RefusalReason, WebhookSpec, render};

/// What stands in for a secret wherever text is shown.
pub const MASK: &str = "••••";

/// One run (the real one or the dry run), ready for its executor. Its `Debug` shows only the
/// masked description, so a secret cannot slip into a log by formatting.
#[derive(Clone, PartialEq)]
pub struct PreparedRun {
    /// What to do, with the secrets in it.
    pub kind: PreparedKind,
    /// What runs, secrets masked: `POST https://…`, `/usr/bin/kubectl rollout undo …`.
    pub what: String,
    /// The secret values it carries, to mask wherever its output is shown (a server may echo
    /// a header back).
    pub secrets: Vec<String>,
}

impl std::fmt::Debug for PreparedRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

/// The two ways a run reaches outside the console.
#[derive(Clone, PartialEq)]
pub enum PreparedKind {
    /// One HTTP request.
    Webhook {
        /// `POST`, `PUT`, …
        method: String,
        /// The filled URL.
        url: String,
        /// Headers, secrets included.
        headers: Vec<(String, String)>,
        /// The filled body.
        body: String,
    },
    /// One program, no shell.
    Command {
        /// Absolute path.
        program: String,
        /// Filled arguments, passed as they are.
        args: Vec<String>,
        /// Working directory.
        cwd: Option<String>,
        /// Extra environment, filled.
        env: Vec<(String, String)>,
    },
}

/// An action's runs: the dry run (when declared) comes first.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedAction {
    /// The run that acts.
    pub real: PreparedRun,
    /// The run to look at first.
    pub dry_run: Option<PreparedRun>,
}

/// Prepares `kind` for incident variables `vars`; `None` for a simulated action. `secret`
/// returns a named secret's value (the environment first, then settings).
pub fn prepare(
    kind: &ActionKind,
    vars: &BTreeMap<String, String>,
    secret: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<PreparedAction>, RefusalReason> {
    Ok(match kind {
        ActionKind::Simulated => None,
        ActionKind::Webhook(w) => Some(PreparedAction {
            real: webhook(w, vars, secret)?,
            dry_run: w
                .dry_run
                .as_deref()
                .map(|d| webhook(d, vars, secret))
                .transpose()?,
        }),
        ActionKind::Command(c) => Some(PreparedAction {
            real: command(c, vars)?,
            dry_run: c.dry_run.as_deref().map(|d| command(d, vars)).transpose()?,
        }),
    })
}

fn fill(template: &str, vars: &BTreeMap<String, String>) -> Result<String, RefusalReason> {
    render(template, vars).map_err(RefusalReason::Template)
}

fn webhook(
    w: &WebhookSpec,
    vars: &BTreeMap<String, String>,
    secret: &dyn Fn(&str) -> Option<String>,
) -> Result<PreparedRun, RefusalReason> {
    let method = w.method.trim().to_ascii_uppercase();
    let url = fill(&w.url, vars)?;
    let body = fill(&w.body, vars)?;
    let mut headers = Vec::new();
    let mut shown = Vec::new();
    let mut secrets = Vec::new();
    for (name, value) in &w.headers {
        match value {
            HeaderValue::Text(t) => {
                let v = fill(t, vars)?;
                shown.push(format!("{name}: {v}"));
                headers.push((name.clone(), v));
            }
            HeaderValue::Secret(key) => {
                let v = secret(key)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| RefusalReason::MissingSecret(key.clone()))?;
                shown.push(format!("{name}: {MASK}"));
                secrets.push(v.clone());
                headers.push((name.clone(), v));
            }
        }
    }
    let mut what = format!("{method} {}", without_user_info(&url));
    if !shown.is_empty() {
        what.push_str(&format!(" [{}]", shown.join("; ")));
    }
    if !body.is_empty() {
        what.push_str(&format!(" body {body}"));
    }
    Ok(PreparedRun {
        what: mask(&what, &secrets),
        kind: PreparedKind::Webhook {
            method,
            url,
            headers,
            body,
        },
        secrets,
    })
}

fn command(c: &CommandSpec, vars: &BTreeMap<String, String>) -> Result<PreparedRun, RefusalReason> {
    let args = c
        .args
        .iter()
        .map(|a| fill(a, vars))
        .collect::<Result<Vec<_>, _>>()?;
    let env = c
        .env
        .iter()
        .map(|(k, v)| Ok((k.clone(), fill(v, vars)?)))
        .collect::<Result<Vec<_>, RefusalReason>>()?;
    let cwd = c.cwd.as_deref().map(|d| fill(d, vars)).transpose()?;
    let mut what = String::new();
    for (k, v) in &env {
        what.push_str(&format!("{k}={} ", quoted(v)));
    }
    what.push_str(&command_line(&c.program, &args));
    if let Some(d) = &cwd {
        what.push_str(&format!(" (in {d})"));
    }
    Ok(PreparedRun {
        what,
        kind: PreparedKind::Command {
            program: c.program.clone(),
            args,
            cwd,
            env,
        },
        secrets: Vec::new(),
    })
}

/// A program and its arguments as one line a reader can take apart again (arguments with
/// spaces or quotes are quoted).
pub fn command_line(program: &str, args: &[String]) -> String {
    let mut line = quoted(program);
    for a in args {
        line.push(' ');
        line.push_str(&quoted(a));
    }
    line
}

/// An argument as a reader would type it: quoted when it holds a space or a quote, so the
/// description cannot be mistaken for a different argument list.
fn quoted(arg: &str) -> String {
    if !arg.is_empty() && !arg.contains([' ', '\'', '"', '\t', '\n']) {
        return arg.to_string();
    }
    format!("'{}'", arg.replace('\'', "'\\''"))
}

/// The URL with any `user:password@` masked (a runbook may put one there).
fn without_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{MASK}@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// `text` with every occurrence of a secret replaced by [`MASK`].
pub fn mask(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), MASK);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> BTreeMap<String, String> {
        [("incident.id", "7"), ("labels.deployment", "checkout api")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_webhook_is_filled_and_its_secret_is_sent_but_never_shown() {
        let kind = ActionKind::Webhook(WebhookSpec {
            method: "post".into(),
            url: "https://bot:pw@jobs.example.com/run?incident={{incident.id}}".into(),
            headers: vec![
                ("X-Token".into(), HeaderValue::Secret("JOBS".into())),
                (
                    "Content-Type".into(),
                    HeaderValue::Text("application/json".into()),
                ),
            ],
            body: r#"{"id": {{incident.id}}}"#.into(),
            dry_run: Some(Box::new(WebhookSpec {
                method: "POST".into(),
                url: "https://jobs.example.com/run?dry=1".into(),
                headers: vec![],
                body: String::new(),
                dry_run: None,
            })),
        });
        let lookup = |k: &str| (k == "JOBS").then(|| "s3cr3t-token".to_string());
        let p = prepare(&kind, &vars(), &lookup).unwrap().unwrap();
        let PreparedKind::Webhook {
            method,
            url,
            headers,
            body,
        } = &p.real.kind
        else {
            panic!()
        };
        assert_eq!(method, "POST");
        assert_eq!(url, "https://bot:pw@jobs.example.com/run?incident=7");
        assert_eq!(headers[0], ("X-Token".into(), "s3cr3t-token".into()));
        assert_eq!(body, r#"{"id": 7}"#);
        assert_eq!(
            p.real.what,
            format!(
                r#"POST https://{MASK}@jobs.example.com/run?incident=7 [X-Token: {MASK}; Content-Type: application/json] body {{"id": 7}}"#
            )
        );
        assert!(!format!("{p:?}").contains("s3cr3t"));
        assert_eq!(
            p.dry_run.unwrap().what,
            "POST https://jobs.example.com/run?dry=1"
        );
        assert_eq!(
            mask("echo: s3cr3t-token", &p.real.secrets),
            format!("echo: {MASK}")
        );
        let none = |_: &str| None;
        assert_eq!(
            prepare(&kind, &vars(), &none),
            Err(RefusalReason::MissingSecret("JOBS".into()))
        );
    }

    #[test]
    fn a_command_fills_its_arguments_and_shows_them_quoted() {
        let kind = ActionKind::Command(CommandSpec {
            program: "/bin/echo".into(),
            args: vec!["undo".into(), "{{labels.deployment}}".into()],
            cwd: Some("/tmp".into()),
            env: vec![("INCIDENT".into(), "{{incident.id}}".into())],
            dry_run: None,
        });
        let p = prepare(&kind, &vars(), &|_| None).unwrap().unwrap();
        assert_eq!(
            p.real.what,
            "INCIDENT=7 /bin/echo undo 'checkout api' (in /tmp)"
        );
        assert!(p.dry_run.is_none());
        let bad = ActionKind::Command(CommandSpec {
            program: "/bin/echo".into(),
            args: vec!["{{labels.missing}}".into()],
            cwd: None,
            env: vec![],
            dry_run: None,
        });
        assert!(matches!(
            prepare(&bad, &vars(), &|_| None),
            Err(RefusalReason::Template(_))
        ));
        assert_eq!(
            prepare(&ActionKind::Simulated, &vars(), &|_| None),
            Ok(None)
        );
    }
}
