//! Colour only for state: breach, recovered, pending. Everything else stays monotone.

use egui::Color32;

use crate::model::{FeedKind, IncidentStatus};

/// A value over its threshold, an error.
pub fn breach(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(255, 110, 100)
    } else {
        Color32::from_rgb(190, 30, 30)
    }
}

/// Healthy again.
pub fn recovered(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(110, 210, 120)
    } else {
        Color32::from_rgb(20, 125, 45)
    }
}

/// Waiting on something (mitigating, deferred, pending verification).
pub fn pending(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(240, 190, 80)
    } else {
        Color32::from_rgb(170, 105, 0)
    }
}

/// The colour of an incident status, if it has one.
pub fn status_color(status: IncidentStatus, dark: bool) -> Option<Color32> {
    match status {
        IncidentStatus::Open => Some(breach(dark)),
        IncidentStatus::Mitigating => Some(pending(dark)),
        IncidentStatus::Recovered => Some(recovered(dark)),
        IncidentStatus::Closed => None,
    }
}

/// The colour of a feed kind, if it has one.
pub fn feed_color(kind: FeedKind, dark: bool) -> Option<Color32> {
    match kind {
        FeedKind::Detection | FeedKind::Refire | FeedKind::Error | FeedKind::Alert => {
            Some(breach(dark))
        }
        FeedKind::Cleared | FeedKind::Recovered => Some(recovered(dark)),
        FeedKind::Action => Some(pending(dark)),
        _ => None,
    }
}
