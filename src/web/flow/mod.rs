//! The web faces of `crate::flow`: its JSON handlers and HTML pages.

pub mod api;
pub mod forecast_pages;
pub mod pages;
