//! Keeping an incident's samples for its review: each of its rules' series over its window
//! (from a calm before the trouble began, `model::lead`, to now, at most its end plus [`TAIL_MINS`]),
//! copied from the sparklines' history, which lives only in memory. Kept when the incident
//! recovers or closes (off the loop), and for every active one when the console exits. When
//! none were kept, a review asks Prometheus for them (`range_samples`).

use chrono::{DateTime, Duration, Utc};

use super::Engine;
use crate::model::{
    FeedEvent, Incident, KEPT_POINTS_PER_SERIES, KEPT_SERIES_PER_RULE, KeptSamples, KeptSeries,
    KeyTimes, SavedFile, TAIL_MINS,
};

impl Engine {
    /// Copies incident `id`'s samples and writes them: on a blocking thread, or (`now_sync`,
    /// at exit) at once. An incident without a rule (opened from alerts) keeps nothing.
    pub(super) fn keep_samples(&mut self, id: u64, now_sync: bool) {
        let Some(inc) = self.book.find(id) else {
            return;
        };
        let kept = {
            let st = self.state.lock();
            samples_of(inc, &st.history, self.clock.now())
        };
        if kept.series.is_empty() {
            return;
        }
        let store = self.store.clone();
        if now_sync {
            if let Err(e) = store.save_samples(&kept) {
                self.samples_not_saved(&e);
            }
            return;
        }
        let tx = self.inputs.clone();
        tokio::task::spawn_blocking(move || {
            let _ = tx.send(super::Input::SamplesSaved(store.save_samples(&kept)));
        });
    }

    /// Says a failed write of kept samples (each failure: they are rare, one per incident).
    pub(super) fn samples_not_saved(&mut self, e: &crate::store::StoreError) {
        let event = FeedEvent::SaveFailed {
            file: SavedFile::Samples,
            reason: e.to_string(),
        };
        self.emit(self.clock.now(), event);
    }

    /// At exit: the samples of every active incident, which would go with the memory.
    pub(super) fn keep_active_samples(&mut self) {
        let active: Vec<u64> = (self.book.all().iter())
            .filter(|i| i.status.is_active())
            .map(|i| i.id)
            .collect();
        for id in active {
            self.keep_samples(id, true);
        }
    }
}

/// The incident's window at `now`: a calm before the trouble began, to its end plus the tail
/// (never past `now`).
fn window(inc: &Incident, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let keys = KeyTimes::of(inc);
    let end = keys.closed_at.or(keys.recovered_at).unwrap_or(now);
    let from = keys.began_at - crate::model::lead(end - keys.began_at);
    (from, (end + Duration::minutes(TAIL_MINS)).min(now.max(end)))
}

/// The samples a review draws when none were kept (an incident of an older release, a
/// console that did not exit cleanly): each of the incident's rules queried over its window
/// on Prometheus (`rules`: as loaded, for their queries), at most 2,000 points a series.
/// Errors in the client's words.
pub async fn range_samples(
    client: &crate::integrations::prometheus::PromClient,
    inc: &Incident,
    rules: &[crate::model::Rule],
    now: DateTime<Utc>,
) -> Result<KeptSamples, String> {
    let (from, to) = window(inc, now);
    let step_secs = ((to - from).num_seconds() / 2_000).max(1) as u64;
    let mut series = Vec::new();
    for id in incident_rules(inc) {
        let Some(rule) = rules.iter().find(|r| r.id == id) else {
            continue;
        };
        let answer = client
            .query_range_as(&rule.query, &rule.series_label, from, to, step_secs)
            .await
            .map_err(|e| e.to_string())?;
        let breaching = |key: &str| inc.hotspots.iter().any(|h| h.rule == id && h.series == key);
        let mut answer: Vec<_> = answer.into_iter().collect();
        // The breaching series first, then by name, as many as are kept.
        answer.sort_by(|a, b| {
            breaching(&b.key)
                .cmp(&breaching(&a.key))
                .then(a.key.cmp(&b.key))
        });
        for s in answer.into_iter().take(KEPT_SERIES_PER_RULE) {
            let points = (s.points.into_iter())
                .filter(|(_, v)| v.is_finite())
                .map(|(t, v)| ((t * 1000.0).round() as i64, v))
                .collect();
            series.push(KeptSeries {
                rule: id.clone(),
                series: s.key,
                points,
            });
        }
    }
    Ok(KeptSamples {
        incident: inc.id,
        from: Some(from),
        to: Some(to),
        series,
    })
}

/// The incident's rules, in order: the one that opened it, then each hotspot's.
pub(super) fn incident_rules(inc: &Incident) -> Vec<String> {
    let mut rules: Vec<String> = inc.rule().map(str::to_string).into_iter().collect();
    for h in &inc.hotspots {
        if !rules.contains(&h.rule) {
            rules.push(h.rule.clone());
        }
    }
    rules
}

/// What to keep of `history` for `inc` at `now`: per rule, its breaching series first, then
/// the others, at most [`KEPT_SERIES_PER_RULE`], each decimated to
/// [`KEPT_POINTS_PER_SERIES`].
pub(super) fn samples_of(
    inc: &Incident,
    history: &crate::history::MetricHistory,
    now: DateTime<Utc>,
) -> KeptSamples {
    let (from, to) = window(inc, now);
    let (t0, t1) = (
        from.timestamp_millis() as f64 / 1000.0,
        to.timestamp_millis() as f64 / 1000.0,
    );
    let mut series = Vec::new();
    for rule in incident_rules(inc) {
        let mut names: Vec<String> = (inc.hotspots.iter())
            .filter(|h| h.rule == rule)
            .map(|h| h.series.clone())
            .collect();
        for name in history.series_of(&rule) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for name in names.into_iter().take(KEPT_SERIES_PER_RULE) {
            let points: Vec<(i64, f64)> = history
                .decimated(&rule, &name, t0, t1, KEPT_POINTS_PER_SERIES / 2)
                .into_iter()
                .map(|[t, v]| ((t * 1000.0).round() as i64, v))
                .collect();
            if !points.is_empty() {
                series.push(KeptSeries {
                    rule: rule.clone(),
                    series: name,
                    points,
                });
            }
        }
    }
    KeptSamples {
        incident: inc.id,
        from: Some(from),
        to: Some(to),
        series,
    }
}
