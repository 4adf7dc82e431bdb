//! The web faces of `crate::docs`: its JSON handlers and HTML pages.

pub mod api;
pub mod kit;
pub mod pages;
