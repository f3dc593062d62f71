//! The Desktop settings tab: desktop notifications (which new alerts raise one), each
//! severity's sound and repeats, the volume, quiet hours, and the tray. A draft of strings the
//! shared Save button parses; each problem is said in words.

use egui::RichText;

use crate::engine::Snapshot;
use crate::model::{Alarm, AlarmSound, Lang, Settings};
use crate::ui::i18n::t;

/// One severity's row.
#[derive(Clone, Default)]
struct AlarmDraft {
    severity: String,
    sound: AlarmSound,
    repeat: String,
    in_quiet: bool,
}

/// The Desktop part of the settings draft.
#[derive(Default)]
pub(crate) struct DesktopDraft {
    enabled: bool,
    severities: String,
    volume: String,
    muted: bool,
    quiet: bool,
    quiet_start: String,
    quiet_end: String,
    alarms: Vec<AlarmDraft>,
    tray: bool,
    close_to_tray: bool,
    start_at_login: bool,
    start_minimised: bool,
}

impl DesktopDraft {
    pub(super) fn load(&mut self, s: &Settings) {
        let d = &s.desktop;
        self.enabled = d.enabled;
        self.severities = d.severities.join(", ");
        self.volume = d.volume_pct.to_string();
        self.muted = d.muted;
        self.quiet = d.quiet.enabled;
        self.quiet_start = d.quiet.start.format("%H:%M").to_string();
        self.quiet_end = d.quiet.end.format("%H:%M").to_string();
        self.alarms = (d.alarms.iter())
            .map(|a| AlarmDraft {
                severity: a.severity.clone(),
                sound: a.sound,
                repeat: a.repeat_mins.to_string(),
                in_quiet: a.in_quiet_hours,
            })
            .collect();
        self.tray = d.tray;
        self.close_to_tray = d.close_to_tray;
        self.start_at_login = d.start_at_login;
        self.start_minimised = d.start_minimised;
    }

    /// Puts the draft into `s`; each problem goes to `errors` in words.
    pub(super) fn apply(&self, s: &mut Settings, errors: &mut Vec<String>) {
        let d = &mut s.desktop;
        d.enabled = self.enabled;
        d.severities = (self.severities.split(','))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        match self.volume.trim().parse::<u8>() {
            Ok(v @ 0..=100) => d.volume_pct = v,
            _ => errors.push(format!(
                "Volume (%): \"{}\" is not a whole number in 0..=100",
                self.volume.trim()
            )),
        }
        d.muted = self.muted;
        d.tray = self.tray;
        d.close_to_tray = self.close_to_tray;
        d.start_at_login = self.start_at_login;
        d.start_minimised = self.start_minimised;
        d.quiet.enabled = self.quiet;
        for (text, field, what) in [
            (&self.quiet_start, &mut d.quiet.start, "Quiet hours from"),
            (&self.quiet_end, &mut d.quiet.end, "Quiet hours until"),
        ] {
            match chrono::NaiveTime::parse_from_str(text.trim(), "%H:%M") {
                Ok(time) => *field = time,
                Err(_) => errors.push(format!(
                    "{what}: \"{}\" is not a time of day such as 22:00",
                    text.trim()
                )),
            }
        }
        d.alarms.clear();
        for a in &self.alarms {
            let severity = a.severity.trim();
            if severity.is_empty() {
                continue;
            }
            match a.repeat.trim().parse::<u32>() {
                Ok(repeat_mins @ 0..=1440) => d.alarms.push(Alarm {
                    severity: severity.to_string(),
                    sound: a.sound,
                    repeat_mins,
                    in_quiet_hours: a.in_quiet,
                }),
                _ => errors.push(format!(
                    "Repeat every (min) for {severity}: \"{}\" is not a whole number in 0..=1440 (0: once)",
                    a.repeat.trim()
                )),
            }
        }
    }
}

fn sound_name(sound: AlarmSound, lang: Lang) -> &'static str {
    match sound {
        AlarmSound::None => t(lang, "No sound", "소리 없음"),
        AlarmSound::Chime => t(lang, "Chime", "차임"),
        AlarmSound::Siren => t(lang, "Siren", "사이렌"),
    }
}

/// Draws the tab.
pub(super) fn desktop_tab_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut DesktopDraft) {
    let lang = snap.lang();
    ui.checkbox(
        &mut d.enabled,
        t(lang, "Desktop notifications", "데스크톱 알림"),
    );
    ui.horizontal(|ui| {
        let l = ui.label(t(
            lang,
            "Notify for new alerts of severity",
            "새 알림을 띄울 심각도",
        ));
        ui.add_enabled(
            d.enabled,
            egui::TextEdit::singleline(&mut d.severities).desired_width(160.0),
        )
        .labelled_by(l.id);
    });
    ui.label(
        RichText::new(t(
            lang,
            "A new incident always raises one; an alert raises one once, and none while it flaps.",
            "새 인시던트는 항상 알리고, 알림은 한 번만 알리며 플래핑 중에는 알리지 않습니다.",
        ))
        .weak(),
    );
    counts_ui(ui, snap);
    ui.add_space(6.0);
    ui.strong(t(lang, "Sound and repeats", "소리와 반복"));
    alarms_ui(ui, lang, d);
    ui.horizontal(|ui| {
        let l = ui.label(t(lang, "Volume (%)", "음량 (%)"));
        ui.add(egui::TextEdit::singleline(&mut d.volume).desired_width(48.0))
            .labelled_by(l.id);
        ui.checkbox(&mut d.muted, t(lang, "Mute", "음소거"));
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut d.quiet, t(lang, "Quiet hours", "조용한 시간"));
        for (label, field) in [
            (t(lang, "from", "시작"), &mut d.quiet_start),
            (t(lang, "until", "끝"), &mut d.quiet_end),
        ] {
            let l = ui.label(label);
            ui.add_enabled(
                d.quiet,
                egui::TextEdit::singleline(field).desired_width(48.0),
            )
            .labelled_by(l.id);
        }
    });
    ui.label(
        RichText::new(t(
            lang,
            "A severity that repeats is notified again every so many minutes until someone acknowledges, takes or acts on it (0: once). In quiet hours (this computer's time) only the severities ticked make a sound or repeat. The notification service plays the sound: GNOME and KDE do, dunst plays none; Windows plays its own reminder sound.",
            "반복하는 심각도는 누군가 확인하거나 맡거나 조치할 때까지 정한 분마다 다시 알립니다 (0: 한 번). 조용한 시간(이 컴퓨터의 시각)에는 체크한 심각도만 소리를 내고 반복합니다. 소리는 알림 서비스가 재생합니다: GNOME과 KDE는 재생하고 dunst는 재생하지 않으며, Windows는 자체 알림음을 냅니다.",
        ))
        .weak(),
    );
    ui.add_space(6.0);
    tray_ui(ui, lang, d);
}

/// The tray and starting at login.
fn tray_ui(ui: &mut egui::Ui, lang: Lang, d: &mut DesktopDraft) {
    ui.strong(t(lang, "Tray", "트레이"));
    ui.checkbox(
        &mut d.tray,
        t(
            lang,
            "Show a tray icon (from the next start)",
            "트레이 아이콘 표시 (다음 시작부터)",
        ),
    );
    ui.add_enabled_ui(d.tray, |ui| {
        ui.checkbox(
            &mut d.close_to_tray,
            t(
                lang,
                "Closing the window keeps watching in the tray",
                "창을 닫아도 트레이에서 계속 감시",
            ),
        );
    });
    ui.checkbox(
        &mut d.start_at_login,
        t(lang, "Start at login", "로그인할 때 시작"),
    );
    ui.add_enabled_ui(d.start_at_login && d.tray, |ui| {
        ui.checkbox(
            &mut d.start_minimised,
            t(
                lang,
                "Start in the tray, the window hidden",
                "창을 숨기고 트레이에서 시작",
            ),
        );
    });
}

/// The table of severities: severity, sound, repeat minutes, whether in quiet hours.
fn alarms_ui(ui: &mut egui::Ui, lang: Lang, d: &mut DesktopDraft) {
    let mut remove = None;
    egui::Grid::new("alarms-grid")
        .num_columns(5)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            ui.label(t(lang, "Severity", "심각도"));
            ui.label(t(lang, "Sound", "소리"));
            ui.label(t(lang, "Repeat every (min)", "반복 간격 (분)"));
            ui.label(t(lang, "In quiet hours", "조용한 시간에도"));
            ui.end_row();
            for (i, a) in d.alarms.iter_mut().enumerate() {
                ui.add_sized([90.0, 20.0], egui::TextEdit::singleline(&mut a.severity));
                egui::ComboBox::from_id_salt(("alarm-sound", i))
                    .selected_text(sound_name(a.sound, lang))
                    .show_ui(ui, |ui| {
                        for s in AlarmSound::ALL {
                            ui.selectable_value(&mut a.sound, s, sound_name(s, lang));
                        }
                    });
                ui.add_sized([48.0, 20.0], egui::TextEdit::singleline(&mut a.repeat));
                ui.checkbox(&mut a.in_quiet, "");
                if ui.small_button(t(lang, "Remove", "삭제")).clicked() {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        d.alarms.remove(i);
    }
    if ui
        .button(t(lang, "Add a severity", "심각도 추가"))
        .clicked()
    {
        d.alarms.push(AlarmDraft {
            repeat: "0".into(),
            ..AlarmDraft::default()
        });
    }
}

/// How many notifications this run showed and could not.
fn counts_ui(ui: &mut egui::Ui, snap: &Snapshot) {
    let counts = snap.desktop;
    if counts.asked == 0 {
        return;
    }
    let said = match snap.lang() {
        Lang::En => format!(
            "This run: {} shown, {} could not be shown",
            counts.shown, counts.failed
        ),
        Lang::Ko => format!(
            "이번 실행: {}건 표시, {}건 표시 못 함",
            counts.shown, counts.failed
        ),
    };
    ui.label(RichText::new(said).weak());
}
