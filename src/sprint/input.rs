//! Request bodies of the sprint and team API, shared by the CLI.

use serde::Deserialize;

use super::review::VerdictInput;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTeam {
    pub name: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamPatchInput {
    pub name: Option<String>,
    pub velocity_window: Option<i64>,
    pub wip_todo: Option<i64>,
    pub wip_in_progress: Option<i64>,
    pub wip_in_review: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub email: String,
    #[serde(default = "one")]
    pub points_per_day: f64,
    #[serde(default = "hundred")]
    pub focus_pct: i64,
}

fn one() -> f64 {
    1.0
}
fn hundred() -> i64 {
    100
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSprint {
    pub team_id: i64,
    pub name: String,
    #[serde(default)]
    pub goal: String,
    /// First day, `YYYY-MM-DD`.
    pub start_date: String,
    /// Last day (included): 1 to 4 whole weeks after the start.
    pub end_date: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SprintPatchInput {
    pub name: Option<String>,
    pub goal: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityInput {
    pub focus_pct: i64,
    #[serde(default)]
    pub days_off: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitInput {
    pub items: Vec<String>,
    /// The items serve the sprint goal.
    #[serde(default)]
    pub for_goal: bool,
    /// Required to commit an item that is not ready: why it goes in anyway.
    pub exception: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UncommitInput {
    pub items: Vec<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeInput {
    /// Item to take in.
    pub add: Option<String>,
    /// Item to take out. Both at once make a swap.
    pub remove: Option<String>,
    pub reason: String,
    #[serde(default)]
    pub for_goal: bool,
    pub exception: Option<String>,
    /// Only compute the effect; change nothing.
    #[serde(default)]
    pub preview: bool,
    /// The PM's strategic reason, which makes the change a recorded override (G3).
    pub override_reason: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardMove {
    pub item: String,
    /// todo, in_progress, in_review or done.
    pub status: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    pub verdicts: Vec<VerdictInput>,
    /// Where the item goes if it is not accepted: top (of the backlog) or next (sprint).
    pub carry: Option<String>,
    /// Why the PO accepts an item the team has not finished (neither In review nor Done);
    /// needed only then.
    pub accept_reason: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalInput {
    pub goal_met: bool,
}
