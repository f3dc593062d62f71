//! What the window remembers between frames that is not the engine's: selections, drafts and
//! caches. Nothing here is the truth about incidents.

use super::{ack, actions, alerts, feed, metrics, settings};
use crate::engine::Command;
use crate::model::ThemeChoice;

/// What the centre of the window shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Centre {
    /// The incidents and the one selected.
    #[default]
    Incidents,
    /// The Alertmanager alerts.
    Alerts,
    /// Counts and median key times per runbook and rule.
    Reports,
}

/// UI-only state: selections, drafts, caches. Nothing here is the truth about incidents.
#[derive(Default)]
pub(crate) struct UiState {
    /// The incident shown, and the reports' choice.
    pub incidents: super::incident::IncidentsView,
    /// Scenario for "Trigger alert"; `None` means random.
    pub trigger_choice: Option<String>,
    pub feed: feed::FeedView,
    pub sparklines: metrics::SparklineCache,
    pub settings: settings::SettingsForm,
    pub confirm: actions::ConfirmState,
    /// Whether the Settings window is open (the top bar's Settings button toggles it).
    pub settings_open: bool,
    /// For threads that finish after the frame (the export file dialog).
    pub commands: Option<tokio::sync::mpsc::Sender<Command>>,
    /// What the centre shows: the incidents, the alerts list, or the reports.
    pub centre: Centre,
    pub reports: super::reports::ReportsView,
    pub alerts: alerts::AlertsView,
    /// The Acknowledge form, on an alert or an incident.
    pub ack: ack::AckForm,
    pub knowledge: super::knowledge::KnowledgeView,
    /// The theme last applied to the context (set again only when it changes).
    pub applied_theme: Option<ThemeChoice>,
    /// The last notification "Open" obeyed (`Board::raise`'s `seq`).
    pub raised: u64,
}
