use chrono::{NaiveTime, TimeZone, Utc};

use super::*;

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn quiet_at_night() -> DesktopSettings {
    DesktopSettings {
        quiet: QuietHours {
            enabled: true,
            start: hm(22, 0),
            end: hm(7, 0),
        },
        ..DesktopSettings::default()
    }
}

#[test]
fn quiet_hours_span_midnight_and_end_exclusive() {
    let q = quiet_at_night().quiet;
    assert!(q.holds(hm(22, 0)) && q.holds(hm(3, 0)) && q.holds(hm(6, 59)));
    assert!(!q.holds(hm(7, 0)) && !q.holds(hm(12, 0)) && !q.holds(hm(21, 59)));
    let day = QuietHours {
        enabled: true,
        start: hm(12, 0),
        end: hm(13, 0),
    };
    assert!(day.holds(hm(12, 30)) && !day.holds(hm(13, 0)) && !day.holds(hm(11, 0)));
    let off = QuietHours {
        enabled: false,
        ..day
    };
    assert!(!off.holds(hm(12, 30)));
}

#[test]
fn a_critical_sirens_and_repeats_day_and_night_a_warning_hushes_at_night() {
    let s = quiet_at_night();
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap();
    let critical = s.call("CRITICAL", now, hm(3, 0));
    assert_eq!(critical.sound, AlarmSound::Siren);
    assert_eq!(critical.repeat_mins, Some(5));
    let warning = s.call("warning", now, hm(3, 0));
    assert_eq!(warning.sound, AlarmSound::None);
    assert_eq!(warning.repeat_mins, None);
    let by_day = s.call("warning", now, hm(10, 0));
    assert_eq!(by_day.sound, AlarmSound::Chime);
    // A severity the settings do not name: a chime, once.
    let info = s.call("info", now, hm(10, 0));
    assert_eq!((info.sound, info.repeat_mins), (AlarmSound::Chime, None));
}

#[test]
fn muting_hushes_every_severity_until_it_ends() {
    let now = Utc.with_ymd_and_hms(2026, 12, 7, 10, 0, 0).unwrap();
    let until = now + chrono::Duration::minutes(60);
    let s = DesktopSettings {
        muted_until: Some(until),
        ..DesktopSettings::default()
    };
    let muted = s.call("critical", now, hm(10, 0));
    assert_eq!((muted.sound, muted.repeat_mins), (AlarmSound::None, None));
    let after = s.call("critical", until, hm(11, 0));
    assert_eq!(after.sound, AlarmSound::Siren);
    let off = DesktopSettings {
        muted: true,
        ..DesktopSettings::default()
    };
    assert_eq!(off.call("critical", now, hm(10, 0)).sound, AlarmSound::None);
}

/// A 16-bit PCM WAV of these samples.
fn wav(samples: &[i16]) -> Vec<u8> {
    let data: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&22_050u32.to_le_bytes());
    out.extend_from_slice(&44_100u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(&data);
    out
}

#[test]
fn volume_scales_the_samples_and_nothing_else() {
    let loud = wav(&[10_000, -20_000, 32_767, 0]);
    let half = scaled_wav(&loud, 50);
    assert_eq!(half.len(), loud.len());
    assert_eq!(half[..44], loud[..44], "the header is kept");
    assert_eq!(half, wav(&[5_000, -10_000, 16_384, 0]));
    assert_eq!(scaled_wav(&loud, 100), loud);
    assert_eq!(scaled_wav(&loud, 0), wav(&[0, 0, 0, 0]));
    // Not a WAV, or not 16-bit PCM: left as it is.
    assert_eq!(scaled_wav(b"not a wav", 10), b"not a wav".to_vec());
    let mut eight_bit = loud.clone();
    eight_bit[34] = 8;
    assert_eq!(scaled_wav(&eight_bit, 10), eight_bit);
}

#[test]
fn bundled_sounds_are_16_bit_pcm() {
    for wav in [
        crate::model::alarm::CHIME_WAV,
        crate::model::alarm::SIREN_WAV,
    ] {
        assert!(super::pcm16_data(wav).is_some_and(|(a, b)| b - a > 10_000));
    }
}
