//! Bounded metric history for the sparklines, and min/max decimation so that drawing costs
//! O(pixels) however many samples are kept.

use std::collections::{BTreeMap, VecDeque};

use crate::model::{Reading, SeriesPoint};

/// How much history is kept: 24 hours.
pub const HISTORY_SECS: u64 = 24 * 60 * 60;

/// Per (rule, series) ring of `(unix seconds, value)` samples.
#[derive(Clone, Debug)]
pub struct MetricHistory {
    capacity: usize,
    series: BTreeMap<(String, String), VecDeque<(f64, f32)>>,
    revision: u64,
}

impl MetricHistory {
    /// A history that keeps 24 h of samples taken every `poll_interval_secs`.
    pub fn for_poll_interval(poll_interval_secs: u64) -> Self {
        Self::with_capacity((HISTORY_SECS / poll_interval_secs.max(1)) as usize)
    }

    /// A history that keeps at most `capacity` samples per series.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(2),
            series: BTreeMap::new(),
            revision: 0,
        }
    }

    /// Grows (never shrinks, so nothing drawn is lost) to hold 24 h at a new poll interval.
    pub fn ensure_poll_interval(&mut self, poll_interval_secs: u64) {
        let wanted = (HISTORY_SECS / poll_interval_secs.max(1)) as usize;
        self.capacity = self.capacity.max(wanted);
    }

    /// Changes every time samples are added; the UI redraws its caches when it moves.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Appends every value of a reading; the oldest samples fall out past the capacity.
    pub fn push(&mut self, reading: &Reading) {
        let t = reading.at.timestamp_millis() as f64 / 1000.0;
        for sv in reading.values.iter().filter(|v| v.value.is_finite()) {
            let _ = self.push_point(&sv.rule, &sv.series, t, sv.value);
        }
        self.revision += 1;
    }

    /// Appends one point and returns true; a point not newer than the series' last one is
    /// dropped (false), so a backfill that overlaps what is already drawn adds nothing twice.
    pub fn push_point(&mut self, rule: &str, series: &str, t: f64, value: f64) -> bool {
        let key = (rule.to_string(), series.to_string());
        let ring = match self.series.get_mut(&key) {
            Some(r) => r,
            None => self
                .series
                .entry(key)
                .or_insert_with(|| VecDeque::with_capacity(64)),
        };
        if ring.back().is_some_and(|&(last, _)| last >= t) {
            return false;
        }
        if ring.len() >= self.capacity {
            ring.pop_front();
        } else if ring.len() == ring.capacity() {
            // Double as usual, but never past the history's capacity: a full 24 h ring holds
            // exactly what it keeps instead of up to twice that.
            let target = (ring.len() * 2).min(self.capacity);
            ring.reserve_exact(target - ring.len());
        }
        ring.push_back((t, value as f32));
        self.revision += 1;
        true
    }

    /// The series of `rule` that have samples, in name order.
    pub fn series_of(&self, rule: &str) -> Vec<String> {
        self.series
            .keys()
            .filter(|(r, _)| r == rule)
            .map(|(_, n)| n.clone())
            .collect()
    }

    /// Time of the oldest sample kept in any series (unix seconds).
    pub fn first_time(&self) -> Option<f64> {
        self.series
            .values()
            .filter_map(|r| r.front().map(|&(t, _)| t))
            .min_by(f64::total_cmp)
    }

    /// Number of samples kept for one series.
    pub fn len(&self, rule: &str, series: &str) -> usize {
        self.series
            .get(&(rule.to_string(), series.to_string()))
            .map_or(0, VecDeque::len)
    }

    /// Memory held by the samples, in bytes (ring capacities, not counting keys): what the
    /// bench reports as the history's size.
    pub fn approx_bytes(&self) -> usize {
        self.series
            .values()
            .map(|r| r.capacity() * std::mem::size_of::<(f64, f32)>())
            .sum()
    }

    /// Whether nothing at all is kept.
    pub fn is_empty(&self) -> bool {
        self.series.values().all(VecDeque::is_empty)
    }

    /// The newest value of one series.
    pub fn last(&self, rule: &str, series: &str) -> Option<f64> {
        self.series
            .get(&(rule.to_string(), series.to_string()))
            .and_then(|r| r.back())
            .map(|&(_, v)| f64::from(v))
    }

    /// [`MetricHistory::decimated`], kept up to date in `d` instead of recomputed: columns sit
    /// on a grid aligned to absolute time, so when a sample arrives only the newest column
    /// changes and a frame costs O(columns), not O(samples). A new width (window, pixels) or a
    /// series that was reset rebuilds `d` from scratch.
    pub fn decimate_into(
        &self,
        rule: &str,
        series: &str,
        (t0, t1): (f64, f64),
        columns: usize,
        d: &mut Decimation,
    ) -> Vec<SeriesPoint> {
        let Some(ring) = self.series.get(&(rule.to_string(), series.to_string())) else {
            *d = Decimation::default();
            return Vec::new();
        };
        let width = (t1 - t0).max(f64::EPSILON) / columns.max(1) as f64;
        let front = ring.front().map_or(f64::NAN, |p| p.0);
        let rebuilt = (d.width - width).abs() > width * 1e-9 || front < d.front;
        if rebuilt {
            *d = Decimation {
                width,
                front,
                last_t: f64::NEG_INFINITY,
                ..Decimation::default()
            };
        }
        d.front = front;
        let first_col = (t0 / width).floor() as i64;
        while d.columns.front().is_some_and(|c| c.0 < first_col) {
            d.columns.pop_front();
        }
        // Whole columns: the first one holds what falls in it before `t0` too, on the first
        // frame as on every later one.
        let from = d.last_t.max(first_col as f64 * width);
        let start = ring.partition_point(|&(t, _)| t < from);
        for &(t, v) in ring.range(start..) {
            if t <= d.last_t || t > t1 {
                continue;
            }
            let col = (t / width).floor() as i64;
            let p = [t, f64::from(v)];
            match d.columns.back_mut() {
                Some(c) if c.0 == col => {
                    if p[1] < c.1[1] {
                        c.1 = p;
                    }
                    if p[1] > c.2[1] {
                        c.2 = p;
                    }
                    c.3 += 1;
                }
                _ => d.columns.push_back((col, p, p, 1)),
            }
            d.last_t = t;
        }
        let mut out = Vec::with_capacity(d.columns.len() * 2);
        for &(_, min, max, count) in &d.columns {
            push_column(&mut out, min, max, count);
        }
        out
    }

    /// The points of one series between `t0` and `t1` (unix seconds), reduced to at most two
    /// per column (the min and the max, in time order) for `columns` pixel columns.
    pub fn decimated(
        &self,
        rule: &str,
        series: &str,
        t0: f64,
        t1: f64,
        columns: usize,
    ) -> Vec<SeriesPoint> {
        let Some(ring) = self.series.get(&(rule.to_string(), series.to_string())) else {
            return Vec::new();
        };
        let start = ring.partition_point(|&(t, _)| t < t0);
        let end = ring.partition_point(|&(t, _)| t <= t1);
        decimate(ring.range(start..end).copied(), t0, t1, columns)
    }
}

/// The state of one series' incremental decimation (see [`MetricHistory::decimate_into`]).
#[derive(Clone, Debug, Default)]
pub struct Decimation {
    /// Column width in seconds.
    width: f64,
    /// (column on the absolute grid, min point, max point, points), oldest first.
    columns: VecDeque<(i64, SeriesPoint, SeriesPoint, usize)>,
    /// Time of the newest point taken in.
    last_t: f64,
    /// Time of the ring's oldest point when last seen; a smaller one means a new series.
    front: f64,
}

/// One column being filled: (column, first point, min point, max point, count).
type Bucket = (i64, SeriesPoint, SeriesPoint, SeriesPoint, usize);

/// A column's points as drawn: its min and max in time order, or one point when they are one.
fn push_column(out: &mut Vec<SeriesPoint>, min: SeriesPoint, max: SeriesPoint, count: usize) {
    if count == 1 || min == max {
        out.push(min);
    } else if min[0] <= max[0] {
        out.push(min);
        out.push(max);
    } else {
        out.push(max);
        out.push(min);
    }
}

/// Min/max decimation of time-ordered points into `columns` equal time buckets.
pub fn decimate(
    points: impl Iterator<Item = (f64, f32)>,
    t0: f64,
    t1: f64,
    columns: usize,
) -> Vec<SeriesPoint> {
    let columns = columns.max(1);
    let width = (t1 - t0).max(f64::EPSILON) / columns as f64;
    let mut out = Vec::with_capacity(columns * 2);
    let mut bucket: Option<Bucket> = None;
    let flush = push_column;
    for (t, v) in points {
        let col = ((t - t0) / width).floor() as i64;
        let p = [t, f64::from(v)];
        match &mut bucket {
            Some((c, _, min, max, count)) if *c == col => {
                if p[1] < min[1] {
                    *min = p;
                }
                if p[1] > max[1] {
                    *max = p;
                }
                *count += 1;
            }
            _ => {
                if let Some((_, _, min, max, count)) = bucket.take() {
                    flush(&mut out, min, max, count);
                }
                bucket = Some((col, p, p, p, 1));
            }
        }
    }
    if let Some((_, _, min, max, count)) = bucket {
        flush(&mut out, min, max, count);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_is_bounded() {
        let mut h = MetricHistory::with_capacity(10);
        for i in 0..100 {
            let _ = h.push_point("cpu_usage", "a", f64::from(i), 0.5);
        }
        assert_eq!(h.len("cpu_usage", "a"), 10);
        let pts = h.decimated("cpu_usage", "a", 0.0, 1000.0, 100);
        assert_eq!(pts.first().unwrap()[0], 90.0);
    }

    #[test]
    fn incremental_decimation_equals_a_full_one_on_the_same_grid() {
        let mut h = MetricHistory::with_capacity(20_000);
        let mut d = Decimation::default();
        let value = |i: u32| f64::from((i * 7919) % 1000) / 1000.0;
        for i in 0..10_000u32 {
            let _ = h.push_point("r", "s", f64::from(i), value(i));
        }
        let window = 3000.0;
        // Slide the window one sample at a time, as new samples arrive.
        for i in 10_000..10_050u32 {
            let _ = h.push_point("r", "s", f64::from(i), value(i));
            let t1 = f64::from(i);
            let t0 = t1 - window;
            let got = h.decimate_into("r", "s", (t0, t1), 300, &mut d);
            // The same columns computed from scratch on the aligned grid.
            let width = window / 300.0;
            let aligned_t0 = (t0 / width).floor() * width;
            let full = decimate(
                (aligned_t0 as u32..=i).map(|k| (f64::from(k), value(k) as f32)),
                aligned_t0,
                aligned_t0 + width * 301.0,
                301,
            );
            assert!(
                got == full,
                "sample {i}: {} points, {} expected",
                got.len(),
                full.len()
            );
        }
    }

    #[test]
    fn decimation_keeps_extremes_and_bounds_output() {
        let mut h = MetricHistory::with_capacity(100_000);
        for i in 0..86_400 {
            let v = if i == 40_000 { 0.99 } else { 0.5 };
            let _ = h.push_point("http_error_rate", "n", f64::from(i), v);
        }
        let pts = h.decimated("http_error_rate", "n", 0.0, 86_400.0, 300);
        assert!(pts.len() <= 600, "{}", pts.len());
        assert!(pts.iter().any(|p| (p[1] - 0.99).abs() < 1e-6));
        assert!(
            pts.windows(2).all(|w| w[0][0] <= w[1][0]),
            "time order kept"
        );
    }

    #[test]
    fn window_selects_only_the_range() {
        let mut h = MetricHistory::with_capacity(1000);
        for i in 0..100 {
            let _ = h.push_point("cpu_usage", "a", f64::from(i), f64::from(i) / 100.0);
        }
        let pts = h.decimated("cpu_usage", "a", 50.0, 59.0, 1000);
        assert_eq!(pts.len(), 10);
        assert_eq!(pts[0][0], 50.0);
    }
}
