//! The OS's notifications: the freedesktop notification service over the session D-Bus on
//! Linux and BSD, the notification centre on macOS and Windows (notify-rust). Blocking: call it
//! off the engine's thread.

/// Shows one notification. `critical` asks the service to keep it until the user closes it.
/// The error says in words that no service answered, and why.
pub fn show(title: &str, body: &str, critical: bool) -> Result<(), String> {
    let mut n = notify_rust::Notification::new();
    n.appname("Incident Response Console")
        .summary(title)
        .body(body);
    #[cfg(all(unix, not(target_os = "macos")))]
    n.urgency(if critical {
        notify_rust::Urgency::Critical
    } else {
        notify_rust::Urgency::Normal
    });
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    let _ = critical;
    n.show().map(|_| ()).map_err(|e| {
        if cfg!(windows) {
            format!("Windows did not show the notification ({e})")
        } else {
            format!("no notification service answered ({e})")
        }
    })
}
