//! Notification settings (Slack, email, where automatic reports go) and their rules: channel
//! names, addresses, the recipient list, and the environment's overrides for one run.

use serde::{Deserialize, Serialize};

use super::{Secret, Settings};

/// Slack's public Web API root.
pub const SLACK_API_DEFAULT: &str = "https://slack.com/api";

/// How the console talks to Slack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SlackSettings {
    /// Bot token (`xoxb-…`); empty means Slack is not set up.
    pub token: Secret,
    /// Web API root: `https://slack.com/api`, a proxy, or GovSlack's.
    pub api_base_url: String,
    /// Where reports go: one of `channels`.
    pub channel: String,
    /// The channels to choose from (the built-in ones and those the user added).
    pub channels: Vec<String>,
    /// Seconds before one request to Slack is given up.
    pub timeout_secs: u64,
}

impl Default for SlackSettings {
    fn default() -> Self {
        Self {
            token: Secret::default(),
            api_base_url: SLACK_API_DEFAULT.into(),
            channel: "#incidents".into(),
            channels: vec!["#incidents".into(), "#ops".into(), "#sre-oncall".into()],
            timeout_secs: 10,
        }
    }
}

impl SlackSettings {
    /// Why Slack cannot be used as set, in words; `None` when it can.
    pub fn unusable(&self) -> Option<String> {
        if self.token.expose().trim().is_empty() {
            return Some("no bot token is set".into());
        }
        if self.channel.trim().is_empty() {
            return Some("no channel is chosen".into());
        }
        None
    }
}

/// How the console sends mail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailSettings {
    /// SMTP server; empty means email is off.
    pub smtp_host: String,
    /// SMTP port (587 for STARTTLS submission, 25 plain).
    pub smtp_port: u16,
    /// SMTP user; empty means no login.
    pub smtp_user: String,
    /// SMTP password.
    pub smtp_password: Secret,
    /// Sender address; empty means the SMTP user.
    pub from: String,
    /// `STARTTLS` before anything else is sent (`INCIDENT_EMAIL_SMTP_TLS=1`).
    pub starttls: bool,
    /// Who gets the mail.
    pub recipients: Vec<String>,
    /// Seconds before one delivery attempt is given up.
    pub timeout_secs: u64,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_user: String::new(),
            smtp_password: Secret::default(),
            from: String::new(),
            starttls: true,
            recipients: Vec::new(),
            timeout_secs: 15,
        }
    }
}

impl EmailSettings {
    /// The sender: `from`, or the SMTP user as in the original.
    pub fn sender(&self) -> &str {
        if self.from.trim().is_empty() {
            self.smtp_user.trim()
        } else {
            self.from.trim()
        }
    }

    /// Why email is off, in words; `None` when mail can go out.
    pub fn unusable(&self) -> Option<String> {
        if self.smtp_host.trim().is_empty() {
            return Some("no SMTP host is set".into());
        }
        if self.recipients.is_empty() {
            return Some("no recipient is listed".into());
        }
        let sender = self.sender();
        if sender.is_empty() {
            return Some("no sender: set From or the SMTP user".into());
        }
        if let Err(e) = check_address(sender) {
            return Some(format!("the sender is not usable: {e}"));
        }
        None
    }

    /// Adds a recipient: checked, and refused when already listed (in any letter case).
    pub fn add_recipient(&mut self, address: &str) -> Result<(), String> {
        let address = address.trim();
        check_address(address)?;
        if self
            .recipients
            .iter()
            .any(|r| r.eq_ignore_ascii_case(address))
        {
            return Err(format!("{address} is already a recipient"));
        }
        self.recipients.push(address.to_string());
        Ok(())
    }
}

/// Where automatic reports go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Targets {
    /// Post each new incident to Slack (on by default, as in the original).
    pub slack: bool,
    /// Mail each new incident report to the recipients.
    pub email: bool,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            slack: true,
            email: false,
        }
    }
}

/// Checks a channel name as Slack allows it: `#` then lower-case letters, digits, `-`, `_`
/// (at most 80), or a channel id such as `C0123ABCD`.
pub fn check_channel(name: &str) -> Result<(), String> {
    let name = name.trim();
    if let Some(rest) = name.strip_prefix('#') {
        let ok = !rest.is_empty()
            && rest.chars().count() <= 80
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok {
            return Ok(());
        }
        return Err(format!(
            "\"{name}\": a channel name is # and then at most 80 lower-case letters, digits, - or _"
        ));
    }
    let is_id = name.len() >= 9
        && name.starts_with(['C', 'G'])
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if is_id {
        Ok(())
    } else {
        Err(format!(
            "\"{name}\": write a channel as #name, or give its id (C…)"
        ))
    }
}

/// Checks an email address: `local@domain`, no spaces, a domain with a dot and sane labels.
/// Deliberately plain; the SMTP server is the final judge.
pub fn check_address(address: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("\"{address}\" is not an email address: {why}"));
    if address.is_empty() {
        return bad("it is empty");
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("it holds a space");
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return bad("it has no @");
    };
    if local.is_empty() || local.contains('@') || local.len() > 64 {
        return bad("the part before @ is empty or too long");
    }
    if local.contains(['<', '>', '(', ')', ',', ';', ':', '"', '[', ']', '\\']) {
        return bad("the part before @ holds a character mail cannot carry unquoted");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return bad("the domain after @ is not a name like example.com");
    }
    Ok(())
}

/// Splits `a@x.com, b@y.org` into addresses, checking each.
pub fn parse_recipients(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        check_address(part)?;
        // A duplicate in a list from the environment is harmless: keep one.
        if !out.iter().any(|r| r.eq_ignore_ascii_case(part)) {
            out.push(part.to_string());
        }
    }
    Ok(out)
}

/// Notification settings the environment sets for one run (`INCIDENT_SLACK_*`,
/// `INCIDENT_EMAIL_*`); applied over the saved settings and never written back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NotifyOverrides {
    /// `INCIDENT_SLACK_TOKEN`; also turns the Slack target on for the run.
    pub slack_token: Option<Secret>,
    /// `INCIDENT_SLACK_CHANNEL`.
    pub slack_channel: Option<String>,
    /// `INCIDENT_SLACK_API_URL`.
    pub slack_api_url: Option<String>,
    /// `INCIDENT_EMAIL_RECIPIENTS`; also turns the Email target on for the run.
    pub email_recipients: Option<Vec<String>>,
    /// `INCIDENT_EMAIL_SMTP_HOST`.
    pub smtp_host: Option<String>,
    /// `INCIDENT_EMAIL_SMTP_PORT`.
    pub smtp_port: Option<u16>,
    /// `INCIDENT_EMAIL_SMTP_USER`.
    pub smtp_user: Option<String>,
    /// `INCIDENT_EMAIL_SMTP_PASSWORD`.
    pub smtp_password: Option<Secret>,
    /// `INCIDENT_EMAIL_FROM`.
    pub email_from: Option<String>,
    /// `INCIDENT_EMAIL_SMTP_TLS`.
    pub starttls: Option<bool>,
}

impl NotifyOverrides {
    /// `settings` with the overrides applied.
    pub fn apply(&self, settings: &Settings) -> Settings {
        let mut s = settings.clone();
        if let Some(v) = &self.slack_token {
            s.slack.token = v.clone();
            s.targets.slack = true;
        }
        if let Some(v) = &self.slack_channel {
            s.slack.channel = v.clone();
            if !s.slack.channels.contains(v) {
                s.slack.channels.push(v.clone());
            }
        }
        if let Some(v) = &self.slack_api_url {
            s.slack.api_base_url = v.clone();
        }
        if let Some(v) = &self.email_recipients {
            s.email.recipients = v.clone();
            s.targets.email = true;
        }
        let e = &mut s.email;
        if let Some(v) = &self.smtp_host {
            e.smtp_host = v.clone();
        }
        if let Some(v) = self.smtp_port {
            e.smtp_port = v;
        }
        if let Some(v) = &self.smtp_user {
            e.smtp_user = v.clone();
        }
        if let Some(v) = &self.smtp_password {
            e.smtp_password = v.clone();
        }
        if let Some(v) = &self.email_from {
            e.from = v.clone();
        }
        if let Some(v) = self.starttls {
            e.starttls = v;
        }
        s
    }

    /// What to save of `edited`: overridden fields keep their value from `saved`, so no token
    /// or password from the environment ever reaches the settings file.
    pub fn unapply(&self, edited: &Settings, saved: &Settings) -> Settings {
        let mut s = edited.clone();
        if self.slack_token.is_some() {
            s.slack.token = saved.slack.token.clone();
            s.targets.slack = saved.targets.slack;
        }
        if let Some(v) = &self.slack_channel {
            s.slack.channel = saved.slack.channel.clone();
            if !saved.slack.channels.contains(v) {
                s.slack.channels.retain(|c| c != v);
            }
        }
        if self.slack_api_url.is_some() {
            s.slack.api_base_url = saved.slack.api_base_url.clone();
        }
        if self.email_recipients.is_some() {
            s.email.recipients = saved.email.recipients.clone();
            s.targets.email = saved.targets.email;
        }
        let (e, old) = (&mut s.email, &saved.email);
        if self.smtp_host.is_some() {
            e.smtp_host = old.smtp_host.clone();
        }
        if self.smtp_port.is_some() {
            e.smtp_port = old.smtp_port;
        }
        if self.smtp_user.is_some() {
            e.smtp_user = old.smtp_user.clone();
        }
        if self.smtp_password.is_some() {
            e.smtp_password = old.smtp_password.clone();
        }
        if self.email_from.is_some() {
            e.from = old.from.clone();
        }
        if self.starttls.is_some() {
            e.starttls = old.starttls;
        }
        s
    }

    /// The names of the variables in force (never their values).
    pub fn names(&self) -> Vec<&'static str> {
        let pairs: [(&'static str, bool); 10] = [
            ("INCIDENT_SLACK_TOKEN", self.slack_token.is_some()),
            ("INCIDENT_SLACK_CHANNEL", self.slack_channel.is_some()),
            ("INCIDENT_SLACK_API_URL", self.slack_api_url.is_some()),
            ("INCIDENT_EMAIL_RECIPIENTS", self.email_recipients.is_some()),
            ("INCIDENT_EMAIL_SMTP_HOST", self.smtp_host.is_some()),
            ("INCIDENT_EMAIL_SMTP_PORT", self.smtp_port.is_some()),
            ("INCIDENT_EMAIL_SMTP_USER", self.smtp_user.is_some()),
            ("INCIDENT_EMAIL_SMTP_PASSWORD", self.smtp_password.is_some()),
            ("INCIDENT_EMAIL_FROM", self.email_from.is_some()),
            ("INCIDENT_EMAIL_SMTP_TLS", self.starttls.is_some()),
        ];
        set_names(&pairs)
    }
}

/// The names of the `(variable, set)` pairs that are set, in order (each override type's
/// `names`).
pub(crate) fn set_names(pairs: &[(&'static str, bool)]) -> Vec<&'static str> {
    pairs
        .iter()
        .filter(|(_, set)| *set)
        .map(|(n, _)| *n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_are_checked_in_words() {
        assert!(check_channel("#ops").is_ok());
        assert!(check_channel("#sre-oncall_2").is_ok());
        assert!(check_channel("C0123ABCD").is_ok());
        let err = check_channel("#Ops Team").unwrap_err();
        assert!(err.contains("lower-case"), "{err}");
        assert!(check_channel("#").is_err());
        assert!(check_channel("ops").is_err());
        assert!(check_channel(&format!("#{}", "a".repeat(81))).is_err());
    }

    #[test]
    fn addresses_are_checked_and_deduplicated_ignoring_case() {
        assert!(check_address("oncall@example.com").is_ok());
        assert!(check_address("김철수@회사.한국").is_ok());
        for bad in [
            "",
            "a b@x.com",
            "nobody",
            "@x.com",
            "a@x",
            "a@-x.com",
            "a<b@x.com",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
        let mut e = EmailSettings::default();
        e.add_recipient(" Ops@Example.com ").unwrap();
        let err = e.add_recipient("ops@example.COM").unwrap_err();
        assert!(err.contains("already"), "{err}");
        assert_eq!(e.recipients, vec!["Ops@Example.com"]);
        assert_eq!(
            parse_recipients("a@x.com, B@x.com;a@X.com").unwrap(),
            vec!["a@x.com", "B@x.com"]
        );
        assert!(parse_recipients("a@x.com, broken").is_err());
    }

    #[test]
    fn email_says_why_it_is_off() {
        let mut e = EmailSettings::default();
        assert_eq!(e.unusable().as_deref(), Some("no SMTP host is set"));
        e.smtp_host = "mail".into();
        assert_eq!(e.unusable().as_deref(), Some("no recipient is listed"));
        e.recipients.push("a@x.com".into());
        assert!(e.unusable().unwrap().contains("no sender"));
        e.smtp_user = "bot@x.com".into();
        assert_eq!(e.unusable(), None);
        assert_eq!(e.sender(), "bot@x.com");
        e.from = "알림 <bad".into();
        assert!(e.unusable().unwrap().contains("sender"));
    }

    #[test]
    fn environment_overrides_stay_out_of_the_saved_file() {
        let saved = Settings::default();
        let o = NotifyOverrides {
            slack_token: Some(Secret::new("xoxb-env")),
            slack_channel: Some("#env-chan".into()),
            email_recipients: Some(vec!["a@x.com".into()]),
            smtp_password: Some(Secret::new("pw")),
            ..Default::default()
        };
        let applied = o.apply(&saved);
        assert_eq!(applied.slack.token.expose(), "xoxb-env");
        assert_eq!(applied.slack.channel, "#env-chan");
        assert!(applied.targets.email && applied.targets.slack);
        let mut edited = applied.clone();
        edited.email.smtp_host = "typed.example.com".into();
        let to_save = o.unapply(&edited, &saved);
        assert!(to_save.slack.token.is_empty());
        assert!(to_save.email.smtp_password.is_empty());
        assert_eq!(to_save.slack.channels, saved.slack.channels);
        assert_eq!(to_save.slack.channel, saved.slack.channel);
        assert!(to_save.email.recipients.is_empty());
        assert!(!to_save.targets.email);
        assert_eq!(to_save.email.smtp_host, "typed.example.com");
        assert_eq!(o.names().len(), 4);
    }
}
