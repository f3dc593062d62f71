//! Notification settings (Slack, email, where automatic reports go) and their rules: channel
//! names, addresses, the recipient list, and the environment's overrides for one run.

use serde::{Deserialize, Serialize};

use super::Secret;

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
}
