//! A desktop notification, as the platforms take it: on Linux and the BSDs through
//! [`super::freedesktop`] (actions, a sound file the service plays, the person's answer), on
//! Windows and macOS through their notification centre (notify-rust: the system's reminder
//! sound, no answer).

use std::path::PathBuf;

/// One notification.
#[derive(Clone, Debug, Default)]
pub struct Toast {
    /// The headline (words already made, in the user's language).
    pub title: String,
    /// The body: plain text, capped by the caller.
    pub body: String,
    /// Asks the service to keep it until the user closes it.
    pub critical: bool,
    /// The WAV file the service plays; `None` asks it for silence.
    pub sound: Option<PathBuf>,
    /// Buttons: (action key, label). Empty: nothing to wait for.
    pub actions: Vec<(String, String)>,
    /// The id of an earlier notification this one replaces (a repeat), freedesktop only.
    pub replaces: Option<u32>,
}

/// What the person did with a notification that had actions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// They pressed this action (its key), or the notification itself (`"default"`).
    Action(String),
    /// It was closed without an action (dismissed, expired, or the service went away).
    Closed,
}

/// Shows `toast` through the platform's notification centre (Windows, macOS); its id (0: the
/// platform has none), or in words why it was not shown. Nothing answers there. Blocking.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub fn show(toast: &Toast) -> Result<u32, Unshown> {
    let mut n = notify_rust::Notification::new();
    n.appname("Incident Response Console")
        .summary(&toast.title)
        .body(&toast.body);
    if toast.sound.is_some() {
        n.sound_name(if toast.critical {
            "Reminder"
        } else {
            "Default"
        });
    }
    n.show()
        .map(|_| 0)
        .map_err(|e| (crate::model::DesktopFault::Refused, e.to_string()))
}

/// Why a notification was not shown: the kind, and what the OS said.
pub type Unshown = (crate::model::DesktopFault, String);

/// Text for a freedesktop body on a service with body markup: `&`, `<` and `>` as entities
/// (the spec's markup is a subset of XML).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_in_a_body_is_text() {
        assert_eq!(
            super::escape_markup("<b>disk</b> & <a href=x>"),
            "&lt;b&gt;disk&lt;/b&gt; &amp; &lt;a href=x&gt;"
        );
    }
}
