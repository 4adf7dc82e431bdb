//! The web faces of `crate::admin`: its JSON handlers and HTML pages.

pub mod api;
pub mod audit_pages;
pub mod pages;
pub mod setup_pages;
