//! Configuration from the environment and a `.env` file, for runs without a window:
//! `INCIDENT_PROMETHEUS_*`, `INCIDENT_SLACK_*` and `INCIDENT_EMAIL_*`.
//!
//! The process environment wins over `.env` (as with every dotenv tool), and both win over the
//! saved settings for that run only. A bad value is reported in words and skipped; the rest of
//! the configuration still applies.

use std::collections::HashMap;
use std::path::Path;

use crate::model::{NotifyOverrides, PrometheusOverrides, Secret, Settings, check_channel};

/// Reads the `INCIDENT_PROMETHEUS_*` variables through `lookup`. Returns the overrides and one
/// sentence per variable that was skipped.
pub fn prometheus_overrides(
    lookup: impl Fn(&str) -> Option<String>,
) -> (PrometheusOverrides, Vec<String>) {
    let mut problems = Vec::new();
    // An empty variable counts as unset: `FOO=` in a shell file is how people clear things.
    let var = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut threshold = |name: &'static str| {
        let text = var(name)?;
        match Settings::parse_threshold(name, &text) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(format!("{e}; ignored"));
                None
            }
        }
    };
    let http_threshold = threshold("INCIDENT_PROMETHEUS_HTTP_THRESHOLD");
    let cpu_threshold = threshold("INCIDENT_PROMETHEUS_CPU_THRESHOLD");
    let base_url = var("INCIDENT_PROMETHEUS_URL").filter(|url| {
        let ok = url.starts_with("http://") || url.starts_with("https://");
        if !ok {
            problems.push(format!(
                "INCIDENT_PROMETHEUS_URL: \"{url}\" must start with http:// or https://; ignored"
            ));
        }
        ok
    });
    let overrides = PrometheusOverrides {
        base_url,
        http_query: var("INCIDENT_PROMETHEUS_HTTP_QUERY"),
        cpu_query: var("INCIDENT_PROMETHEUS_CPU_QUERY"),
        http_threshold,
        cpu_threshold,
        token: var("INCIDENT_PROMETHEUS_TOKEN").map(Secret::new),
    };
    (overrides, problems)
}

/// Reads the `INCIDENT_SLACK_*` and `INCIDENT_EMAIL_*` variables through `lookup`. Returns the
/// overrides and one sentence per variable that was skipped (never quoting a secret).
pub fn notify_overrides(lookup: impl Fn(&str) -> Option<String>) -> (NotifyOverrides, Vec<String>) {
    let mut problems = Vec::new();
    let var = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut checked = |name: &'static str, check: &dyn Fn(&str) -> Result<(), String>| {
        let value = var(name)?;
        match check(&value) {
            Ok(()) => Some(value),
            Err(e) => {
                problems.push(format!("{name}: {e}; ignored"));
                None
            }
        }
    };
    let slack_channel = checked("INCIDENT_SLACK_CHANNEL", &|v| {
        // `ops` is what people type; Slack wants `#ops`.
        check_channel(v).or_else(|e| check_channel(&format!("#{v}")).map_err(|_| e))
    })
    .map(|c| {
        if check_channel(&c).is_ok() {
            c
        } else {
            format!("#{c}")
        }
    });
    let slack_api_url = checked("INCIDENT_SLACK_API_URL", &|v| {
        if v.starts_with("http://") || v.starts_with("https://") {
            Ok(())
        } else {
            Err(format!("\"{v}\" must start with http:// or https://"))
        }
    });
    let smtp_port = checked("INCIDENT_EMAIL_SMTP_PORT", &|v| match v.parse::<u16>() {
        Ok(p) if p > 0 => Ok(()),
        _ => Err(format!("\"{v}\" is not a port (1 to 65535)")),
    })
    .and_then(|v| v.parse().ok());
    let starttls = checked("INCIDENT_EMAIL_SMTP_TLS", &|v| match v {
        "0" | "1" | "true" | "false" => Ok(()),
        _ => Err(format!("\"{v}\" must be 1 (STARTTLS) or 0 (none)")),
    })
    .map(|v| v == "1" || v == "true");
    let email_from = checked("INCIDENT_EMAIL_FROM", &crate::model::check_address);
    let email_recipients = checked("INCIDENT_EMAIL_RECIPIENTS", &|v| {
        crate::model::parse_recipients(v).map(|_| ())
    })
    .and_then(|v| crate::model::parse_recipients(&v).ok());
    let overrides = NotifyOverrides {
        slack_token: var("INCIDENT_SLACK_TOKEN").map(Secret::new),
        slack_channel,
        slack_api_url,
        email_recipients,
        smtp_host: var("INCIDENT_EMAIL_SMTP_HOST"),
        smtp_port,
        smtp_user: var("INCIDENT_EMAIL_SMTP_USER"),
        smtp_password: var("INCIDENT_EMAIL_SMTP_PASSWORD").map(Secret::new),
        email_from,
        starttls,
    };
    (overrides, problems)
}

/// The variables of a `.env` file; a missing file is an empty map, a malformed one an error in
/// words (with the line, never the values).
pub fn read_dotenv(path: &Path) -> Result<HashMap<String, String>, String> {
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(HashMap::new());
        }
        Err(e) => return Err(format!("{}: {}", path.display(), describe(&e))),
    };
    let mut vars = HashMap::new();
    for item in iter {
        match item {
            Ok((k, v)) => {
                vars.insert(k, v);
            }
            Err(e) => return Err(format!("{}: {}", path.display(), describe(&e))),
        }
    }
    Ok(vars)
}

fn describe(e: &dotenvy::Error) -> String {
    match e {
        // The parser's message quotes the offending line, which may hold a secret.
        dotenvy::Error::LineParse(_, index) => {
            format!("cannot parse the line at character {index}; the file was not used")
        }
        dotenvy::Error::Io(io) => format!("cannot read it: {io}"),
        _ => "cannot read it".into(),
    }
}

/// What the environment sets for this run.
#[derive(Debug, Default)]
pub struct Environment {
    /// `INCIDENT_PROMETHEUS_*`.
    pub prometheus: PrometheusOverrides,
    /// `INCIDENT_SLACK_*`, `INCIDENT_EMAIL_*`.
    pub notify: NotifyOverrides,
    /// `INCIDENT_INTAKE_ADDR`, `INCIDENT_INTAKE_TOKEN`.
    pub intake: crate::model::IntakeOverrides,
    /// `INCIDENT_LLM_*`, `OPENAI_API_KEY`.
    pub llm: crate::model::LlmOverrides,
    /// `INCIDENT_SECRET_<NAME>`: the secrets webhook headers name (`NAME`, value).
    pub secrets: Vec<(String, Secret)>,
    /// Every problem found, in words.
    pub problems: Vec<String>,
}

/// The overrides for this run: the process environment, then `.env` in `dir`.
pub fn from_environment(dir: &Path) -> Environment {
    let (dotenv, mut problems) = match read_dotenv(&dir.join(".env")) {
        Ok(vars) => (vars, Vec::new()),
        Err(e) => (HashMap::new(), vec![e]),
    };
    let lookup = |name: &str| {
        std::env::var(name)
            .ok()
            .or_else(|| dotenv.get(name).cloned())
    };
    let (prometheus, more) = prometheus_overrides(lookup);
    problems.extend(more);
    let (notify, more) = notify_overrides(lookup);
    problems.extend(more);
    let var = |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let intake = crate::model::IntakeOverrides {
        // The receiver checks the address when it binds, and says what is wrong in the feed.
        addr: var("INCIDENT_INTAKE_ADDR"),
        token: var("INCIDENT_INTAKE_TOKEN").map(Secret::new),
        alertmanager_urls: var("INCIDENT_ALERTMANAGER_URLS").map(|v| {
            v.split(',')
                .map(|u| u.trim().to_string())
                .filter(|u| !u.is_empty())
                .collect()
        }),
        alertmanager_token: var("INCIDENT_ALERTMANAGER_TOKEN").map(Secret::new),
    };
    let api_key = var("INCIDENT_LLM_API_KEY")
        .map(|k| (Secret::new(k), "INCIDENT_LLM_API_KEY"))
        .or_else(|| var("OPENAI_API_KEY").map(|k| (Secret::new(k), "OPENAI_API_KEY")));
    let llm = crate::model::LlmOverrides {
        base_url: var("INCIDENT_LLM_BASE_URL"),
        model: var("INCIDENT_LLM_MODEL"),
        api_key,
    };
    Environment {
        prometheus,
        notify,
        intake,
        llm,
        secrets: action_secrets(
            std::env::vars().chain(dotenv.iter().map(|(k, v)| (k.clone(), v.clone()))),
        ),
        problems,
    }
}

/// The `INCIDENT_SECRET_<NAME>` variables among `vars` (the first of a name wins: the process
/// environment comes before `.env`), named without the prefix.
pub fn action_secrets(vars: impl Iterator<Item = (String, String)>) -> Vec<(String, Secret)> {
    let mut out: Vec<(String, Secret)> = Vec::new();
    for (k, v) in vars {
        let Some(name) = k.strip_prefix("INCIDENT_SECRET_") else {
            continue;
        };
        if name.is_empty() || v.is_empty() || out.iter().any(|(n, _)| n == name) {
            continue;
        }
        out.push((name.to_string(), Secret::new(v)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_secrets_are_named_without_their_prefix_and_the_environment_wins() {
        let vars = [
            ("INCIDENT_SECRET_RUNDECK_TOKEN", "from-env"),
            ("PATH", "/bin"),
            ("INCIDENT_SECRET_", "nameless"),
            ("INCIDENT_SECRET_RUNDECK_TOKEN", "from-dotenv"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let s = action_secrets(vars.into_iter());
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, "RUNDECK_TOKEN");
        assert_eq!(s[0].1.expose(), "from-env");
    }

    #[test]
    fn variables_override_and_bad_ones_are_named_and_skipped() {
        let env: HashMap<&str, &str> = [
            ("INCIDENT_PROMETHEUS_URL", "http://prom:9090"),
            ("INCIDENT_PROMETHEUS_CPU_THRESHOLD", "lots"),
            ("INCIDENT_PROMETHEUS_HTTP_THRESHOLD", "0.02"),
            ("INCIDENT_PROMETHEUS_TOKEN", "abc"),
            ("INCIDENT_PROMETHEUS_HTTP_QUERY", "  "),
        ]
        .into();
        let (o, problems) = prometheus_overrides(|k| env.get(k).map(|v| v.to_string()));
        assert_eq!(o.base_url.as_deref(), Some("http://prom:9090"));
        assert_eq!(o.http_threshold, Some(0.02));
        assert_eq!(o.cpu_threshold, None);
        assert_eq!(o.http_query, None, "blank means unset");
        assert_eq!(o.token.as_ref().map(|t| t.expose()), Some("abc"));
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("INCIDENT_PROMETHEUS_CPU_THRESHOLD"));
        assert!(problems[0].contains("not a number"), "{}", problems[0]);
    }

    #[test]
    fn notify_variables_are_read_and_bad_ones_skipped_without_secrets() {
        let env: HashMap<&str, &str> = [
            ("INCIDENT_SLACK_TOKEN", "xoxb-abc"),
            ("INCIDENT_SLACK_CHANNEL", "ops"),
            ("INCIDENT_EMAIL_RECIPIENTS", "a@x.com, b@x.com"),
            ("INCIDENT_EMAIL_SMTP_PORT", "70000"),
            ("INCIDENT_EMAIL_SMTP_TLS", "0"),
            ("INCIDENT_EMAIL_SMTP_PASSWORD", "pw"),
        ]
        .into();
        let (o, problems) = notify_overrides(|k| env.get(k).map(|v| v.to_string()));
        assert_eq!(o.slack_channel.as_deref(), Some("#ops"));
        assert_eq!(o.email_recipients.as_ref().map(Vec::len), Some(2));
        assert_eq!(o.starttls, Some(false));
        assert_eq!(o.smtp_port, None);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("INCIDENT_EMAIL_SMTP_PORT"));
        assert!(!format!("{o:?}").contains("xoxb-abc"));
        assert!(!format!("{o:?}").contains("\"pw\""));
    }

    #[test]
    fn dotenv_is_read_and_a_broken_one_does_not_echo_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        assert!(read_dotenv(&path).unwrap().is_empty(), "missing is fine");
        std::fs::write(
            &path,
            "# comment\nINCIDENT_PROMETHEUS_URL=http://x:9090\nexport INCIDENT_PROMETHEUS_CPU_QUERY=\"max(cpu)\"\n",
        )
        .unwrap();
        let vars = read_dotenv(&path).unwrap();
        assert_eq!(vars["INCIDENT_PROMETHEUS_URL"], "http://x:9090");
        assert_eq!(vars["INCIDENT_PROMETHEUS_CPU_QUERY"], "max(cpu)");
        std::fs::write(&path, "INCIDENT_PROMETHEUS_TOKEN=sekrit value'\n").unwrap();
        let err = read_dotenv(&path).unwrap_err();
        assert!(!err.contains("sekrit"), "{err}");
        assert!(err.contains("not used"), "{err}");
    }
}
