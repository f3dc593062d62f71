//! The tray in Windows' notification area (tray-icon, which speaks `Shell_NotifyIcon` and adds
//! the icon again when Explorer starts after us or restarts): a disc in the worst severity's
//! colour, the count as its tooltip, a left click opening the window, and a right-click menu
//! Open / Mute for 1 h (Sound on while muted) / Quit.
//!
//! The icon lives on a thread of its own, because a notification-area icon belongs to a
//! hidden window and is driven by the message loop of the thread that made it: this thread
//! runs that loop, and a poke is a thread message that makes it read the board again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use parking_lot::Mutex;
use tokio::sync::mpsc;
use tray_icon::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tray_icon::{Icon, MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use windows_sys::Win32::System::Threading::GetCurrentThreadId;
use windows_sys::Win32::UI::WindowsAndMessaging::{
    DispatchMessageW, GetMessageW, MSG, PM_NOREMOVE, PeekMessageW, PostThreadMessageW,
    TranslateMessage, WM_APP, WM_QUIT, WM_USER,
};

use super::{TRAY_MUTE_MINS, Tray, WindowControl, disc_argb, rgb, status};
use crate::engine::{Command, ConsoleState};
use crate::model::{TrayFault, TrayStatus};
use crate::text::tray::{MenuLabel, menu_label};

/// The thread message a poke posts: read the board again.
const WM_POKE: u32 = WM_APP + 1;

/// The menu's entries' ids.
const OPEN: &str = "open";
const MUTE: &str = "mute";
const QUIT: &str = "quit";

/// The icon's pixels for `status`: RGBA, 32 pixels square (Windows scales it).
fn icon(status: &TrayStatus) -> Option<Icon> {
    let argb = disc_argb(32, rgb(status.worst));
    let rgba = (argb.chunks_exact(4))
        .flat_map(|p| [p[1], p[2], p[3], p[0]])
        .collect();
    Icon::from_rgba(rgba, 32, 32).ok()
}

/// The tooltip: the title, then the count (one string on Windows).
fn tooltip(status: &TrayStatus) -> String {
    let title = crate::text::tray::title(status.lang);
    format!("{title}\n{}", crate::text::tray::tooltip(status))
}

/// The mute entry's words for `status`.
fn mute_label(status: &TrayStatus) -> String {
    let label = match status.muted_until {
        Some(_) => MenuLabel::SoundOn,
        None => MenuLabel::Mute(TRAY_MUTE_MINS),
    };
    menu_label(label, status.lang)
}

/// The icon and the menu entries whose words change.
struct Shown {
    icon: TrayIcon,
    open: MenuItem,
    mute: MenuItem,
    quit: MenuItem,
    status: TrayStatus,
}

impl Shown {
    fn new(status: TrayStatus) -> Result<Self, String> {
        let lang = status.lang;
        let open = MenuItem::with_id(OPEN, menu_label(MenuLabel::Open, lang), true, None);
        let mute = MenuItem::with_id(MUTE, mute_label(&status), true, None);
        let quit = MenuItem::with_id(QUIT, menu_label(MenuLabel::Quit, lang), true, None);
        let menu = Menu::new();
        (menu.append_items(&[&open, &mute, &PredefinedMenuItem::separator(), &quit]))
            .map_err(|e| e.to_string())?;
        let mut builder = TrayIconBuilder::new()
            .with_id("incident-console")
            .with_menu(Box::new(menu))
            .with_menu_on_left_click(false)
            .with_tooltip(tooltip(&status));
        if let Some(icon) = icon(&status) {
            builder = builder.with_icon(icon);
        }
        let icon = (builder.build()).map_err(|e| e.to_string())?;
        Ok(Shown {
            icon,
            open,
            mute,
            quit,
            status,
        })
    }

    /// Shows `now` if it differs from what is shown.
    fn show(&mut self, now: TrayStatus) {
        if now == self.status {
            return;
        }
        if now.worst != self.status.worst {
            let _ = self.icon.set_icon(icon(&now));
        }
        let _ = self.icon.set_tooltip(Some(tooltip(&now)));
        self.mute.set_text(mute_label(&now));
        if now.lang != self.status.lang {
            self.open.set_text(menu_label(MenuLabel::Open, now.lang));
            self.quit.set_text(menu_label(MenuLabel::Quit, now.lang));
        }
        self.status = now;
    }
}

/// Clicks and menu choices go to the window and the engine. They arrive on the tray's thread,
/// from its message loop.
fn answer(
    state: Arc<Mutex<ConsoleState>>,
    commands: mpsc::Sender<Command>,
    window: Arc<WindowControl>,
) {
    let open = window.clone();
    TrayIconEvent::set_event_handler(Some(move |event: TrayIconEvent| match event {
        TrayIconEvent::Click {
            button: MouseButton::Left,
            button_state: MouseButtonState::Up,
            ..
        }
        | TrayIconEvent::DoubleClick { .. } => (open.open)(),
        _ => {}
    }));
    MenuEvent::set_event_handler(Some(move |event: MenuEvent| match event.id.as_ref() {
        OPEN => (window.open)(),
        MUTE => {
            let muted = status(&state.lock().board, chrono::Utc::now()).muted_until;
            let mins = if muted.is_some() { 0 } else { TRAY_MUTE_MINS };
            let _ = commands.try_send(Command::Mute { mins });
        }
        QUIT => (window.quit)(),
        _ => {}
    }));
}

/// Starts the tray's thread and waits until its icon is made (or could not be).
pub(super) fn spawn(
    state: Arc<Mutex<ConsoleState>>,
    commands: mpsc::Sender<Command>,
    window: WindowControl,
) -> Result<Tray, super::Unavailable> {
    let (ready, made) = std::sync::mpsc::channel::<Result<u32, String>>();
    let shown_flag = Arc::new(AtomicBool::new(false));
    let flag = shown_flag.clone();
    std::thread::Builder::new()
        .name("tray".into())
        .spawn(move || {
            // SAFETY: no arguments; the id of the calling thread.
            let thread = unsafe { GetCurrentThreadId() };
            let mut msg: MSG = unsafe { std::mem::zeroed() };
            // SAFETY: `msg` is a valid MSG to write into. Peeking makes the thread's message
            // queue, so a poke posted before the loop starts is kept.
            unsafe {
                PeekMessageW(
                    &mut msg,
                    std::ptr::null_mut(),
                    WM_USER,
                    WM_USER,
                    PM_NOREMOVE,
                )
            };
            let first = status(&state.lock().board, chrono::Utc::now());
            let mut shown = match Shown::new(first) {
                Ok(shown) => shown,
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return;
                }
            };
            answer(state.clone(), commands.clone(), Arc::new(window));
            // Explorer's notification area is always there (new icons may sit in its
            // overflow, which is still one click away); tray-icon adds the icon again when
            // Explorer starts after us or restarts.
            flag.store(true, Ordering::SeqCst);
            let _ = commands.try_send(Command::TrayHost { shown: true });
            let _ = ready.send(Ok(thread));
            // SAFETY: `msg` is a valid MSG; the loop ends on WM_QUIT (0) or an error (-1).
            while unsafe { GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) } > 0 {
                if msg.hwnd.is_null() && msg.message == WM_POKE {
                    shown.show(status(&state.lock().board, chrono::Utc::now()));
                    continue;
                }
                // SAFETY: a message this thread's loop got, for its own windows.
                unsafe {
                    TranslateMessage(&msg);
                    DispatchMessageW(&msg);
                }
            }
            drop(shown);
        })
        .map_err(|e| (TrayFault::Refused, e.to_string()))?;
    // The thread ended without a word only if it panicked.
    let thread = (made.recv())
        .map_err(|_| (TrayFault::Refused, String::new()))?
        .map_err(|e| (TrayFault::Refused, e))?;
    // SAFETY: posting to a thread id is safe; a thread that has ended makes it fail, harmlessly.
    let poke = move || unsafe {
        PostThreadMessageW(thread, WM_POKE, 0, 0);
    };
    let stop = move || unsafe {
        PostThreadMessageW(thread, WM_QUIT, 0, 0);
    };
    Ok(Tray {
        poke: Arc::new(poke),
        stop: Some(Box::new(stop)),
        shown: shown_flag,
    })
}
