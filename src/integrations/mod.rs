//! One module per outside system. Each owns its wire format and turns every failure into an
//! error in words; none of them knows about the engine or the UI.

pub mod alertmanager;
pub mod autostart;
pub mod desktop;
pub mod email;
pub mod exec;
#[cfg(all(unix, not(target_os = "macos")))]
pub mod freedesktop;
pub mod http;
pub mod llm;
pub mod prometheus;
pub mod slack;
pub mod team;
