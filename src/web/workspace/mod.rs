//! The web faces of `crate::workspace`: its JSON handlers and HTML pages.

pub mod api;
pub mod invite_pages;
pub mod pages;
