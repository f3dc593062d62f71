//! The freedesktop notification service (`org.freedesktop.Notifications` on the session bus),
//! spoken over one connection of our own (zbus). One connection matters: a service may send
//! `ActionInvoked` only to the connection that sent the notification (dunst does), so a repeat
//! that replaces a notification must come from the same connection as the wait for its answer.

use std::collections::HashMap;

use futures_util::StreamExt;
use zbus::zvariant::Value;

use super::desktop::{Answer, Toast, escape_markup};

#[zbus::proxy(
    interface = "org.freedesktop.Notifications",
    default_service = "org.freedesktop.Notifications",
    default_path = "/org/freedesktop/Notifications"
)]
trait Notifications {
    /// Shows a notification (or replaces `replaces_id`); its id.
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: &str,
        replaces_id: u32,
        app_icon: &str,
        summary: &str,
        body: &str,
        actions: &[&str],
        hints: HashMap<&str, Value<'_>>,
        expire_timeout: i32,
    ) -> zbus::Result<u32>;

    /// What the service can do (`actions`, `body-markup`, `sound`, …).
    fn get_capabilities(&self) -> zbus::Result<Vec<String>>;

    /// The person pressed an action (or the notification itself: `default`).
    #[zbus(signal)]
    fn action_invoked(&self, id: u32, action_key: String) -> zbus::Result<()>;

    /// The notification went away (expired, dismissed, closed by a call).
    #[zbus(signal)]
    fn notification_closed(&self, id: u32, reason: u32) -> zbus::Result<()>;
}

/// One notification's fate, by its id.
#[derive(Debug, PartialEq, Eq)]
pub struct Heard {
    /// The notification's id, as [`Session::show`] returned it.
    pub id: u32,
    /// What happened to it.
    pub answer: Answer,
}

/// A connection to the service, with its capabilities read once and both signals subscribed.
pub struct Session {
    proxy: NotificationsProxy<'static>,
    caps: Vec<String>,
    actions: ActionInvokedStream,
    closed: NotificationClosedStream,
}

/// Why nothing answered: no service, with what the bus said.
fn unavailable(e: zbus::Error) -> super::desktop::Unshown {
    (crate::model::DesktopFault::NoService, e.to_string())
}

impl Session {
    /// Connects to the session bus and the service on it.
    pub async fn connect() -> Result<Session, super::desktop::Unshown> {
        let conn = zbus::Connection::session().await.map_err(unavailable)?;
        let proxy = NotificationsProxy::new(&conn).await.map_err(unavailable)?;
        let actions = proxy.receive_action_invoked().await.map_err(unavailable)?;
        let closed = proxy
            .receive_notification_closed()
            .await
            .map_err(unavailable)?;
        let caps = proxy.get_capabilities().await.map_err(unavailable)?;
        Ok(Session {
            proxy,
            caps,
            actions,
            closed,
        })
    }

    /// Whether the service offers actions (buttons), so an answer may come.
    pub fn has_actions(&self) -> bool {
        self.caps.iter().any(|c| c == "actions")
    }

    /// Shows `toast`; its id.
    pub async fn show(&self, toast: &Toast) -> Result<u32, super::desktop::Unshown> {
        let has = |cap: &str| self.caps.iter().any(|c| c == cap);
        // A service with body markup would read `<b>` in an alert's annotation as markup.
        let body = if has("body-markup") {
            escape_markup(&toast.body)
        } else {
            toast.body.clone()
        };
        let mut actions: Vec<&str> = Vec::new();
        if has("actions") {
            for (key, label) in &toast.actions {
                actions.extend([key.as_str(), label.as_str()]);
            }
        }
        let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
        hints.insert("urgency", Value::U8(if toast.critical { 2 } else { 1 }));
        match &toast.sound {
            Some(path) => {
                hints.insert("sound-file", Value::from(path.display().to_string()));
            }
            None => {
                hints.insert("suppress-sound", Value::Bool(true));
            }
        }
        let replaces = toast.replaces.unwrap_or(0);
        let sent = self.proxy.notify(
            "Incident Response Console",
            replaces,
            "dialog-warning",
            &toast.title,
            &body,
            &actions,
            hints,
            -1,
        );
        sent.await.map_err(unavailable)
    }

    /// The next answer to any notification this session showed; `None` once the bus is gone.
    pub async fn heard(&mut self) -> Option<Heard> {
        tokio::select! {
            Some(signal) = self.actions.next() => {
                let args = signal.args().ok()?;
                let answer = Answer::Action(args.action_key().clone());
                Some(Heard { id: *args.id(), answer })
            }
            Some(signal) = self.closed.next() => {
                let args = signal.args().ok()?;
                Some(Heard { id: *args.id(), answer: Answer::Closed })
            }
            else => None,
        }
    }
}
