//! Story quality (E2–E4): the Definition of Ready, the quality lint, and questions on items.

pub mod api;
pub mod lint;
pub mod pages;
pub mod questions;
pub mod readiness;
pub mod rules;
