//! The Slack and Email settings tabs. They edit a draft
//! that the shared Save button validates; adding a channel or recipient is checked on the spot.

use egui::RichText;

use crate::engine::Snapshot;
use crate::engine::{Command, SlackTest};
use crate::model::overrides;
use crate::model::{
    Destination, EmailSettings, JobState, Lang, Secret, Settings, SettingsError, SlackSettings,
    check_channel,
};
use crate::ui::i18n::t;
use crate::ui::style;
use crate::ui::widgets::{EnvRows, env_note_ui};

/// Recipients and sent mails shown per page.
pub(crate) const PAGE_SIZE: usize = 5;

/// The Slack and email part of the settings draft.
#[derive(Default)]
pub(crate) struct NotifyDraft {
    slack_token: String,
    slack_url: String,
    slack_channel: String,
    slack_channels: Vec<String>,
    new_channel: String,
    slack_timeout: String,
    smtp_host: String,
    smtp_port: String,
    smtp_user: String,
    smtp_password: String,
    email_from: String,
    starttls: bool,
    recipients: Vec<String>,
    new_recipient: String,
    email_timeout: String,
    pub(super) target_slack: bool,
    pub(super) target_email: bool,
    /// The last add/remove problem, in words.
    inline_error: Option<String>,
    recipient_page: usize,
    history_page: usize,
}

impl NotifyDraft {
    pub(super) fn load(&mut self, s: &Settings) {
        self.slack_token = s.slack.token.expose().to_string();
        self.slack_url = s.slack.api_base_url.clone();
        self.slack_channel = s.slack.channel.clone();
        self.slack_channels = s.slack.channels.clone();
        if !self.slack_channel.is_empty() && !self.slack_channels.contains(&self.slack_channel) {
            self.slack_channels.push(self.slack_channel.clone());
        }
        self.slack_timeout = s.slack.timeout_secs.to_string();
        self.smtp_host = s.email.smtp_host.clone();
        self.smtp_port = s.email.smtp_port.to_string();
        self.smtp_user = s.email.smtp_user.clone();
        self.smtp_password = s.email.smtp_password.expose().to_string();
        self.email_from = s.email.from.clone();
        self.starttls = s.email.starttls;
        self.recipients = s.email.recipients.clone();
        self.email_timeout = s.email.timeout_secs.to_string();
        self.target_slack = s.targets.slack;
        self.target_email = s.targets.email;
        self.inline_error = None;
        self.new_channel.clear();
        self.new_recipient.clear();
    }

    fn slack(&self) -> Result<SlackSettings, SettingsError> {
        let timeout_secs = parse_secs("Slack timeout (s)", &self.slack_timeout)?;
        Ok(SlackSettings {
            token: Secret::new(self.slack_token.trim()),
            api_base_url: self.slack_url.trim().trim_end_matches('/').to_string(),
            channel: self.slack_channel.clone(),
            channels: self.slack_channels.clone(),
            timeout_secs,
        })
    }

    fn email(&self) -> Result<EmailSettings, SettingsError> {
        let smtp_port = self
            .smtp_port
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or(SettingsError::OutOfRange {
                field: "SMTP port",
                value: self.smtp_port.clone(),
                min: "1".into(),
                max: "65535".into(),
            })?;
        Ok(EmailSettings {
            smtp_host: self.smtp_host.trim().to_string(),
            smtp_port,
            smtp_user: self.smtp_user.trim().to_string(),
            smtp_password: Secret::new(self.smtp_password.clone()),
            from: self.email_from.trim().to_string(),
            starttls: self.starttls,
            recipients: self.recipients.clone(),
            timeout_secs: parse_secs("SMTP timeout (s)", &self.email_timeout)?,
        })
    }

    /// Writes the draft into `s`, collecting problems in words.
    pub(super) fn apply(&self, s: &mut Settings, errors: &mut Vec<String>) {
        match self.slack() {
            Ok(v) => s.slack = v,
            Err(e) => errors.push(e.to_string()),
        }
        match self.email() {
            Ok(v) => s.email = v,
            Err(e) => errors.push(e.to_string()),
        }
        s.targets.slack = self.target_slack;
        s.targets.email = self.target_email;
    }
}

fn parse_secs(field: &'static str, text: &str) -> Result<u64, SettingsError> {
    crate::model::Settings::parse_timeout(field, text)
}

fn error_ui(ui: &mut egui::Ui, text: &str) {
    let dark = ui.visuals().dark_mode;
    ui.add(egui::Label::new(RichText::new(text).color(style::breach(dark))).wrap());
}

/// A pager: "Page 1 of 3" between two buttons. Returns nothing; moves `page`.
fn pager_ui(ui: &mut egui::Ui, lang: Lang, page: &mut usize, items: usize, labels: (&str, &str)) {
    let pages = items.div_ceil(PAGE_SIZE).max(1);
    page_start(page, items);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(*page > 0, egui::Button::new(labels.0))
            .clicked()
        {
            *page -= 1;
        }
        ui.label(format!(
            "{} {} / {pages}",
            t(lang, "Page", "페이지"),
            *page + 1
        ));
        if ui
            .add_enabled(*page + 1 < pages, egui::Button::new(labels.1))
            .clicked()
        {
            *page += 1;
        }
    });
}

/// A labelled text field and its Add button; true when the user asks to add (button or Enter).
fn add_row_ui(
    ui: &mut egui::Ui,
    label: &str,
    hint: &str,
    value: &mut String,
    button: &str,
) -> bool {
    let l = ui.label(label);
    let edit = ui
        .add(
            egui::TextEdit::singleline(value)
                .desired_width(180.0)
                .hint_text(hint),
        )
        .labelled_by(l.id);
    let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.button(button).clicked() || enter
}

/// The first index of `page` of a list of `items`, after bringing `page` within range.
fn page_start(page: &mut usize, items: usize) -> usize {
    let pages = items.div_ceil(PAGE_SIZE).max(1);
    *page = (*page).min(pages - 1);
    *page * PAGE_SIZE
}

/// The Slack tab.
pub(super) fn slack_tab_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    d: &mut NotifyDraft,
    errors: &mut Vec<String>,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let env = |name: &'static str| snap.set_by_env(name);
    let rows = EnvRows::new(snap);
    egui::Grid::new("slack-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            rows.var_ui(
                ui,
                t(lang, "Bot token", "봇 토큰"),
                &mut d.slack_token,
                &[overrides::SLACK_TOKEN],
            );
            rows.var_ui(
                ui,
                t(lang, "API base URL", "API 기본 URL"),
                &mut d.slack_url,
                &[overrides::SLACK_API_URL],
            );
            let l = ui.label(t(lang, "Channel", "채널"));
            ui.vertical(|ui| {
                ui.add_enabled_ui(env(overrides::SLACK_CHANNEL).is_none(), |ui| {
                    egui::ComboBox::from_id_salt("slack-channel")
                        .selected_text(d.slack_channel.as_str())
                        .show_ui(ui, |ui| {
                            for c in &d.slack_channels {
                                ui.selectable_value(&mut d.slack_channel, c.clone(), c);
                            }
                        })
                        .response
                        .labelled_by(l.id);
                });
                env_note_ui(ui, lang, env(overrides::SLACK_CHANNEL));
            });
            ui.end_row();
            rows.text_ui(
                ui,
                t(lang, "Timeout (s)", "타임아웃 (초)"),
                &mut d.slack_timeout,
            );
        });
    ui.add_space(4.0);
    ui.label(RichText::new(t(lang, "Channels", "채널 목록")).strong());
    let mut remove = None;
    for (i, c) in d.slack_channels.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(RichText::new(c).monospace());
            if *c == d.slack_channel {
                ui.label(RichText::new(t(lang, "(reports go here)", "(보고 채널)")).weak());
            }
            let can_remove = d.slack_channels.len() > 1;
            if ui
                .add_enabled(
                    can_remove,
                    egui::Button::new(t(lang, "Remove", "삭제")).small(),
                )
                .on_hover_text(format!("{} {c}", t(lang, "Remove", "삭제")))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        let gone = d.slack_channels.remove(i);
        if d.slack_channel == gone {
            d.slack_channel = d.slack_channels.first().cloned().unwrap_or_default();
        }
        d.inline_error = None;
    }
    ui.horizontal(|ui| {
        let add = add_row_ui(
            ui,
            t(lang, "New channel", "새 채널"),
            "#team-alerts",
            &mut d.new_channel,
            t(lang, "Add channel", "채널 추가"),
        );
        if add {
            let name = d.new_channel.trim().to_string();
            match check_channel(&name) {
                Err(e) => d.inline_error = Some(e),
                Ok(()) if d.slack_channels.contains(&name) => {
                    d.inline_error = Some(format!("{name} is already in the list"));
                }
                Ok(()) => {
                    d.slack_channels.push(name);
                    d.new_channel.clear();
                    d.inline_error = None;
                }
            }
        }
    });
    if let Some(e) = &d.inline_error {
        error_ui(ui, e);
    }
    ui.add_space(4.0);
    if ui
        .button(t(lang, "Test Slack", "Slack 테스트"))
        .on_hover_text(t(
            lang,
            "Call auth.test with the token above (nothing is saved or posted)",
            "위 토큰으로 auth.test를 호출합니다 (저장·전송하지 않음)",
        ))
        .clicked()
    {
        match d.slack() {
            Ok(s) => {
                errors.clear();
                send(Command::TestSlack(Box::new(s)));
            }
            Err(e) => *errors = vec![e.to_string()],
        }
    }
    match &snap.slack_test {
        None => {}
        Some(SlackTest::Running { url }) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("{} {url}…", t(lang, "Testing", "테스트 중")));
            });
        }
        Some(SlackTest::Done { url, result, .. }) => match result {
            Ok(who) => {
                let dark = ui.visuals().dark_mode;
                ui.add(
                    egui::Label::new(
                        RichText::new(format!("Slack ({url}): {who}"))
                            .color(style::recovered(dark)),
                    )
                    .wrap(),
                );
            }
            Err(e) => error_ui(ui, &format!("Slack ({url}): {e}")),
        },
    }
    let why = d.slack().ok().and_then(|s| s.unusable());
    if let Some(why) = why {
        ui.label(RichText::new(format!("{}: {why}", t(lang, "Slack is off", "Slack 꺼짐"))).weak());
    }
}

/// The Email tab.
pub(super) fn email_tab_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut NotifyDraft) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let env = |name: &'static str| snap.set_by_env(name);
    let rows = EnvRows::new(snap);
    // Whether mail can go out with the draft as it stands, in words.
    let status = match d.email() {
        Ok(e) => match e.unusable() {
            Some(why) => (
                format!("{}: {why}", t(lang, "Email is off", "메일 꺼짐")),
                false,
            ),
            None => (
                format!(
                    "{} {}:{}, {} {} {}",
                    t(lang, "Email is on:", "메일 켜짐:"),
                    e.smtp_host,
                    e.smtp_port,
                    t(lang, "to", "수신자"),
                    e.recipients.len(),
                    t(lang, "recipients", "명")
                ),
                true,
            ),
        },
        Err(e) => (e.to_string(), false),
    };
    let colour = if status.1 {
        style::recovered(dark)
    } else {
        style::pending(dark)
    };
    ui.add(egui::Label::new(RichText::new(status.0).color(colour)).wrap());
    egui::Grid::new("email-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            rows.var_ui(
                ui,
                t(lang, "SMTP host", "SMTP 호스트"),
                &mut d.smtp_host,
                &[overrides::EMAIL_SMTP_HOST],
            );
            rows.var_ui(
                ui,
                t(lang, "SMTP port", "SMTP 포트"),
                &mut d.smtp_port,
                &[overrides::EMAIL_SMTP_PORT],
            );
            rows.var_ui(
                ui,
                t(lang, "SMTP user", "SMTP 사용자"),
                &mut d.smtp_user,
                &[overrides::EMAIL_SMTP_USER],
            );
            rows.var_ui(
                ui,
                t(lang, "SMTP password", "SMTP 비밀번호"),
                &mut d.smtp_password,
                &[overrides::EMAIL_SMTP_PASSWORD],
            );
            rows.var_ui(
                ui,
                t(lang, "From", "보내는 사람"),
                &mut d.email_from,
                &[overrides::EMAIL_FROM],
            );
            ui.label("TLS");
            ui.vertical(|ui| {
                ui.add_enabled(
                    env(overrides::EMAIL_SMTP_TLS).is_none(),
                    egui::Checkbox::new(&mut d.starttls, "STARTTLS"),
                );
                env_note_ui(ui, lang, env(overrides::EMAIL_SMTP_TLS));
            });
            ui.end_row();
            rows.text_ui(
                ui,
                t(lang, "Timeout (s)", "타임아웃 (초)"),
                &mut d.email_timeout,
            );
        });
    ui.add_space(4.0);
    recipients_ui(ui, snap, d);
    ui.add_space(6.0);
    sent_mail_ui(ui, snap, d);
}

/// The recipients, a page at a time, with Remove on each and a row to add one; read-only
/// while the environment sets them.
fn recipients_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut NotifyDraft) {
    let lang = snap.lang();
    let locked = snap.set_by_env(overrides::EMAIL_RECIPIENTS);
    ui.label(
        RichText::new(format!(
            "{} ({})",
            t(lang, "Recipients", "수신자"),
            d.recipients.len()
        ))
        .strong(),
    );
    env_note_ui(ui, lang, locked);
    if d.recipients.is_empty() {
        ui.label(RichText::new(t(lang, "No recipient yet.", "수신자가 없습니다.")).weak());
    }
    let start = page_start(&mut d.recipient_page, d.recipients.len());
    let mut remove = None;
    for (i, r) in d.recipients.iter().enumerate().skip(start).take(PAGE_SIZE) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(r).monospace());
            if ui
                .add_enabled(
                    locked.is_none(),
                    egui::Button::new(t(lang, "Remove", "삭제")).small(),
                )
                .on_hover_text(format!("{} {r}", t(lang, "Remove", "삭제")))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        d.recipients.remove(i);
        d.inline_error = None;
    }
    pager_ui(
        ui,
        lang,
        &mut d.recipient_page,
        d.recipients.len(),
        (t(lang, "Previous", "이전"), t(lang, "Next", "다음")),
    );
    ui.add_enabled_ui(locked.is_none(), |ui| {
        ui.horizontal(|ui| {
            let add = add_row_ui(
                ui,
                t(lang, "New recipient", "새 수신자"),
                "oncall@example.com",
                &mut d.new_recipient,
                t(lang, "Add recipient", "수신자 추가"),
            );
            if add {
                let mut e = EmailSettings {
                    recipients: std::mem::take(&mut d.recipients),
                    ..EmailSettings::default()
                };
                match e.add_recipient(&d.new_recipient) {
                    Ok(()) => {
                        d.new_recipient.clear();
                        d.inline_error = None;
                        // Show the page the new address landed on.
                        d.recipient_page = (e.recipients.len() - 1) / PAGE_SIZE;
                    }
                    Err(err) => d.inline_error = Some(err),
                }
                d.recipients = e.recipients;
            }
        });
    });
    if let Some(e) = &d.inline_error {
        error_ui(ui, e);
    }
}

fn sent_mail_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut NotifyDraft) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let mails: Vec<_> = snap
        .notifications
        .iter()
        .rev()
        .filter(|j| matches!(j.destination, Destination::Email { .. }))
        .collect();
    ui.label(
        RichText::new(format!(
            "{} ({})",
            t(lang, "Mail history", "메일 기록"),
            mails.len()
        ))
        .strong(),
    );
    if mails.is_empty() {
        ui.label(RichText::new(t(lang, "Nothing mailed yet.", "보낸 메일이 없습니다.")).weak());
        return;
    }
    let pages = mails.len().div_ceil(PAGE_SIZE).max(1);
    d.history_page = d.history_page.min(pages - 1);
    for j in mails
        .iter()
        .skip(d.history_page * PAGE_SIZE)
        .take(PAGE_SIZE)
    {
        let (state, colour) = match &j.state {
            JobState::Delivered { at, .. } => (
                format!(
                    "{} {}",
                    t(lang, "sent", "발송"),
                    at.with_timezone(&chrono::Local).format("%m-%d %H:%M:%S")
                ),
                None,
            ),
            JobState::Queued => (
                format!(
                    "{} ({} {})",
                    t(lang, "waiting", "대기"),
                    j.attempts,
                    t(lang, "attempts", "회 시도")
                ),
                Some(style::pending(dark)),
            ),
            JobState::Pending { reason, .. } => (
                format!("{}: {reason}", t(lang, "pending", "보류")),
                Some(style::breach(dark)),
            ),
            JobState::SentByOther { by, at, .. } => (
                format!(
                    "{} {} ({by})",
                    t(lang, "sent by another console", "다른 콘솔이 발송"),
                    at.with_timezone(&chrono::Local).format("%m-%d %H:%M:%S")
                ),
                None,
            ),
            JobState::Acknowledged { .. } => (
                t(lang, "not sent (acknowledged)", "미발송 (확인됨)").into(),
                None,
            ),
        };
        let to = match &j.destination {
            Destination::Email { to } => to.join(", "),
            Destination::Slack { .. } => String::new(),
        };
        ui.group(|ui| {
            ui.add(egui::Label::new(RichText::new(&j.subject).strong()).wrap());
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{} {to}", t(lang, "To:", "받는 사람:"))).small(),
                )
                .wrap(),
            );
            let mut rt = RichText::new(state).small();
            if let Some(c) = colour {
                rt = rt.color(c);
            }
            ui.add(egui::Label::new(rt).wrap());
        });
    }
    pager_ui(
        ui,
        lang,
        &mut d.history_page,
        mails.len(),
        (t(lang, "Newer", "최근"), t(lang, "Older", "이전 기록")),
    );
}
