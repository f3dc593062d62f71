//! What approving a plan would run, prepared exactly as the executor prepares it (templates
//! filled and escaped, secrets looked up and masked, the allow-lists checked on the filled
//! request), published for the approval dialog and the second approval after a dry run. The
//! same preparation serves both, so the dialog cannot show one request and the run send another.

use std::sync::Arc;

use super::Engine;
use crate::model::{ActionKind, ActionPreview, ActionRefusal, Incident, PreparedAction};

/// A plan's actions prepared for a run.
pub(super) struct PreparedPlan {
    /// Per action: `None` when it runs simulated (or is not to run).
    pub prepared: Vec<Option<PreparedAction>>,
    /// The actions refused, each naming the runbook and the action.
    pub refusals: Vec<ActionRefusal>,
    /// Whether any action still to run is a webhook or a command (acting, or simulated because
    /// *Actions* is off).
    pub acting: bool,
}

impl PreparedPlan {
    /// What the approval shows of it, per action.
    pub fn preview(&self, to_run: &[usize]) -> Vec<ActionPreview> {
        (0..self.prepared.len())
            .map(|i| {
                if !to_run.contains(&i) {
                    return ActionPreview::Done;
                }
                if let Some(r) = self.refusals.iter().find(|r| r.number == i + 1) {
                    return ActionPreview::Refused(r.clone());
                }
                match &self.prepared[i] {
                    Some(p) => ActionPreview::Ready {
                        real: p.real.preview(),
                        dry_run: p.dry_run.as_ref().map(|d| d.preview()),
                    },
                    None => ActionPreview::Simulated,
                }
            })
            .collect()
    }
}

impl Engine {
    /// Prepares the actions `to_run` of `inc` as a run would: simulated ones (and every one
    /// while *Actions* is off) need nothing; the rest are checked and filled.
    pub(super) fn prepare_plan(&self, inc: &Incident, to_run: &[usize]) -> PreparedPlan {
        let actions = &self.settings.actions;
        let vars = crate::model::incident_vars(inc, &self.responder());
        let mut plan = PreparedPlan {
            prepared: vec![None; inc.scenario.actions.len()],
            refusals: Vec::new(),
            acting: false,
        };
        for &i in to_run {
            let action = &inc.scenario.actions[i];
            if action.kind == ActionKind::Simulated {
                continue;
            }
            plan.acting = true;
            if !actions.enabled {
                continue;
            }
            let code = &inc.scenario.code;
            let checked = crate::model::check_action(code, i, action, actions).and_then(|()| {
                let secret = |name: &str| self.secret(name);
                crate::model::prepare(&action.kind, &vars, &secret, &actions.allowed_hosts).map_err(
                    |reason| ActionRefusal {
                        runbook: code.clone(),
                        number: i + 1,
                        title: action.title.en.clone(),
                        reason,
                    },
                )
            });
            match checked {
                Ok(p) => plan.prepared[i] = p,
                Err(refusal) => plan.refusals.push(refusal),
            }
        }
        plan
    }

    /// The approval dialog opened on incident `id`: prepare its plan and publish what it would
    /// run. Nothing is run or audited.
    pub(super) fn preview_plan(&mut self, id: u64) {
        let Some(inc) = self.book.find(id) else {
            return;
        };
        let to_run = inc.still_to_run();
        let preview = self.prepare_plan(inc, &to_run).preview(&to_run);
        self.publish_preview(id, preview);
    }

    /// Publishes `preview` for incident `id`. Previews of plans not under way are dropped
    /// first, so the map holds the runs under way and the one dialog open.
    pub(super) fn publish_preview(&mut self, id: u64, preview: Vec<ActionPreview>) {
        let mut previews = (*self.board.previews).clone();
        previews.retain(|k, _| self.exec.has_run(*k));
        previews.insert(id, preview);
        self.board_mut().previews = Arc::new(previews);
    }

    /// Settings changed (an allow-list, a secret, the switch): what an open dialog shows is
    /// prepared again.
    pub(super) fn refresh_previews(&mut self) {
        let ids: Vec<u64> = self
            .board
            .previews
            .keys()
            .copied()
            .filter(|id| !self.exec.has_run(*id))
            .collect();
        for id in ids {
            self.preview_plan(id);
        }
    }
}
