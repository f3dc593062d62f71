//! The tray icon of the window's run: its colour and tooltip say the worst firing severity and
//! how many fire (Alertmanager alerts firing, and rules in breach with an active incident);
//! its menu opens the window, mutes sounds and repeats for an hour, or quits. On Linux and the
//! BSDs it is a StatusNotifierItem (ksni, over D-Bus, no GTK); on Windows an icon in the
//! notification area (tray-icon); on macOS there is none yet and closing the window quits.
//!
//! The tray reads the engine's published state when poked (the engine's repaint hook pokes
//! it), sends [`Command`]s, and drives the window only through the two closures it is given,
//! so it runs, and is tested, without one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};

use parking_lot::Mutex;
use tokio::sync::mpsc;

use crate::engine::{Board, Command, ConsoleState};
use crate::model::{AlertStatus, TrayFault, TrayStatus, Worst};

/// Minutes the tray's "Mute" silences sounds and repeats for.
pub const TRAY_MUTE_MINS: u32 = 60;

/// The icon's colour for the worst severity firing, RGB.
pub fn rgb(worst: Worst) -> [u8; 3] {
    match worst {
        Worst::Quiet => [0x2e, 0x7d, 0x32],
        Worst::Other => [0x19, 0x76, 0xd2],
        Worst::Warning => [0xef, 0x6c, 0x00],
        Worst::Critical => [0xc6, 0x28, 0x28],
    }
}

/// What the tray shows for the engine's published board at `now`.
pub fn status(board: &Board, now: DateTime<Utc>) -> TrayStatus {
    let mut firing = 0;
    let mut worst = Worst::Quiet;
    for alert in board.alerts.iter() {
        if alert.status == AlertStatus::Firing {
            firing += 1;
            worst = worst.max(Worst::of(alert.severity()));
        }
    }
    for inc in board.incidents.iter() {
        if !inc.status.is_active() || inc.alerts.is_some() {
            continue;
        }
        let Some(rule) = inc.trigger.rule.as_ref() else {
            continue;
        };
        if !board.rules.iter().any(|r| &r.id == rule) {
            continue;
        }
        let severity = (board.rules.iter().find(|r| &r.id == rule)).map(|r| r.severity);
        firing += 1;
        worst = worst.max(match severity {
            Some(crate::model::Severity::Critical) => Worst::Critical,
            Some(crate::model::Severity::Warning) => Worst::Warning,
            _ => Worst::Other,
        });
    }
    TrayStatus {
        firing,
        worst,
        muted_until: (board.settings.desktop.muted_until).filter(|&t| t > now),
        lang: board.settings.language,
    }
}

/// A round icon `size` pixels wide in `rgb`, as StatusNotifierItem wants it: ARGB32, network
/// byte order, row by row; its edge anti-aliased.
pub fn disc_argb(size: usize, rgb: [u8; 3]) -> Vec<u8> {
    let mut out = Vec::with_capacity(size * size * 4);
    let r = size as f32 / 2.0;
    for y in 0..size {
        for x in 0..size {
            let dx = x as f32 + 0.5 - r;
            let dy = y as f32 + 0.5 - r;
            let d = (dx * dx + dy * dy).sqrt();
            let alpha = (r - 0.5 - d + 0.5).clamp(0.0, 1.0);
            // A white ring inside the disc keeps it readable on a panel of the same colour.
            let ring = (d - r * 0.62).abs() < r * 0.09;
            let [cr, cg, cb] = if ring { [0xff, 0xff, 0xff] } else { rgb };
            out.extend([(alpha * 255.0).round() as u8, cr, cg, cb]);
        }
    }
    out
}

/// What the tray does to the window: bring it up, or close it for good.
pub struct WindowControl {
    /// Show the window (from the tray or hidden) and focus it.
    pub open: Box<dyn Fn() + Send + Sync>,
    /// Quit: close the window and stop the engine.
    pub quit: Box<dyn Fn() + Send + Sync>,
}

/// A running tray; it goes away when this is dropped.
pub struct Tray {
    /// Wakes the tray's thread to read the board again.
    poke: Arc<dyn Fn() + Send + Sync>,
    /// Ends the tray's thread (where dropping the last poke does not).
    stop: Option<Box<dyn FnOnce() + Send + Sync>>,
    /// Whether the icon is on a panel now: a tray started before the panel's host (at login)
    /// waits for it, and one whose panel went waits for the next.
    shown: Arc<AtomicBool>,
}

impl Tray {
    /// Whether the icon is on a panel now (so a hidden window can be found again).
    pub fn shown(&self) -> bool {
        self.shown.load(Ordering::SeqCst)
    }

    /// Says the engine published something: the tray looks at the state again.
    pub fn poke(&self) {
        (self.poke)();
    }

    /// A poke for the engine's repaint hook (it is called from the engine's thread).
    pub fn poker(&self) -> impl Fn() + Send + Sync + 'static {
        let poke = self.poke.clone();
        move || poke()
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop();
        }
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod sni;
#[cfg(windows)]
mod win;

/// Why there is no tray: the kind, and what the OS said (empty when it said nothing).
pub type Unavailable = (TrayFault, String);

/// Starts the tray on the session bus, or says in words why there is none (no session bus).
/// With no tray host yet (the StatusNotifierWatcher is not running) it starts all the same and
/// shows when one comes, telling the engine with [`Command::TrayHost`]. `state` is the
/// engine's.
pub fn spawn(
    state: Arc<Mutex<ConsoleState>>,
    commands: mpsc::Sender<Command>,
    window: WindowControl,
) -> Result<Tray, Unavailable> {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        sni::spawn(state, commands, window)
    }
    #[cfg(windows)]
    {
        win::spawn(state, commands, window)
    }
    #[cfg(target_os = "macos")]
    {
        let _ = (state, commands, window);
        Err((TrayFault::Unsupported, String::new()))
    }
}

#[cfg(test)]
mod tests;
