//! What the window (or a test) holds of a running engine: its published state, its command
//! channel, and its thread.

use std::sync::Arc;

use parking_lot::Mutex;
use tokio::sync::mpsc;

use super::{Command, ConsoleState};

/// What the engine calls after a batch of changes (the window's repaint).
pub(super) type RepaintFn = Arc<dyn Fn(Wake) + Send + Sync>;

/// What a published turn changed, so that a window in the background can let graphs wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wake {
    /// Something a responder must see at once: a feed entry, an incident, a source's health,
    /// a test's answer, settings.
    News,
    /// Only a new sample: the cards' values and the graphs.
    Sample,
}

/// What the UI holds: the shared state, the command channel, and the engine thread.
pub struct EngineHandle {
    /// The state to read each frame.
    pub state: Arc<Mutex<ConsoleState>>,
    pub(super) commands: mpsc::Sender<Command>,
    pub(super) repaint: Arc<Mutex<Option<RepaintFn>>>,
    pub(super) stop: Arc<tokio::sync::Notify>,
    pub(super) thread: Option<std::thread::JoinHandle<()>>,
}

impl EngineHandle {
    /// What a frame draws, copied under one short lock.
    pub fn snapshot(&self) -> super::Snapshot {
        super::Snapshot::take(&self.state.lock())
    }

    /// Runs `f` on the sparkline history under the lock (keep `f` short: no drawing in it).
    pub fn with_history<R>(&self, f: impl FnOnce(&crate::history::MetricHistory) -> R) -> R {
        f(&self.state.lock().history)
    }

    /// Runs `f` on the feed under the lock (keep `f` short: copy what is drawn, then draw).
    pub fn with_feed<R>(
        &self,
        f: impl FnOnce(&std::collections::VecDeque<crate::model::FeedEntry>) -> R,
    ) -> R {
        f(&self.state.lock().feed)
    }

    /// Waits until the engine has restored the data dir (see [`super::Engine::spawn`]), for at
    /// most `timeout`; returns whether it has. For callers that read the state at once (tests,
    /// benches); the window instead draws "restoring" and looks again.
    pub fn wait_restored(&self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            if !self.state.lock().board.restoring {
                return true;
            }
            if std::time::Instant::now() >= deadline || !self.is_running() {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }

    /// Queues a command. Returns false (and the engine is gone or swamped) if it could not.
    pub fn send(&self, command: Command) -> bool {
        self.commands.try_send(command).is_ok()
    }

    /// A sender for threads other than the UI's (e.g. a file dialog's).
    pub fn sender(&self) -> mpsc::Sender<Command> {
        self.commands.clone()
    }

    /// Installs what the engine calls after each batch of changes (the window's repaint).
    pub fn set_repaint(&self, repaint: impl Fn(Wake) + Send + Sync + 'static) {
        *self.repaint.lock() = Some(Arc::new(repaint));
    }

    /// Whether the engine thread is still alive (false after shutdown or a crash).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Asks the engine to save and stop, and waits for its thread.
    pub fn shutdown(&mut self) {
        // A separate signal, not a command: it gets through even when the queue is full.
        self.stop.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for EngineHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}
