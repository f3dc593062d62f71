//! Metric cards: latest value against the threshold, and one sparkline per node.

use std::collections::HashMap;

use egui::RichText;
use egui_plot::{HLine, Line, Plot, PlotPoints};
use parking_lot::Mutex;

use super::app::Snapshot;
use super::i18n::t;
use super::style;
use crate::engine::ConsoleState;
use crate::model::{Lang, Metric, SeriesPoint};

/// Decimated sparkline points, recomputed only when the history, the width or the window
/// changes, so an idle repaint (hover, resize) does not rescan history.
#[derive(Default)]
pub(crate) struct SparklineCache {
    key: Option<(u64, usize, u32)>,
    lines: HashMap<Metric, Vec<(String, Vec<SeriesPoint>)>>,
    /// Left edge of the time axis, unix seconds.
    t_start: f64,
    /// Right edge of the time axis (the newest sample), unix seconds.
    t_end: f64,
}

impl SparklineCache {
    /// Refreshes from the shared state if anything relevant changed.
    pub fn refresh(&mut self, state: &Mutex<ConsoleState>, snap: &Snapshot, columns: usize) {
        let window_mins = snap.settings.graph_window_mins.max(1);
        let key = (snap.history_revision, columns, window_mins);
        if self.key == Some(key) {
            return;
        }
        self.key = Some(key);
        let t_end = snap
            .latest
            .as_ref()
            .map_or(0.0, |r| r.at.timestamp_millis() as f64 / 1000.0);
        let st = state.lock();
        // A history shorter than the window fills the card instead of hugging its right edge.
        let t0 =
            (t_end - f64::from(window_mins) * 60.0).max(st.history.first_time().unwrap_or(t_end));
        self.t_start = t0;
        self.t_end = t_end;
        for metric in Metric::ALL {
            let lines = st
                .history
                .nodes(metric)
                .into_iter()
                .map(|node| {
                    let pts = st.history.decimated(metric, &node, t0, t_end, columns);
                    (node, pts)
                })
                .collect();
            self.lines.insert(metric, lines);
        }
    }
}

fn metric_title(metric: Metric, lang: Lang) -> &'static str {
    match metric {
        Metric::HttpErrorRate => t(lang, "HTTP error rate", "HTTP 오류율"),
        Metric::CpuUsage => t(lang, "CPU usage", "CPU 사용률"),
    }
}

/// The two cards side by side.
pub(crate) fn metric_cards_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    state: &Mutex<ConsoleState>,
    cache: &mut SparklineCache,
) {
    let card_width = ((ui.available_width() - 12.0) / 2.0).max(200.0);
    // One decimation column per two points of plot width is plenty for a sparkline.
    let columns = ((card_width - 140.0) / 2.0).clamp(30.0, 600.0) as usize;
    cache.refresh(state, snap, columns);
    ui.horizontal_top(|ui| {
        for metric in Metric::ALL {
            ui.allocate_ui_with_layout(
                egui::vec2(card_width, 0.0),
                egui::Layout::top_down(egui::Align::Min),
                |ui| card_ui(ui, snap, metric, cache),
            );
        }
    });
}

fn card_ui(ui: &mut egui::Ui, snap: &Snapshot, metric: Metric, cache: &SparklineCache) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let threshold = snap.settings.threshold(metric);
    let latest = snap.latest.as_ref().and_then(|r| r.max(metric));
    let breach = latest.is_some_and(|(_, v)| v > threshold);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(
                RichText::new(metric_title(metric, lang))
                    .strong()
                    .size(16.0),
            );
            ui.label(RichText::new(format!("({})", metric.metric_name())).weak());
        });
        ui.horizontal(|ui| {
            let value_text = match latest {
                Some((node, v)) => format!("{:.2}%  ({node})", v * 100.0),
                None => t(lang, "no data yet", "아직 데이터 없음").to_string(),
            };
            let mut text = RichText::new(value_text).size(22.0).strong();
            if snap.stale() && latest.is_some() {
                // Kept on screen, but plainly not current.
                text = text.weak().strikethrough();
            } else if breach {
                text = text.color(style::breach(dark));
            }
            ui.label(text);
            if snap.stale() && latest.is_some() {
                ui.label(
                    RichText::new(t(lang, "stale", "오래된 값"))
                        .color(style::pending(dark))
                        .strong(),
                );
            }
            ui.label(format!(
                "{} {:.2}%",
                t(lang, "threshold", "임계치"),
                threshold * 100.0
            ));
            if latest.is_some() && !snap.stale() {
                let (state_text, color) = if breach {
                    (t(lang, "in breach", "임계치 초과"), style::breach(dark))
                } else {
                    (t(lang, "normal", "정상"), style::recovered(dark))
                };
                ui.label(RichText::new(state_text).color(color).strong());
            }
        });
        let window = snap.settings.graph_window_mins;
        ui.label(
            RichText::new(format!(
                "{} {window} {}",
                t(lang, "last", "최근"),
                t(lang, "min, per node", "분, 노드별")
            ))
            .weak()
            .small(),
        );
        let lines = cache.lines.get(&metric).map(Vec::as_slice).unwrap_or(&[]);
        if lines.is_empty() {
            ui.label(t(
                lang,
                "Waiting for the first sample…",
                "첫 샘플을 기다리는 중…",
            ));
        }
        let (t0, t1) = (cache.t_start, cache.t_end.max(cache.t_start + 1.0));
        // One scale per card, so nodes compare at a glance.
        let peak = lines
            .iter()
            .flat_map(|(_, pts)| pts.iter().map(|p| p[1]))
            .fold(threshold, f64::max);
        for (node, points) in lines {
            let last = points.last().map(|p| p[1]);
            let node_breach = last.is_some_and(|v| v > threshold);
            ui.horizontal(|ui| {
                let mut label = RichText::new(format!(
                    "{node}  {}",
                    last.map_or("–".into(), |v| format!("{:.2}%", v * 100.0))
                ))
                .monospace();
                if node_breach {
                    label = label.color(style::breach(dark));
                }
                ui.add_sized([170.0, 34.0], egui::Label::new(label));
                sparkline_ui(ui, metric, node, points, (threshold, peak), (t0, t1), dark);
            });
        }
    });
}

fn sparkline_ui(
    ui: &mut egui::Ui,
    metric: Metric,
    node: &str,
    points: &[SeriesPoint],
    (threshold, peak): (f64, f64),
    (t0, t1): (f64, f64),
    dark: bool,
) {
    let line_color = ui.visuals().text_color();
    Plot::new(("spark", metric.metric_name(), node))
        .height(34.0)
        .width(ui.available_width().max(60.0))
        .show_axes(false)
        .show_grid(false)
        .show_background(false)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show_x(false)
        .show_y(false)
        .show(ui, |plot| {
            // Set every frame: default bounds are only read on the plot's first frame, and the
            // window must follow the newest sample.
            plot.set_plot_bounds_x(t0..=t1);
            plot.set_plot_bounds_y(0.0..=peak * 1.15);
            plot.hline(
                HLine::new("threshold", threshold)
                    .color(style::breach(dark).gamma_multiply(0.7))
                    .width(1.0),
            );
            plot.line(
                Line::new(node.to_string(), PlotPoints::from(points.to_vec()))
                    .color(line_color)
                    .width(1.2),
            );
        });
}
