//! The web faces of `crate::backlog`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
