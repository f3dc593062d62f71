use chrono::{TimeZone, Utc};

use super::*;
use crate::model::{Comparison, Localized, SeriesValue, Severity, Unit};

fn rule(id: &str, comparison: Comparison, threshold: f64) -> Rule {
    Rule {
        id: id.into(),
        title: Localized::default(),
        query: id.into(),
        unit: Unit::None,
        comparison,
        threshold,
        window: 5,
        series_label: "instance".into(),
        severity: Severity::Critical,
        runbook: None,
        enabled: true,
    }
}

/// Reading number `k` (one per minute) with `values` for rule `r`.
fn at(k: i64, r: &str, values: &[(&str, f64)]) -> Reading {
    Reading {
        at: Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap() + Duration::minutes(k),
        values: values
            .iter()
            .map(|(s, v)| SeriesValue {
                rule: r.into(),
                series: (*s).into(),
                value: *v,
            })
            .collect(),
        covered: vec![r.into()],
    }
}

fn breaches(obs: &Observation) -> Vec<(Vec<String>, bool)> {
    obs.events
        .iter()
        .filter_map(|e| match e {
            DetectEvent::Breach {
                series,
                already_in_breach,
                ..
            } => Some((
                series.iter().map(|(s, _)| s.clone()).collect(),
                *already_in_breach,
            )),
            _ => None,
        })
        .collect()
}

fn has(obs: &Observation, want: &DetectEvent) -> bool {
    obs.events.contains(want)
}

#[test]
fn two_series_of_one_rule_breach_at_different_times_and_clear_on_their_own() {
    let rules = [rule("lat", Comparison::Above, 1.0)];
    let mut d = Detector::new();
    let ok = [("a", 0.5), ("b", 0.5)];
    for k in 0..3 {
        assert!(d.observe(&at(k, "lat", &ok), &rules).events.is_empty());
    }
    // a breaches at 3: a new breach of the rule.
    let obs = d.observe(&at(3, "lat", &[("a", 2.0), ("b", 0.5)]), &rules);
    assert_eq!(breaches(&obs), vec![(vec!["a".to_string()], false)]);
    // b breaches at 5 while a is still in its window: attached, not new.
    d.observe(&at(4, "lat", &ok), &rules);
    let obs = d.observe(&at(5, "lat", &[("a", 0.5), ("b", 3.0)]), &rules);
    assert_eq!(breaches(&obs), vec![(vec!["b".to_string()], true)]);
    assert_eq!(d.breaching_series("lat"), ["a", "b"]);
    // a's window (3..=7) is clean after sample 8; b's after 10.
    for k in 6..8 {
        assert!(d.observe(&at(k, "lat", &ok), &rules).events.is_empty());
    }
    let obs = d.observe(&at(8, "lat", &ok), &rules);
    assert_eq!(
        obs.events,
        vec![DetectEvent::SeriesCleared {
            rule: "lat".into(),
            series: "a".into()
        }]
    );
    assert!(d.in_breach("lat"));
    d.observe(&at(9, "lat", &ok), &rules);
    let obs = d.observe(&at(10, "lat", &ok), &rules);
    assert!(has(
        &obs,
        &DetectEvent::SeriesCleared {
            rule: "lat".into(),
            series: "b".into()
        }
    ));
    assert!(has(
        &obs,
        &DetectEvent::Cleared {
            rule: "lat".into(),
            window: 5
        }
    ));
    assert!(!d.in_breach("lat"));
}

#[test]
fn a_below_rule_breaches_under_its_threshold_and_never_at_it() {
    let rules = [rule("up", Comparison::Below, 1.0)];
    let mut d = Detector::new();
    assert!(
        d.observe(&at(0, "up", &[("exporter", 1.0)]), &rules)
            .events
            .is_empty()
    );
    let obs = d.observe(&at(1, "up", &[("exporter", 0.0)]), &rules);
    assert_eq!(breaches(&obs), vec![(vec!["exporter".to_string()], false)]);
    assert_eq!(obs.breaching.len(), 1);
    assert_eq!(obs.breaching[0].value, 0.0);
}

#[test]
fn several_series_breaching_in_one_sample_are_one_breach_worst_first() {
    let rules = [rule("cpu", Comparison::Above, 0.8)];
    let mut d = Detector::new();
    let obs = d.observe(
        &at(0, "cpu", &[("a", 0.85), ("b", 0.95), ("c", 0.1)]),
        &rules,
    );
    assert_eq!(breaches(&obs), vec![(vec!["b".into(), "a".into()], false)]);
}

#[test]
fn a_vanished_series_counts_as_clean_after_one_window_and_is_said_missing() {
    let rules = [rule("up", Comparison::Below, 1.0)];
    let mut d = Detector::new();
    d.observe(&at(0, "up", &[("a", 1.0), ("b", 0.0)]), &rules);
    assert!(d.in_breach("up"));
    // b stops arriving: four readings without it keep the breach in the window.
    for k in 1..5 {
        let obs = d.observe(&at(k, "up", &[("a", 1.0)]), &rules);
        assert!(obs.events.is_empty(), "{k}: {obs:?}");
    }
    // The fifth: b's window holds no breaching sample, and b has been gone a whole window.
    let obs = d.observe(&at(5, "up", &[("a", 1.0)]), &rules);
    assert_eq!(
        obs.events,
        vec![
            DetectEvent::SeriesCleared {
                rule: "up".into(),
                series: "b".into()
            },
            DetectEvent::SeriesMissing {
                rule: "up".into(),
                series: "b".into(),
                samples: 5
            },
            DetectEvent::Cleared {
                rule: "up".into(),
                window: 5
            },
        ]
    );
    // Coming back is a new series, and its breach a new one.
    let obs = d.observe(&at(6, "up", &[("a", 1.0), ("b", 0.0)]), &rules);
    assert_eq!(breaches(&obs), vec![(vec!["b".to_string()], false)]);
}

#[test]
fn a_reading_that_does_not_cover_a_rule_leaves_its_windows_alone() {
    let rules = [rule("up", Comparison::Below, 1.0)];
    let mut d = Detector::new();
    d.observe(&at(0, "up", &[("a", 0.0)]), &rules);
    let mut failed = at(1, "up", &[]);
    failed.covered.clear();
    for _ in 0..20 {
        assert!(d.observe(&failed, &rules).events.is_empty());
    }
    assert!(d.in_breach("up"));
}

#[test]
fn flapping_starts_after_more_than_three_breaches_in_30_minutes_and_stops_when_calm() {
    let mut r = rule("q", Comparison::Above, 1.0);
    r.window = 1;
    let rules = [r];
    let mut d = Detector::new();
    let mut started = None;
    // Breach and clear every other minute.
    for k in 0..8 {
        let v = if k % 2 == 0 { 5.0 } else { 0.0 };
        let obs = d.observe(&at(k, "q", &[("a", v)]), &rules);
        if obs
            .events
            .iter()
            .any(|e| matches!(e, DetectEvent::FlappingStarted { breaches: 4, .. }))
        {
            started = Some(k);
        }
    }
    assert_eq!(
        started,
        Some(6),
        "the fourth breach start (minutes 0, 2, 4, 6)"
    );
    assert!(d.is_flapping("q"));
    // Quiet: once the first start is more than 30 minutes old, at most three remain.
    let mut stopped = None;
    for k in 8..40 {
        let obs = d.observe(&at(k, "q", &[("a", 0.0)]), &rules);
        if obs
            .events
            .iter()
            .any(|e| matches!(e, DetectEvent::FlappingStopped { .. }))
        {
            stopped = Some(k);
        }
    }
    assert_eq!(stopped, Some(30));
    assert!(!d.is_flapping("q"));
}

#[test]
fn disabled_rules_are_not_judged_and_retain_forgets_removed_ones() {
    let mut r = rule("x", Comparison::Above, 1.0);
    let mut d = Detector::new();
    d.observe(&at(0, "x", &[("a", 2.0)]), std::slice::from_ref(&r));
    assert!(d.in_breach("x"));
    r.enabled = false;
    assert!(
        d.observe(&at(1, "x", &[("a", 2.0)]), std::slice::from_ref(&r))
            .events
            .is_empty()
    );
    d.retain(std::slice::from_ref(&r));
    assert!(!d.in_breach("x"));
}
