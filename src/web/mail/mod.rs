//! The web faces of `crate::mail`: its JSON handlers and HTML pages.

pub mod pages;
