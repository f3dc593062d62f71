//! The tray icon against a real D-Bus session bus (`dbus-daemon`, private to the test) with a
//! StatusNotifierWatcher on it, as a panel's tray host would run: started before the host (a
//! login where the console is quicker than the panel), the item waits and registers when the
//! host comes; its tooltip follows the firing count, Activate opens the window, and the menu's
//! "Mute for 1 h" reaches the engine and is saved. No panel of Debian's runs without a desktop session, so the
//! watcher is the test's own (zbus, the library the item speaks through); the item, the bus and
//! the engine are the real ones.
//!
//! One test in this binary: it points the process's `DBUS_SESSION_BUS_ADDRESS` at its own bus.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use zbus::zvariant::{OwnedValue, Value};

use incident_console::engine::EngineConfig;
use incident_console::model::{FeedEvent, Secret, Settings};
use incident_console::store::Store;

/// The watcher: who registered.
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    async fn register_status_notifier_item(
        &self,
        service: &str,
        #[zbus(header)] header: zbus::message::Header<'_>,
    ) {
        // A well-known name, or (without one) the path at the sender's unique name.
        let name = if service.starts_with('/') {
            header.sender().map(|s| s.to_string()).unwrap_or_default()
        } else {
            service.to_string()
        };
        self.items.lock().push(name);
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().clone()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// Calls `method` on the item's `interface` at `path`; the reply's body.
fn call<B>(
    conn: &zbus::Connection,
    item: &str,
    path: &str,
    iface: &str,
    method: &str,
    body: &B,
) -> zbus::message::Body
where
    B: serde::Serialize + zbus::zvariant::DynamicType,
{
    zbus::block_on(conn.call_method(Some(item), path, Some(iface), method, body))
        .unwrap_or_else(|e| panic!("{iface}.{method}: {e}"))
        .body()
}

/// The item's tooltip: (title, description).
fn tooltip(conn: &zbus::Connection, item: &str) -> (String, String) {
    let body = call(
        conn,
        item,
        "/StatusNotifierItem",
        "org.freedesktop.DBus.Properties",
        "Get",
        &("org.kde.StatusNotifierItem", "ToolTip"),
    );
    let value: OwnedValue = body.deserialize().unwrap();
    /// StatusNotifierItem's `(sa(iiay)ss)`: icon name, pixmaps, title, description.
    type ToolTip = (String, Vec<(i32, i32, Vec<u8>)>, String, String);
    let (_, _, title, description): ToolTip = value.try_into().unwrap();
    (title, description)
}

/// The menu's entries: (id, label).
fn menu(conn: &zbus::Connection, item: &str) -> Vec<(i32, String)> {
    let props: Vec<&str> = vec!["label"];
    let body = call(
        conn,
        item,
        "/MenuBar",
        "com.canonical.dbusmenu",
        "GetLayout",
        &(0i32, -1i32, props),
    );
    type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
    let (_, (_, _, children)): (u32, Node) = body.deserialize().unwrap();
    children
        .into_iter()
        .filter_map(|child| {
            let (id, props, _): Node = child.try_into().ok()?;
            let label = String::try_from(props.get("label")?.try_clone().ok()?).ok()?;
            Some((id, label))
        })
        .collect()
}

/// Waits until `cond` holds, for at most 20 s; `what` names it in the failure.
fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn the_tray_registers_follows_the_firing_count_and_mutes() {
    if !common::installed("dbus-daemon", "dbus-daemon") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (_dbus, bus) = common::desktop::session_bus(tmp.path());
    // SAFETY: the only test of this binary, before any thread of ours reads the environment.
    unsafe { std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus) };
    // A console taking webhooks, with its tray.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::new(dir.path());
    let mut settings = Settings::default();
    settings.intake.enabled = true;
    settings.intake.addr = "127.0.0.1:0".into();
    settings.intake.token = Secret::new("k");
    store.save_settings(&settings).unwrap();
    // The window's run (it alone writes the login entry), with its config dir in the test's.
    let config_home = tmp.path().join("config");
    // SAFETY: as above.
    unsafe { std::env::set_var("XDG_CONFIG_HOME", &config_home) };
    let handle = common::spawn_engine(EngineConfig {
        desktop_notifications: true,
        ..common::quiet(store)
    });
    let port = common::receiver_port(&handle.state);
    let opened = Arc::new(AtomicBool::new(false));
    let quit = Arc::new(AtomicBool::new(false));
    let (o, q) = (opened.clone(), quit.clone());
    let control = incident_console::tray::WindowControl {
        open: Box::new(move || o.store(true, Ordering::SeqCst)),
        quit: Box::new(move || q.store(true, Ordering::SeqCst)),
    };
    let tray = incident_console::tray::spawn(handle.state.clone(), handle.sender(), control)
        .expect("the tray starts");
    let poke = tray.poker();
    handle.set_repaint(move |_| poke());
    // No host yet: the tray waits, said in the feed; closing the window would quit.
    assert!(!tray.shown());
    common::wait_for(&handle.state, "no tray host yet, said", |st| {
        (st.feed.iter()).any(|e| e.event == FeedEvent::TrayHost { shown: false })
    });

    // The panel starts: the item registers with it.
    let items = Arc::new(Mutex::new(Vec::new()));
    let watcher = Watcher {
        items: items.clone(),
    };
    let host = zbus::block_on(async {
        zbus::connection::Builder::session()?
            .name("org.kde.StatusNotifierWatcher")?
            .serve_at("/StatusNotifierWatcher", watcher)?
            .build()
            .await
    })
    .expect("the watcher is on the bus");
    until("the item's registration", || !items.lock().is_empty());
    until("the tray shown", || tray.shown());
    common::wait_for(&handle.state, "the tray host came, said", |st| {
        (st.feed.iter()).any(|e| e.event == FeedEvent::TrayHost { shown: true })
    });
    let item = items.lock()[0].clone();
    assert!(item.starts_with("org.kde.StatusNotifierItem-"), "{item}");
    assert_eq!(
        tooltip(&host, &item),
        ("Incident Response Console".into(), "Nothing firing".into())
    );

    // Two criticals and a warning fire: the tooltip says so.
    for (fp, name, severity) in [
        ("c1", "DiskFull", "critical"),
        ("c2", "NodeDown", "critical"),
        ("w1", "QueueSlow", "warning"),
    ] {
        common::post_webhook(port, "k", fp, name, severity);
    }
    until("the tooltip to follow", || {
        tooltip(&host, &item).1 == "3 firing, worst critical"
    });

    // A click on the icon opens the window; the menu's Mute reaches the engine.
    call(
        &host,
        &item,
        "/StatusNotifierItem",
        "org.kde.StatusNotifierItem",
        "Activate",
        &(0i32, 0i32),
    );
    until("the window opened", || opened.load(Ordering::SeqCst));
    let entries = menu(&host, &item);
    let labels: Vec<&str> = entries.iter().map(|(_, l)| l.as_str()).collect();
    // (The separator has no label.)
    assert_eq!(
        labels,
        ["Open the console", "Mute for 1 h", "Quit"],
        "{entries:?}"
    );
    let mute = entries[1].0;
    let at = 0u32;
    call(
        &host,
        &item,
        "/MenuBar",
        "com.canonical.dbusmenu",
        "Event",
        &(mute, "clicked", Value::I32(0), at),
    );
    common::wait_for(&handle.state, "muted for an hour", |st| {
        st.board.settings.desktop.muted_until.is_some_and(|t| {
            let left = t - chrono::Utc::now();
            left > chrono::Duration::minutes(59) && left <= chrono::Duration::minutes(60)
        })
    });
    // Saved: a restart within the hour stays quiet.
    let saved = Store::new(dir.path()).peek_settings().unwrap();
    assert!(saved.desktop.muted_until.is_some());
    until("the tooltip to say muted", || {
        tooltip(&host, &item).1.contains("muted until")
    });
    until("the menu to offer sound again", || {
        menu(&host, &item)[1].1 == "Sound on"
    });
    assert!(!quit.load(Ordering::SeqCst));
    drop(tray);

    // Start at login, in the tray: an XDG autostart entry running this program minimised;
    // turned off, it is removed.
    let entry = config_home
        .join("autostart")
        .join("incident-console.desktop");
    let mut s = handle.snapshot().board.settings;
    s.desktop.start_at_login = true;
    s.desktop.start_minimised = true;
    assert!(
        handle.send(incident_console::engine::Command::SaveSettings(Box::new(
            s.clone()
        )))
    );
    common::wait_for(&handle.state, "the login entry said", |st| {
        st.board.settings.desktop.start_at_login && entry.exists()
    });
    let text = std::fs::read_to_string(&entry).unwrap();
    let exe = std::env::current_exe().unwrap();
    // The login's run uses this run's data dir (not the default one).
    let exec = format!(
        "\nExec=\"{}\" --minimised --data-dir \"{}\"\n",
        exe.display(),
        dir.path().display()
    );
    assert!(text.contains(&exec), "{text}");
    s.desktop.start_at_login = false;
    assert!(handle.send(incident_console::engine::Command::SaveSettings(Box::new(s))));
    common::wait_for(&handle.state, "the login entry removed", |st| {
        !st.board.settings.desktop.start_at_login && !entry.exists()
    });
}
