//! The web faces of `crate::roadmap`: its JSON handlers and HTML pages.

pub mod api;
pub mod pages;
pub mod releases_web;
pub mod signoff_api;
