//! How a task tells the engine what happened without knowing the engine's `Input`: it is
//! handed a [`Report`] of its own events, which the engine made by wrapping them
//! ([`super::input::report`]). So the tasks' files and `input.rs` do not import each other.

use std::sync::Arc;

/// Sends one event to the engine; `false` once the engine is gone.
pub type Report<E> = Arc<dyn Fn(E) -> bool + Send + Sync>;
