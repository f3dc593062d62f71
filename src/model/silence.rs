//! A silence as an Alertmanager holds it: who made it (`createdBy`, whichever tool: this
//! console, amtool, karma, the Alertmanager UI), when, until when, and why. Alerts name the
//! silences that hold them (`Alert::silenced_by`), so a silence says who acknowledged them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest comment kept, in bytes (a silence's comment is outside text).
pub const SILENCE_COMMENT_LIMIT_BYTES: usize = 500;
/// The longest author kept, in bytes.
pub const SILENCE_AUTHOR_LIMIT_BYTES: usize = 100;

/// One silence, active or pending (expired ones are not kept).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    /// Alertmanager's id (a UUID).
    pub id: String,
    /// Who made it, as the tool said (capped at [`SILENCE_AUTHOR_LIMIT_BYTES`]).
    pub created_by: String,
    /// Why (capped at [`SILENCE_COMMENT_LIMIT_BYTES`]).
    pub comment: String,
    /// When it starts (or started).
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// The Alertmanager it was read from, without credentials.
    pub source: String,
}

/// `text` cut to at most `limit` bytes on a character boundary.
pub fn cap_text(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}
