//! How a runbook action runs: simulated (the default), as a webhook, or as a command without a
//! shell; each may declare a dry run. Pure data, plus the incident-variable templates.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How an action runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum ActionKind {
    /// Recorded, nothing outside the console changes (the built-in runbooks' kind).
    #[default]
    Simulated,
    /// An HTTP request to a job runner (Rundeck, Jenkins, `workflow_dispatch`, an internal API).
    Webhook(WebhookSpec),
    /// A program run without a shell (`kubectl rollout undo …`).
    Command(CommandSpec),
}

/// A header's value: text from the runbook, or a secret named there and kept elsewhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HeaderValue {
    /// Plain text (may use incident variables).
    Text(String),
    /// The secret of this name: `INCIDENT_SECRET_<NAME>` in the environment, else the masked
    /// secrets in settings. Never the runbook file.
    Secret(String),
}

/// A webhook action (or its dry run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WebhookSpec {
    /// `POST`, `PUT`, …
    #[serde(default = "default_method")]
    pub method: String,
    /// The URL (may use incident variables); its host must be on the allow-list.
    pub url: String,
    /// Request headers.
    #[serde(default)]
    pub headers: Vec<(String, HeaderValue)>,
    /// The body template (may use incident variables).
    #[serde(default)]
    pub body: String,
    /// The request to send first, with its output shown before the real run is approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Box<WebhookSpec>>,
}

fn default_method() -> String {
    "POST".into()
}

/// A command action (or its dry run): the program and its arguments, never a shell line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandSpec {
    /// Absolute path of the program; it must be on the allow-list.
    pub program: String,
    /// Arguments (may use incident variables), passed as they are.
    #[serde(default)]
    pub args: Vec<String>,
    /// Working directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// Extra environment variables.
    #[serde(default)]
    pub env: Vec<(String, String)>,
    /// The command to run first (`kubectl … --dry-run=server`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Box<CommandSpec>>,
}

/// Why a template cannot be filled, in words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum TemplateError {
    /// `{{name}}` names no incident variable.
    #[error("`{{{{{0}}}}}` is not an incident variable (known: {1})")]
    Unknown(String, String),
    /// A `{{` without its `}}`.
    #[error("a `{{{{` is not closed")]
    Unclosed,
}

/// Fills `{{name}}` from `vars`. An unknown name is an error, never an empty string: a
/// request sent with a blank where an id should be could act on the wrong thing.
pub fn render(template: &str, vars: &BTreeMap<String, String>) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        let name = after[..end].trim();
        match vars.get(name) {
            Some(v) => out.push_str(v),
            None => {
                let known: Vec<&str> = vars.keys().map(String::as_str).collect();
                return Err(TemplateError::Unknown(name.to_string(), known.join(", ")));
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The variables an action of `incident` may use: `incident.id`, `incident.title`, `runbook`,
/// `series`, `responder`, `value.<rule>` (each rule's worst value), `threshold.<rule>`, and
/// `labels.<name>` (the first alert's labels, for an incident opened from alerts).
pub fn incident_vars(incident: &super::Incident, responder: &str) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    v.insert("incident.id".into(), incident.id.to_string());
    v.insert("incident.title".into(), incident.scenario.title.en.clone());
    v.insert("runbook".into(), incident.scenario.code.clone());
    v.insert(
        "series".into(),
        incident.trigger.series.clone().unwrap_or_default(),
    );
    v.insert("responder".into(), responder.to_string());
    for rv in &incident.trigger.values {
        if let Some(value) = rv.value {
            v.insert(format!("value.{}", rv.rule), value.to_string());
        }
        v.insert(format!("threshold.{}", rv.rule), rv.threshold.to_string());
    }
    if let Some((_, labels)) = incident.alerts.as_ref().and_then(|l| l.alerts.first()) {
        for (k, val) in labels {
            v.insert(format!("labels.{k}"), val.clone());
        }
    }
    v
}

/// Whether `typed` confirms a high-risk action of incident `id`: the runbook's confirmation
/// word (any case) when it sets one, else the incident's id (`7` or `#7`). The window enables
/// its button with this; the engine decides with it.
pub fn confirmation_ok(word: Option<&str>, id: u64, typed: &str) -> bool {
    let typed = typed.trim();
    match word.map(str::trim).filter(|w| !w.is_empty()) {
        Some(w) => typed.eq_ignore_ascii_case(w),
        None => typed.trim_start_matches('#') == id.to_string(),
    }
}

/// The *Actions* settings: the switch and the allow-lists the engine enforces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionsSettings {
    /// Off (the default): every action runs simulated, and the plan says so.
    pub enabled: bool,
    /// Programs a command action may run, as absolute paths.
    pub allowed_programs: Vec<String>,
    /// Hosts a webhook action may call (`rundeck.example.com`, `127.0.0.1`).
    pub allowed_hosts: Vec<String>,
    /// Secrets header values may name (`Secret("NAME")`), masked; the environment's
    /// `INCIDENT_SECRET_<NAME>` wins.
    pub secrets: Vec<(String, super::Secret)>,
    /// Seconds a run may take unless its action says otherwise.
    pub timeout_secs: u64,
}

impl Default for ActionsSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            allowed_programs: Vec::new(),
            allowed_hosts: Vec::new(),
            secrets: Vec::new(),
            timeout_secs: 60,
        }
    }
}

impl ActionsSettings {
    /// Checks what a responder typed or a file holds: absolute program paths, bare host
    /// names, secret names of letters, digits and `_`, a timeout of 1 s to 1 h. Every problem
    /// in words.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.allowed_programs {
            if !is_absolute_program(p.trim()) {
                out.push(format!("Actions: program `{p}` must be an absolute path"));
            }
        }
        for h in &self.allowed_hosts {
            let h = h.trim();
            if h.is_empty() || h.contains(['/', ' ', '@']) || h.contains("{{") {
                out.push(format!(
                    "Actions: host `{h}` must be a bare host name (rundeck.example.com), without scheme or path"
                ));
            }
        }
        for (name, value) in &self.secrets {
            let ok =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                out.push(format!(
                    "Actions: secret name `{name}` must be letters, digits and _ (it pairs with INCIDENT_SECRET_<NAME>)"
                ));
            }
            if value.is_empty() {
                out.push(format!("Actions: secret `{name}` has no value"));
            }
        }
        if !(1..=3600).contains(&self.timeout_secs) {
            out.push(format!(
                "Actions: timeout {} s is outside 1..=3600",
                self.timeout_secs
            ));
        }
        out
    }
}

/// Why the engine refuses a runbook's action, naming the runbook and the action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("runbook `{runbook}`, action {number} (\"{title}\"): {reason}")]
pub struct ActionRefusal {
    /// The runbook's code (its file's name without `.ron` for a user runbook).
    pub runbook: String,
    /// The action's number, from 1.
    pub number: usize,
    /// The action's title (English; the feed names the action by number too).
    pub title: String,
    /// Why.
    pub reason: RefusalReason,
}

/// What is wrong with an action, typed so the feed says it in the reader's language; its
/// `Display` is the English the audit log keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RefusalReason {
    /// A command's program is not an absolute path.
    #[error("program `{0}` is not an absolute path")]
    NotAbsolute(String),
    /// A command's program is not on the allow-list.
    #[error("program `{0}` is not on the allow-list (Settings → Actions)")]
    ProgramNotAllowed(String),
    /// A webhook's URL is not http(s), or its host is a template.
    #[error("`{0}` is not an http(s) URL with a fixed host")]
    BadUrl(String),
    /// A webhook's host is not on the allow-list.
    #[error("host `{0}` is not on the allow-list (Settings → Actions)")]
    HostNotAllowed(String),
    /// A template names no incident variable, or is not closed.
    #[error("{0}")]
    Template(TemplateError),
    /// A header names a secret that neither the environment nor settings hold.
    #[error("secret `{0}` is set neither as INCIDENT_SECRET_{0} nor in Settings → Actions")]
    MissingSecret(String),
}

/// The host of an `http(s)://` URL (no user info, no port), lowercased.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host_port.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether `program` is an absolute path here or on Windows (`C:\\…`), checked the same
/// everywhere so a runbook reads alike on every desktop.
fn is_absolute_program(program: &str) -> bool {
    let b = program.as_bytes();
    std::path::Path::new(program).is_absolute()
        || program.starts_with('/')
        || (b.len() > 2
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'\\' | b'/'))
}

/// Checks one action (and its dry run) against the allow-lists: a command's program must be an
/// absolute path on the list, a webhook's host on the list, its URL http(s), and a header
/// secret named, never written in the file.
pub fn check_action(
    runbook: &str,
    index: usize,
    action: &super::Action,
    settings: &ActionsSettings,
) -> Result<(), ActionRefusal> {
    let refuse = |reason: RefusalReason| ActionRefusal {
        runbook: runbook.to_string(),
        number: index + 1,
        title: action.title.en.clone(),
        reason,
    };
    fn command(c: &CommandSpec, s: &ActionsSettings) -> Result<(), RefusalReason> {
        if !is_absolute_program(&c.program) {
            return Err(RefusalReason::NotAbsolute(c.program.clone()));
        }
        if !s.allowed_programs.iter().any(|p| p.trim() == c.program) {
            return Err(RefusalReason::ProgramNotAllowed(c.program.clone()));
        }
        c.dry_run.as_deref().map_or(Ok(()), |d| command(d, s))
    }
    fn webhook(w: &WebhookSpec, s: &ActionsSettings) -> Result<(), RefusalReason> {
        // The host is checked before variables are filled: a template in the host is refused.
        let Some(host) = url_host(&w.url).filter(|h| !h.contains("{{")) else {
            return Err(RefusalReason::BadUrl(w.url.clone()));
        };
        if !s
            .allowed_hosts
            .iter()
            .any(|h| h.trim().eq_ignore_ascii_case(&host))
        {
            return Err(RefusalReason::HostNotAllowed(host));
        }
        w.dry_run.as_deref().map_or(Ok(()), |d| webhook(d, s))
    }
    match &action.kind {
        ActionKind::Simulated => Ok(()),
        ActionKind::Command(c) => command(c, settings).map_err(refuse),
        ActionKind::Webhook(w) => webhook(w, settings).map_err(refuse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_reads_and_is_refused_until_its_program_and_host_are_allowed() {
        let text = include_str!("../../scenarios/examples/checkout_rollback_live.ron");
        let s = crate::scenarios::parse("checkout_rollback_live.ron", text).unwrap();
        assert!(matches!(s.actions[0].kind, ActionKind::Webhook(_)));
        assert!(matches!(s.actions[1].kind, ActionKind::Command(_)));
        let none = ActionsSettings::default();
        let refused: Vec<String> = s
            .actions
            .iter()
            .enumerate()
            .filter_map(|(i, a)| check_action(&s.code, i, a, &none).err())
            .map(|e| e.to_string())
            .collect();
        assert_eq!(refused.len(), 2);
        assert!(refused[0].contains("host `rundeck.example.com` is not on the allow-list"));
        assert!(refused[1].contains("program `/usr/bin/kubectl` is not on the allow-list"));
        let allowed = ActionsSettings {
            allowed_programs: vec!["/usr/bin/kubectl".into()],
            allowed_hosts: vec!["rundeck.example.com".into()],
            ..Default::default()
        };
        for (i, a) in s.actions.iter().enumerate() {
            assert!(check_action(&s.code, i, a, &allowed).is_ok());
        }
        // Not among the runbooks loaded by default.
        assert!(
            crate::scenarios::load(None)
                .scenarios
                .iter()
                .all(|x| x.code != s.code)
        );
    }

    #[test]
    fn the_allow_lists_decide_and_a_refusal_names_runbook_and_action() {
        let settings = ActionsSettings {
            allowed_programs: vec!["/usr/bin/kubectl".into()],
            allowed_hosts: vec!["rundeck.example.com".into()],
            ..Default::default()
        };
        let action = |kind: ActionKind| super::super::Action {
            title: super::super::Localized {
                en: "Roll back".into(),
                ko: "롤백".into(),
            },
            command: String::new(),
            risk: super::super::Risk::High,
            kind,
            continue_on_failure: false,
            timeout_secs: None,
            confirm_word: None,
        };
        let cmd = |program: &str, dry: Option<&str>| {
            ActionKind::Command(CommandSpec {
                program: program.into(),
                args: vec![],
                cwd: None,
                env: vec![],
                dry_run: dry.map(|d| {
                    Box::new(CommandSpec {
                        program: d.into(),
                        args: vec![],
                        cwd: None,
                        env: vec![],
                        dry_run: None,
                    })
                }),
            })
        };
        let hook = |url: &str| {
            ActionKind::Webhook(WebhookSpec {
                method: "POST".into(),
                url: url.into(),
                headers: vec![],
                body: String::new(),
                dry_run: None,
            })
        };
        let ok = |k| check_action("rb", 0, &action(k), &settings);
        assert!(ok(cmd("/usr/bin/kubectl", Some("/usr/bin/kubectl"))).is_ok());
        assert!(
            ok(hook(
                "https://user:pw@Rundeck.Example.com:4440/api/41/job/x/run"
            ))
            .is_ok()
        );
        assert!(ok(ActionKind::Simulated).is_ok());
        let err =
            check_action("checkout", 1, &action(cmd("/bin/rm", None)), &settings).unwrap_err();
        assert_eq!(
            err.to_string(),
            "runbook `checkout`, action 2 (\"Roll back\"): program `/bin/rm` is not on the allow-list (Settings → Actions)"
        );
        assert!(
            ok(cmd("kubectl", None))
                .unwrap_err()
                .reason
                .to_string()
                .contains("not an absolute path")
        );
        assert!(
            ok(cmd("/usr/bin/kubectl", Some("/bin/sh"))).is_err(),
            "the dry run too"
        );
        assert!(
            ok(hook("https://evil.example.org/run"))
                .unwrap_err()
                .reason
                .to_string()
                .contains("evil.example.org")
        );
        assert!(ok(hook("https://{{labels.host}}/run")).is_err());
        assert!(ok(hook("ftp://rundeck.example.com/")).is_err());
        assert_eq!(url_host("http://[::1]:8080/x").as_deref(), Some("::1"));
    }

    #[test]
    fn a_confirmation_is_the_word_when_set_else_the_incident_id() {
        assert!(confirmation_ok(None, 7, " 7 "));
        assert!(confirmation_ok(None, 7, "#7"));
        assert!(!confirmation_ok(None, 7, "77"));
        assert!(!confirmation_ok(None, 7, ""));
        assert!(confirmation_ok(Some("rollback"), 7, "ROLLBACK"));
        assert!(
            !confirmation_ok(Some("rollback"), 7, "7"),
            "the word, once set, is required"
        );
        assert!(
            confirmation_ok(Some("  "), 7, "7"),
            "a blank word means the id"
        );
    }

    #[test]
    fn templates_fill_known_variables_and_refuse_unknown_ones() {
        let vars: BTreeMap<String, String> = [("incident.id", "7"), ("labels.service", "checkout")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            render(
                r#"{"id": {{incident.id}}, "svc": "{{ labels.service }}"}"#,
                &vars
            )
            .unwrap(),
            r#"{"id": 7, "svc": "checkout"}"#
        );
        let err = render("undo {{labels.deploy}}", &vars).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`{{labels.deploy}}` is not an incident variable"),
            "{err}"
        );
        assert_eq!(render("a {{b", &vars), Err(TemplateError::Unclosed));
        assert_eq!(render("no variables", &vars).unwrap(), "no variables");
    }

    #[test]
    fn runbook_actions_read_with_their_kinds_and_default_to_simulated() {
        let simulated: super::super::Action =
            ron::from_str(r#"(title: (en: "a", ko: "a"), command: "echo", risk: Low)"#).unwrap();
        assert_eq!(simulated.kind, ActionKind::Simulated);
        let webhook: super::super::Action = ron::from_str(
            r#"(title: (en: "Run job", ko: "잡 실행"), command: "rundeck job", risk: High,
                kind: Webhook((url: "https://rundeck.example/api/41/job/abc/run",
                    headers: [("X-Rundeck-Auth-Token", Secret("RUNDECK_TOKEN"))],
                    body: "{\"options\": {\"incident\": \"{{incident.id}}\"}}",
                    dry_run: Some((url: "https://rundeck.example/api/41/job/abc/run?dryrun=true")))),
                confirm_word: Some("rollback"))"#,
        )
        .unwrap();
        let ActionKind::Webhook(w) = &webhook.kind else {
            panic!("{:?}", webhook.kind)
        };
        assert_eq!(w.method, "POST");
        assert_eq!(w.headers[0].1, HeaderValue::Secret("RUNDECK_TOKEN".into()));
        assert!(w.dry_run.is_some());
        assert_eq!(webhook.confirm_word.as_deref(), Some("rollback"));
    }
}
