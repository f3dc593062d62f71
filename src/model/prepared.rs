//! An action made ready to run: its templates filled with the incident's variables, its
//! secrets looked up, and a description of exactly what will run with every secret masked
//! (what the audit log, the timeline and the notifications show). Pure: the secrets come in
//! through a lookup, and nothing here sends or spawns.

use super::action::{ActionKind, CommandSpec, HeaderValue, RefusalReason, WebhookSpec, check_url};
use super::secret::MASK;
use super::template::{Filler, TemplateError, Vars};

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
    /// The variables from outside (alert labels, a series' name) it was filled with, by name
    /// and value, so the approval can mark what an alert chose.
    pub from_outside: Vec<(String, String)>,
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

/// One run as the approval shows it: exactly what will be sent or run, filled, secrets
/// masked, and the values an alert chose.
#[derive(Clone, Debug, PartialEq)]
pub struct RunPreview {
    /// What runs, as [`PreparedRun::what`].
    pub what: String,
    /// The variables from outside in it, by name and value.
    pub from_outside: Vec<(String, String)>,
}

impl PreparedRun {
    /// What the approval shows of this run.
    pub fn preview(&self) -> RunPreview {
        RunPreview {
            what: self.what.clone(),
            from_outside: self.from_outside.clone(),
        }
    }
}

/// How one action of a plan would run if the plan were approved now.
#[derive(Clone, Debug, PartialEq)]
pub enum ActionPreview {
    /// Recorded only: a simulated action, or any while *Actions* is off.
    Simulated,
    /// It succeeded already and is not run again.
    Done,
    /// Ready to run: its dry run first when declared, then the real run.
    Ready {
        /// The run that acts.
        real: RunPreview,
        /// The run to look at first.
        dry_run: Option<RunPreview>,
    },
    /// Refused, and with it the whole plan.
    Refused(super::ActionRefusal),
}

/// Prepares `kind` for incident variables `vars`; `None` for a simulated action. `secret`
/// returns a named secret's value (the environment first, then settings). Each value is escaped
/// for its slot (see `model::template`), and a webhook's filled URL must pass
/// [`check_url`] against `allowed_hosts`.
pub fn prepare(
    kind: &ActionKind,
    vars: &Vars,
    secret: &dyn Fn(&str) -> Option<String>,
    allowed_hosts: &[String],
) -> Result<Option<PreparedAction>, RefusalReason> {
    let hook = |w: &WebhookSpec| webhook(w, vars, secret, allowed_hosts);
    Ok(match kind {
        ActionKind::Simulated => None,
        ActionKind::Webhook(w) => Some(PreparedAction {
            real: hook(w)?,
            dry_run: w.dry_run.as_deref().map(hook).transpose()?,
        }),
        ActionKind::Command(c) => Some(PreparedAction {
            real: command(c, vars)?,
            dry_run: c.dry_run.as_deref().map(|d| command(d, vars)).transpose()?,
        }),
    })
}

/// How a body is filled, from its `Content-Type` (or, without one, its first character).
fn body_kind(w: &WebhookSpec) -> BodyKind {
    let content_type = w.headers.iter().find_map(|(n, v)| match v {
        HeaderValue::Text(t) if n.eq_ignore_ascii_case("content-type") => {
            Some(t.to_ascii_lowercase())
        }
        _ => None,
    });
    match content_type {
        Some(t) if t.contains("json") => BodyKind::Json,
        Some(t) if t.contains("x-www-form-urlencoded") => BodyKind::Form,
        Some(_) => BodyKind::Text,
        None if w.body.trim_start().starts_with(['{', '[']) => BodyKind::Json,
        None => BodyKind::Text,
    }
}

enum BodyKind {
    Json,
    Form,
    Text,
}

fn webhook(
    w: &WebhookSpec,
    vars: &Vars,
    secret: &dyn Fn(&str) -> Option<String>,
    allowed_hosts: &[String],
) -> Result<PreparedRun, RefusalReason> {
    let t = RefusalReason::Template;
    let mut fill = Filler::new(vars);
    let method = w.method.trim().to_ascii_uppercase();
    let url = fill.url(&w.url).map_err(t)?;
    check_url(&url, allowed_hosts)?;
    let body = match body_kind(w) {
        BodyKind::Json if !w.body.trim().is_empty() => fill.json(&w.body),
        BodyKind::Form => fill.form(&w.body),
        _ => fill.text(&w.body),
    }
    .map_err(t)?;
    let mut headers = Vec::new();
    let mut shown = Vec::new();
    let mut secrets = Vec::new();
    for (name, value) in &w.headers {
        match value {
            HeaderValue::Text(text) => {
                let v = fill.header(name, text).map_err(t)?;
                shown.push(format!("{name}: {v}"));
                headers.push((name.clone(), v));
            }
            HeaderValue::Secret(key) => {
                let v = secret(key)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| RefusalReason::MissingSecret(key.clone()))?;
                if v.contains(['\r', '\n', '\0']) {
                    return Err(t(TemplateError::HeaderBreak(name.clone())));
                }
                shown.push(format!("{name}: {MASK}"));
                secrets.push(v.clone());
                headers.push((name.clone(), v));
            }
        }
    }
    let mut what = format!("{method} {url}");
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
        from_outside: fill.used_outside,
    })
}

fn command(c: &CommandSpec, vars: &Vars) -> Result<PreparedRun, RefusalReason> {
    let t = RefusalReason::Template;
    let mut fill = Filler::new(vars);
    let args = c
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let number = i + 1;
            fill.arg(number, a, c.args_may_start_with_dash.contains(&number))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(t)?;
    let env = c
        .env
        .iter()
        .map(|(k, v)| Ok((k.clone(), fill.env(v)?)))
        .collect::<Result<Vec<_>, TemplateError>>()
        .map_err(t)?;
    let cwd = c
        .cwd
        .as_deref()
        .map(|d| fill.cwd(d))
        .transpose()
        .map_err(t)?;
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
        from_outside: fill.used_outside,
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
    if !arg.is_empty()
        && !arg.contains(|c: char| c.is_whitespace() || c.is_control() || c == '\'' || c == '"')
    {
        return arg.to_string();
    }
    format!("'{}'", arg.replace('\'', "'\\''"))
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
    use crate::model::template::Var;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("incident.id".into(), Var::own("7"));
        v.insert("labels.deployment".into(), Var::outside("checkout api"));
        v.insert("labels.evil".into(), Var::outside("x\", \"admin\": \"1"));
        v.insert("labels.port".into(), Var::outside("443@evil.example"));
        v
    }

    fn hook(url: &str, body: &str) -> WebhookSpec {
        WebhookSpec {
            method: "POST".into(),
            url: url.into(),
            headers: vec![],
            body: body.into(),
            dry_run: None,
        }
    }

    const HOSTS: &[&str] = &["jobs.example.com", "rundeck.example.com:4440", "[::1]:8080"];

    fn hosts() -> Vec<String> {
        HOSTS.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn a_webhook_is_filled_and_its_secret_is_sent_but_never_shown() {
        let kind = ActionKind::Webhook(WebhookSpec {
            method: "post".into(),
            url: "https://jobs.example.com/run?incident={{incident.id}}&d={{labels.deployment}}"
                .into(),
            headers: vec![
                ("X-Token".into(), HeaderValue::Secret("JOBS".into())),
                (
                    "Content-Type".into(),
                    HeaderValue::Text("application/json".into()),
                ),
            ],
            body: r#"{"id": {{incident.id}}, "svc": "{{labels.evil}}"}"#.into(),
            dry_run: Some(Box::new(hook("https://jobs.example.com/run?dry=1", ""))),
        });
        let lookup = |k: &str| (k == "JOBS").then(|| "s3cr3t-token".to_string());
        let p = prepare(&kind, &vars(), &lookup, &hosts()).unwrap().unwrap();
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
        assert_eq!(
            url,
            "https://jobs.example.com/run?incident=7&d=checkout%20api"
        );
        assert_eq!(headers[0], ("X-Token".into(), "s3cr3t-token".into()));
        assert_eq!(body, r#"{"id": 7, "svc": "x\", \"admin\": \"1"}"#);
        assert_eq!(
            p.real.what,
            format!(
                r#"POST https://jobs.example.com/run?incident=7&d=checkout%20api [X-Token: {MASK}; Content-Type: application/json] body {body}"#
            )
        );
        assert_eq!(
            p.real.from_outside,
            [
                ("labels.deployment".to_string(), "checkout api".to_string()),
                ("labels.evil".to_string(), "x\", \"admin\": \"1".to_string())
            ]
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
            prepare(&kind, &vars(), &none, &hosts()),
            Err(RefusalReason::MissingSecret("JOBS".into()))
        );
    }

    #[test]
    fn the_allow_list_is_checked_on_the_filled_url_as_the_client_parses_it() {
        let try_url = |url: &str| {
            prepare(
                &ActionKind::Webhook(hook(url, "")),
                &vars(),
                &|_| None,
                &hosts(),
            )
            .map(|p| p.unwrap().real.what)
        };
        assert!(try_url("https://jobs.example.com/a").is_ok());
        assert!(
            try_url("https://JOBS.example.com:443/a").is_ok(),
            "the default port"
        );
        assert!(try_url("https://rundeck.example.com:4440/a").is_ok());
        assert!(try_url("http://[::1]:8080/a").is_ok());
        assert_eq!(
            try_url("https://rundeck.example.com/a"),
            Err(RefusalReason::PortNotAllowed(
                "rundeck.example.com".into(),
                443
            ))
        );
        assert_eq!(
            try_url("https://jobs.example.com:8443/a"),
            Err(RefusalReason::PortNotAllowed(
                "jobs.example.com".into(),
                8443
            ))
        );
        // A variable in the port or host is refused before anything is parsed ...
        assert!(matches!(
            try_url("https://rundeck.example.com:{{labels.port}}/run"),
            Err(RefusalReason::Template(TemplateError::InUrlAuthority(_)))
        ));
        // ... and the literal tricks are judged by the client's own parser.
        assert_eq!(
            try_url("https://evil.example\\@jobs.example.com/"),
            Err(RefusalReason::HostNotAllowed("evil.example".into()))
        );
        assert_eq!(
            try_url("https://jobs.example.com:443@evil.example/"),
            Err(RefusalReason::UserInfo("https://••••@evil.example/".into()))
        );
        assert!(matches!(
            try_url("ftp://jobs.example.com/"),
            Err(RefusalReason::BadUrl(_))
        ));
        assert!(matches!(
            try_url("https://bot:pw@jobs.example.com/"),
            Err(RefusalReason::UserInfo(_))
        ));
    }

    #[test]
    fn a_command_fills_its_arguments_and_shows_them_quoted() {
        let cmd = |args: &[&str], dash: Vec<usize>| {
            ActionKind::Command(CommandSpec {
                program: "/bin/echo".into(),
                args: args.iter().map(|a| a.to_string()).collect(),
                cwd: Some("/tmp".into()),
                env: vec![("INCIDENT".into(), "{{incident.id}}".into())],
                args_may_start_with_dash: dash,
                dry_run: None,
            })
        };
        let p = prepare(
            &cmd(&["undo", "{{labels.deployment}}"], vec![]),
            &vars(),
            &|_| None,
            &[],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            p.real.what,
            "INCIDENT=7 /bin/echo undo 'checkout api' (in /tmp)"
        );
        assert!(p.dry_run.is_none());
        assert!(matches!(
            prepare(
                &cmd(&["{{labels.missing}}"], vec![]),
                &vars(),
                &|_| None,
                &[]
            ),
            Err(RefusalReason::Template(TemplateError::Unknown(..)))
        ));
        let mut dashing = vars();
        dashing.insert("labels.deployment".into(), Var::outside("--all"));
        assert_eq!(
            prepare(
                &cmd(&["undo", "{{labels.deployment}}"], vec![]),
                &dashing,
                &|_| None,
                &[]
            ),
            Err(RefusalReason::Template(TemplateError::LeadingDash {
                number: 2,
                name: "labels.deployment".into()
            }))
        );
        assert!(
            prepare(
                &cmd(&["undo", "{{labels.deployment}}"], vec![2]),
                &dashing,
                &|_| None,
                &[]
            )
            .is_ok()
        );
        assert_eq!(
            prepare(&ActionKind::Simulated, &vars(), &|_| None, &[]),
            Ok(None)
        );
    }
}
