//! The web faces of `crate::report`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
