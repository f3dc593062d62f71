//! How a runbook action runs: simulated (the default), as a webhook, or as a command without a
//! shell; each may declare a dry run. Pure data, plus the incident-variable templates.

use serde::{Deserialize, Serialize};

use super::template::{TemplateError, Var, Vars};

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
    /// Extra environment variables (the program starts from a clean environment: these,
    /// plus a small safe set such as `PATH`, `HOME` and `LANG`).
    #[serde(default)]
    pub env: Vec<(String, String)>,
    /// Arguments (numbered from 1) whose value may start with `-` because of a variable;
    /// elsewhere such a value is refused, so an alert cannot slip an option in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args_may_start_with_dash: Vec<usize>,
    /// The command to run first (`kubectl … --dry-run=server`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<Box<CommandSpec>>,
}

/// The variables an action of `incident` may use: `incident.id`, `incident.title`, `runbook`,
/// `series`, `responder`, `value.<rule>` (each rule's worst value), `threshold.<rule>`, and
/// `labels.<name>` (the first alert's labels, for an incident opened from alerts). The labels,
/// the series' name and the title of a runbook-less alert incident came from outside.
pub fn incident_vars(incident: &super::Incident, responder: &str) -> Vars {
    let mut v = Vars::new();
    v.insert("incident.id".into(), Var::own(incident.id.to_string()));
    // A runbook-less alert incident's title is the alert's name and summary.
    let title = &incident.scenario.title.en;
    let title = if incident.scenario.code.starts_with("alert:") {
        Var::outside(title.clone())
    } else {
        Var::own(title.clone())
    };
    v.insert("incident.title".into(), title);
    v.insert("runbook".into(), Var::own(incident.scenario.code.clone()));
    v.insert(
        "series".into(),
        Var::outside(incident.trigger.series.clone().unwrap_or_default()),
    );
    v.insert("responder".into(), Var::own(responder));
    for rv in &incident.trigger.values {
        if let Some(value) = rv.value {
            v.insert(format!("value.{}", rv.rule), Var::own(value.to_string()));
        }
        v.insert(
            format!("threshold.{}", rv.rule),
            Var::own(rv.threshold.to_string()),
        );
    }
    if let Some((_, labels)) = incident.alerts.as_ref().and_then(|l| l.alerts.first()) {
        for (k, val) in labels {
            v.insert(format!("labels.{k}"), Var::outside(val.clone()));
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
        None => typed
            .trim_start_matches('#')
            .eq_ignore_ascii_case(&super::incident_label(id)),
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
            if AllowedHost::parse(h).is_none() {
                out.push(format!(
                    "Actions: host `{}` must be a host name, with a port when it is not the scheme's default (rundeck.example.com, rundeck.example.com:4440, [::1]:8080), without scheme or path",
                    h.trim()
                ));
            }
        }
        for (name, value) in &self.secrets {
            let ok =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                out.push(format!(
                    "Actions: secret name `{name}` must be letters, digits and _ (it pairs with {}<NAME>)",
                    super::overrides::SECRET_PREFIX
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
    /// A webhook's URL is not http(s), or has no host.
    #[error("`{0}` is not an http(s) URL with a host")]
    BadUrl(String),
    /// A webhook's host is not on the allow-list.
    #[error("host `{0}` is not on the allow-list (Settings → Actions)")]
    HostNotAllowed(String),
    /// A webhook's host is on the allow-list, but not with this port.
    #[error(
        "host `{0}` is allowed, but not on port {1} (add `{0}:{1}` to the allow-list in Settings → Actions)"
    )]
    PortNotAllowed(String, u16),
    /// A webhook's URL carries a user name or password.
    #[error("`{0}` carries a user name or password; send credentials in a Secret header")]
    UserInfo(String),
    /// A template names no incident variable, or is not closed.
    #[error("{0}")]
    Template(TemplateError),
    /// A header names a secret that neither the environment nor settings hold.
    #[error("secret `{0}` is set neither as {prefix}{0} nor in Settings → Actions", prefix = super::overrides::SECRET_PREFIX)]
    MissingSecret(String),
}

/// One allow-list entry: a host, and the one port it may be called on (`None`: the scheme's
/// default port only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowedHost {
    /// The host as the URL parser writes it (lowercase, punycode; an IPv6 address bare).
    pub host: String,
    /// The port, when the entry names one.
    pub port: Option<u16>,
}

impl AllowedHost {
    /// Reads `rundeck.example.com`, `rundeck.example.com:4440`, `127.0.0.1:8080`, `[::1]:8080`;
    /// `None` for anything else (a scheme, a path, user info, a template).
    pub fn parse(entry: &str) -> Option<Self> {
        let entry = entry.trim();
        if entry.is_empty() || entry.contains(['/', '\\', ' ', '@', '?', '#', '{', '}']) {
            return None;
        }
        let (host, port) = if let Some(v6) = entry.strip_prefix('[') {
            let (addr, rest) = v6.split_once(']')?;
            let port = match rest {
                "" => None,
                p => Some(p.strip_prefix(':')?.parse().ok()?),
            };
            (format!("[{addr}]"), port)
        } else {
            match entry.split_once(':') {
                None => (entry.to_string(), None),
                Some((h, p)) => (h.to_string(), Some(p.parse().ok()?)),
            }
        };
        Some(Self {
            host: host_text(&url::Host::parse(&host).ok()?),
            port,
        })
    }
}

/// A parsed host as the allow-list compares it.
fn host_text<S: AsRef<str>>(host: &url::Host<S>) -> String {
    match host {
        url::Host::Domain(d) => d.as_ref().to_ascii_lowercase(),
        url::Host::Ipv4(a) => a.to_string(),
        url::Host::Ipv6(a) => a.to_string(),
    }
}

/// Checks a filled webhook URL against the allow-list, parsed by the parser reqwest sends with
/// (`url`): http or https, no user name or password, a host on the list, and the port its
/// entry names (the scheme's default when it names none).
pub fn check_url(url: &str, allowed_hosts: &[String]) -> Result<(), RefusalReason> {
    let shown = || super::secret::without_user_info(url);
    let parsed = url::Url::parse(url.trim()).map_err(|_| RefusalReason::BadUrl(shown()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(RefusalReason::BadUrl(shown()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(RefusalReason::UserInfo(shown()));
    }
    let Some(host) = parsed.host() else {
        return Err(RefusalReason::BadUrl(shown()));
    };
    let host = host_text(&host);
    let port = parsed.port_or_known_default().unwrap_or(0);
    let entries: Vec<AllowedHost> = allowed_hosts
        .iter()
        .filter_map(|e| AllowedHost::parse(e))
        .filter(|e| e.host == host)
        .collect();
    if entries.is_empty() {
        return Err(RefusalReason::HostNotAllowed(host));
    }
    let default_port = parsed.port().is_none();
    if entries
        .iter()
        .any(|e| e.port == Some(port) || (e.port.is_none() && default_port))
    {
        Ok(())
    } else {
        Err(RefusalReason::PortNotAllowed(host, port))
    }
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

/// Checks one action's programs (and its dry run's) against the allow-list: an absolute path
/// on the list. A webhook's URL is checked once filled, by [`super::prepare`].
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
    match &action.kind {
        // A webhook's URL is checked once filled (`prepare`): what is sent is what is checked.
        ActionKind::Simulated | ActionKind::Webhook(_) => Ok(()),
        ActionKind::Command(c) => command(c, settings).map_err(refuse),
    }
}

/// Why the engine refused to run a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Refusal {
    /// Headless runs never execute: nobody approved it.
    Headless,
    /// The incident is already recovered or closed.
    Finished,
    /// The plan already ran at that time.
    AlreadyRan(chrono::DateTime<chrono::Utc>),
    /// These high-risk actions (1-based number, command) were not confirmed by typing the
    /// incident id (or the runbook's confirmation word).
    Unacknowledged(Vec<(usize, String)>),
    /// A run of this plan is under way (one at a time per incident).
    InProgress,
    /// Actions the allow-lists or the incident's variables do not permit.
    NotAllowed(Vec<ActionRefusal>),
    /// No dry run waits for this action's second approval.
    NotAwaitingRun {
        /// The action's number, from 1.
        number: usize,
    },
    /// Team mode: another console runs this plan (its claim in the team store).
    RunningElsewhere {
        /// That console, or the responder who approved it there.
        by: String,
        /// Since when.
        since: chrono::DateTime<chrono::Utc>,
    },
    /// Team mode, the store not joined: these high-risk actions (1-based number, command)
    /// were not acknowledged as run while others may act too.
    AloneUnacknowledged(Vec<(usize, String)>),
    /// Team mode: the team store did not answer the run's claim, so nobody can say whether
    /// another console runs it.
    TeamUnanswered(String),
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
        let mut vars = Vars::new();
        for (k, v) in [("incident.id", "7"), ("responder", "kim")] {
            vars.insert(k.into(), Var::own(v));
        }
        vars.insert("series".into(), Var::outside("edge\"-01"));
        let secret = |_: &str| Some("t".to_string());
        let ready = |i: usize, s2: &ActionsSettings| {
            check_action(&s.code, i, &s.actions[i], s2)
                .map_err(|e| e.reason)
                .and_then(|()| {
                    super::super::prepare(&s.actions[i].kind, &vars, &secret, &s2.allowed_hosts)
                })
        };
        let none = ActionsSettings::default();
        assert_eq!(
            ready(0, &none),
            Err(RefusalReason::HostNotAllowed("rundeck.example.com".into()))
        );
        assert_eq!(
            ready(1, &none),
            Err(RefusalReason::ProgramNotAllowed("/usr/bin/kubectl".into()))
        );
        let allowed = ActionsSettings {
            allowed_programs: vec!["/usr/bin/kubectl".into()],
            allowed_hosts: vec!["rundeck.example.com".into()],
            ..Default::default()
        };
        let hook = ready(0, &allowed).unwrap().unwrap();
        let super::super::PreparedKind::Webhook { body, .. } = &hook.real.kind else {
            panic!()
        };
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["options"]["series"], "edge\"-01");
        assert!(ready(1, &allowed).is_ok());
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
                args_may_start_with_dash: vec![],
                dry_run: dry.map(|d| {
                    Box::new(CommandSpec {
                        program: d.into(),
                        args: vec![],
                        cwd: None,
                        env: vec![],
                        args_may_start_with_dash: vec![],
                        dry_run: None,
                    })
                }),
            })
        };
        let ok = |k| check_action("rb", 0, &action(k), &settings);
        assert!(ok(cmd("/usr/bin/kubectl", Some("/usr/bin/kubectl"))).is_ok());
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
    }

    #[test]
    fn allow_list_entries_are_hosts_with_an_optional_port() {
        let parsed = |e: &str| AllowedHost::parse(e).map(|h| (h.host, h.port));
        assert_eq!(
            parsed(" Rundeck.Example.com "),
            Some(("rundeck.example.com".into(), None))
        );
        assert_eq!(
            parsed("rundeck.example.com:4440"),
            Some(("rundeck.example.com".into(), Some(4440)))
        );
        assert_eq!(parsed("[::1]:8080"), Some(("::1".into(), Some(8080))));
        assert_eq!(parsed("127.0.0.1"), Some(("127.0.0.1".into(), None)));
        for bad in [
            "https://x",
            "x/y",
            "u@x",
            "x:port",
            "",
            "{{labels.host}}",
            "x\\y",
        ] {
            assert_eq!(parsed(bad), None, "{bad}");
        }
        let s = ActionsSettings {
            allowed_hosts: vec!["https://rundeck.example.com".into(), "ok.example:81".into()],
            ..Default::default()
        };
        assert_eq!(s.problems().len(), 1, "{:?}", s.problems());
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
