//! What callers send to change the backlog; shared by the API, the pages and the CLI.

use serde::{Deserialize, Deserializer};

use crate::points::Points;

/// A new backlog item.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    #[serde(default = "story")]
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub persona: String,
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub benefit: String,
    pub points: Option<Points>,
    pub status: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// Key of the parent item, e.g. `ONB-7`.
    pub parent: Option<String>,
    #[serde(default)]
    pub criteria: Vec<String>,
    /// `top` or `bottom` (default) of the backlog.
    pub position: Option<String>,
}

fn story() -> String {
    "story".to_string()
}

/// A partial update; absent fields stay as they are, `null` clears `points` and `parent`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub persona: Option<String>,
    pub goal: Option<String>,
    pub benefit: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<Points>)]
    pub points: Option<Option<Points>>,
    pub status: Option<String>,
    pub labels: Option<Vec<String>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub parent: Option<Option<String>>,
    pub criteria: Option<Vec<String>>,
    /// E-mail of the workspace member who works on it; null to clear.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    /// Why, recorded in the audit log.
    pub reason: Option<String>,
}

/// Distinguishes an explicit `null` (clear) from an absent field (keep).
fn some<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl ItemPatch {
    /// The names of the fields the patch changes, in the item page's words.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("title", self.title.is_some()),
            ("kind", self.kind.is_some()),
            ("status", self.status.is_some()),
            ("points", self.points.is_some()),
            ("assignee", self.assignee.is_some()),
            ("persona", self.persona.is_some()),
            ("goal", self.goal.is_some()),
            ("benefit", self.benefit.is_some()),
            ("description", self.description.is_some()),
            ("labels", self.labels.is_some()),
            ("parent", self.parent.is_some()),
            ("criteria", self.criteria.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.kind.is_none()
            && self.title.is_none()
            && self.description.is_none()
            && self.persona.is_none()
            && self.goal.is_none()
            && self.benefit.is_none()
            && self.points.is_none()
            && self.status.is_none()
            && self.labels.is_none()
            && self.parent.is_none()
            && self.criteria.is_none()
            && self.assignee.is_none()
    }
}

/// Move one item next to a neighbour: exactly one of `before`, `after`, `to`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    pub before: Option<String>,
    pub after: Option<String>,
    /// `top` or `bottom`.
    pub to: Option<String>,
    /// In strict tier mode: why the item may break the tier order (recorded as an exemption).
    pub exemption: Option<String>,
    /// The PM's strategic reason for moving it: a recorded override (G3).
    pub override_reason: Option<String>,
}

/// Move a selection as a block; it lands in the order of `keys`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkMoveInput {
    pub keys: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub to: Option<String>,
    /// In strict tier mode: why the items may break the tier order.
    pub exemption: Option<String>,
    /// The PM's strategic reason for moving them: a recorded override (G3).
    pub override_reason: Option<String>,
}

impl MoveInput {
    pub fn anchor(&self) -> crate::error::Result<super::Anchor> {
        anchor(&self.before, &self.after, &self.to)
    }
}

impl BulkMoveInput {
    pub fn anchor(&self) -> crate::error::Result<super::Anchor> {
        anchor(&self.before, &self.after, &self.to)
    }
}

fn anchor(
    before: &Option<String>,
    after: &Option<String>,
    to: &Option<String>,
) -> crate::error::Result<super::Anchor> {
    use super::Anchor;
    match (before, after, to.as_deref()) {
        (Some(k), None, None) => Ok(Anchor::Before(k.clone())),
        (None, Some(k), None) => Ok(Anchor::After(k.clone())),
        (None, None, Some("top")) => Ok(Anchor::Top),
        (None, None, Some("bottom")) => Ok(Anchor::Bottom),
        (None, None, Some(_)) => Err(crate::error::Error::invalid("to", "must be top or bottom")),
        _ => Err(crate::error::Error::invalid(
            "before",
            "give exactly one of before, after or to",
        )),
    }
}

/// A dependency: this item is blocked by `blocked_by` (or blocks `blocks`).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DependencyInput {
    pub blocks: Option<String>,
    pub blocked_by: Option<String>,
}
