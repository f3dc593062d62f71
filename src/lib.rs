//! Incident Response Console: a native desktop console for the first responder to a
//! Prometheus alert.
//!
//! One engine ([`engine`]: time, I/O, every state change) with two faces ([`ui`], the window,
//! and [`headless`]); pure data ([`model`]), detection ([`detect`]) and words ([`text`]) below
//! it, the wire ([`integrations`]) beside it. The module map, the arrows that may and must not
//! exist, the way an alert and a sample take, and a glossary are in `ARCHITECTURE.md` at the
//! top of the repository (a test keeps it true).

#![warn(missing_docs)]

pub mod audit;
pub mod detect;
pub mod engine;
pub mod envconfig;
pub mod grounding;
pub mod headless;
pub mod history;
pub mod integrations;
pub mod knowledge;
pub mod model;
pub mod notify;
pub mod review;
pub mod rules;
pub mod scenarios;
pub mod store;
pub mod text;
pub mod tray;
pub mod ui;
