//! The web faces of `crate::invite`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
