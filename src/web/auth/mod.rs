//! The web faces of `crate::auth`: its JSON handlers and HTML pages.

pub mod account_pages;
pub mod api;
pub mod pages;
pub mod reset_pages;
