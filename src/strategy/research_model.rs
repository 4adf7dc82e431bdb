//! What the research, persona and vision API shows and accepts.

use serde::{Deserialize, Serialize};

use super::model::some;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Source {
    pub id: i64,
    /// interview, survey, support_ticket, sales_call or analytics_note.
    pub kind: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub happened_on: String,
    pub customer: String,
    pub segment: String,
    pub notes: String,
    pub insights: i64,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceInput {
    pub kind: Option<String>,
    pub title: Option<String>,
    pub happened_on: Option<String>,
    pub customer: Option<String>,
    pub segment: Option<String>,
    pub notes: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Insight {
    pub id: i64,
    pub source_id: i64,
    pub source_title: String,
    /// quote or observation.
    pub kind: String,
    pub body: String,
    /// 1 (nice to know) to 5 (critical).
    #[schema(minimum = 1, maximum = 5)]
    pub importance: i64,
    pub persona_id: Option<i64>,
    pub persona: Option<String>,
    pub tags: Vec<String>,
    /// Initiatives it is evidence for.
    pub initiatives: Vec<i64>,
    /// Keys of backlog items it is evidence for.
    pub items: Vec<String>,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsightInput {
    pub source_id: Option<i64>,
    pub kind: Option<String>,
    pub body: Option<String>,
    /// 1 (nice to know) to 5 (critical).
    #[schema(minimum = 1, maximum = 5)]
    pub importance: Option<i64>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub persona_id: Option<Option<i64>>,
    pub tags: Option<Vec<String>>,
}

/// An evidence link from an insight: exactly one of `initiative` (id) or `item` (key).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvidenceLink {
    pub initiative: Option<i64>,
    pub item: Option<String>,
}

/// One search result: an insight or a source.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// `insight` or `source`.
    pub kind: String,
    pub id: i64,
    pub source_id: i64,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Persona {
    pub id: i64,
    pub name: String,
    pub segment: String,
    pub goals: String,
    pub pains: String,
    /// Backlog items that name it.
    pub items: i64,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonaInput {
    pub name: Option<String>,
    pub segment: Option<String>,
    pub goals: Option<String>,
    pub pains: Option<String>,
}

/// Which persona a backlog item is for; `null` clears it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemPersona {
    pub persona: Option<i64>,
}

/// A product's vision (S0); its version is the product's.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Vision {
    pub vision: String,
    pub target_segments: String,
    pub positioning: String,
    #[serde(default)]
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisionInput {
    pub vision: Option<String>,
    pub target_segments: Option<String>,
    pub positioning: Option<String>,
}
