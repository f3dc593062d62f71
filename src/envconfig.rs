//! Configuration from the environment and a `.env` file, for runs without a window: the
//! variables of the overrides table ([`crate::model::overrides`]) and the actions' secrets.
//!
//! The process environment wins over `.env` (as with every dotenv tool), and both win over the
//! saved settings for that run only. A bad value is reported in words and skipped; the rest of
//! the configuration still applies.

use std::collections::HashMap;
use std::path::Path;

use crate::model::overrides::SECRET_PREFIX;
use crate::model::{Overrides, Secret};

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
    /// Every variable of the overrides table that is set ([`crate::model::overrides`]).
    pub overrides: Overrides,
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
    let (overrides, more) = Overrides::read(lookup);
    problems.extend(more);
    Environment {
        overrides,
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
        let Some(name) = k.strip_prefix(SECRET_PREFIX) else {
            continue;
        };
        if name.is_empty() || v.is_empty() || out.iter().any(|(n, _)| n == name) {
            continue;
        }
        out.push((name.to_string(), Secret::new(v)));
    }
    out
}

/// The responder's name: the Responder setting, else the OS user, else `incident-console`.
pub fn responder_name(settings: &crate::model::Settings) -> String {
    let name = settings.responder.trim();
    if !name.is_empty() {
        return name.to_string();
    }
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "incident-console".into())
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
