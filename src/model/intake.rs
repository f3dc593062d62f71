//! Settings of the Alertmanager webhook receiver.

use serde::{Deserialize, Serialize};

use super::Secret;

/// Where and how the console takes Alertmanager's webhooks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IntakeSettings {
    /// Whether the receiver listens (off until set up: nothing listens by surprise).
    pub enabled: bool,
    /// `host:port` to listen on; 127.0.0.1 unless `allow_remote`.
    pub addr: String,
    /// The bearer token (or basic password) Alertmanager must send; empty for none, which
    /// only a loopback address accepts.
    pub token: Secret,
    /// Listen on an address other machines can reach (needs a token).
    pub allow_remote: bool,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            addr: "127.0.0.1:9095".into(),
            token: Secret::default(),
            allow_remote: false,
        }
    }
}
