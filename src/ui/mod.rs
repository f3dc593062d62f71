//! The window: egui only. Each frame reads a snapshot of the engine's state and sends
//! [`Command`](crate::engine::Command)s; it never awaits and never does I/O itself.

mod ack;
mod acks;
mod actions;
mod ai_report;
mod alert_history;
mod alert_rows;
mod alerts;
mod app;
mod bulk_ack;
mod feed;
pub mod fonts;
mod framelog;
pub mod i18n;
mod incident;
mod incident_alerts;
mod incident_review;
mod incident_story;
mod incident_team;
mod knowledge;
mod metrics;
mod outbox;
mod pace;
mod reports;
mod settings;
mod state;
mod style;
mod widgets;

pub use app::ConsoleApp;

use crate::engine::{Engine, EngineConfig};

/// Where the window's size, position and panel layout are kept, in the data dir.
pub const WINDOW_FILE: &str = "window.ron";

/// Window title.
pub const WINDOW_TITLE: &str = "Incident Response Console";

/// Sets up a context the way the window draws: the Hangul font, and the style choices that
/// keep a frame cheap where there is no GPU and every pixel is shaded on the CPU
/// (`scripts/measure-window` measured each; see the README):
/// - panels are not filled: the window's clear colour is the panel colour
///   ([`ConsoleApp`]'s `clear_color`), so the background costs one clear instead of a
///   blended full-window fill (21 → 12 ms of CPU per sample);
/// - no animations: a scroll bar fading in was 13 frames. Everything still moves, in one.
pub fn setup_context(ctx: &egui::Context) {
    fonts::install(ctx);
    ctx.all_styles_mut(|s| {
        s.animation_time = 0.0;
        s.visuals.panel_fill = egui::Color32::TRANSPARENT;
    });
}

/// A mouse wheel's notch scrolls in one frame: egui eases a notch (a `Line` or `Page`
/// wheel event) over a dozen frames, and without a GPU each is a full repaint on the CPU, so
/// ten notches through a long list cost seconds. Each such event is preceded by a `Start`
/// phase, which egui applies at once (as it does a trackpad's touch). Trackpads (`Point`
/// deltas, their own phases) are left as they are.
pub fn wheel_in_one_step(raw: &mut egui::RawInput) {
    let mut out = Vec::with_capacity(raw.events.len());
    for event in raw.events.drain(..) {
        if let egui::Event::MouseWheel {
            unit: unit @ (egui::MouseWheelUnit::Line | egui::MouseWheelUnit::Page),
            phase: egui::TouchPhase::Move,
            source,
            modifiers,
            ..
        } = &event
        {
            out.push(egui::Event::MouseWheel {
                unit: *unit,
                delta: egui::Vec2::ZERO,
                phase: egui::TouchPhase::Start,
                source: *source,
                modifiers: *modifiers,
            });
        }
        out.push(event);
    }
    raw.events = out;
}

/// How the window is drawn (the command line's say).
#[derive(Clone, Debug)]
pub struct WindowOptions {
    /// When `main` started (the frame log counts from it).
    pub started: std::time::Instant,
    /// `--frame-log`: where to write one line per pass.
    pub frame_log: Option<std::path::PathBuf>,
    /// `--renderer`: which of eframe's renderers draws the window.
    pub renderer: Renderer,
    /// `--minimised`: start in the tray, the window hidden (if there is a tray).
    pub minimised: bool,
}

/// Which of eframe's renderers draws the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Renderer {
    /// glow, and wgpu if OpenGL cannot start.
    Auto,
    /// OpenGL through glow only. Without a GPU it costs about a quarter of wgpu's CPU per
    /// frame (see the README's figures).
    Glow,
    /// wgpu only (Vulkan, or GL where there is no Vulkan).
    Wgpu,
}

/// Opens the window and runs until it is closed; the engine is saved and stopped on the way out.
pub fn run_window(config: EngineConfig, window: WindowOptions) -> anyhow::Result<()> {
    #[cfg(all(unix, not(target_os = "macos")))]
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        anyhow::bail!(
            "no display: neither DISPLAY nor WAYLAND_DISPLAY is set. Start it from a desktop \
             session, or use --headless to run without a window"
        );
    }
    // The window's size, position and panel layout live beside the data they show, so each
    // data dir (and `--data-dir`) opens the way it was left.
    let window_file = config.store.dir().join(WINDOW_FILE);
    let frame_log = match &window.frame_log {
        Some(path) => Some(
            framelog::FrameLog::create(path, window.started).map_err(|e| {
                anyhow::anyhow!("the frame log {} cannot be written: {e}", path.display())
            })?,
        ),
        None => None,
    };
    // The engine restores the data dir on its own thread while the window starts.
    let handle = Engine::spawn(config)?;
    // The app is made only once a renderer has started; until then a failed renderer leaves
    // the engine here for the next one to take.
    let parts = std::sync::Arc::new(std::sync::Mutex::new(Some((handle, frame_log))));
    let renderers: &[eframe::Renderer] = match window.renderer {
        Renderer::Auto => &[eframe::Renderer::Glow, eframe::Renderer::Wgpu],
        Renderer::Glow => &[eframe::Renderer::Glow],
        Renderer::Wgpu => &[eframe::Renderer::Wgpu],
    };
    let mut failures = Vec::new();
    let minimised = window.minimised;
    for &renderer in renderers {
        let options = eframe::NativeOptions {
            viewport: egui::ViewportBuilder::default()
                .with_title(WINDOW_TITLE)
                .with_app_id("incident-console")
                .with_inner_size([1440.0, 920.0])
                .with_min_inner_size([960.0, 620.0])
                .with_icon(window_icon()),
            persist_window: true,
            persistence_path: Some(window_file.clone()),
            renderer,
            ..Default::default()
        };
        let slot = parts.clone();
        let result = eframe::run_native(
            WINDOW_TITLE,
            options,
            Box::new(move |cc| {
                let Some((handle, frame_log)) = slot.lock().ok().and_then(|mut p| p.take()) else {
                    return Err("the engine was already handed to a window".into());
                };
                setup_context(&cc.egui_ctx);
                let tray = start_tray(&handle, &cc.egui_ctx, minimised);
                let mut app = ConsoleApp::new(handle);
                app.frame_log = frame_log;
                app.tray = tray;
                Ok(Box::new(app))
            }),
        );
        match result {
            Ok(()) => return Ok(()),
            Err(e) => failures.push(format!("{renderer}: {e}")),
        }
        // A window that ran and then failed has used the engine; do not open a second one.
        if parts.lock().map_or(true, |p| p.is_none()) {
            break;
        }
    }
    anyhow::bail!("the window could not start ({})", failures.join("; "))
}

/// The tray icon, if the settings want one and the desktop has a tray host (else the feed
/// says why, and closing the window quits); with `minimised`, the window hides into it.
fn start_tray(
    handle: &crate::engine::EngineHandle,
    ctx: &egui::Context,
    minimised: bool,
) -> Option<app::TrayLink> {
    use egui::ViewportCommand as V;
    if !handle.snapshot().settings.desktop.tray {
        return None;
    }
    let quit = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (open_ctx, quit_ctx, quitting) = (ctx.clone(), ctx.clone(), quit.clone());
    let control = crate::tray::WindowControl {
        open: Box::new(move || {
            open_ctx.send_viewport_cmd(V::Visible(true));
            open_ctx.send_viewport_cmd(V::Minimized(false));
            open_ctx.send_viewport_cmd(V::Focus);
            open_ctx.request_repaint();
        }),
        quit: Box::new(move || {
            quitting.store(true, std::sync::atomic::Ordering::SeqCst);
            quit_ctx.send_viewport_cmd(V::Visible(true));
            quit_ctx.send_viewport_cmd(V::Close);
            quit_ctx.request_repaint();
        }),
    };
    match crate::tray::spawn(handle.state.clone(), handle.sender(), control) {
        Ok(tray) => {
            // Until the first frame installs the window's own hook (with this poke in it): a
            // window that starts hidden may draw no frame for a while.
            let (poke, repaint) = (tray.poker(), ctx.clone());
            handle.set_repaint(move |_| {
                poke();
                repaint.request_repaint();
            });
            // Hidden only where it can be found again: with no panel yet, it starts shown.
            if minimised && tray.shown() {
                ctx.send_viewport_cmd(V::Visible(false));
            }
            Some(app::TrayLink { tray, quit })
        }
        Err((fault, reason)) => {
            handle.send(crate::engine::Command::TrayUnavailable { fault, reason });
            None
        }
    }
}

/// The title bar's and taskbar's icon (`assets/icon-256.png`, drawn by `scripts/make-icon`; the
/// Windows .exe embeds the same picture).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon-256.png"))
        .unwrap_or_default()
}
