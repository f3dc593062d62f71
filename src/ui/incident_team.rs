//! The incident's team row (team mode only): who has it (its owner, the incident commander)
//! with Take and Hand over, and which other consoles have it open now.

use egui::RichText;

use super::i18n::t;
use crate::engine::{Command, Snapshot};
use crate::model::{Incident, TeamStatus};

/// Draws the row, or nothing in solo mode.
pub(crate) fn team_row_ui(
    ui: &mut egui::Ui,
    inc: &Incident,
    snap: &Snapshot,
    send: &dyn Fn(Command),
) {
    if snap.team == TeamStatus::Off {
        return;
    }
    let lang = snap.lang();
    let me = crate::envconfig::responder_name(&snap.settings);
    let owner = inc.owner();
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(t(lang, "Owner", "담당")).weak());
        match owner {
            Some(o) => ui.label(RichText::new(o).strong()),
            None => ui.label(RichText::new(t(lang, "nobody yet", "아직 없음")).weak()),
        };
        if owner != Some(me.as_str()) && ui.button(t(lang, "Take", "맡기")).clicked() {
            send(Command::TakeIncident {
                incident: inc.id,
                to: None,
            });
        }
        // Anyone else on now may be handed it, but the one who has it (Take is for oneself).
        let mut others: Vec<&str> = (snap.present.iter())
            .map(|p| p.responder.as_str())
            .filter(|r| Some(*r) != owner && *r != me)
            .collect();
        others.sort_unstable();
        others.dedup();
        if !others.is_empty() {
            ui.menu_button(t(lang, "Hand over to…", "인계…"), |ui| {
                for name in others {
                    if ui.button(name).clicked() {
                        send(Command::TakeIncident {
                            incident: inc.id,
                            to: Some(name.to_string()),
                        });
                        ui.close();
                    }
                }
            });
        }
        let viewing: Vec<&str> = (snap.present.iter())
            .filter(|p| p.viewing == Some(inc.id) && p.console != snap.console)
            .map(|p| p.console.as_str())
            .collect();
        ui.label(RichText::new("·").weak());
        if viewing.is_empty() {
            ui.label(
                RichText::new(t(
                    lang,
                    "open on no other console",
                    "다른 콘솔에서 열려 있지 않음",
                ))
                .weak(),
            );
        } else {
            ui.label(RichText::new(t(lang, "Also open on:", "함께 보는 콘솔:")).weak());
            ui.label(viewing.join(", "));
        }
    });
}
