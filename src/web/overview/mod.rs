//! The web faces of `crate::overview`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
