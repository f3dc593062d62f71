//! Metric cards: one per enabled rule, its worst series against the threshold, and one
//! sparkline per series (the worst first).

use std::collections::HashMap;

use egui::RichText;
use egui_plot::{HLine, Line, Plot, PlotPoints};

use super::i18n::t;
use super::style;
use crate::engine::EngineHandle;
use crate::engine::Snapshot;
use crate::history::Decimation;
use crate::model::{Rule, SeriesPoint};

/// Sparklines drawn per card; the rest of a rule's series are counted, not drawn, so a rule
/// with hundreds of series stays cheap and readable.
pub const SPARKLINES_PER_CARD: usize = 6;
/// The narrowest a card gets before the cards wrap to fewer per row.
const MIN_CARD_WIDTH: f32 = 420.0;

/// One drawn sparkline: the series, its newest sample (what its label says: the last decimated
/// point is a column's min or max, not the newest value), and its points.
type DrawnLine = (String, Option<f64>, Vec<SeriesPoint>);

/// Decimated sparkline points, brought up to date only when the history, the width or the
/// window changes, so an idle repaint (hover, resize) does not rescan history. Only the series
/// a card draws are decimated, each incrementally: a new sample costs O(columns) per line.
#[derive(Default)]
pub(crate) struct SparklineCache {
    key: Option<(u64, usize, u32)>,
    /// The rules the lines were made for, held (not by address: a freed list's address may
    /// be the next one's).
    rules: Option<std::sync::Arc<Vec<crate::model::Rule>>>,
    /// Per rule: the drawn series (worst first) with their newest value and their points.
    lines: HashMap<String, Vec<DrawnLine>>,
    /// Per rule: how many series it has in all.
    totals: HashMap<String, usize>,
    /// Per (rule, series): the incremental decimation of a line drawn at least once.
    decimations: HashMap<(String, String), Decimation>,
    /// Left edge of the time axis, unix seconds.
    t_start: f64,
    /// Right edge of the time axis (the newest sample), unix seconds.
    t_end: f64,
}

impl SparklineCache {
    /// Refreshes from the shared state if anything relevant changed.
    pub fn refresh(&mut self, engine: &EngineHandle, snap: &Snapshot, columns: usize) {
        let window_mins = snap.settings.graph_window_mins.max(1);
        let key = (snap.history_revision, columns, window_mins);
        let same_rules = self
            .rules
            .as_ref()
            .is_some_and(|r| std::sync::Arc::ptr_eq(r, &snap.rules));
        if self.key == Some(key) && same_rules {
            return;
        }
        self.key = Some(key);
        self.rules = Some(snap.rules.clone());
        let t_end = snap
            .latest
            .as_ref()
            .map_or(0.0, |r| r.at.timestamp_millis() as f64 / 1000.0);
        engine.with_history(|history| self.refresh_from(history, snap, columns, t_end));
    }

    fn refresh_from(
        &mut self,
        history: &crate::history::MetricHistory,
        snap: &Snapshot,
        columns: usize,
        t_end: f64,
    ) {
        let window_mins = snap.settings.graph_window_mins.max(1);
        // A history shorter than the window fills the card instead of hugging its right edge.
        let t0 = (t_end - f64::from(window_mins) * 60.0).max(history.first_time().unwrap_or(t_end));
        self.t_start = t0;
        self.t_end = t_end;
        let nominal_t0 = t_end - f64::from(window_mins) * 60.0;
        self.lines.clear();
        self.totals.clear();
        for rule in snap.rules.iter().filter(|r| r.enabled) {
            let mut series: Vec<(String, Option<f64>)> = history
                .series_of(&rule.id)
                .into_iter()
                .map(|s| {
                    let last = history.last(&rule.id, &s);
                    (s, last)
                })
                .collect();
            // The worst series first: they are the ones to see when not all are drawn.
            series.sort_by(|a, b| match (a.1, b.1) {
                (Some(x), Some(y)) if rule.comparison.worse(x, y) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) if rule.comparison.worse(y, x) => std::cmp::Ordering::Greater,
                _ => a.0.cmp(&b.0),
            });
            self.totals.insert(rule.id.clone(), series.len());
            let lines = series
                .into_iter()
                .take(SPARKLINES_PER_CARD)
                .map(|(s, last)| {
                    let key = (rule.id.clone(), s.clone());
                    let d = self.decimations.entry(key).or_default();
                    // The grid follows the nominal window, not the oldest sample kept, so
                    // the columns stay put while history fills up or rolls over.
                    let pts = history.decimate_into(&rule.id, &s, (nominal_t0, t_end), columns, d);
                    (s, last, pts)
                })
                .collect();
            self.lines.insert(rule.id.clone(), lines);
        }
        // Lines that dropped out of the six worst keep their state: when one comes back it
        // catches up on what it missed instead of starting over. Removed series let go.
        self.decimations
            .retain(|(rule, series), _| history.len(rule, series) > 0);
    }
}

/// The cards, as many per row as fit; many rules scroll.
pub(crate) fn metric_cards_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    engine: &EngineHandle,
    cache: &mut SparklineCache,
) {
    let enabled: Vec<&Rule> = snap.rules.iter().filter(|r| r.enabled).collect();
    if enabled.is_empty() {
        ui.label(t(
            snap.lang(),
            "No rule is enabled: nothing is watched. Add or enable one under Settings → Rules.",
            "켜진 규칙이 없어 아무것도 감시하지 않습니다. 설정 → 규칙에서 추가하거나 켜세요.",
        ));
        return;
    }
    let width = ui.available_width();
    let per_row = ((width / MIN_CARD_WIDTH).floor() as usize).clamp(1, enabled.len().max(1));
    let card_width = ((width - 12.0 * (per_row as f32 - 1.0)) / per_row as f32).max(200.0);
    // One decimation column per two points of plot width is plenty for a sparkline.
    let columns = ((card_width - 140.0) / 2.0).clamp(30.0, 600.0) as usize;
    cache.refresh(engine, snap, columns);
    // Two rows of cards at most before scrolling, so the incident keeps its room.
    egui::ScrollArea::vertical()
        .id_salt("cards")
        .max_height((ui.available_height() * 0.5).max(180.0))
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for row in enabled.chunks(per_row) {
                ui.horizontal_top(|ui| {
                    for rule in row {
                        ui.allocate_ui_with_layout(
                            egui::vec2(card_width, 0.0),
                            egui::Layout::top_down(egui::Align::Min),
                            |ui| card_ui(ui, snap, rule, cache),
                        );
                    }
                });
            }
        });
}

fn card_ui(ui: &mut egui::Ui, snap: &Snapshot, rule: &Rule, cache: &SparklineCache) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let latest = snap.latest.as_ref().and_then(|r| r.worst(rule));
    let breach = latest.is_some_and(|(_, v)| rule.breaches(v));
    let no_demo_data = snap.demo() && snap.unsourced.contains(&rule.id);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        ui.horizontal(|ui| {
            ui.label(RichText::new(rule.title.text(lang)).strong().size(16.0));
            ui.label(RichText::new(format!("({})", rule.id)).weak());
            if snap.flapping.contains(&rule.id) {
                ui.label(
                    RichText::new(t(lang, "flapping", "플래핑"))
                        .color(style::pending(dark))
                        .strong(),
                );
            }
        });
        ui.horizontal(|ui| {
            let value_text = match latest {
                Some((series, v)) => format!("{}  ({series})", rule.format(v)),
                None if no_demo_data => t(
                    lang,
                    "no demo data for this query",
                    "이 쿼리에 대한 데모 데이터 없음",
                )
                .to_string(),
                None => t(lang, "no data yet", "아직 데이터 없음").to_string(),
            };
            let size = if latest.is_some() { 22.0 } else { 15.0 };
            let mut text = RichText::new(value_text).size(size).strong();
            if snap.stale() && latest.is_some() {
                // Kept on screen, but plainly not current.
                text = text.weak().strikethrough();
            } else if breach {
                text = text.color(style::breach(dark));
            } else if latest.is_none() {
                text = text.weak();
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
                "{} {} {}",
                t(lang, "threshold", "임계치"),
                rule.comparison.symbol(),
                rule.format(rule.threshold)
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
        // Say why the graph may be up to a few seconds behind (see ui/pace.rs).
        let background = if ui.ctx().input(|i| i.focused) {
            String::new()
        } else {
            let secs = super::pace::BACKGROUND_GRAPH_SECS;
            match lang {
                crate::model::Lang::En => {
                    format!(" · in the background: updated every {secs} s, alerts at once")
                }
                crate::model::Lang::Ko => {
                    format!(" · 백그라운드: {secs}초마다 갱신, 알림은 즉시")
                }
            }
        };
        ui.label(
            RichText::new(format!(
                "{} {window} {}{background}",
                t(lang, "last", "최근"),
                t(lang, "min, per series", "분, 시리즈별")
            ))
            .weak()
            .small(),
        );
        let lines = cache.lines.get(&rule.id).map(Vec::as_slice).unwrap_or(&[]);
        if lines.is_empty() && !no_demo_data {
            ui.label(t(
                lang,
                "Waiting for the first sample…",
                "첫 샘플을 기다리는 중…",
            ));
        }
        let (t0, t1) = (cache.t_start, cache.t_end.max(cache.t_start + 1.0));
        // One scale per card, so series compare at a glance; it always shows the threshold.
        let (lo, hi) = lines
            .iter()
            .flat_map(|(_, _, pts)| pts.iter().map(|p| p[1]))
            .fold((rule.threshold.min(0.0), rule.threshold), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
        for (series, last, points) in lines {
            let last = *last;
            let series_breach = last.is_some_and(|v| rule.breaches(v));
            ui.horizontal(|ui| {
                let mut label = RichText::new(format!(
                    "{series}  {}",
                    last.map_or("–".into(), |v| rule.format(v))
                ))
                .monospace();
                if series_breach {
                    label = label.color(style::breach(dark));
                }
                ui.add_sized([170.0, 34.0], egui::Label::new(label).truncate());
                sparkline_ui(ui, rule, series, points, (lo, hi), (t0, t1), dark);
            });
        }
        let total = cache.totals.get(&rule.id).copied().unwrap_or(0);
        if total > lines.len() {
            ui.label(
                RichText::new(format!(
                    "{} {} {}",
                    t(lang, "and", "외"),
                    total - lines.len(),
                    t(lang, "more series", "개 시리즈 더 있음")
                ))
                .weak()
                .small(),
            );
        }
    });
}

fn sparkline_ui(
    ui: &mut egui::Ui,
    rule: &Rule,
    series: &str,
    points: &[SeriesPoint],
    (lo, hi): (f64, f64),
    (t0, t1): (f64, f64),
    dark: bool,
) {
    let line_color = ui.visuals().text_color();
    let span = (hi - lo).abs().max(f64::EPSILON);
    Plot::new(("spark", rule.id.as_str(), series))
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
            plot.set_plot_bounds_y(lo..=hi + span * 0.15);
            plot.hline(
                HLine::new("threshold", rule.threshold)
                    .color(style::breach(dark).gamma_multiply(0.7))
                    .width(1.0),
            );
            plot.line(
                Line::new(series.to_string(), PlotPoints::from(points.to_vec()))
                    .color(line_color)
                    .width(1.2),
            );
        });
}
