//! The web faces of `crate::notify`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
