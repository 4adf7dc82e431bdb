//! The web faces of `crate::import`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
