//! The tray as a StatusNotifierItem (ksni): registered with the session's
//! StatusNotifierWatcher (the panel's tray host), its icon a disc in the worst severity's
//! colour, its tooltip the count, its menu Open, Mute for 1 h (Sound on while muted), Quit.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::{TRAY_MUTE_MINS, Tray, WindowControl, disc_argb, rgb, status};
use crate::engine::{Command, ConsoleState};
use crate::model::{TrayFault, TrayStatus, Worst};

/// The item's state: what it shows, and where its menu's choices go.
struct Item {
    shown: TrayStatus,
    commands: mpsc::Sender<Command>,
    window: Arc<WindowControl>,
    /// Whether a host shows it now (the watcher is there).
    hosted: Arc<AtomicBool>,
}

impl Item {
    fn hosted(&self, shown: bool) {
        self.hosted.store(shown, Ordering::SeqCst);
        let _ = self.commands.try_send(Command::TrayHost { shown });
    }
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        "incident-console".into()
    }

    fn title(&self) -> String {
        crate::text::tray::title(self.shown.lang).into()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::SystemServices
    }

    fn status(&self) -> ksni::Status {
        if self.shown.worst >= Worst::Warning {
            ksni::Status::NeedsAttention
        } else {
            ksni::Status::Active
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        let rgb = rgb(self.shown.worst);
        [22, 32, 48]
            .into_iter()
            .map(|size| ksni::Icon {
                width: size as i32,
                height: size as i32,
                data: disc_argb(size, rgb),
            })
            .collect()
    }

    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.icon_pixmap()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: crate::text::tray::title(self.shown.lang).into(),
            description: crate::text::tray::tooltip(&self.shown),
            icon_name: String::new(),
            icon_pixmap: Vec::new(),
        }
    }

    fn watcher_online(&self) {
        self.hosted(true);
    }

    fn watcher_offline(&self, _reason: ksni::OfflineReason) -> bool {
        // Keep the item: the host may start later (the console started at login before
        // the panel), or come back (the panel restarted).
        self.hosted(false);
        true
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        (self.window.open)();
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use crate::text::tray::{MenuLabel, menu_label};
        use ksni::menu::StandardItem;
        let lang = self.shown.lang;
        let muted = self.shown.muted_until.is_some();
        vec![
            StandardItem {
                label: menu_label(MenuLabel::Open, lang),
                activate: Box::new(|item: &mut Self| (item.window.open)()),
                ..Default::default()
            }
            .into(),
            StandardItem {
                label: menu_label(
                    if muted {
                        MenuLabel::SoundOn
                    } else {
                        MenuLabel::Mute(TRAY_MUTE_MINS)
                    },
                    lang,
                ),
                activate: Box::new(move |item: &mut Self| {
                    let mins = if muted { 0 } else { TRAY_MUTE_MINS };
                    let _ = item.commands.try_send(Command::Mute { mins });
                }),
                ..Default::default()
            }
            .into(),
            ksni::MenuItem::Separator,
            StandardItem {
                label: menu_label(MenuLabel::Quit, lang),
                activate: Box::new(|item: &mut Self| (item.window.quit)()),
                ..Default::default()
            }
            .into(),
        ]
    }
}

/// Registers the item and starts the thread that follows the state.
pub(super) fn spawn(
    state: Arc<Mutex<ConsoleState>>,
    commands: mpsc::Sender<Command>,
    window: WindowControl,
) -> Result<Tray, super::Unavailable> {
    use ksni::TrayMethods;
    let first = status(&state.lock().board, chrono::Utc::now());
    // Shown until the watcher is found missing (ksni says so while it registers).
    let hosted = Arc::new(AtomicBool::new(true));
    let item = Item {
        shown: first.clone(),
        commands: commands.clone(),
        window: Arc::new(window),
        hosted: hosted.clone(),
    };
    let started = item.assume_sni_available(true).spawn();
    let handle = zbus::block_on(started).map_err(|e| match e {
        ksni::Error::Dbus(e) => (TrayFault::NoSessionBus, e.to_string()),
        e => (TrayFault::Refused, e.to_string()),
    })?;
    let (poke, pokes) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("tray".into())
        .spawn(move || {
            let mut shown = first;
            // Each poke is one published turn; a burst is read once.
            while pokes.recv().is_ok() {
                while pokes.try_recv().is_ok() {}
                let now = status(&state.lock().board, chrono::Utc::now());
                if now != shown {
                    shown = now.clone();
                    if zbus::block_on(handle.update(|item| item.shown = now)).is_none() {
                        break;
                    }
                }
            }
            zbus::block_on(handle.shutdown());
        })
        .map_err(|e| (TrayFault::Refused, e.to_string()))?;
    if hosted.load(Ordering::SeqCst) {
        let _ = commands.try_send(Command::TrayHost { shown: true });
    }
    let poke = Mutex::new(poke);
    Ok(Tray {
        poke: Arc::new(move || {
            let _ = poke.lock().send(());
        }),
        stop: None,
        shown: hosted,
    })
}
