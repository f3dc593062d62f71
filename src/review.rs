//! The post-incident review: built only from an incident's events and what the data dir keeps
//! of it (its samples, the audit log's lines, the outbox's jobs), as a list of blocks that both
//! renderers turn into the same sections: one self-contained HTML file (inline SVG and CSS, no
//! script, nothing fetched) and Markdown with the graphs as SVG files beside it. Every string
//! from outside (alert names, notes, model output, commands) is escaped for where it goes.

mod graph;
mod render;

pub use graph::{GRAPH_HEIGHT_PX, GRAPH_WIDTH_PX, GraphSpec};
pub use render::{ReviewFormat, html, markdown, write};

use chrono::{DateTime, Utc};

use crate::audit::AuditLine;
use crate::model::{
    Hotspot, Incident, IncidentEvent, IncidentEventKind, Job, KeptSamples, KeyTimes, Lang,
    ReviewSection,
};
use crate::text::review::{self as words, Heading};
use crate::text::timeline;

/// What a review is made from.
pub struct ReviewInput<'a> {
    /// The incident.
    pub incident: &'a Incident,
    /// Its kept samples, if any were kept.
    pub samples: Option<&'a KeptSamples>,
    /// The audit log's lines of this incident, oldest first.
    pub audit: Vec<&'a AuditLine>,
    /// The outbox's jobs of this incident.
    pub jobs: Vec<&'a Job>,
    /// When the review is written (its header says so).
    pub written_at: DateTime<Utc>,
}

/// One block of the review, plain text: the renderers escape it.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A section's heading.
    Heading(String),
    /// A paragraph.
    Para(String),
    /// Label and value, one per line.
    Pairs(Vec<(String, String)>),
    /// A bulleted list.
    List(Vec<String>),
    /// A table: its header and rows of as many cells.
    Table {
        /// Column names.
        head: Vec<String>,
        /// Rows.
        rows: Vec<Vec<String>>,
    },
    /// A graph: its caption and the SVG plotters drew.
    Graph {
        /// The caption (also the image's alternative text).
        title: String,
        /// The SVG document.
        svg: String,
    },
}

/// A review: its title and blocks, in one language.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// The title.
    pub title: String,
    /// Its language.
    pub lang: Lang,
    /// The sections, in order.
    pub blocks: Vec<Block>,
}

impl Review {
    /// The graphs' SVG documents, in order.
    pub fn graphs(&self) -> impl Iterator<Item = &str> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Graph { svg, .. } => Some(svg.as_str()),
            _ => None,
        })
    }
}

/// Why a review could not be made from a data dir, in words.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// A file of the data dir could not be read.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// No incident has that id.
    #[error("there is no incident #{id} in {dir} ({known})")]
    NoIncident {
        /// The id asked for.
        id: u64,
        /// The data dir.
        dir: String,
        /// Which ids there are, in words.
        known: String,
    },
}

/// The review of incident `id` from what `store` holds (read only: a console may hold the
/// data dir meanwhile); `fetch` gives the samples when none were kept (a range query).
pub fn from_store(
    store: &crate::store::Store,
    id: u64,
    lang: Lang,
    now: DateTime<Utc>,
    fetch: impl FnOnce(&Incident) -> Option<KeptSamples>,
) -> Result<Review, ReviewError> {
    let incidents = store.peek_incidents()?;
    let Some(incident) = incidents.iter().find(|i| i.id == id) else {
        let known = match (incidents.first(), incidents.last()) {
            (Some(a), Some(b)) => format!("it has #{} to #{}", a.id, b.id),
            _ => "it has none".into(),
        };
        let dir = store.dir().display().to_string();
        return Err(ReviewError::NoIncident { id, dir, known });
    };
    let samples = match store.load_samples(id)? {
        Some(kept) => Some(kept),
        None => fetch(incident),
    };
    let audit = crate::audit::read(store.dir());
    let outbox = store.peek_outbox()?;
    let input = ReviewInput {
        incident,
        samples: samples.as_ref(),
        audit: audit.lines.iter().filter(|l| l.incident == id).collect(),
        jobs: outbox.jobs.iter().filter(|j| j.incident == id).collect(),
        written_at: now,
    };
    Ok(build(&input, lang))
}

/// Builds the review of `input` in `lang`.
pub fn build(input: &ReviewInput, lang: Lang) -> Review {
    let inc = input.incident;
    let keys = KeyTimes::of(inc);
    let mut blocks = vec![Block::Para(words::written(input.written_at, lang))];
    let mut section = |h: Heading, body: Vec<Block>| {
        blocks.push(Block::Heading(words::heading(h, lang).into()));
        blocks.extend(body);
    };
    let draft = latest_draft(inc);
    let mut top = summary(inc, lang);
    if let Some(d) = &draft {
        top.extend(drafted(d, &d.1.summary, lang));
    }
    section(Heading::Summary, top);
    section(Heading::KeyTimes, key_times(&keys, lang));
    section(Heading::Impact, impact(inc, lang));
    section(Heading::Graphs, graphs(inc, input.samples, &keys, lang));
    for s in ReviewSection::ALL {
        let text = inc.review_section(s).map_or_else(
            || words::nothing(Heading::Written(s), lang).to_string(),
            str::to_string,
        );
        let mut body = vec![Block::Para(text)];
        if let (ReviewSection::ContributingFactors, Some(d)) = (s, &draft) {
            body.extend(drafted(d, &d.1.contributing_factors, lang));
        }
        section(Heading::Written(s), body);
    }
    section(Heading::FollowUps, follow_ups(inc, lang));
    let starred: Vec<&IncidentEvent> = inc.starred();
    section(
        Heading::Starred,
        events(inc, &starred, Heading::Starred, lang),
    );
    let all: Vec<&IncidentEvent> = inc.timeline.iter().collect();
    section(
        Heading::Timeline,
        events(inc, &all, Heading::Timeline, lang),
    );
    section(Heading::Hypotheses, hypotheses(inc, lang));
    section(Heading::Actions, actions(inc, &input.audit, lang));
    section(
        Heading::Notifications,
        notifications(inc, &input.jobs, lang),
    );
    Review {
        title: words::title(inc.id, inc.scenario.title.text(lang), lang),
        lang,
        blocks,
    }
}

fn summary(inc: &Incident, lang: Lang) -> Vec<Block> {
    let opener = inc
        .timeline
        .iter()
        .find(|e| e.kind == IncidentEventKind::Opened)
        .map_or_else(|| "—".into(), |e| timeline::author(&e.author, lang));
    let resolution = inc.timeline.iter().rev().find_map(|e| match &e.event {
        Some(crate::model::FeedEvent::Closed { resolution, .. }) if !resolution.is_empty() => {
            Some(resolution.clone())
        }
        _ => None,
    });
    let mut pairs = vec![
        (
            0,
            crate::text::incident_status(inc.status, lang).to_string(),
        ),
        (1, inc.scenario.code.clone()),
        (2, inc.opened_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
        (3, opener),
        (4, crate::text::trigger_values(&inc.trigger, lang)),
    ];
    if let Some(r) = resolution {
        pairs.push((5, r));
    }
    let pairs = pairs
        .into_iter()
        .map(|(i, v)| (words::summary_label(i, lang).to_string(), v))
        .collect();
    // The fixed-rule report's summary is Korean by design (the team's report language).
    vec![Block::Pairs(pairs), Block::Para(inc.report.summary.clone())]
}

fn key_times(k: &KeyTimes, lang: Lang) -> Vec<Block> {
    let rows = [
        Some(k.began_at),
        Some(k.detected_at),
        k.acknowledged_at,
        k.mitigated_at,
        k.recovered_at,
        k.closed_at,
    ]
    .into_iter()
    .enumerate()
    .map(|(i, at)| {
        (
            words::key_time(i, lang).to_string(),
            words::at_since(at, k.began_at, lang),
        )
    })
    .collect();
    vec![Block::Pairs(rows)]
}

fn impact(inc: &Incident, lang: Lang) -> Vec<Block> {
    if inc.hotspots.is_empty() {
        return vec![Block::Para(words::nothing(Heading::Impact, lang).into())];
    }
    let rows = inc.hotspots.iter().map(|h| impact_row(inc, h)).collect();
    vec![Block::Table {
        head: words::impact_head(lang),
        rows,
    }]
}

fn impact_row(inc: &Incident, h: &Hotspot) -> Vec<String> {
    let rv = inc.trigger.value_of(&h.rule);
    let format = |v: f64| rv.map_or_else(|| crate::model::prom_number(v), |r| r.unit.format(v));
    let threshold = rv.map_or_else(
        || "—".into(),
        |r| format!("{} {}", r.comparison.symbol(), r.unit.format(r.threshold)),
    );
    let until = h.cleared_at.unwrap_or(h.last_at);
    vec![
        h.rule.clone(),
        h.series.clone(),
        h.first_at.format("%H:%M:%S").to_string(),
        format(h.peak),
        threshold,
        crate::text::format_duration(until - h.first_at),
        h.samples.to_string(),
    ]
}

fn graphs(inc: &Incident, samples: Option<&KeptSamples>, k: &KeyTimes, lang: Lang) -> Vec<Block> {
    let Some(kept) = samples.filter(|s| !s.series.is_empty()) else {
        return vec![Block::Para(words::nothing(Heading::Graphs, lang).into())];
    };
    let ms = |at: DateTime<Utc>| at.timestamp_millis();
    let from = kept.from.map_or_else(|| ms(k.began_at), ms);
    let to = kept.to.map_or_else(|| ms(k.detected_at), ms);
    let mut markers = vec![(words::marker(0, lang).to_string(), ms(k.detected_at), 0)];
    if let Some(at) = k.acknowledged_at {
        markers.push((words::marker(1, lang).into(), ms(at), 1));
    }
    for e in inc
        .timeline
        .iter()
        .filter(|e| e.kind == IncidentEventKind::ActionRan)
    {
        markers.push((words::marker(2, lang).into(), ms(e.at), 2));
    }
    if let Some(at) = k.recovered_at {
        markers.push((words::marker(3, lang).into(), ms(at), 3));
    }
    let mut out = Vec::new();
    for rule in kept.rules() {
        let rv = inc.trigger.value_of(rule);
        let unit = rv.map(|r| r.unit).unwrap_or_default();
        let threshold = rv.map(|r| r.threshold).filter(|t| t.is_finite());
        let name = rv.map_or(rule, |r| r.title.text(lang));
        let shown = threshold.map_or_else(|| "—".into(), |t| unit.format(t));
        let title = words::graph_title(name, &shown, lang);
        let spec = GraphSpec {
            title: title.clone(),
            series: kept.of(rule).collect(),
            threshold,
            unit,
            window_ms: (from, to.max(from + 1_000)),
            markers: markers.clone(),
            threshold_name: words::threshold(&shown, lang),
        };
        match graph::svg(&spec) {
            Ok(svg) => out.push(Block::Graph { title, svg }),
            Err(e) => out.push(Block::Para(format!("{title}: {e}"))),
        }
    }
    out
}

/// The model's last draft of the narrative: (model, narrative, flags, cited facts).
type Draft<'a> = (
    &'a str,
    &'a crate::model::ReviewNarrative,
    &'a [crate::model::AnswerFlag],
    &'a [crate::model::Fact],
);

fn latest_draft(inc: &Incident) -> Option<Draft<'_>> {
    inc.timeline.iter().rev().find_map(|e| match &e.event {
        Some(crate::model::FeedEvent::ReviewDrafted {
            model,
            narrative,
            flags,
            cited,
            ..
        }) => Some((
            model.as_str(),
            narrative,
            flags.as_slice(),
            cited.as_slice(),
        )),
        _ => None,
    })
}

/// One part of the model's draft: the label, the claim with its citations, what is unbacked
/// in it, and the facts it cites.
fn drafted(d: &Draft, claim: &crate::model::Claim, lang: Lang) -> Vec<Block> {
    let (model, narrative, flags, cited) = *d;
    let part = if std::ptr::eq(claim, &narrative.summary) {
        "summary"
    } else {
        "contributing_factors"
    };
    let mut out = vec![
        Block::Para(words::drafted(model, lang)),
        Block::Para(words::claim(&claim.text, &claim.cites)),
    ];
    let mut notes: Vec<String> = flags
        .iter()
        .filter(|f| match f {
            crate::model::AnswerFlag::UnbackedNumber { part: p, .. }
            | crate::model::AnswerFlag::UnknownCite { part: p, .. } => p == part,
        })
        .map(|f| words::flag(f, lang))
        .collect();
    notes.extend(
        cited
            .iter()
            .filter(|f| claim.cites.contains(&f.id))
            .map(|f| format!("{}: {}", f.id, f.text)),
    );
    if !notes.is_empty() {
        out.push(Block::List(notes));
    }
    out
}

fn follow_ups(inc: &Incident, lang: Lang) -> Vec<Block> {
    let rows: Vec<Vec<String>> = inc
        .follow_ups()
        .into_iter()
        .map(|(_, f)| {
            vec![
                f.text,
                f.owner,
                f.due
                    .map_or_else(|| "—".into(), |d| d.format("%Y-%m-%d").to_string()),
                timeline::follow_up_status(f.status, lang).to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return vec![Block::Para(words::nothing(Heading::FollowUps, lang).into())];
    }
    vec![Block::Table {
        head: words::follow_ups_head(lang),
        rows,
    }]
}

fn events(inc: &Incident, list: &[&IncidentEvent], h: Heading, lang: Lang) -> Vec<Block> {
    if list.is_empty() {
        return vec![Block::Para(words::nothing(h, lang).into())];
    }
    let rows = list
        .iter()
        .map(|e| {
            let text = inc.note_text(e.id).map(str::to_string).unwrap_or_else(|| {
                e.event.as_ref().map_or_else(
                    || e.detail.clone(),
                    |ev| crate::text::feed::message(ev, lang),
                )
            });
            vec![
                e.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                timeline::kind(&e.kind, lang).to_string(),
                timeline::author(&e.author, lang),
                text,
            ]
        })
        .collect();
    vec![Block::Table {
        head: words::timeline_head(lang),
        rows,
    }]
}

fn hypotheses(inc: &Incident, lang: Lang) -> Vec<Block> {
    let marks = inc.scenario.hypotheses.iter().enumerate().map(|(i, h)| {
        let mark = inc.marks.get(i).copied().unwrap_or_default();
        words::hypothesis(
            i + 1,
            h.statement.text(lang),
            timeline::mark(mark, lang),
            lang,
        )
    });
    let evidence = inc.scenario.evidence.iter().enumerate().map(|(i, e)| {
        let check = inc.checks.get(i).cloned().flatten().map(|c| {
            let value = c.value.map_or_else(String::new, |v| format!(" {v:.4}"));
            format!(
                "{}{value}, {}",
                timeline::check_state(c.state, lang),
                c.at.format("%H:%M:%S")
            )
        });
        words::evidence(i + 1, e.text.text(lang), check, lang)
    });
    vec![Block::List(marks.chain(evidence).collect())]
}

fn actions(inc: &Incident, audit: &[&AuditLine], lang: Lang) -> Vec<Block> {
    if inc.scenario.actions.is_empty() && audit.is_empty() {
        return vec![Block::Para(words::nothing(Heading::Actions, lang).into())];
    }
    let plan = inc.scenario.actions.iter().enumerate().map(|(i, a)| {
        let last = inc.plan.last_run(i).map_or(words::not_run(lang), |r| {
            crate::text::plan::outcome(r.outcome, lang)
        });
        format!("{}. {} ({}) — {last}", i + 1, a.title.text(lang), a.command)
    });
    let mut out = vec![
        Block::Para(crate::text::plan::state(inc.plan.state, lang)),
        Block::List(plan.collect()),
    ];
    if !audit.is_empty() {
        let lines = audit
            .iter()
            .map(|l| crate::text::plan::audit_line(l, lang))
            .collect();
        out.push(Block::List(lines));
    }
    out
}

fn notifications(inc: &Incident, jobs: &[&Job], lang: Lang) -> Vec<Block> {
    let said: Vec<String> = inc
        .timeline
        .iter()
        .filter(|e| e.kind == IncidentEventKind::Notified)
        .filter_map(|e| e.event.as_ref())
        .map(|ev| crate::text::feed::message(ev, lang))
        .collect();
    let waiting: Vec<String> = jobs
        .iter()
        .filter(|j| {
            !matches!(
                j.state,
                crate::model::JobState::Delivered { .. }
                    | crate::model::JobState::SentByOther { .. }
            )
        })
        .map(|j| crate::text::feed::job(&j.desc(), lang))
        .collect();
    if said.is_empty() && waiting.is_empty() {
        return vec![Block::Para(
            words::nothing(Heading::Notifications, lang).into(),
        )];
    }
    vec![Block::List(said.into_iter().chain(waiting).collect())]
}
