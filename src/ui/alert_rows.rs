//! The alerts list as rows, computed once per change (new alerts, another filter, grouping
//! or a group opened) and not per frame, so that a storm of 10,000 alerts costs the frame only
//! the rows on screen. Pure: no egui.
//!
//! Order is stable while alerts come and go: a group keeps the place it got when first seen
//! (new groups after the known ones, by their oldest alert), and within a group (and in the
//! flat table) alerts go by when they started, then fingerprint, so a new alert enters at the
//! end and nothing on screen moves.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::detect::matcher::Matchers;
use crate::model::{Alert, AlertStatus, alert_group};

/// A group with more alerts than this starts collapsed (its header shows the count).
pub(crate) const OPEN_GROUP_LIMIT: usize = 10;

/// How the list is grouped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum GroupBy {
    /// As Alertmanager grouped them (`groupKey`); an alert known only from polling goes by
    /// `alertname`, Alertmanager's default `group_by`.
    #[default]
    Alertmanager,
    /// By one label's value.
    Label(String),
    /// No groups: one flat table.
    Flat,
}

/// One line of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Row {
    /// A group's header.
    Group {
        /// Its key, as shown.
        key: String,
        /// Alerts in it that match the filter.
        count: usize,
        /// Of them, firing.
        firing: usize,
        /// Whether its alerts are shown.
        open: bool,
    },
    /// An alert: its index in the snapshot's alerts.
    Alert(usize),
}

/// What the rows were computed from; any difference recomputes them.
struct Basis {
    /// The list itself, held: an address alone could be the next list's, once this one is
    /// freed, and then a change would go unseen.
    alerts: Arc<Vec<Arc<Alert>>>,
    filter: String,
    group_by: GroupBy,
    toggles: u64,
}

impl Basis {
    fn same(&self, other: &Basis) -> bool {
        Arc::ptr_eq(&self.alerts, &other.alerts)
            && self.filter == other.filter
            && self.group_by == other.group_by
            && self.toggles == other.toggles
    }
}

/// The rows, and what the header shows about them.
#[derive(Default)]
pub(crate) struct AlertRows {
    basis: Option<Basis>,
    /// Every line, in order.
    pub rows: Vec<Row>,
    /// Firing alerts that match the filter, per severity (`""` for none), most first.
    pub severities: Vec<(String, usize)>,
    /// Alerts that match the filter.
    pub matching: usize,
    /// Their indices in the snapshot's alerts (for "select all matching").
    pub matching_ids: Vec<usize>,
    /// Each group's alerts, by key (for picking a whole group).
    pub members: HashMap<String, Vec<usize>>,
    /// Every label name in the alerts (for "Group by").
    pub label_names: Vec<String>,
    /// Each group's place, given when it was first seen.
    places: HashMap<String, u64>,
    next_place: u64,
    /// Groups opened or closed by the responder (otherwise: open up to [`OPEN_GROUP_LIMIT`]).
    toggled: HashMap<String, bool>,
    toggles: u64,
}

impl AlertRows {
    /// Opens a closed group or closes an open one.
    pub fn toggle(&mut self, key: &str) {
        let open = self
            .rows
            .iter()
            .any(|r| matches!(r, Row::Group { key: k, open: true, .. } if k == key));
        self.toggled.insert(key.to_string(), !open);
        self.toggles += 1;
    }

    /// Recomputes the rows if `alerts`, the filter or the grouping changed since.
    pub fn update(
        &mut self,
        alerts: &Arc<Vec<Arc<Alert>>>,
        filter: &str,
        matchers: &Matchers,
        group_by: &GroupBy,
    ) {
        let basis = Basis {
            alerts: alerts.clone(),
            filter: filter.to_string(),
            group_by: group_by.clone(),
            toggles: self.toggles,
        };
        if self.basis.as_ref().is_some_and(|b| b.same(&basis)) {
            return;
        }
        self.basis = Some(basis);
        let matching: Vec<usize> = (0..alerts.len())
            .filter(|&i| matchers.matches(&alerts[i].labels))
            .collect();
        self.matching = matching.len();
        self.matching_ids = matching.clone();
        self.members.clear();
        self.count_severities(alerts, &matching);
        let mut names: Vec<String> = alerts
            .iter()
            .flat_map(|a| a.labels.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect();
        names.sort();
        self.label_names = names;
        let by_start = |i: &usize| (alerts[*i].starts_at, alerts[*i].fingerprint.clone());
        if *group_by == GroupBy::Flat {
            let mut order = matching;
            order.sort_by_key(by_start);
            self.rows = order.into_iter().map(Row::Alert).collect();
            return;
        }
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in matching {
            let a = &alerts[i];
            let key = match group_by {
                GroupBy::Label(l) => format!("{l}=\"{}\"", a.label(l)),
                _ => alert_group(a),
            };
            groups.entry(key).or_default().push(i);
        }
        for members in groups.values_mut() {
            members.sort_by_key(by_start);
        }
        self.place_new_groups(alerts, &groups);
        self.members = groups.iter().map(|(k, m)| (k.clone(), m.clone())).collect();
        let mut ordered: Vec<(u64, String, Vec<usize>)> = groups
            .into_iter()
            .map(|(k, m)| (self.places[&k], k, m))
            .collect();
        ordered.sort_by_key(|(place, ..)| *place);
        self.rows.clear();
        for (_, key, members) in ordered {
            let open = self
                .toggled
                .get(&key)
                .copied()
                .unwrap_or(members.len() <= OPEN_GROUP_LIMIT);
            let firing = members
                .iter()
                .filter(|i| alerts[**i].status == AlertStatus::Firing)
                .count();
            self.rows.push(Row::Group {
                key,
                count: members.len(),
                firing,
                open,
            });
            if open {
                self.rows.extend(members.into_iter().map(Row::Alert));
            }
        }
    }

    /// Gives each group not seen before a place after every known one, by its oldest alert.
    fn place_new_groups(&mut self, alerts: &[Arc<Alert>], groups: &BTreeMap<String, Vec<usize>>) {
        let mut new: Vec<(chrono::DateTime<chrono::Utc>, &String)> = groups
            .iter()
            .filter(|(k, _)| !self.places.contains_key(*k))
            .map(|(k, m)| (alerts[m[0]].starts_at, k))
            .collect();
        new.sort();
        for (_, key) in new {
            self.places.insert(key.clone(), self.next_place);
            self.next_place += 1;
        }
    }

    fn count_severities(&mut self, alerts: &[Arc<Alert>], matching: &[usize]) {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in matching {
            if alerts[i].status == AlertStatus::Firing {
                *counts.entry(alerts[i].severity()).or_default() += 1;
            }
        }
        let mut severities: Vec<(String, usize)> = counts
            .into_iter()
            .map(|(s, n)| (s.to_string(), n))
            .collect();
        severities.sort_by_key(|(s, n)| (std::cmp::Reverse(*n), s.clone()));
        self.severities = severities;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};
    use std::collections::BTreeSet;

    fn alert(fp: &str, name: &str, group: Option<&str>, starts: i64) -> Arc<Alert> {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap() + Duration::seconds(starts);
        Arc::new(Alert {
            fingerprint: fp.into(),
            status: AlertStatus::Firing,
            state: Default::default(),
            silenced_by: Vec::new(),
            inhibited_by: Vec::new(),
            labels: [
                ("alertname".to_string(), name.to_string()),
                (
                    "severity".to_string(),
                    if starts % 2 == 0 {
                        "critical"
                    } else {
                        "warning"
                    }
                    .to_string(),
                ),
            ]
            .into(),
            annotations: Default::default(),
            starts_at: at,
            ends_at: None,
            generator_url: String::new(),
            group_key: group.map(str::to_string),
            reported_by: BTreeSet::new(),
            seen_at: at,
            cut: Default::default(),
        })
    }

    fn keys(rows: &AlertRows) -> Vec<String> {
        rows.rows
            .iter()
            .filter_map(|r| match r {
                Row::Group { key, count, .. } => Some(format!("{key} ({count})")),
                Row::Alert(_) => None,
            })
            .collect()
    }

    #[test]
    fn polled_alerts_group_by_name_and_a_group_keeps_its_place() {
        let mut list = vec![
            alert("b", "Disk", None, 10),
            alert("a", "Cpu", Some("g-cpu"), 20),
            alert("c", "Disk", None, 30),
        ];
        let mut rows = AlertRows::default();
        let all = Matchers::default();
        rows.update(&Arc::new(list.clone()), "", &all, &GroupBy::Alertmanager);
        assert_eq!(keys(&rows), vec!["{alertname=\"Disk\"} (2)", "g-cpu (1)"]);
        assert_eq!(rows.severities, vec![("critical".to_string(), 3)]);
        // An older alert in a new group, and one more in the first: nothing already shown moves.
        list.push(alert("d", "Net", Some("g-net"), 1));
        list.push(alert("e", "Disk", None, 5));
        rows.update(&Arc::new(list), "", &all, &GroupBy::Alertmanager);
        assert_eq!(
            rows.severities,
            vec![("critical".to_string(), 3), ("warning".to_string(), 2)]
        );
        assert_eq!(
            keys(&rows),
            vec!["{alertname=\"Disk\"} (3)", "g-cpu (1)", "g-net (1)"]
        );
    }

    #[test]
    fn a_big_group_starts_closed_and_opens_on_a_click_and_the_filter_counts() {
        let list: Arc<Vec<Arc<Alert>>> = Arc::new(
            (0..25)
                .map(|i| alert(&format!("f{i:02}"), "Storm", Some("g"), i))
                .collect(),
        );
        let mut rows = AlertRows::default();
        let all = Matchers::default();
        rows.update(&list, "", &all, &GroupBy::Alertmanager);
        assert_eq!(rows.rows.len(), 1, "closed: its header only");
        rows.toggle("g");
        rows.update(&list, "", &all, &GroupBy::Alertmanager);
        assert_eq!(rows.rows.len(), 26);
        // In start order: the newest last.
        assert_eq!(rows.rows[1], Row::Alert(0));
        assert_eq!(rows.rows[25], Row::Alert(24));
        let critical = Matchers::parse(r#"severity="critical""#).unwrap();
        rows.update(&list, "critical", &critical, &GroupBy::Flat);
        assert_eq!(rows.matching, 13);
        assert_eq!(rows.rows.len(), 13, "flat: no headers");
    }
}
