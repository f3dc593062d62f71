//! `--frame-log FILE`: one line per pass the window runs, for `scripts/measure-window` and for
//! finding out why a frame was drawn. Off unless asked for; it writes a few dozen bytes per
//! frame and costs nothing when off.
//!
//! Line format (space-separated `key=value` after the time):
//! `<ms since main started> frame=<n> pass=<i> focused=<0|1> causes=<file:line reason;...>`

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

/// An open frame log.
pub struct FrameLog {
    file: File,
    /// When `main` started, so the first line says how long the first frame took.
    started: Instant,
}

impl FrameLog {
    /// Creates (or truncates) `path`.
    pub fn create(path: &Path, started: Instant) -> std::io::Result<Self> {
        Ok(Self {
            file: File::create(path)?,
            started,
        })
    }

    /// Records the pass `ctx` is running. A failed write is dropped: the log is a diagnostic
    /// and must never disturb the window.
    pub fn record(&mut self, ctx: &egui::Context) {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        let causes: Vec<String> = ctx
            .repaint_causes()
            .iter()
            .map(|c| short_cause(&c.to_string()))
            .collect();
        let line = format!(
            "{ms:.1} frame={} pass={} focused={} causes={}\n",
            ctx.cumulative_frame_nr(),
            ctx.current_pass_index(),
            u8::from(ctx.input(|i| i.focused)),
            causes.join(";"),
        );
        let _ = self.file.write_all(line.as_bytes());
    }
}

/// `.../registry/src/index.crates.io-…/egui-0.37.0/src/grid.rs:294 reason` becomes
/// `egui-0.37.0/src/grid.rs:294_reason`: one field per cause, short enough to read.
fn short_cause(cause: &str) -> String {
    let short = match cause.find("/registry/src/") {
        Some(i) => {
            let rest = &cause[i + "/registry/src/".len()..];
            rest.split_once('/')
                .map_or(rest, |(_, crate_path)| crate_path)
        }
        None => cause,
    };
    short.trim().replace(' ', "_")
}
