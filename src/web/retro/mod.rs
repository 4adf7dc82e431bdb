//! The web faces of `crate::retro`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
