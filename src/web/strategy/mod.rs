//! The web faces of `crate::strategy`: its JSON handlers and HTML pages.

pub mod api;
pub mod api_competitors;
pub mod api_decisions;
pub mod api_initiatives;
pub mod api_research;
pub mod pages;
pub mod pages_competitors;
pub mod pages_decisions;
pub mod pages_idea;
pub mod pages_initiatives;
pub mod pages_research;
