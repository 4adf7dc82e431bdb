//! The web faces of `crate::governance`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
