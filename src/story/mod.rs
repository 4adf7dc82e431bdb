//! Stories (E2–E4): changing the Definition of Ready, and questions and comment threads on items.
//! The readiness and lint rules themselves live with the backlog, which assesses every item it
//! writes; they are re-exported here under their old names.

pub mod comments;
pub mod questions;
pub mod rules;

pub use crate::backlog::readiness::ItemFacts;
pub use crate::backlog::{lint, readiness};
