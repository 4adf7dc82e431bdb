//! Story quality (E2–E4): the Definition of Ready, the quality lint, and questions on items.

pub mod api;
pub mod comments;
pub mod comments_api;
pub mod lint;
pub mod pages;
pub mod questions;
pub mod readiness;
pub mod rules;

use serde::Serialize;

/// What readiness and lint need to know about an item, borrowed from wherever it is stored.
/// Serialize only: serde cannot deserialize into a borrowed `&[String]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct ItemFacts<'a> {
    /// "story" | "bug" | "task" | "spike"
    pub kind: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Empty means missing.
    pub persona: &'a str,
    pub goal: &'a str,
    pub benefit: &'a str,
    pub points: Option<i64>,
    pub criteria: &'a [String],
    pub open_questions: u32,
    pub has_initiative: bool,
}
