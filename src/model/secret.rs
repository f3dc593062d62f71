use serde::{Deserialize, Serialize};

/// A token or password. Its `Debug` and `Display` print a mask, so a secret cannot slip into
/// a log line, the feed or an error message by formatting; only [`Secret::expose`] reveals it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<empty>"
        } else {
            "<secret>"
        })
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl super::Settings {
    /// Every secret these settings hold, non-empty (tokens, passwords, keys, the actions'
    /// secrets): what is masked in whatever a command action prints.
    pub fn secret_values(&self) -> Vec<String> {
        let mut out: Vec<&Secret> = vec![
            &self.slack.token,
            &self.email.smtp_password,
            &self.llm.api_key,
            &self.intake.token,
            &self.intake.alertmanager_token,
            &self.team.database_url,
        ];
        match &self.prometheus.auth {
            super::PromAuth::None => {}
            super::PromAuth::Bearer { token } => out.push(token),
            super::PromAuth::Basic { password, .. } => out.push(password),
        }
        out.extend(self.actions.secrets.iter().map(|(_, s)| s));
        out.into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| s.expose().to_string())
            .collect()
    }
}

/// What stands in for a secret wherever text is shown.
pub const MASK: &str = "••••";

/// The URL with any `user:password@` masked (a runbook may put one there).
pub(super) fn without_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{MASK}@{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("xoxb-very-secret");
        assert_eq!(format!("{s} {s:?}"), "<secret> <secret>");
        assert!(!format!("{:?}", Some(s.clone())).contains("very"));
        assert_eq!(s.expose(), "xoxb-very-secret");
        assert_eq!(ron::to_string(&s).unwrap(), "\"xoxb-very-secret\"");
    }
}
