//! The web faces of `crate::sprint`: its JSON handlers and HTML pages.

pub mod api;
pub mod board_pages;
pub mod pages;
pub mod review_pages;
pub mod team_api;
pub mod team_pages;
