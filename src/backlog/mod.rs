//! The Product Owner's backlog (E1, E2): items, their order, labels, parents and dependencies.

pub mod cards;
pub mod counts;
pub mod history;
pub mod input;
pub mod lint;
pub mod query;
pub mod rank;
pub mod readiness;
pub mod readiness_store;
pub mod service;
pub mod status;
pub mod store;
pub mod views;
pub mod wip;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId};
pub use crate::points::Points;

pub const KINDS: [&str; 4] = ["story", "bug", "task", "spike"];
pub use status::Status;
/// The stored names of the statuses, in board order (for forms and templates).
pub const STATUSES: [&str; 4] = [
    Status::Todo.as_str(),
    Status::InProgress.as_str(),
    Status::InReview.as_str(),
    Status::Done.as_str(),
];

pub fn status_title(status: &str) -> &'static str {
    Status::from_stored(status).map_or("Unknown", Status::title)
}

/// A backlog item as the API and pages show it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Item {
    pub key: String,
    #[serde(skip)]
    pub id: ItemId,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub persona: String,
    pub goal: String,
    pub benefit: String,
    pub points: Option<Points>,
    /// Sum of the children's points, when the item has children.
    pub children_points: Option<Points>,
    pub status: String,
    pub labels: Vec<String>,
    pub parent: Option<String>,
    /// The initiative it belongs to (S6), set by the PM or PO.
    #[schema(value_type = Option<i64>)]
    pub initiative_id: Option<InitiativeId>,
    /// The persona it is for (S2), when one is named.
    pub persona_id: Option<i64>,
    /// Insights linked to it as evidence (S1).
    pub evidence: i64,
    pub children: Vec<String>,
    pub criteria: Vec<Criterion>,
    pub blocks: Vec<String>,
    pub blocked_by: Vec<String>,
    pub ready: bool,
    #[schema(value_type = Object)]
    pub readiness: serde_json::Value,
    pub open_questions: i64,
    /// E-mail of the member working on it.
    pub assignee: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An item answers with its version as the ETag, so the next write can send `If-Match`.
impl crate::audit::Versioned for Item {
    const NOUN: &'static str = "the item";
    fn version(&self) -> i64 {
        self.version
    }
}

/// An item as a change left it, with the warnings the change raised: in a flow product whose
/// WIP limits warn, a status change past a limit goes through, and the answer says which limit
/// and which cards hold it, in the board's own words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ItemUpdated)]
pub struct Updated {
    #[serde(flatten)]
    pub item: Item,
    /// WIP warnings: a column of a flow board now over its limit, the limit and the cards
    /// that were there. Empty when the change raised none.
    pub warnings: Vec<String>,
}

impl crate::audit::Versioned for Updated {
    const NOUN: &'static str = "the item";
    fn version(&self) -> i64 {
        self.item.version
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Criterion {
    pub position: i64,
    pub text: String,
}

/// One row of the backlog list.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Summary {
    pub key: String,
    #[serde(skip)]
    pub id: ItemId,
    pub kind: String,
    pub title: String,
    pub status: String,
    pub points: Option<Points>,
    pub children_points: Option<Points>,
    pub labels: Vec<String>,
    pub ready: bool,
    /// How many readiness reasons stand against the item.
    pub unready_reasons: i64,
    pub version: i64,
    pub rank: String,
    /// Insights linked to it as evidence (S1).
    pub evidence: i64,
    /// Tier this quarter (1 = top priority); null when unaligned.
    pub tier: Option<usize>,
    /// When it sits above a higher tier: the first such item below it.
    pub inversion: Option<String>,
    /// The initiative it serves (its own, or its parent's), by id and title.
    #[schema(value_type = Option<i64>)]
    pub initiative_id: Option<InitiativeId>,
    pub initiative: Option<String>,
    /// An exemption from the tier order stands for it (G2).
    pub exempt: bool,
}

/// The line from an item to the strategy it serves, as a trace chip shows it (UI.md 3): its
/// tier this quarter and initiative, an inversion, an exemption.
pub struct Trace<'a> {
    pub tier: Option<usize>,
    pub initiative_id: Option<InitiativeId>,
    pub initiative: Option<&'a str>,
    pub inversion: Option<&'a str>,
    pub exempt: bool,
}

impl Summary {
    pub fn trace(&self) -> Trace<'_> {
        Trace {
            tier: self.tier,
            initiative_id: self.initiative_id,
            initiative: self.initiative.as_deref(),
            inversion: self.inversion.as_deref(),
            exempt: self.exempt,
        }
    }
}

/// Where a moved item (or block of items) goes.
#[derive(Clone, Debug, PartialEq)]
pub enum Anchor {
    Before(String),
    After(String),
    Top,
    Bottom,
}

/// `ONB-42` → (`ONB`, 42).
pub use crate::workspace::parse_item_key as parse_key;

pub fn validate_kind(kind: &str) -> Result<String> {
    let k = kind.trim().to_lowercase();
    if KINDS.contains(&k.as_str()) {
        Ok(k)
    } else {
        Err(Error::invalid(
            "kind",
            format!("must be one of {}", KINDS.join(", ")),
        ))
    }
}

pub fn validate_status(status: &str) -> Result<Status> {
    Status::parse(status)
        .ok_or_else(|| Error::invalid("status", format!("must be one of {}", STATUSES.join(", "))))
}

pub fn validate_title(title: &str) -> Result<String> {
    let t = title.trim();
    if t.is_empty() {
        return Err(Error::invalid("title", "a title is required"));
    }
    if t.chars().count() > 200 {
        return Err(Error::invalid(
            "title",
            "keep the title under 200 characters",
        ));
    }
    Ok(t.to_string())
}

pub fn validate_text(field: &str, text: &str, max: usize) -> Result<String> {
    if text.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("keep it under {max} characters"),
        ));
    }
    Ok(text.trim().to_string())
}

/// An estimate runs from 0 to 100 points with at most two decimals.
pub fn validate_points(points: Option<Points>) -> Result<Option<Points>> {
    points.map(Points::estimate).transpose()
}

/// Labels are lower-case words; duplicates collapse and the order is kept sorted.
pub fn validate_labels(labels: &[String]) -> Result<Vec<String>> {
    if labels.len() > 20 {
        return Err(Error::invalid("labels", "at most 20 labels"));
    }
    let mut out = Vec::with_capacity(labels.len());
    for l in labels {
        let l = l.trim().to_lowercase();
        let ok = (1..=40).contains(&l.len())
            && l.chars()
                .all(|c| c.is_alphanumeric() || "-_.:/".contains(c));
        if !ok {
            return Err(Error::invalid(
                "labels",
                format!("{l:?} is not a label: use 1–40 letters, digits or - _ . : /"),
            ));
        }
        out.push(l);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

pub fn validate_criteria(criteria: &[String]) -> Result<Vec<String>> {
    if criteria.len() > 50 {
        return Err(Error::invalid("criteria", "at most 50 acceptance criteria"));
    }
    let mut out = Vec::with_capacity(criteria.len());
    for (i, c) in criteria.iter().enumerate() {
        let c = c.trim();
        if c.is_empty() {
            continue;
        }
        if c.chars().count() > 1000 {
            return Err(Error::invalid(
                &format!("criteria[{i}]"),
                "keep each criterion under 1000 characters",
            ));
        }
        out.push(c.to_string());
    }
    Ok(out)
}

/// Markdown to HTML with everything unsafe removed (scripts, event handlers, javascript: links).
pub fn render_markdown(src: &str) -> String {
    let mut opts = pulldown_cmark::Options::empty();
    opts.insert(pulldown_cmark::Options::ENABLE_TABLES);
    opts.insert(pulldown_cmark::Options::ENABLE_STRIKETHROUGH);
    opts.insert(pulldown_cmark::Options::ENABLE_TASKLISTS);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new_ext(src, opts));
    ammonia::clean(&html)
}

/// What readiness and lint need to know about an item, borrowed from wherever it is stored.
/// Serialize only: serde cannot deserialize into a borrowed `&[String]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ItemFacts<'a> {
    /// "story" | "bug" | "task" | "spike"
    pub kind: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// Empty means missing.
    pub persona: &'a str,
    pub goal: &'a str,
    pub benefit: &'a str,
    pub points: Option<Points>,
    pub criteria: &'a [String],
    pub open_questions: u32,
    pub has_initiative: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse() {
        assert_eq!(parse_key("onb-42"), Some(("ONB".into(), 42)));
        assert_eq!(parse_key("ONB-0"), None);
        assert_eq!(parse_key("42"), None);
        assert_eq!(parse_key("-4"), None);
    }

    #[test]
    fn markdown_is_sanitised() {
        let html = render_markdown("**hi** <script>alert(1)</script> [x](javascript:alert(1))");
        assert!(html.contains("<strong>hi</strong>"));
        assert!(!html.contains("<script") && !html.contains("javascript:"));
    }

    #[test]
    fn labels_normalise_and_reject_junk() {
        assert_eq!(
            validate_labels(&["API".into(), "api".into(), "ux".into()]).ok(),
            Some(vec!["api".into(), "ux".into()])
        );
        assert!(validate_labels(&["has space".into()]).is_err());
        let p = |h| Some(Points::from_hundredths(h));
        assert!(validate_points(p(-100)).is_err() && validate_points(p(10_100)).is_err());
        assert!(validate_points(p(10_001)).is_err());
        assert_eq!(validate_points(p(50)).unwrap(), p(50));
        assert_eq!(validate_points(p(1850)).unwrap(), p(1850));
        assert_eq!(validate_points(None).unwrap(), None);
    }
}
