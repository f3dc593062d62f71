//! Pure detection: the sliding window per metric, breach and clear transitions, and the recovery
//! watch. No I/O and no clock: every call gets the reading it judges.

use std::collections::VecDeque;

use crate::model::{Incident, Metric, Reading, Settings};

/// How many recent samples the detection window holds.
pub const WINDOW_SAMPLES: usize = 5;

/// A state change the monitor found in one reading.
#[derive(Clone, Debug, PartialEq)]
pub enum MonitorEvent {
    /// The metric's window went from clean to breaching: a new breach.
    Breach {
        /// Which metric.
        metric: Metric,
        /// The node whose sample breached.
        node: String,
        /// Its value.
        value: f64,
        /// The threshold it exceeded.
        threshold: f64,
    },
    /// The window holds no breaching sample any more.
    Cleared {
        /// Which metric.
        metric: Metric,
    },
}

/// One sample above its threshold (used for hotspots).
#[derive(Clone, Debug, PartialEq)]
pub struct BreachingSample {
    /// Which metric.
    pub metric: Metric,
    /// Which node.
    pub node: String,
    /// Its value.
    pub value: f64,
}

/// What one reading changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// Breach and clear transitions.
    pub events: Vec<MonitorEvent>,
    /// Every sample of this reading that is above its threshold.
    pub breaching: Vec<BreachingSample>,
}

/// The detection window for both metrics.
///
/// Each poll contributes one sample per metric: the highest value over all nodes, so that
/// "any of the last 5 samples on any node exceeds the threshold" is a question about the last
/// 5 polls, and a node that disappears from the source cannot keep a breach alive forever.
#[derive(Clone, Debug, Default)]
pub struct Monitor {
    windows: [VecDeque<f64>; 2],
    in_breach: [bool; 2],
}

impl Monitor {
    /// A monitor with empty windows.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `metric` is currently in breach.
    pub fn in_breach(&self, metric: Metric) -> bool {
        self.in_breach[metric.index()]
    }

    /// Judges one reading against the thresholds in `settings`.
    pub fn observe(&mut self, reading: &Reading, settings: &Settings) -> Observation {
        let mut obs = Observation::default();
        for metric in Metric::ALL {
            let threshold = settings.threshold(metric);
            for n in &reading.nodes {
                if let Some(v) = n.value(metric).filter(|&v| v > threshold) {
                    obs.breaching.push(BreachingSample {
                        metric,
                        node: n.node.clone(),
                        value: v,
                    });
                }
            }
            // A reading without this metric says nothing about it: the window stays as it is.
            let Some((node, max)) = reading.max(metric) else {
                continue;
            };
            let window = &mut self.windows[metric.index()];
            if window.len() == WINDOW_SAMPLES {
                window.pop_front();
            }
            window.push_back(max);
            let breaching = window.iter().any(|&v| v > threshold);
            let was = std::mem::replace(&mut self.in_breach[metric.index()], breaching);
            match (was, breaching) {
                (false, true) => obs.events.push(MonitorEvent::Breach {
                    metric,
                    node: node.to_string(),
                    value: max,
                    threshold,
                }),
                (true, false) => obs.events.push(MonitorEvent::Cleared { metric }),
                _ => {}
            }
        }
        obs
    }
}

/// Advances an incident's recovery watch by one reading; returns true when it just recovered.
///
/// Only incidents whose plan was executed (status Mitigating) are watched. A sample is healthy
/// when every watched metric is at or under its threshold on every node; the scenario's own
/// metric is watched, or both when the scenario names none.
pub fn recovery_step(incident: &mut Incident, reading: &Reading, settings: &Settings) -> bool {
    if incident.status != crate::model::IncidentStatus::Mitigating {
        return false;
    }
    let watched: &[Metric] = match incident.scenario.metric {
        Some(Metric::HttpErrorRate) => &[Metric::HttpErrorRate],
        Some(Metric::CpuUsage) => &[Metric::CpuUsage],
        None => &Metric::ALL,
    };
    let mut saw_any = false;
    let healthy = watched.iter().all(|&m| match reading.max(m) {
        Some((_, v)) => {
            saw_any = true;
            v <= settings.threshold(m)
        }
        None => true,
    });
    if !saw_any {
        // No data is not evidence of health.
        return false;
    }
    if healthy {
        incident.healthy_streak += 1;
    } else {
        incident.healthy_streak = 0;
    }
    incident.healthy_streak >= settings.recovery_samples.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeReading;
    use chrono::{TimeZone, Utc};

    fn reading(http: [f64; 3], cpu: [f64; 3]) -> Reading {
        Reading {
            at: Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap(),
            nodes: (0..3)
                .map(|i| NodeReading {
                    node: format!("edge-node-0{}", i + 1),
                    http_error_rate: Some(http[i]),
                    cpu_usage: Some(cpu[i]),
                })
                .collect(),
        }
    }

    const OK_HTTP: [f64; 3] = [0.01, 0.02, 0.03];
    const OK_CPU: [f64; 3] = [0.4, 0.5, 0.6];

    #[test]
    fn one_breaching_sample_of_five_is_a_breach_and_five_clean_clear_it() {
        let s = Settings::default();
        let mut m = Monitor::new();
        for _ in 0..4 {
            assert!(m.observe(&reading(OK_HTTP, OK_CPU), &s).events.is_empty());
        }
        // Exactly one sample on one node over 0.05.
        let obs = m.observe(&reading([0.01, 0.09, 0.02], OK_CPU), &s);
        assert_eq!(
            obs.events,
            vec![MonitorEvent::Breach {
                metric: Metric::HttpErrorRate,
                node: "edge-node-02".into(),
                value: 0.09,
                threshold: 0.05
            }]
        );
        assert_eq!(obs.breaching.len(), 1);
        // Four clean samples: the breaching one is still in the window.
        for _ in 0..4 {
            let obs = m.observe(&reading(OK_HTTP, OK_CPU), &s);
            assert!(obs.events.is_empty(), "{obs:?}");
            assert!(m.in_breach(Metric::HttpErrorRate));
        }
        // The fifth clean sample pushes it out.
        let obs = m.observe(&reading(OK_HTTP, OK_CPU), &s);
        assert_eq!(
            obs.events,
            vec![MonitorEvent::Cleared {
                metric: Metric::HttpErrorRate
            }]
        );
        assert!(!m.in_breach(Metric::HttpErrorRate));
    }

    #[test]
    fn a_continuing_breach_is_one_event_not_one_per_sample() {
        let s = Settings::default();
        let mut m = Monitor::new();
        let mut breaches = 0;
        for _ in 0..10 {
            let obs = m.observe(&reading(OK_HTTP, [0.9, 0.5, 0.5]), &s);
            breaches += obs
                .events
                .iter()
                .filter(|e| matches!(e, MonitorEvent::Breach { .. }))
                .count();
            assert_eq!(obs.breaching.len(), 1);
        }
        assert_eq!(breaches, 1);
    }

    #[test]
    fn value_equal_to_threshold_is_not_a_breach() {
        let s = Settings::default();
        let mut m = Monitor::new();
        let obs = m.observe(&reading([0.05, 0.01, 0.01], [0.8, 0.1, 0.1]), &s);
        assert!(obs.events.is_empty());
    }

    fn mitigating_incident() -> Incident {
        let scenario = crate::scenarios::load(None)
            .scenarios
            .into_iter()
            .find(|s| s.code == "cpu_spike_core")
            .unwrap();
        let r = reading(OK_HTTP, OK_CPU);
        let trigger = crate::model::Trigger {
            origin: crate::model::TriggerOrigin::Manual,
            at: r.at,
            metric: scenario.metric,
            node: None,
            http_error_rate: None,
            cpu_usage: None,
            http_threshold: 0.05,
            cpu_threshold: 0.8,
        };
        Incident {
            status: crate::model::IncidentStatus::Mitigating,
            plan: crate::model::ActionPlan {
                state: crate::model::PlanState::Executed(r.at),
                results: vec![],
            },
            ..Incident::open(1, scenario, trigger, |s, t, marks| {
                crate::analysis::write(s, t, marks, r.at)
            })
        }
    }

    #[test]
    fn recovery_needs_n_healthy_samples_in_a_row_of_the_watched_metric() {
        let s = Settings::default();
        let mut inc = mitigating_incident();
        let healthy = reading([0.9, 0.9, 0.9], OK_CPU); // http is not watched by the CPU runbook
        let sick = reading(OK_HTTP, [0.5, 0.81, 0.5]);
        assert!(!recovery_step(&mut inc, &healthy, &s));
        assert!(!recovery_step(&mut inc, &healthy, &s));
        assert!(
            !recovery_step(&mut inc, &sick, &s),
            "a breach resets the streak"
        );
        assert_eq!(inc.healthy_streak, 0);
        assert!(!recovery_step(&mut inc, &healthy, &s));
        assert!(!recovery_step(&mut inc, &healthy, &s));
        assert!(
            recovery_step(&mut inc, &healthy, &s),
            "third healthy sample in a row"
        );
        // Open incidents (plan not executed) are not watched.
        let mut open = mitigating_incident();
        open.status = crate::model::IncidentStatus::Open;
        for _ in 0..5 {
            assert!(!recovery_step(&mut open, &healthy, &s));
        }
    }

    #[test]
    fn missing_metric_leaves_window_untouched() {
        let s = Settings::default();
        let mut m = Monitor::new();
        m.observe(&reading([0.2, 0.0, 0.0], OK_CPU), &s);
        let mut empty = reading(OK_HTTP, OK_CPU);
        for n in &mut empty.nodes {
            n.http_error_rate = None;
        }
        for _ in 0..10 {
            assert!(m.observe(&empty, &s).events.is_empty());
        }
        assert!(m.in_breach(Metric::HttpErrorRate));
    }
}
