//! The root of the window: layout, the per-frame snapshot, and UI-only state.

use egui::RichText;

use super::i18n::t;
use super::state::{Centre, UiState};
use super::{actions, feed, incident, metrics, settings, style};
use crate::engine::Snapshot;
use crate::engine::{Command, EngineHandle, SourceStatus};
use crate::model::{Lang, ThemeChoice};

/// The eframe application.
pub struct ConsoleApp {
    engine: EngineHandle,
    ui: UiState,
    repaint_installed: bool,
    /// How soon a published change is drawn (graphs wait while in the background).
    pace: std::sync::Arc<super::pace::Pace>,
    /// `--frame-log`: a line per pass, for measuring.
    pub(super) frame_log: Option<super::framelog::FrameLog>,
    /// The tray icon, when there is one: closing the window then hides it.
    pub(super) tray: Option<TrayLink>,
}

/// The window's side of the tray.
pub(super) struct TrayLink {
    /// The tray (poked after each published change).
    pub tray: crate::tray::Tray,
    /// Set by the tray's Quit: the next close request closes for good.
    pub quit: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl ConsoleApp {
    /// Wraps an engine handle. On the first frame the app asks the engine to repaint it
    /// whenever the state changes, which is the only time it redraws on its own.
    pub fn new(engine: EngineHandle) -> Self {
        Self {
            engine,
            ui: UiState::default(),
            repaint_installed: false,
            frame_log: None,
            pace: super::pace::Pace::new(),
            tray: None,
        }
    }

    /// The engine handle (tests read its state).
    pub fn engine(&self) -> &EngineHandle {
        &self.engine
    }

    /// Saves and stops the engine (also done on drop).
    pub fn shutdown(&mut self) {
        self.engine.shutdown();
    }

    /// Draws the whole console into `ui`; `eframe::App::ui` and the tests both call this.
    pub fn console_ui(&mut self, ui: &mut egui::Ui) {
        if !self.repaint_installed {
            let ctx = ui.ctx().clone();
            // A zero-delay request makes egui draw two frames ("to let things settle"); a
            // 1 ms delay makes it draw one, and without a GPU each frame costs real CPU. What
            // does need a second pass (a grid that re-measured) asks for it itself.
            let pace = self.pace.clone();
            let poke = self.tray.as_ref().map(|t| t.tray.poker());
            self.engine.set_repaint(move |wake| {
                ctx.request_repaint_after(pace.delay(wake, std::time::Instant::now()));
                if let Some(poke) = &poke {
                    poke();
                }
            });
            self.repaint_installed = true;
            self.ui.commands = Some(self.engine.sender());
        }
        let snap = self.engine.snapshot();
        let focused = ui.ctx().input(|i| i.focused);
        self.pace.frame(std::time::Instant::now(), focused);
        if self.ui.applied_theme != Some(snap.settings.theme) {
            ui.ctx().set_theme(match snap.settings.theme {
                ThemeChoice::Light => egui::Theme::Light,
                ThemeChoice::Dark => egui::Theme::Dark,
            });
            self.ui.applied_theme = Some(snap.settings.theme);
        }
        self.raise_ui(ui.ctx(), &snap);
        self.close_to_tray_ui(ui.ctx(), &snap);
        let send = |cmd: Command| {
            // A full queue means the engine is far behind; dropping a click is better than
            // blocking the window.
            let _ = self.engine.send(cmd);
        };

        let engine_running = self.engine.is_running();
        egui::Panel::top("header").show(ui, |ui| {
            if !engine_running {
                // Say so rather than show frozen numbers as if they were current.
                ui.label(
                    RichText::new(t(
                        snap.lang(),
                        "The engine has stopped: nothing is monitored or saved any more. Restart the console.",
                        "엔진이 멈췄습니다: 더 이상 감시하거나 저장하지 않습니다. 콘솔을 다시 시작하세요.",
                    ))
                    .color(style::breach(ui.visuals().dark_mode))
                    .strong(),
                );
            }
            header_ui(ui, &snap, &mut self.ui, &send);
        });
        egui::Panel::right("side")
            .resizable(true)
            .default_size(300.0)
            .min_size(240.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("side-scroll")
                    .show(ui, |ui| {
                        super::outbox::outbox_ui(ui, &snap, &send);
                        actions::results_ui(ui, &snap);
                        super::knowledge::knowledge_ui(
                            ui,
                            &snap,
                            &mut self.ui.knowledge,
                            self.ui.commands.clone(),
                            &send,
                        );
                    });
            });
        egui::Panel::bottom("feed")
            .resizable(true)
            .default_size(170.0)
            .min_size(120.0)
            .show(ui, |ui| {
                feed::feed_ui(ui, &snap, &self.engine, &mut self.ui.feed);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            metrics::metric_cards_ui(ui, &snap, &self.engine, &mut self.ui.sparklines);
            ui.separator();
            let lang = snap.lang();
            ui.horizontal(|ui| {
                let centre = &mut self.ui.centre;
                ui.selectable_value(centre, Centre::Incidents, t(lang, "Incidents", "인시던트"));
                let firing = super::alerts::firing_count(&snap);
                ui.selectable_value(
                    centre,
                    Centre::Alerts,
                    format!(
                        "{} ({firing} {})",
                        t(lang, "Alerts", "알림"),
                        t(lang, "firing", "발생 중")
                    ),
                );
                ui.selectable_value(centre, Centre::Reports, t(lang, "Reports", "리포트"));
            });
            if self.ui.centre == Centre::Reports {
                super::reports::reports_ui(ui, &snap.incidents, lang, &mut self.ui.reports);
            } else if self.ui.centre == Centre::Alerts {
                let (view, ack) = (&mut self.ui.alerts, &mut self.ui.ack);
                if let Some(id) = super::alerts::alerts_ui(ui, &snap, view, ack, &send) {
                    self.ui.incidents.selected = Some(id);
                    self.ui.centre = Centre::Incidents;
                }
            } else {
                let (view, ack) = (&mut self.ui.incidents, &mut self.ui.ack);
                match incident::incidents_ui(ui, &snap, view, ack, &send) {
                    Some(incident::IncidentIntent::Execute(id)) => self.ui.confirm.open(id, &send),
                    Some(incident::IncidentIntent::Export(id)) => {
                        if let Some(tx) = self.ui.commands.clone() {
                            super::incident_story::export_report(tx, id);
                        }
                    }
                    Some(incident::IncidentIntent::Review(id)) => {
                        if let Some(tx) = self.ui.commands.clone() {
                            super::incident_story::write_review(tx, id);
                        }
                    }
                    None => {}
                }
            }
        });
        let mut open = self.ui.settings_open;
        egui::Window::new(t(snap.lang(), "Console settings", "콘솔 설정"))
            .id(egui::Id::unique("settings-window"))
            .open(&mut open)
            .default_size([480.0, 700.0])
            .min_width(440.0)
            .default_pos(ui.ctx().content_rect().right_top() + egui::vec2(-500.0, 90.0))
            .resizable(true)
            .collapsible(false)
            .show(ui.ctx(), |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("settings-scroll")
                    .show(ui, |ui| {
                        settings::settings_ui(ui, &snap, &mut self.ui.settings, &send);
                    });
            });
        self.ui.settings_open = open;
        actions::confirm_modal_ui(ui.ctx(), &snap, &mut self.ui.confirm, &send);
    }
}

impl ConsoleApp {
    /// Closing the window with a tray icon on a panel (and the setting on) hides it: the
    /// engine keeps watching. The tray's Quit closes for good; with no panel to bring the
    /// window back from (none started yet), closing quits.
    fn close_to_tray_ui(&mut self, ctx: &egui::Context, snap: &Snapshot) {
        let Some(link) = &self.tray else {
            return;
        };
        let quitting = link.quit.load(std::sync::atomic::Ordering::SeqCst);
        if !ctx.input(|i| i.viewport().close_requested())
            || quitting
            || !link.tray.shown()
            || !snap.settings.desktop.close_to_tray
        {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(false));
        let _ = self.engine.send(Command::WentToTray);
    }

    /// "Open" on a notification: the window comes up (from the tray too) on what it was about.
    fn raise_ui(&mut self, ctx: &egui::Context, snap: &Snapshot) {
        let Some(raise) = &snap.raise else {
            return;
        };
        if raise.seq <= self.ui.raised {
            return;
        }
        self.ui.raised = raise.seq;
        ctx.send_viewport_cmd(egui::ViewportCommand::Visible(true));
        ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
        ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
        match &raise.about {
            crate::engine::AckTarget::Incident(id) => {
                self.ui.incidents.selected = Some(*id);
                self.ui.centre = Centre::Incidents;
            }
            crate::engine::AckTarget::Alert(_) => self.ui.centre = Centre::Alerts,
        }
    }
}

impl eframe::App for ConsoleApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.console_ui(ui);
        if let Some(log) = &mut self.frame_log {
            log.record(ui.ctx());
        }
    }

    fn raw_input_hook(&mut self, _ctx: &egui::Context, raw_input: &mut egui::RawInput) {
        super::wheel_in_one_step(raw_input);
    }

    /// The panels are not filled (see [`super::setup_context`]): the clear is their colour.
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        if visuals.dark_mode {
            egui::Visuals::dark().panel_fill.to_normalized_gamma_f32()
        } else {
            egui::Visuals::light().panel_fill.to_normalized_gamma_f32()
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.engine.shutdown();
    }
}

fn header_ui(ui: &mut egui::Ui, snap: &Snapshot, state: &mut UiState, send: &dyn Fn(Command)) {
    let lang = snap.lang();
    let dark = ui.visuals().dark_mode;
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        ui.heading(super::WINDOW_TITLE);
        ui.toggle_value(&mut state.settings_open, t(lang, "Settings", "설정"));
        ui.separator();
        if snap.restoring {
            // The window opened before the data dir was read; look again shortly (the engine
            // may finish before this window asked to be woken).
            ui.label(format!(
                "{} {} …",
                t(
                    lang,
                    "Restoring incidents and the feed from",
                    "인시던트와 피드를 복원하는 중:"
                ),
                snap.data_dir
            ));
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(50));
            return;
        }
        let (text, color) = source_words(snap, lang, dark);
        ui.label(RichText::new(text).color(color.unwrap_or(ui.visuals().text_color())));
        if let Some(words) = crate::text::team::status(&snap.team, chrono::Utc::now(), lang) {
            let working_alone = matches!(
                snap.team,
                crate::model::TeamStatus::Alone { .. } | crate::model::TeamStatus::Unusable { .. }
            );
            let color = match working_alone {
                true => style::pending(dark),
                false => ui.visuals().text_color(),
            };
            ui.label(RichText::new(format!("· {words}")).color(color));
        }
        // The line shows an age, so it is a clock, but a lazy one: while samples arrive, each
        // one repaints anyway and this timer never fires; it only ticks when they stop coming
        // (the age must visibly grow), and every 5 s while failing. A 1 s tick cost 20 % of a
        // core under software rendering.
        let tick_secs = match snap.source {
            SourceStatus::Live { .. } => Some(snap.poll_interval_secs + 1),
            SourceStatus::Failing { .. } => Some(5),
            _ => None,
        };
        // "Alone since T (for how long)" grows too.
        let tick_secs = match snap.team {
            crate::model::TeamStatus::Alone { .. } => Some(tick_secs.map_or(5, |s| s.min(5))),
            _ => tick_secs,
        };
        if let Some(secs) = tick_secs {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_secs(secs));
        }
    });
    ui.horizontal_wrapped(|ui| {
        let random = t(lang, "Random scenario", "무작위 시나리오");
        let selected_text = match &state.trigger_choice {
            None => random.to_string(),
            Some(code) => snap
                .scenarios
                .iter()
                .find(|s| &s.code == code)
                .map_or(code.clone(), |s| s.title.text(lang).to_string()),
        };
        egui::ComboBox::from_label(t(lang, "Scenario", "시나리오"))
            .selected_text(selected_text)
            .width(260.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.trigger_choice, None, random);
                for s in snap.scenarios.iter() {
                    ui.selectable_value(
                        &mut state.trigger_choice,
                        Some(s.code.clone()),
                        format!("{} ({})", s.title.text(lang), s.code),
                    );
                }
            });
        if ui
            .button(t(lang, "Trigger alert", "알림 발생"))
            .on_hover_text(t(
                lang,
                "Open an incident from the chosen runbook now",
                "선택한 러너북으로 지금 인시던트를 엽니다",
            ))
            .clicked()
        {
            // Follow the incident this opens.
            state.incidents.selected = None;
            send(Command::TriggerScenario {
                code: state.trigger_choice.clone(),
            });
        }
        if ui
            .button(t(lang, "Reload runbooks", "러너북 다시 읽기"))
            .on_hover_text(format!(
                "{} {}/scenarios",
                t(
                    lang,
                    "Re-read the runbook files in",
                    "러너북 파일을 다시 읽습니다:"
                ),
                snap.data_dir
            ))
            .clicked()
        {
            send(Command::ReloadScenarios);
        }
        ui.separator();
        if ui
            .button(t(lang, "Verify recovery", "복구 검증"))
            .on_hover_text(t(
                lang,
                "Read the current values now and compare them with the thresholds",
                "현재 값을 읽어 임계치와 비교합니다",
            ))
            .clicked()
        {
            send(Command::VerifyRecovery);
        }
        if let Some(v) = &snap.last_verification {
            let color = if v.recovered {
                style::recovered(dark)
            } else {
                style::pending(dark)
            };
            ui.label(
                RichText::new(format!(
                    "{}  {}",
                    v.at.format("%H:%M:%S"),
                    crate::text::feed::message(&v.event(), lang)
                ))
                .color(color),
            );
        }
    });
    ui.add_space(2.0);
}

/// `12 s ago`, `3 min ago`: how old a sample is, by the wall clock.
fn ago(at: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    let secs = (chrono::Utc::now() - at).num_seconds().max(0);
    let text = if secs < 120 {
        format!("{secs} s")
    } else if secs < 7200 {
        format!("{} min", secs / 60)
    } else {
        format!("{} h", secs / 3600)
    };
    format!("{text} {}", t(lang, "ago", "전"))
}

/// The status line: where numbers come from, in words.
fn source_words(snap: &Snapshot, lang: Lang, dark: bool) -> (String, Option<egui::Color32>) {
    let last = snap
        .latest
        .as_ref()
        .map(|r| r.at.format("%H:%M:%S UTC").to_string());
    match &snap.source {
        SourceStatus::Demo { forced } => (
            format!(
                "{}{} · {} {} s{}",
                t(
                    lang,
                    "Demo data (offline, simulated)",
                    "데모 데이터 (오프라인, 시뮬레이션)"
                ),
                if *forced { " --demo" } else { "" },
                t(lang, "poll every", "수집 주기"),
                snap.poll_interval_secs,
                last.map_or(String::new(), |l| format!(
                    " · {} {l}",
                    t(lang, "last sample", "마지막 샘플")
                )),
            ),
            None,
        ),
        SourceStatus::Live {
            url,
            last_good: None,
            ..
        } => (
            format!("Prometheus {url}: {}", t(lang, "connecting…", "연결 중…")),
            Some(style::pending(dark)),
        ),
        SourceStatus::Live {
            url,
            last_good: Some(at),
            problems,
        } => {
            let mut text = format!(
                "{} Prometheus {url} · {} {} s · {} {}",
                t(lang, "Live:", "실시간:"),
                t(lang, "poll every", "수집 주기"),
                snap.poll_interval_secs,
                t(lang, "last good sample", "마지막 정상 샘플"),
                ago(*at, lang),
            );
            for p in problems {
                text.push_str(" · ");
                text.push_str(p);
            }
            let color = (!problems.is_empty()).then(|| style::pending(dark));
            (text, color)
        }
        SourceStatus::Failing {
            url,
            since,
            reason,
            last_good,
            retry_at,
        } => {
            let mut text = format!(
                "Prometheus {url} {} {}: {reason}",
                t(lang, "failing since", "실패 중, 시작:"),
                since.with_timezone(&chrono::Local).format("%H:%M:%S"),
            );
            match last_good {
                Some(at) => text.push_str(&format!(
                    " · {} {}",
                    t(
                        lang,
                        "values are stale; last good sample",
                        "값이 오래됨; 마지막 정상 샘플"
                    ),
                    ago(*at, lang)
                )),
                None => text.push_str(&format!(" · {}", t(lang, "no values yet", "아직 값 없음"))),
            }
            if let Some(retry) = retry_at {
                text.push_str(&format!(
                    " · {} {}",
                    t(lang, "next try at", "다음 시도"),
                    retry.with_timezone(&chrono::Local).format("%H:%M:%S")
                ));
            }
            (text, Some(style::breach(dark)))
        }
        SourceStatus::Off => (
            t(
                lang,
                "No metric source: demo mode is off and no Prometheus URL is set",
                "메트릭 소스 없음: 데모 모드가 꺼져 있고 Prometheus URL이 없습니다",
            )
            .to_string(),
            Some(style::pending(dark)),
        ),
    }
}
