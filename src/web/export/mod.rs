//! The web faces of `crate::export`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
