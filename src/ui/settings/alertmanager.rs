//! The Alertmanager settings tab: the webhook receiver, the Alertmanagers to poll (and to
//! create silences in), the responder's name, reminders and escalation. It edits a draft that
//! the shared Save button validates; the engine refuses again what cannot work (a remote
//! address without a token) and says why in the feed.

use egui::RichText;

use crate::engine::Snapshot;
use crate::model::overrides;
use crate::model::{Secret, Settings};
use crate::ui::i18n::t;
use crate::ui::style;
use crate::ui::widgets::EnvRows;

/// The Alertmanager part of the settings draft.
#[derive(Default)]
pub(crate) struct IntakeDraft {
    enabled: bool,
    addr: String,
    token: String,
    allow_remote: bool,
    urls: String,
    am_token: String,
    poll_interval: String,
    timeout: String,
    responder: String,
    remind_after: String,
    unack_after: String,
    escalate_after: String,
    escalate_severities: String,
    mention: String,
}

impl IntakeDraft {
    pub(super) fn load(&mut self, s: &Settings) {
        let i = &s.intake;
        self.enabled = i.enabled;
        self.addr = i.addr.clone();
        self.token = i.token.expose().to_string();
        self.allow_remote = i.allow_remote;
        self.urls = i.alertmanager_urls.join("\n");
        self.am_token = i.alertmanager_token.expose().to_string();
        self.poll_interval = i.poll_interval_secs.to_string();
        self.timeout = i.timeout_secs.to_string();
        self.responder = s.responder.clone();
        self.remind_after = i.remind_after_mins.to_string();
        self.unack_after = i.unack_after_mins.to_string();
        self.escalate_after = i.escalate_after_mins.to_string();
        self.escalate_severities = i.escalate_severities.join(", ");
        self.mention = i.escalate_mention.clone();
    }

    /// Puts the draft into `s`; each problem goes to `errors` in words.
    pub(super) fn apply(&self, s: &mut Settings, errors: &mut Vec<String>) {
        let i = &mut s.intake;
        i.enabled = self.enabled;
        i.addr = self.addr.trim().to_string();
        i.token = Secret::new(self.token.trim());
        i.allow_remote = self.allow_remote;
        if i.allow_remote && i.token.is_empty() {
            errors.push(
                "Alertmanager receiver: listening beyond this machine needs a token".to_string(),
            );
        }
        i.alertmanager_urls = self
            .urls
            .lines()
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .collect();
        for u in &i.alertmanager_urls {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                errors.push(format!(
                    "Alertmanager URL \"{}\" must start with http:// or https://",
                    crate::integrations::http::redact(u)
                ));
            }
        }
        i.alertmanager_token = Secret::new(self.am_token.trim());
        match self.poll_interval.trim().parse::<u64>() {
            Ok(v @ 1..=3600) => i.poll_interval_secs = v,
            _ => errors.push(format!(
                "Alertmanager poll interval (s): \"{}\" is not a whole number in 1..=3600",
                self.poll_interval.trim()
            )),
        }
        match self.timeout.trim().parse::<u64>() {
            Ok(v @ 1..=300) => i.timeout_secs = v,
            _ => errors.push(format!(
                "Alertmanager timeout (s): \"{}\" is not a whole number in 1..=300",
                self.timeout.trim()
            )),
        }
        for (text, field, what) in [
            (
                &self.remind_after,
                &mut i.remind_after_mins,
                "Remind after (min)",
            ),
            (
                &self.escalate_after,
                &mut i.escalate_after_mins,
                "Escalate after (min)",
            ),
            (
                &self.unack_after,
                &mut i.unack_after_mins,
                "Unacknowledge after (min)",
            ),
        ] {
            match text.trim().parse::<u32>() {
                Ok(v @ 0..=10080) => *field = v,
                _ => errors.push(format!(
                    "{what}: \"{}\" is not a whole number in 0..=10080 (0: never)",
                    text.trim()
                )),
            }
        }
        i.escalate_severities = self
            .escalate_severities
            .split(',')
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        i.escalate_mention = self.mention.trim().to_string();
        s.responder = self.responder.trim().to_string();
    }
}

/// Draws the tab.
pub(super) fn intake_tab_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut IntakeDraft) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let env = |name: &'static str| snap.set_by_env(name);
    let rows = EnvRows::new(snap);
    ui.label(
        RichText::new(t(
            lang,
            "Alertmanager sends its alerts to the receiver (a webhook_configs entry, see the README); polling its API catches up at start and after a missed webhook. Acknowledge creates silences in the polled Alertmanagers.",
            "Alertmanager가 수신기로 알림을 보냅니다 (webhook_configs, README 참고). API 폴링은 시작할 때와 웹훅을 놓쳤을 때 상태를 맞춥니다. 확인(ack)은 폴링하는 Alertmanager에 사일런스를 만듭니다.",
        ))
        .weak(),
    );
    ui.checkbox(&mut d.enabled, t(lang, "Receive webhooks", "웹훅 받기"));
    egui::Grid::new("intake-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            rows.var_ui(
                ui,
                t(lang, "Listen on", "수신 주소"),
                &mut d.addr,
                &[overrides::INTAKE_ADDR],
            );
            rows.var_ui(
                ui,
                t(lang, "Receiver token", "수신 토큰"),
                &mut d.token,
                &[overrides::INTAKE_TOKEN],
            );
            ui.label("");
            ui.checkbox(
                &mut d.allow_remote,
                t(
                    lang,
                    "Listen beyond this machine (needs a token)",
                    "다른 머신에서도 받기 (토큰 필요)",
                ),
            );
            ui.end_row();
            let l = ui.label(t(
                lang,
                "Alertmanager URLs (one per line)",
                "Alertmanager URL (한 줄에 하나)",
            ));
            ui.vertical(|ui| {
                let edit = egui::TextEdit::multiline(&mut d.urls)
                    .desired_rows(2)
                    .desired_width(260.0);
                let owned = env(overrides::ALERTMANAGER_URLS);
                ui.add_enabled(owned.is_none(), edit).labelled_by(l.id);
                crate::ui::widgets::env_note_ui(ui, lang, owned);
            });
            ui.end_row();
            rows.var_ui(
                ui,
                t(lang, "Alertmanager token", "Alertmanager 토큰"),
                &mut d.am_token,
                &[overrides::ALERTMANAGER_TOKEN],
            );
            rows.text_ui(
                ui,
                t(lang, "Poll every (s)", "폴링 간격 (초)"),
                &mut d.poll_interval,
            );
            rows.text_ui(
                ui,
                t(
                    lang,
                    "Alertmanager timeout (s)",
                    "Alertmanager 타임아웃 (초)",
                ),
                &mut d.timeout,
            );
            rows.text_ui(
                ui,
                t(
                    lang,
                    "Your name (silences' author)",
                    "담당자 이름 (사일런스 작성자)",
                ),
                &mut d.responder,
            );
        });
    receiver_snippet_ui(ui, snap);
    ui.add_space(6.0);
    ui.add_space(6.0);
    // Closed at first: the receiver's entry and its buttons stay where they were.
    egui::CollapsingHeader::new(t(lang, "Reminders and escalation", "리마인더와 에스컬레이션"))
        .id_salt("oncall")
        .show(ui, |ui| {
        egui::Grid::new("oncall-grid")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                rows.text_ui(
                    ui,
                    t(lang, "Remind after (min)", "리마인더 (분 후)"),
                    &mut d.remind_after,
                );
                rows.text_ui(
                    ui,
                    t(lang, "Escalate after (min)", "에스컬레이션 (분 후)"),
                    &mut d.escalate_after,
                );
                rows.text_ui(
                    ui,
                    t(lang, "Unacknowledge after (min)", "확인 해제 (분 후)"),
                    &mut d.unack_after,
                );
                rows.text_ui(
                    ui,
                    t(lang, "Escalate severities", "에스컬레이션 심각도"),
                    &mut d.escalate_severities,
                );
                rows.text_ui(
                    ui,
                    t(
                        lang,
                        "Escalation mention (Slack)",
                        "에스컬레이션 멘션 (Slack)",
                    ),
                    &mut d.mention,
                );
            });
        ui.label(
            RichText::new(t(
                lang,
                "An acknowledged incident whose alerts still fire is reminded once; one of these severities that nobody acknowledged or took is escalated once, through Slack (the mention first) and mail. An acknowledgement nobody followed with any act (a mark, a note, a plan, taking it) is dropped after Unacknowledge-after minutes, so it calls again. 0: never.",
                "확인(ack)한 인시던트의 알림이 계속 발생하면 한 번 리마인더를 보내고, 이 심각도의 인시던트를 아무도 확인하거나 맡지 않으면 Slack(멘션 먼저)과 메일로 한 번 에스컬레이션합니다. 확인 후 아무 조치(표시, 메모, 계획, 맡기)가 없으면 확인 해제 시간이 지나 확인을 해제해 다시 알립니다. 0: 안 함.",
            ))
            .weak(),
        );
        });
    if d.allow_remote && d.token.trim().is_empty() {
        ui.label(
            RichText::new(t(
                lang,
                "Listening beyond this machine needs a receiver token.",
                "다른 머신에서 받으려면 수신 토큰이 필요합니다.",
            ))
            .color(style::breach(dark)),
        );
    }
}

/// Once the receiver runs with a token: the `alertmanager.yml` entry that matches it, the
/// token masked on screen (screenshots, shared screens) and whole in what is copied.
fn receiver_snippet_ui(ui: &mut egui::Ui, snap: &Snapshot) {
    let lang = snap.lang();
    let intake = &snap.settings.intake;
    if !intake.enabled {
        return;
    }
    use crate::integrations::alertmanager::receiver_snippet;
    let token = intake.token.expose();
    // Where it listens now, when it does: a port 0 in the settings is the port it got.
    let addr = snap
        .receiver_addr
        .map_or_else(|| intake.addr.clone(), |a| a.to_string());
    let shown = receiver_snippet(
        &addr,
        if token.is_empty() {
            ""
        } else {
            "••••••••"
        },
    );
    ui.add_space(6.0);
    ui.label(t(
        lang,
        "In alertmanager.yml, for this receiver:",
        "alertmanager.yml에 넣을 이 수신기 설정:",
    ));
    ui.label(RichText::new(shown).monospace().small());
    ui.horizontal(|ui| {
        if !token.is_empty()
            && ui
                .button(t(lang, "Copy receiver token", "수신 토큰 복사"))
                .clicked()
        {
            ui.ctx().copy_text(token.to_string());
        }
        if ui
            .button(t(
                lang,
                "Copy alertmanager.yml entry",
                "alertmanager.yml 설정 복사",
            ))
            .clicked()
        {
            ui.ctx().copy_text(receiver_snippet(&addr, token));
        }
    });
    if token.is_empty() {
        ui.label(
            RichText::new(t(
                lang,
                "The receiver takes webhooks without a token: any process on this machine can post alerts.",
                "수신기가 토큰 없이 웹훅을 받습니다. 이 머신의 어떤 프로세스든 알림을 보낼 수 있습니다.",
            ))
            .color(style::breach(ui.visuals().dark_mode)),
        );
    }
}
