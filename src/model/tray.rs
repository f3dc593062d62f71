//! What the tray shows: how many fire and the worst severity among them, and the mute; why
//! there is no tray, or no desktop notification. Plain data: `crate::tray` fills it from the
//! engine's board, `text::tray` and `text::desktop` word it.

use chrono::{DateTime, Utc};

use super::Lang;

/// The worst severity firing, as the icon's colour shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Worst {
    /// Nothing fires.
    #[default]
    Quiet,
    /// Something of another severity fires (`info`, none).
    Other,
    /// A warning fires.
    Warning,
    /// A critical fires.
    Critical,
}

impl Worst {
    /// The worst for one `severity` label value (compared without case).
    pub fn of(severity: &str) -> Worst {
        if severity.eq_ignore_ascii_case("critical") {
            Worst::Critical
        } else if severity.eq_ignore_ascii_case("warning") {
            Worst::Warning
        } else {
            Worst::Other
        }
    }
}

/// What the tray shows; it is updated only when this changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrayStatus {
    /// How many fire: firing alerts, and rules in breach with an active incident.
    pub firing: usize,
    /// The worst of their severities.
    pub worst: Worst,
    /// Sounds and repeats muted until then.
    pub muted_until: Option<DateTime<Utc>>,
    /// The words' language.
    pub lang: Lang,
}

/// Why a desktop notification was not shown. What the OS said rides along as data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DesktopFault {
    /// A feed entry from before these kinds: its reason is already a sentence.
    #[default]
    Worded,
    /// No notification service answered on the session bus (Linux and the BSDs).
    NoService,
    /// The platform's notification centre refused it (Windows, macOS).
    Refused,
}

/// Why there is no tray icon this run. What the OS said rides along as data, beside this.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TrayFault {
    /// A feed entry from before these kinds: its reason is already a sentence.
    #[default]
    Worded,
    /// No D-Bus session bus answered (Linux).
    NoSessionBus,
    /// The platform's tray refused: its icon or menu could not be made, or its thread did not
    /// start.
    Refused,
    /// This platform has no tray yet (macOS).
    Unsupported,
}
