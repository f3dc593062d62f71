//! One rule's graph for the review, drawn by `plotters` into SVG: every kept series over the
//! incident's window, the threshold as a dashed line, and a vertical marker at detection,
//! acknowledgement, each action and recovery. Text is the SVG's own `<text>` (plotters escapes
//! it), so Hangul is drawn by the browser's fonts.

use plotters::prelude::*;

use crate::model::{KeptSeries, Unit};

/// Width of a graph, in SVG pixels (it scales with the page).
pub const GRAPH_WIDTH_PX: u32 = 860;
/// Height of a graph, in SVG pixels.
pub const GRAPH_HEIGHT_PX: u32 = 300;

/// What one graph shows.
pub struct GraphSpec<'a> {
    /// The caption.
    pub title: String,
    /// The rule's series, each oldest first (unix milliseconds).
    pub series: Vec<&'a KeptSeries>,
    /// The threshold, in the query's unit.
    pub threshold: Option<f64>,
    /// How values are written on the axis.
    pub unit: Unit,
    /// The window, unix milliseconds.
    pub window_ms: (i64, i64),
    /// Vertical markers: (legend name, unix milliseconds, colour index 0..4).
    pub markers: Vec<(String, i64, usize)>,
    /// The threshold's legend name.
    pub threshold_name: String,
}

const SERIES_COLOURS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

const MARKER_COLOURS: [RGBColor; 4] = [
    RGBColor(214, 39, 40),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(44, 160, 44),
];

/// Draws the graph; the error is plotters' words.
pub fn svg(spec: &GraphSpec) -> Result<String, String> {
    let mut out = String::new();
    draw(spec, &mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn draw(spec: &GraphSpec, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let (t0, t1) = spec.window_ms;
    let span = ((t1 - t0).max(1_000)) as f64 / 1000.0;
    let secs = |ms: i64| (ms - t0) as f64 / 1000.0;
    let values = spec
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1));
    let (mut lo, mut hi) = values
        .chain(spec.threshold)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.02).max(1e-9);
    let (lo, hi) = ((lo - pad).min(if lo >= 0.0 { 0.0 } else { lo }), hi + pad);

    let root = SVGBackend::with_string(out, (GRAPH_WIDTH_PX, GRAPH_HEIGHT_PX)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(&spec.title, ("sans-serif", 17))
        .margin(10)
        .x_label_area_size(28)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..span, lo..hi)?;
    let start = chrono::DateTime::from_timestamp_millis(t0).unwrap_or_default();
    let unit = spec.unit;
    chart
        .configure_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|x| {
            (start + chrono::Duration::milliseconds((*x * 1000.0) as i64))
                .format("%H:%M:%S")
                .to_string()
        })
        .y_label_formatter(&|y| unit.format(*y))
        .label_style(("sans-serif", 14))
        .draw()?;

    for (i, s) in spec.series.iter().enumerate() {
        let colour = SERIES_COLOURS[i % SERIES_COLOURS.len()];
        let points = s.points.iter().map(|&(t, v)| (secs(t), v));
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(s.series.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
    }
    if let Some(threshold) = spec.threshold {
        let line = [(0.0, threshold), (span, threshold)];
        let red = RGBColor(200, 0, 0);
        chart
            .draw_series(DashedLineSeries::new(line, 6, 4, red.stroke_width(1)))?
            .label(spec.threshold_name.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], red));
    }
    let mut named = [false; 4];
    for (name, at, colour) in &spec.markers {
        let x = secs(*at).clamp(0.0, span);
        let colour = MARKER_COLOURS[(*colour).min(3)];
        let drawn = chart.draw_series(std::iter::once(PathElement::new(
            [(x, lo), (x, hi)],
            colour.stroke_width(1),
        )))?;
        // One legend entry per kind of marker, however many actions ran.
        let kind = MARKER_COLOURS
            .iter()
            .position(|c| *c == colour)
            .unwrap_or(0);
        if !named[kind] {
            named[kind] = true;
            drawn
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new([(x + 8, y - 6), (x + 8, y + 6)], colour));
        }
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 14))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_graph_has_its_series_its_threshold_and_its_markers() {
        let series = KeptSeries {
            rule: "cpu_usage".into(),
            series: "node-<1>".into(),
            points: (0..100)
                .map(|i| (i * 5_000, 0.5 + (i % 10) as f64 * 0.05))
                .collect(),
        };
        let spec = GraphSpec {
            title: "CPU 사용률 (임계치 80.00 %)".into(),
            series: vec![&series],
            threshold: Some(0.8),
            unit: Unit::Ratio,
            window_ms: (0, 500_000),
            markers: vec![
                ("감지".into(), 50_000, 0),
                ("조치".into(), 100_000, 2),
                ("조치".into(), 110_000, 2),
            ],
            threshold_name: "임계치".into(),
        };
        let svg = svg(&spec).unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
        assert!(svg.contains("CPU 사용률"));
        assert!(svg.contains("node-&lt;1&gt;"), "a label is escaped");
        assert!(svg.contains("<polyline"), "the series is drawn");
        assert_eq!(
            svg.matches(">\n조치\n").count(),
            1,
            "one legend entry per kind"
        );
    }
}
