//! The Actions settings tab: the switch that lets webhooks and commands act (off by default),
//! the allow-lists the engine enforces, the secrets header values may name (masked), and the
//! default timeout.

use egui::RichText;

use crate::engine::Snapshot;
use crate::model::{ActionsSettings, Secret, Settings};
use crate::ui::i18n::t;
use crate::ui::style;

/// The Actions part of the settings draft.
#[derive(Default)]
pub(crate) struct ActionsDraft {
    enabled: bool,
    programs: String,
    hosts: String,
    secrets: Vec<(String, String)>,
    timeout: String,
}

impl ActionsDraft {
    pub(super) fn load(&mut self, s: &Settings) {
        let a = &s.actions;
        self.enabled = a.enabled;
        self.programs = a.allowed_programs.join("\n");
        self.hosts = a.allowed_hosts.join("\n");
        self.secrets = a
            .secrets
            .iter()
            .map(|(n, v)| (n.clone(), v.expose().to_string()))
            .collect();
        self.timeout = a.timeout_secs.to_string();
    }

    /// The settings the draft stands for, or every problem in words.
    pub(super) fn actions(&self) -> Result<ActionsSettings, Vec<String>> {
        let lines = |text: &str| -> Vec<String> {
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect()
        };
        let timeout_secs = match self.timeout.trim().parse::<u64>() {
            Ok(v) => v,
            Err(_) => {
                return Err(vec![format!(
                    "Actions timeout (s): \"{}\" is not a whole number",
                    self.timeout.trim()
                )]);
            }
        };
        let a = ActionsSettings {
            enabled: self.enabled,
            allowed_programs: lines(&self.programs),
            allowed_hosts: lines(&self.hosts),
            secrets: self
                .secrets
                .iter()
                .filter(|(n, v)| !(n.trim().is_empty() && v.is_empty()))
                .map(|(n, v)| (n.trim().to_string(), Secret::new(v.clone())))
                .collect(),
            timeout_secs,
        };
        let problems = a.problems();
        if problems.is_empty() {
            Ok(a)
        } else {
            Err(problems)
        }
    }
}

/// Draws the tab.
pub(super) fn actions_tab_ui(ui: &mut egui::Ui, snap: &Snapshot, d: &mut ActionsDraft) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.add(
        egui::Label::new(
            RichText::new(t(
                lang,
                "Runbook actions of kind Webhook or Command act outside this console only while this is on; otherwise they are simulated, and the plan says so. Headless runs never execute.",
                "Webhook·Command 종류의 런북 조치는 이 설정이 켜져 있을 때만 콘솔 밖에서 실행됩니다. 꺼져 있으면 시뮬레이션하고 플랜에 그렇게 표시합니다. 화면 없는 실행은 절대 실행하지 않습니다.",
            ))
            .weak(),
        )
        .wrap(),
    );
    ui.checkbox(
        &mut d.enabled,
        t(
            lang,
            "Let actions act (webhooks and commands)",
            "조치 실행 허용 (웹훅과 명령)",
        ),
    );
    if d.enabled {
        ui.label(
            RichText::new(t(
                lang,
                "On: approved actions change real systems. Every run is written to audit.jsonl in the data dir.",
                "켜짐: 승인된 조치가 실제 시스템을 바꿉니다. 모든 실행은 데이터 폴더의 audit.jsonl에 기록됩니다.",
            ))
            .color(style::breach(dark)),
        );
    }
    egui::Grid::new("actions-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            let l = ui.label(t(lang, "Allowed programs", "허용 프로그램"));
            ui.add(
                egui::TextEdit::multiline(&mut d.programs)
                    .desired_rows(2)
                    .desired_width(300.0)
                    .hint_text("/usr/bin/kubectl"),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(t(lang, "Allowed webhook hosts", "허용 웹훅 호스트"));
            ui.add(
                egui::TextEdit::multiline(&mut d.hosts)
                    .desired_rows(2)
                    .desired_width(300.0)
                    .hint_text("rundeck.example.com"),
            )
            .labelled_by(l.id);
            ui.end_row();
            let l = ui.label(t(lang, "Actions timeout (s)", "조치 타임아웃 (초)"));
            ui.add(egui::TextEdit::singleline(&mut d.timeout).desired_width(80.0))
                .labelled_by(l.id);
            ui.end_row();
        });
    ui.add_space(4.0);
    ui.label(RichText::new(t(lang, "Secrets", "비밀 값")).strong());
    ui.add(
        egui::Label::new(
            RichText::new(match lang {
                crate::model::Lang::En => format!(
                    "Header values name them as Secret(\"NAME\"); {}<NAME> in the environment wins. They are masked in the audit log, the timeline and notifications.",
                    crate::model::overrides::SECRET_PREFIX
                ),
                crate::model::Lang::Ko => format!(
                    "헤더 값에서 Secret(\"NAME\")으로 가리킵니다. 환경 변수 {}<NAME>이 우선합니다. 감사 로그, 타임라인, 알림에서는 가려집니다.",
                    crate::model::overrides::SECRET_PREFIX
                ),
            })
            .weak()
            .small(),
        )
        .wrap(),
    );
    let mut remove = None;
    for (i, (name, value)) in d.secrets.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(name)
                    .desired_width(160.0)
                    .hint_text("RUNDECK_TOKEN"),
            );
            ui.add(
                egui::TextEdit::singleline(value)
                    .desired_width(200.0)
                    .password(true),
            );
            if ui.button(t(lang, "Remove", "삭제")).clicked() {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        d.secrets.remove(i);
    }
    if ui.button(t(lang, "Add secret", "비밀 값 추가")).clicked() {
        d.secrets.push(Default::default());
    }
}
