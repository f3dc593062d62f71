//! The environment's overrides, in one table: every variable that sets a setting for one run
//! (from the process environment or `.env`, never written to the settings file), with how its
//! value is checked and applied, and how the field goes back to the saved value when the
//! user saves. The reader, the engine and the settings tabs all take their names from here, so
//! a name is spelled once and a field the environment sets is read-only everywhere.

use super::{PromAuth, Secret, Settings, check_address, check_channel, parse_recipients};

/// `INCIDENT_PROMETHEUS_URL`; setting it also turns demo mode off for the run.
pub const PROMETHEUS_URL: &str = "INCIDENT_PROMETHEUS_URL";
/// `INCIDENT_PROMETHEUS_TOKEN` (a bearer token).
pub const PROMETHEUS_TOKEN: &str = "INCIDENT_PROMETHEUS_TOKEN";
/// `INCIDENT_PROMETHEUS_HTTP_QUERY`.
pub const PROMETHEUS_HTTP_QUERY: &str = "INCIDENT_PROMETHEUS_HTTP_QUERY";
/// `INCIDENT_PROMETHEUS_CPU_QUERY`.
pub const PROMETHEUS_CPU_QUERY: &str = "INCIDENT_PROMETHEUS_CPU_QUERY";
/// `INCIDENT_PROMETHEUS_HTTP_THRESHOLD` (a ratio, 0 to 1).
pub const PROMETHEUS_HTTP_THRESHOLD: &str = "INCIDENT_PROMETHEUS_HTTP_THRESHOLD";
/// `INCIDENT_PROMETHEUS_CPU_THRESHOLD` (a ratio, 0 to 1).
pub const PROMETHEUS_CPU_THRESHOLD: &str = "INCIDENT_PROMETHEUS_CPU_THRESHOLD";
/// `INCIDENT_SLACK_TOKEN`; also turns the Slack target on.
pub const SLACK_TOKEN: &str = "INCIDENT_SLACK_TOKEN";
/// `INCIDENT_SLACK_CHANNEL` (`ops` is taken as `#ops`).
pub const SLACK_CHANNEL: &str = "INCIDENT_SLACK_CHANNEL";
/// `INCIDENT_SLACK_API_URL`.
pub const SLACK_API_URL: &str = "INCIDENT_SLACK_API_URL";
/// `INCIDENT_EMAIL_RECIPIENTS` (comma separated); also turns the Email target on.
pub const EMAIL_RECIPIENTS: &str = "INCIDENT_EMAIL_RECIPIENTS";
/// `INCIDENT_EMAIL_SMTP_HOST`.
pub const EMAIL_SMTP_HOST: &str = "INCIDENT_EMAIL_SMTP_HOST";
/// `INCIDENT_EMAIL_SMTP_PORT`.
pub const EMAIL_SMTP_PORT: &str = "INCIDENT_EMAIL_SMTP_PORT";
/// `INCIDENT_EMAIL_SMTP_USER`.
pub const EMAIL_SMTP_USER: &str = "INCIDENT_EMAIL_SMTP_USER";
/// `INCIDENT_EMAIL_SMTP_PASSWORD`.
pub const EMAIL_SMTP_PASSWORD: &str = "INCIDENT_EMAIL_SMTP_PASSWORD";
/// `INCIDENT_EMAIL_FROM`.
pub const EMAIL_FROM: &str = "INCIDENT_EMAIL_FROM";
/// `INCIDENT_EMAIL_SMTP_TLS` (1 for STARTTLS, 0 for none).
pub const EMAIL_SMTP_TLS: &str = "INCIDENT_EMAIL_SMTP_TLS";
/// `INCIDENT_INTAKE_ADDR`; also turns the receiver on.
pub const INTAKE_ADDR: &str = "INCIDENT_INTAKE_ADDR";
/// `INCIDENT_INTAKE_TOKEN`.
pub const INTAKE_TOKEN: &str = "INCIDENT_INTAKE_TOKEN";
/// `INCIDENT_ALERTMANAGER_URLS` (comma separated).
pub const ALERTMANAGER_URLS: &str = "INCIDENT_ALERTMANAGER_URLS";
/// `INCIDENT_ALERTMANAGER_TOKEN`.
pub const ALERTMANAGER_TOKEN: &str = "INCIDENT_ALERTMANAGER_TOKEN";
/// `INCIDENT_LLM_BASE_URL`; any LLM variable turns AI analysis on.
pub const LLM_BASE_URL: &str = "INCIDENT_LLM_BASE_URL";
/// `INCIDENT_LLM_MODEL`.
pub const LLM_MODEL: &str = "INCIDENT_LLM_MODEL";
/// `INCIDENT_LLM_API_KEY`.
pub const LLM_API_KEY: &str = "INCIDENT_LLM_API_KEY";
/// `OPENAI_API_KEY`, as the original read it; `INCIDENT_LLM_API_KEY` wins over it.
pub const OPENAI_API_KEY: &str = "OPENAI_API_KEY";
/// `INCIDENT_TEAM_DATABASE_URL`: the team store (PostgreSQL); a secret (it may hold the
/// password).
pub const TEAM_DATABASE_URL: &str = "INCIDENT_TEAM_DATABASE_URL";
/// The prefix of the secrets an action's headers name (`INCIDENT_SECRET_<NAME>`).
pub const SECRET_PREFIX: &str = "INCIDENT_SECRET_";

/// One variable of the table.
pub struct EnvVar {
    /// Its name.
    pub name: &'static str,
    /// Whether its value is a secret (never quoted, masked in `Debug`).
    pub secret: bool,
    /// A variable that wins over this one when both are set.
    pub yields_to: Option<&'static str>,
    /// Checks the (trimmed, non-empty) value and puts it into the settings; the error says
    /// what is wrong with it, in words, without quoting a secret.
    pub apply: fn(&mut Settings, &str) -> Result<(), String>,
    /// Puts what `apply` set back to the saved settings' values.
    pub restore: fn(&mut Settings, &Settings),
}

fn http_url(v: &str) -> Result<(), String> {
    if v.starts_with("http://") || v.starts_with("https://") {
        Ok(())
    } else {
        Err(format!("\"{v}\" must start with http:// or https://"))
    }
}

/// A threshold as the settings form reads one (a ratio in (0, 1]); its error names the
/// variable already.
fn threshold(name: &'static str, v: &str) -> Result<f64, String> {
    Settings::parse_threshold(name, v).map_err(|e| e.to_string())
}

/// A variable of the common shape: `check` the value, set one field to `make(value)`, and
/// maybe one flag more for the run (`then`); restoring puts both back from the saved settings.
/// Written once here so that a new variable is one line and cannot restore a different field
/// than it set.
macro_rules! field_var {
    ($name:expr, secret: $secret:expr, $($field:ident).+ = $make:path
     $(, check: $check:path)? $(, then: $($flag:ident).+ = $flag_value:expr)?) => {
        EnvVar {
            name: $name,
            secret: $secret,
            yields_to: None,
            apply: |s, v| {
                $($check(v)?;)?
                s.$($field).+ = $make(v);
                $(s.$($flag).+ = $flag_value;)?
                Ok(())
            },
            restore: |s, saved| {
                s.$($field).+ = saved.$($field).+.clone();
                $(s.$($flag).+ = saved.$($flag).+;)?
            },
        }
    };
}

/// Every variable, in the order they apply (a later one may win over an earlier one).
pub static VARS: &[EnvVar] = &[
    field_var!(PROMETHEUS_URL, secret: false, prometheus.base_url = str::to_string,
        check: http_url, then: demo_mode = false),
    field_var!(PROMETHEUS_HTTP_QUERY, secret: false, prometheus.http_query = str::to_string),
    field_var!(PROMETHEUS_CPU_QUERY, secret: false, prometheus.cpu_query = str::to_string),
    EnvVar {
        name: PROMETHEUS_HTTP_THRESHOLD,
        secret: false,
        yields_to: None,
        apply: |s, v| {
            s.prometheus.http_threshold = threshold(PROMETHEUS_HTTP_THRESHOLD, v)?;
            Ok(())
        },
        restore: |s, saved| s.prometheus.http_threshold = saved.prometheus.http_threshold,
    },
    EnvVar {
        name: PROMETHEUS_CPU_THRESHOLD,
        secret: false,
        yields_to: None,
        apply: |s, v| {
            s.prometheus.cpu_threshold = threshold(PROMETHEUS_CPU_THRESHOLD, v)?;
            Ok(())
        },
        restore: |s, saved| s.prometheus.cpu_threshold = saved.prometheus.cpu_threshold,
    },
    EnvVar {
        name: PROMETHEUS_TOKEN,
        secret: true,
        yields_to: None,
        apply: |s, v| {
            s.prometheus.auth = PromAuth::Bearer {
                token: Secret::new(v),
            };
            Ok(())
        },
        restore: |s, saved| s.prometheus.auth = saved.prometheus.auth.clone(),
    },
    field_var!(SLACK_TOKEN, secret: true, slack.token = Secret::new,
        then: targets.slack = true),
    EnvVar {
        name: SLACK_CHANNEL,
        secret: false,
        yields_to: None,
        apply: |s, v| {
            // `ops` is what people type; Slack wants `#ops`.
            let channel = match check_channel(v) {
                Ok(()) => v.to_string(),
                Err(e) => {
                    let hashed = format!("#{v}");
                    check_channel(&hashed).map_err(|_| e)?;
                    hashed
                }
            };
            if !s.slack.channels.contains(&channel) {
                s.slack.channels.push(channel.clone());
            }
            s.slack.channel = channel;
            Ok(())
        },
        restore: |s, saved| {
            let set = s.slack.channel.clone();
            s.slack.channel = saved.slack.channel.clone();
            if !saved.slack.channels.contains(&set) {
                s.slack.channels.retain(|c| *c != set);
            }
        },
    },
    field_var!(SLACK_API_URL, secret: false, slack.api_base_url = str::to_string,
        check: http_url),
    EnvVar {
        name: EMAIL_RECIPIENTS,
        secret: false,
        yields_to: None,
        apply: |s, v| {
            s.email.recipients = parse_recipients(v)?;
            s.targets.email = true;
            Ok(())
        },
        restore: |s, saved| {
            s.email.recipients = saved.email.recipients.clone();
            s.targets.email = saved.targets.email;
        },
    },
    field_var!(EMAIL_SMTP_HOST, secret: false, email.smtp_host = str::to_string),
    EnvVar {
        name: EMAIL_SMTP_PORT,
        secret: false,
        yields_to: None,
        apply: |s, v| match v.parse::<u16>() {
            Ok(p) if p > 0 => {
                s.email.smtp_port = p;
                Ok(())
            }
            _ => Err(format!("\"{v}\" is not a port (1 to 65535)")),
        },
        restore: |s, saved| s.email.smtp_port = saved.email.smtp_port,
    },
    field_var!(EMAIL_SMTP_USER, secret: false, email.smtp_user = str::to_string),
    field_var!(EMAIL_SMTP_PASSWORD, secret: true, email.smtp_password = Secret::new),
    field_var!(EMAIL_FROM, secret: false, email.from = str::to_string,
        check: check_address),
    EnvVar {
        name: EMAIL_SMTP_TLS,
        secret: false,
        yields_to: None,
        apply: |s, v| {
            s.email.starttls = match v {
                "1" | "true" => true,
                "0" | "false" => false,
                _ => return Err(format!("\"{v}\" must be 1 (STARTTLS) or 0 (none)")),
            };
            Ok(())
        },
        restore: |s, saved| s.email.starttls = saved.email.starttls,
    },
    // The receiver checks the address when it binds, and says what is wrong in the feed.
    field_var!(INTAKE_ADDR, secret: false, intake.addr = str::to_string,
        then: intake.enabled = true),
    field_var!(INTAKE_TOKEN, secret: true, intake.token = Secret::new),
    EnvVar {
        name: ALERTMANAGER_URLS,
        secret: false,
        yields_to: None,
        apply: |s, v| {
            let urls: Vec<String> = v
                .split(',')
                .map(|u| u.trim().trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty())
                .collect();
            for u in &urls {
                http_url(u)?;
            }
            s.intake.alertmanager_urls = urls;
            Ok(())
        },
        restore: |s, saved| s.intake.alertmanager_urls = saved.intake.alertmanager_urls.clone(),
    },
    field_var!(ALERTMANAGER_TOKEN, secret: true,
        intake.alertmanager_token = Secret::new),
    field_var!(LLM_BASE_URL, secret: false, llm.base_url = str::to_string,
        check: http_url, then: llm.enabled = true),
    field_var!(LLM_MODEL, secret: false, llm.model = str::to_string,
        then: llm.enabled = true),
    EnvVar {
        yields_to: Some(LLM_API_KEY),
        ..field_var!(OPENAI_API_KEY, secret: true, llm.api_key = Secret::new,
            then: llm.enabled = true)
    },
    field_var!(LLM_API_KEY, secret: true, llm.api_key = Secret::new,
        then: llm.enabled = true),
    field_var!(TEAM_DATABASE_URL, secret: true, team.database_url = Secret::new,
        check: super::check_database_url),
];

/// Whether the variable `name` of [`VARS`] holds a secret (a name not in the table does not).
pub fn is_secret(name: &str) -> bool {
    VARS.iter().any(|v| v.name == name && v.secret)
}

/// The variables set for one run, with their checked values (a secret's as a [`Secret`]).
#[derive(Clone, Default, PartialEq)]
pub struct Overrides {
    set: Vec<(&'static str, Secret)>,
}

impl std::fmt::Debug for Overrides {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: a value may be a secret, and the rest say little.
        f.debug_list().entries(self.names()).finish()
    }
}

impl Overrides {
    /// Reads every variable of [`VARS`] through `lookup`: an empty value counts as unset
    /// (`FOO=` is how people clear things in a shell file), a bad one is skipped and said in
    /// `problems` (never quoting a secret).
    pub fn read(lookup: impl Fn(&str) -> Option<String>) -> (Self, Vec<String>) {
        let mut set = Vec::new();
        let mut problems = Vec::new();
        let value = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        for var in VARS {
            let Some(v) = value(var.name) else { continue };
            if var.yields_to.is_some_and(|other| value(other).is_some()) {
                continue;
            }
            match (var.apply)(&mut Settings::default(), &v) {
                Ok(()) => set.push((var.name, Secret::new(v))),
                Err(_) if var.secret => {
                    problems.push(format!("{}: cannot be used; ignored", var.name))
                }
                Err(e) if e.starts_with(var.name) => problems.push(format!("{e}; ignored")),
                Err(e) => problems.push(format!("{}: {e}; ignored", var.name)),
            }
        }
        (Self { set }, problems)
    }

    /// Overrides with these `(name, value)` pairs, checked as [`Self::read`] checks them (for
    /// tests and embedders).
    pub fn of(pairs: &[(&str, &str)]) -> (Self, Vec<String>) {
        Self::read(|name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Whether the variable `name` is set for this run.
    pub fn is_set(&self, name: &str) -> bool {
        self.set.iter().any(|(n, _)| *n == name)
    }

    /// The names of the variables that are set, in table order.
    pub fn names(&self) -> Vec<&'static str> {
        self.set.iter().map(|(n, _)| *n).collect()
    }

    /// `settings` with the overrides applied.
    pub fn apply(&self, settings: &Settings) -> Settings {
        let mut s = settings.clone();
        for (name, value) in &self.set {
            if let Some(var) = VARS.iter().find(|v| v.name == *name) {
                // Checked when read; a value that was good then is good now.
                let _ = (var.apply)(&mut s, value.expose());
            }
        }
        s
    }

    /// What to save of `edited` while these overrides are in force: every overridden field
    /// keeps its value from `saved`, so a run's environment never reaches the settings file.
    pub fn unapply(&self, edited: &Settings, saved: &Settings) -> Settings {
        let mut s = edited.clone();
        for (name, _) in self.set.iter().rev() {
            if let Some(var) = VARS.iter().find(|v| v.name == *name) {
                (var.restore)(&mut s, saved);
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variable_applies_for_the_run_and_stays_out_of_the_file() {
        let (o, problems) = Overrides::of(&[
            (PROMETHEUS_URL, "http://prom:9090"),
            (PROMETHEUS_CPU_THRESHOLD, "lots"),
            (PROMETHEUS_HTTP_THRESHOLD, "0.02"),
            (PROMETHEUS_TOKEN, "abc"),
            (PROMETHEUS_HTTP_QUERY, "  "),
            (SLACK_TOKEN, "xoxb-abc"),
            (SLACK_CHANNEL, "ops"),
            (EMAIL_RECIPIENTS, "a@x.com, b@x.com"),
            (EMAIL_SMTP_PORT, "70000"),
            (EMAIL_SMTP_TLS, "0"),
            (EMAIL_SMTP_PASSWORD, "pw"),
            (INTAKE_ADDR, "127.0.0.1:9999"),
            (ALERTMANAGER_URLS, "http://am-a:9093/, http://am-b:9093"),
            (OPENAI_API_KEY, "sk-old"),
            (LLM_API_KEY, "sk-new"),
        ]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with(PROMETHEUS_CPU_THRESHOLD),
            "{problems:?}"
        );
        assert!(problems[1].starts_with(EMAIL_SMTP_PORT), "{problems:?}");
        assert!(!o.is_set(PROMETHEUS_HTTP_QUERY), "blank is unset");
        assert!(!o.is_set(OPENAI_API_KEY), "the console's own name wins");
        let saved = Settings::default();
        let run = o.apply(&saved);
        assert_eq!(run.prometheus.base_url, "http://prom:9090");
        assert!(!run.demo_mode);
        assert_eq!(run.prometheus.http_threshold, 0.02);
        assert_eq!(run.slack.channel, "#ops");
        assert!(run.targets.slack && run.targets.email);
        assert!(!run.email.starttls);
        assert!(run.intake.enabled);
        assert_eq!(
            run.intake.alertmanager_urls,
            vec!["http://am-a:9093", "http://am-b:9093"]
        );
        assert_eq!(run.llm.api_key.expose(), "sk-new");
        assert!(run.llm.enabled);
        // Saving while they are in force writes the user's own values.
        let mut edited = run.clone();
        edited.responder = "kim".into();
        let to_save = o.unapply(&edited, &saved);
        assert_eq!(
            to_save,
            Settings {
                responder: "kim".into(),
                ..saved.clone()
            }
        );
        assert!(!format!("{o:?}").contains("xoxb"), "no value in Debug");
    }

    #[test]
    fn a_bad_secret_is_said_without_its_value() {
        let (_, problems) = Overrides::of(&[(LLM_BASE_URL, "ftp://x"), (EMAIL_FROM, "nobody")]);
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|p| p.ends_with("; ignored")));
    }
}
