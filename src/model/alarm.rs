//! How loudly each severity calls: its sound, whether its notification repeats until someone
//! acknowledges, and whether it does either in quiet hours. Pure: the engine asks
//! [`DesktopSettings::call`] what a notification should do at a given local time.

use chrono::{DateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::DesktopSettings;

/// The chime, as bundled (16-bit PCM WAV, 0.9 s).
pub const CHIME_WAV: &[u8] = include_bytes!("../../assets/sounds/chime.wav");
/// The siren, as bundled (16-bit PCM WAV, 1.5 s).
pub const SIREN_WAV: &[u8] = include_bytes!("../../assets/sounds/siren.wav");

/// The bundled sounds (`assets/sounds/`, made for this project, CC0).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlarmSound {
    /// No sound (the notification asks the service for silence).
    None,
    /// A soft two-note chime.
    #[default]
    Chime,
    /// A short urgent siren, for what must wake someone.
    Siren,
}

impl AlarmSound {
    /// Every sound, in the order the settings offer them.
    pub const ALL: [AlarmSound; 3] = [AlarmSound::None, AlarmSound::Chime, AlarmSound::Siren];

    /// Its WAV file's bytes (`None` for no sound).
    pub fn wav(self) -> Option<&'static [u8]> {
        match self {
            AlarmSound::None => None,
            AlarmSound::Chime => Some(CHIME_WAV),
            AlarmSound::Siren => Some(SIREN_WAV),
        }
    }

    /// The file's name, without the volume (`siren`).
    pub fn stem(self) -> &'static str {
        match self {
            AlarmSound::None => "none",
            AlarmSound::Chime => "chime",
            AlarmSound::Siren => "siren",
        }
    }
}

/// What one severity does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Alarm {
    /// The `severity` label value it is for (compared without case).
    pub severity: String,
    /// The sound its notification plays.
    pub sound: AlarmSound,
    /// Minutes between repeats of the notification while nobody acknowledged, took or acted on
    /// what it is about; 0: it is shown once.
    pub repeat_mins: u32,
    /// Whether its sound and repeats go on in quiet hours (the notification itself always
    /// shows).
    pub in_quiet_hours: bool,
}

impl Default for Alarm {
    fn default() -> Self {
        Alarm {
            severity: String::new(),
            sound: AlarmSound::Chime,
            repeat_mins: 0,
            in_quiet_hours: false,
        }
    }
}

/// The hours (local time of this machine) when only severities that say so make a sound or
/// repeat. `start` after `end` spans midnight (22:00–07:00).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct QuietHours {
    /// Whether quiet hours apply at all.
    pub enabled: bool,
    /// When they begin, local time.
    pub start: NaiveTime,
    /// When they end, local time (exclusive).
    pub end: NaiveTime,
}

impl Default for QuietHours {
    fn default() -> Self {
        QuietHours {
            enabled: false,
            start: NaiveTime::from_hms_opt(22, 0, 0).expect("a valid time"),
            end: NaiveTime::from_hms_opt(7, 0, 0).expect("a valid time"),
        }
    }
}

impl QuietHours {
    /// Whether `local` (a time of day on this machine's clock) falls in them.
    pub fn holds(&self, local: NaiveTime) -> bool {
        if !self.enabled || self.start == self.end {
            return false;
        }
        if self.start < self.end {
            self.start <= local && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }
}

/// The alarms a new install has: a critical sirens and repeats every 5 minutes, day and night;
/// a warning chimes once, and not at night.
pub fn default_alarms() -> Vec<Alarm> {
    vec![
        Alarm {
            severity: "critical".into(),
            sound: AlarmSound::Siren,
            repeat_mins: 5,
            in_quiet_hours: true,
        },
        Alarm {
            severity: "warning".into(),
            sound: AlarmSound::Chime,
            repeat_mins: 0,
            in_quiet_hours: false,
        },
    ]
}

/// What one notification does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// The sound to play; `None` asks the service for silence.
    pub sound: AlarmSound,
    /// Minutes until it is shown again while nobody acknowledges; `None`: shown once.
    pub repeat_mins: Option<u32>,
}

impl DesktopSettings {
    /// The alarm for a severity: the one the settings name, else a chime shown once.
    pub fn alarm(&self, severity: &str) -> Alarm {
        (self.alarms.iter())
            .find(|a| a.severity.eq_ignore_ascii_case(severity))
            .cloned()
            .unwrap_or_else(|| Alarm {
                severity: severity.to_string(),
                ..Alarm::default()
            })
    }

    /// What a notification of `severity` does at `now`, `local` being the same instant on
    /// this machine's clock: muted (for good, or until `muted_until`), or in quiet hours for
    /// a severity that keeps them, it is silent and shown once.
    pub fn call(&self, severity: &str, now: DateTime<Utc>, local: NaiveTime) -> Call {
        let alarm = self.alarm(severity);
        let hushed = self.muted
            || self.muted_until.is_some_and(|t| now < t)
            || (!alarm.in_quiet_hours && self.quiet.holds(local));
        if hushed {
            return Call {
                sound: AlarmSound::None,
                repeat_mins: None,
            };
        }
        Call {
            sound: alarm.sound,
            repeat_mins: (alarm.repeat_mins > 0).then_some(alarm.repeat_mins),
        }
    }
}

/// A WAV file (16-bit PCM, as the bundled ones are) with every sample scaled to `volume_pct`
/// of its level (0–100); anything else is returned as it is.
pub fn scaled_wav(wav: &[u8], volume_pct: u8) -> Vec<u8> {
    let mut out = wav.to_vec();
    let Some(data) = pcm16_data(wav) else {
        return out;
    };
    let factor = f32::from(volume_pct.min(100)) / 100.0;
    for i in (data.0..data.1).step_by(2) {
        let s = i16::from_le_bytes([out[i], out[i + 1]]);
        let scaled = (f32::from(s) * factor).round() as i16;
        out[i..i + 2].copy_from_slice(&scaled.to_le_bytes());
    }
    out
}

/// Where the samples of a 16-bit PCM WAV lie (byte range), if it is one.
fn pcm16_data(wav: &[u8]) -> Option<(usize, usize)> {
    if wav.len() < 12 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    let mut pcm16 = false;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let len = u32::from_le_bytes(wav[at + 4..at + 8].try_into().ok()?) as usize;
        let body = at + 8;
        let end = body.checked_add(len)?.min(wav.len());
        if id == b"fmt " && len >= 16 {
            let format = u16::from_le_bytes([wav[body], wav[body + 1]]);
            let bits = u16::from_le_bytes([wav[body + 14], wav[body + 15]]);
            pcm16 = format == 1 && bits == 16;
        } else if id == b"data" {
            let even = body + (end - body) / 2 * 2;
            return pcm16.then_some((body, even));
        }
        at = end + (len & 1);
    }
    None
}

#[cfg(test)]
mod tests;
