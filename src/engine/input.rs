//! The one enum every task of the engine reports on, and its channel. A poll, a delivery
//! attempt, a save: each comes back as an [`Input`], and the loop hands it to the room that owns
//! it. Commands from the window arrive on their own bounded channel (so a swamped engine
//! refuses clicks instead of growing), and are handed out the same way.

use tokio::sync::mpsc;

use super::live::LiveEvent;
use super::notifier::DeliveryEvent;
use crate::store::StoreError;

/// What a task of the engine reports.
#[derive(Debug)]
pub enum Input {
    /// The live source (a poll, a backfill) or a one-off Verify or Test.
    Live(LiveEvent),
    /// A notification attempt, or the Slack tab's Test.
    Delivery(DeliveryEvent),
    /// A save of incidents on a blocking thread finished.
    Saved(Result<(), StoreError>),
    /// A save of an incident's kept samples finished.
    SamplesSaved(Result<(), StoreError>),
    /// The Alertmanager webhook receiver.
    Intake(super::alerts::IntakeEvent),
    /// Silences created or expired for an acknowledgement.
    Silences(super::alerts::ack::SilenceReport),
    /// A desktop notification was shown, or could not be.
    Desktop(super::alerts::desktop::DesktopReport),
    /// The AI analyst answered, or its Test did.
    Analysis(super::analyst::AnalysisEvent),
    /// A run of an action finished, or the audit log could not be written.
    Exec(super::executor::ExecEvent),
    /// The team store: the link, a claim's answer, incidents fetched, events written.
    Team(super::team::TeamEvent),
}

/// The sending side, cloned into every task.
pub type InputTx = mpsc::UnboundedSender<Input>;

/// A task's [`Report`](super::report::Report): each event wrapped by `wrap` and sent on `tx`.
pub(super) fn report<E: 'static>(tx: &InputTx, wrap: fn(E) -> Input) -> super::report::Report<E> {
    let tx = tx.clone();
    std::sync::Arc::new(move |e| tx.send(wrap(e)).is_ok())
}
