//! Alertmanager, the wire only: its payloads ([`wire`]), its API as a client ([`api`]), and
//! the webhook receiver ([`receiver`]), which is given a sink and a clock and knows nothing of
//! the engine.

pub mod api;
pub mod receiver;
pub mod wire;

pub use api::{AmClient, MAX_ANSWER_BYTES, PollError};
pub use receiver::receiver_snippet;
pub use wire::{
    AlertmanagerError, AmStatus, MAX_FINGERPRINT_BYTES, WebhookGroup, parse_alerts, parse_status,
    parse_webhook,
};

#[cfg(test)]
mod tests;
