//! Incident Response Console: a native desktop console for the first responder to a
//! Prometheus alert.
//!
//! Module map (arrows run one way: `ui` → `engine` → `model`):
//! - [`model`]: plain serde data (readings, scenarios, incidents, reports, settings); no egui, no tokio.
//! - [`scenarios`], [`analysis`], [`history`]: pure logic over the model (runbook loading,
//!   the Korean report, bounded sparkline history with decimation).
//! - [`grounding`]: the numbered facts an AI report is asked from, its schema, and the flags
//!   for what the facts do not back; pure.
//! - [`engine`]: the tokio side; owns time, polling, detection and every state change.
//! - [`integrations`]: one module per outside system (Prometheus, Alertmanager, Slack, SMTP, a
//!   chat-completions server, the desktop's notifications); wire formats and
//!   errors in words, each failure classified as retryable or not.
//! - [`notify`]: what a notification says (Korean text and Slack Block Kit), pure.
//! - [`envconfig`]: settings from the environment and `.env`, for runs without a window.
//! - [`store`]: atomic RON persistence under the data dir; [`audit`]: the append-only,
//!   fsynced audit log of actions.
//! - [`knowledge`]: the local knowledge base (tantivy, our Korean/Latin tokenizer); blocking.
//! - [`ui`]: egui only; reads a snapshot of the engine's state and sends commands.
//! - [`headless`]: the same engine with no window, printing the feed.

#![warn(missing_docs)]

pub mod analysis;
pub mod audit;
pub mod detect;
pub mod engine;
pub mod envconfig;
pub mod grounding;
pub mod headless;
pub mod history;
pub mod integrations;
pub mod knowledge;
pub mod model;
pub mod notify;
pub mod rules;
pub mod scenarios;
pub mod store;
pub mod text;
pub mod ui;
