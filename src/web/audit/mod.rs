//! The web faces of `crate::audit`: its JSON handlers and HTML pages.

pub mod api;
