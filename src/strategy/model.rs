//! What the strategy API shows and accepts: objectives, metrics, priorities and initiatives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::{Points, Scores};
use crate::ids::InitiativeId;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Objective {
    pub id: i64,
    pub quarter: String,
    pub title: String,
    pub description: String,
    /// The metrics that measure it.
    pub metrics: Vec<Metric>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Metric {
    pub id: i64,
    pub objective_id: Option<i64>,
    pub name: String,
    pub unit: String,
    /// `up` or `down`: which way is good.
    pub direction: String,
    pub baseline: f64,
    pub target: f64,
    /// The latest measured value and its date.
    pub current: Option<f64>,
    pub current_on: Option<String>,
    /// Percent of the way from baseline to target (0–100), from the latest value.
    pub progress: Option<i64>,
    pub version: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct MetricValue {
    /// `YYYY-MM-DD`.
    pub measured_on: String,
    pub value: f64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MetricDetail {
    #[serde(flatten)]
    pub metric: Metric,
    pub history: Vec<MetricValue>,
    /// Initiatives meant to move it.
    pub initiatives: Vec<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Priority {
    pub id: i64,
    pub quarter: String,
    /// Place in the quarter's ranked list, 1 = top: the tier of the work under it.
    pub position: i64,
    pub title: String,
    pub description: String,
    pub objectives: Vec<i64>,
    pub initiatives: Vec<i64>,
    pub version: i64,
    #[serde(skip)]
    pub rank: String,
}

/// The priority an initiative serves in one quarter.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PriorityRef {
    pub id: i64,
    pub quarter: String,
    pub title: String,
    pub position: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Initiative {
    #[schema(value_type = i64)]
    pub id: InitiativeId,
    pub title: String,
    pub description: String,
    /// The problem it solves, in the PM's words (the blueprint's opening).
    pub problem: String,
    /// What it takes for granted and would change the plan if wrong.
    pub assumptions: String,
    /// What it deliberately leaves out (the blueprint's non-goals).
    pub out_of_scope: String,
    pub status: String,
    pub scores: Scores,
    pub rice: Option<f64>,
    pub rice_formula: Option<String>,
    pub wsjf: Option<f64>,
    pub wsjf_formula: Option<String>,
    pub priorities: Vec<PriorityRef>,
    pub metrics: Vec<i64>,
    /// Keys of the backlog items that belong to it.
    pub items: Vec<String>,
    pub points_done: Points,
    pub points_total: Points,
    /// Percent of its items' points that are done.
    pub progress: Option<i64>,
    /// Insights linked to it as evidence.
    pub evidence: i64,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// Distinguishes an explicit `null` (clear) from an absent field (keep).
pub(crate) fn some<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveInput {
    pub quarter: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricInput {
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub objective_id: Option<Option<i64>>,
    pub name: Option<String>,
    pub unit: Option<String>,
    pub direction: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityInput {
    pub quarter: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// At least one objective of the same quarter.
    pub objectives: Option<Vec<i64>>,
    /// `top` or `bottom` (default) when adding.
    pub position: Option<String>,
    /// Required once the quarter has started.
    pub reason: Option<String>,
}

/// Move a priority next to another of the same quarter: exactly one of `before`, `after`, `to`.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityMove {
    pub before: Option<i64>,
    pub after: Option<i64>,
    /// `top` or `bottom`.
    pub to: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InitiativeInput {
    pub title: Option<String>,
    pub description: Option<String>,
    /// Up to 1,000 characters each.
    pub problem: Option<String>,
    pub assumptions: Option<String>,
    pub out_of_scope: Option<String>,
    pub status: Option<String>,
    /// Replaces the scores given; absent scores stay, `null` clears one.
    #[serde(default)]
    pub scores: Option<ScoresPatch>,
    /// Replaces the priorities it serves (at most one per quarter).
    pub priorities: Option<Vec<i64>>,
    /// Replaces the metrics it is meant to move.
    pub metrics: Option<Vec<i64>>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoresPatch {
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub reach: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<f64>)]
    pub impact: Option<Option<f64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub confidence: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<f64>)]
    pub effort: Option<Option<f64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub business_value: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub time_criticality: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub risk_reduction: Option<Option<i64>>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub job_size: Option<Option<i64>>,
}

impl ScoresPatch {
    pub fn apply(&self, s: &mut Scores) {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { s.$f = v; } )* };
        }
        set!(
            reach,
            impact,
            confidence,
            effort,
            business_value,
            time_criticality,
            risk_reduction,
            job_size
        );
    }
}

/// Which initiative a backlog item belongs to; `null` detaches it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInitiative {
    #[schema(value_type = Option<i64>)]
    pub initiative: Option<crate::ids::InitiativeId>,
}
