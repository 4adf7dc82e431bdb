//! The web faces of `crate::story`: its JSON handlers and HTML pages.

pub mod api;
pub mod comments_api;
pub mod pages;
