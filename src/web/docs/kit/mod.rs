//! The web faces of `crate::docs::kit`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
