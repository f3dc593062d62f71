//! The desktop notification task: the one owner of the connection to the platform's
//! notification service. The engine hands it what to show; it reports each attempt's outcome
//! and, where the platform answers (freedesktop), what the person did, by what the
//! notification was about. It writes the sound files the service plays (the volume is in
//! their samples), once each, in the data dir's `sounds/`.

use std::path::{Path, PathBuf};

use tokio::sync::mpsc;

use super::desktop::DesktopReport;
use crate::engine::{AckTarget, Input};
use crate::integrations::desktop::Toast;
use crate::model::AlarmSound;

/// One notification to show.
#[derive(Debug)]
pub(super) struct Ask {
    /// What it is about (its answer comes back by this); `None` for a storm's count.
    pub about: Option<AckTarget>,
    /// What it says (its sound is filled in by the task).
    pub toast: Toast,
    /// Its sound, and the volume to write it at (%).
    pub sound: (AlarmSound, u8),
    /// Where sound files are kept.
    pub sounds_dir: PathBuf,
}

/// Starts the task on the engine's runtime; it ends when the sender is dropped.
pub(super) fn spawn(inputs: mpsc::UnboundedSender<Input>) -> mpsc::UnboundedSender<Ask> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(rx, inputs));
    tx
}

/// The sound's file at this volume, written once into `dir`; `None` for no sound or if it
/// cannot be written (the notification still shows, silent).
fn sound_file(dir: &Path, sound: AlarmSound, volume_pct: u8) -> Option<PathBuf> {
    let wav = sound.wav()?;
    let path = dir.join(format!("{}-{volume_pct}.wav", sound.stem()));
    if !path.exists() {
        crate::store::write_atomic(&path, &crate::model::scaled_wav(wav, volume_pct)).ok()?;
    }
    Some(path)
}

#[cfg(all(unix, not(target_os = "macos")))]
async fn run(mut asks: mpsc::UnboundedReceiver<Ask>, tx: mpsc::UnboundedSender<Input>) {
    use std::collections::HashMap;

    use crate::integrations::desktop::Answer;
    use crate::integrations::freedesktop::{Heard, Session};

    /// Notifications waiting for an answer are remembered up to this many.
    const WAITING_MAX: usize = 1024;
    enum Event {
        Ask(Option<Ask>),
        Heard(Option<Heard>),
    }
    let mut session: Option<Session> = None;
    let mut waiting: HashMap<u32, AckTarget> = HashMap::new();
    loop {
        let event = match session.as_mut() {
            Some(s) => tokio::select! {
                ask = asks.recv() => Event::Ask(ask),
                heard = s.heard() => Event::Heard(heard),
            },
            None => Event::Ask(asks.recv().await),
        };
        match event {
            Event::Ask(None) => break,
            Event::Ask(Some(mut ask)) => {
                let (sound, volume) = ask.sound;
                ask.toast.sound = sound_file(&ask.sounds_dir, sound, volume);
                if session.is_none() {
                    match Session::connect().await {
                        Ok(s) => session = Some(s),
                        Err(reason) => {
                            let report = DesktopReport::Shown {
                                about: ask.about,
                                result: Err(reason),
                            };
                            let _ = tx.send(Input::Desktop(report));
                            continue;
                        }
                    }
                }
                let Some(s) = session.as_ref() else { continue };
                let result = s.show(&ask.toast).await;
                match (&result, &ask.about) {
                    (Ok(id), Some(about)) if s.has_actions() && !ask.toast.actions.is_empty() => {
                        if waiting.len() >= WAITING_MAX {
                            waiting.clear();
                        }
                        waiting.insert(*id, about.clone());
                    }
                    (Err(_), _) => session = None,
                    _ => {}
                }
                let report = DesktopReport::Shown {
                    about: ask.about,
                    result,
                };
                let _ = tx.send(Input::Desktop(report));
            }
            // The bus went away: the next notification connects again.
            Event::Heard(None) => session = None,
            Event::Heard(Some(Heard { id, answer })) => {
                let about = match answer {
                    Answer::Closed => waiting.remove(&id),
                    Answer::Action(_) => waiting.get(&id).cloned(),
                };
                if let Some(about) = about {
                    let _ = tx.send(Input::Desktop(DesktopReport::Answered { about, answer }));
                }
            }
        }
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
async fn run(mut asks: mpsc::UnboundedReceiver<Ask>, tx: mpsc::UnboundedSender<Input>) {
    while let Some(mut ask) = asks.recv().await {
        let tx = tx.clone();
        tokio::task::spawn_blocking(move || {
            let (sound, volume) = ask.sound;
            ask.toast.sound = sound_file(&ask.sounds_dir, sound, volume);
            let result = crate::integrations::desktop::show(&ask.toast);
            let report = DesktopReport::Shown {
                about: ask.about,
                result,
            };
            let _ = tx.send(Input::Desktop(report));
        });
    }
}
