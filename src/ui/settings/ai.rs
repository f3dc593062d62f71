//! The AI settings tab: the chat-completions server (OpenAI, Ollama, llama.cpp's server, vLLM),
//! model, key (masked), extra headers, timeout, temperature and the on/off switch; Test makes one
//! tiny call with what is typed and shows the model's words or the error.

use egui::RichText;

use crate::engine::analyst::LlmTest;
use crate::engine::{Command, Snapshot};
use crate::model::overrides;
use crate::model::{LlmSettings, Secret, Settings};
use crate::ui::i18n::t;
use crate::ui::style;
use crate::ui::widgets::EnvRows;

/// The AI part of the settings draft.
#[derive(Default)]
pub(crate) struct AiDraft {
    enabled: bool,
    base_url: String,
    model: String,
    api_key: String,
    headers: String,
    timeout: String,
    temperature: String,
}

impl AiDraft {
    pub(super) fn load(&mut self, s: &Settings) {
        let l = &s.llm;
        self.enabled = l.enabled;
        self.base_url = l.base_url.clone();
        self.model = l.model.clone();
        self.api_key = l.api_key.expose().to_string();
        self.headers = l
            .extra_headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("\n");
        self.timeout = l.timeout_secs.to_string();
        self.temperature = l.temperature.to_string();
    }

    /// The settings the draft stands for, or every problem in words.
    fn llm(&self, base: &LlmSettings) -> Result<LlmSettings, Vec<String>> {
        let mut errors = Vec::new();
        let mut l = base.clone();
        l.enabled = self.enabled;
        l.base_url = self.base_url.trim().trim_end_matches('/').to_string();
        if !(l.base_url.starts_with("http://") || l.base_url.starts_with("https://")) {
            errors.push(format!(
                "AI base URL \"{}\" must start with http:// or https://",
                crate::integrations::http::redact(&l.base_url)
            ));
        }
        l.model = self.model.trim().to_string();
        if l.model.is_empty() {
            errors.push("AI model: give the model's name (e.g. gpt-4o-mini, llama3.1)".into());
        }
        l.api_key = Secret::new(self.api_key.trim());
        match Settings::parse_headers(&self.headers) {
            Ok(h) => l.extra_headers = h,
            Err(e) => errors.push(format!("AI headers: {e}")),
        }
        match self.timeout.trim().parse::<u64>() {
            Ok(v @ 1..=600) => l.timeout_secs = v,
            _ => errors.push(format!(
                "AI timeout (s): \"{}\" is not a whole number in 1..=600",
                self.timeout.trim()
            )),
        }
        match self.temperature.trim().parse::<f64>() {
            Ok(v) if (0.0..=2.0).contains(&v) => l.temperature = v,
            _ => errors.push(format!(
                "AI temperature: \"{}\" is not a number in 0..=2",
                self.temperature.trim()
            )),
        }
        if errors.is_empty() {
            Ok(l)
        } else {
            Err(errors)
        }
    }

    /// Puts the draft into `s`; each problem goes to `errors`.
    pub(super) fn apply(&self, s: &mut Settings, errors: &mut Vec<String>) {
        match self.llm(&s.llm) {
            Ok(l) => s.llm = l,
            Err(e) => errors.extend(e),
        }
    }
}

/// Draws the tab.
pub(super) fn ai_tab_ui(
    ui: &mut egui::Ui,
    snap: &Snapshot,
    d: &mut AiDraft,
    errors: &mut Vec<String>,
    send: &dyn Fn(Command),
) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    let rows = EnvRows::new(snap);
    ui.label(
        RichText::new(t(
            lang,
            "An OpenAI-compatible server writes a second report from the incident's numbered facts; the fixed-rule report is always there too.",
            "OpenAI 호환 서버가 인시던트의 번호 붙은 사실로 두 번째 보고서를 씁니다. 규칙 기반 보고서는 언제나 함께 있습니다.",
        ))
        .weak(),
    );
    ui.checkbox(&mut d.enabled, t(lang, "Use AI analysis", "AI 분석 사용"));
    egui::Grid::new("ai-settings")
        .num_columns(2)
        .spacing([10.0, 6.0])
        .show(ui, |ui| {
            rows.var_ui(
                ui,
                t(lang, "AI base URL", "AI 기본 URL"),
                &mut d.base_url,
                &[overrides::LLM_BASE_URL],
            );
            rows.var_ui(
                ui,
                t(lang, "Model", "모델"),
                &mut d.model,
                &[overrides::LLM_MODEL],
            );
            rows.var_ui(
                ui,
                t(lang, "API key", "API 키"),
                &mut d.api_key,
                &[overrides::LLM_API_KEY, overrides::OPENAI_API_KEY],
            );
            let l = ui.label(t(lang, "Extra headers", "추가 헤더"));
            ui.add(
                egui::TextEdit::multiline(&mut d.headers)
                    .desired_rows(2)
                    .desired_width(260.0)
                    .hint_text("OpenAI-Organization: org-…"),
            )
            .labelled_by(l.id);
            ui.end_row();
            rows.text_ui(
                ui,
                t(lang, "AI timeout (s)", "AI 타임아웃 (초)"),
                &mut d.timeout,
            );
            rows.text_ui(ui, t(lang, "Temperature", "온도"), &mut d.temperature);
        });
    ui.horizontal(|ui| {
        if ui.button(t(lang, "Test AI", "AI 테스트")).clicked() {
            match d.llm(&snap.settings.llm) {
                Ok(l) => {
                    errors.clear();
                    send(Command::TestLlm(Box::new(l)));
                }
                Err(e) => *errors = e,
            }
        }
        if snap.llm_test == Some(LlmTest::Running) {
            // No spinner (it repaints every frame); the answer wakes the window.
            ui.label(t(lang, "asking…", "묻는 중…"));
        }
    });
    // Below the button and wrapped: a model's answer can be long, and must not widen the
    // window.
    let shown = match &snap.llm_test {
        Some(LlmTest::Done(Ok(words))) => Some((
            format!("{} {words}", t(lang, "The model says:", "모델 답:")),
            style::recovered(dark),
        )),
        Some(LlmTest::Done(Err(e))) => Some((e.clone(), style::breach(dark))),
        _ => None,
    };
    if let Some((text, color)) = shown {
        let text: String = text.chars().take(240).collect();
        ui.add(egui::Label::new(RichText::new(text).color(color)).wrap());
    }
}
