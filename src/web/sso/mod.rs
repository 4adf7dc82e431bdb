//! The web faces of `crate::sso`: its JSON handlers and HTML pages.

pub mod admin_pages;
pub mod pages;
