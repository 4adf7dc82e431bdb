//! Flow and forecast tools (E11, issue 14), through the flow room's services: the continuous
//! board with its WIP limits, and the Monte Carlo forecast of a set of items.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::json;
use crate::db::Db;
use crate::error::Result;
use crate::flow::{board, forecast};
use crate::mcp::{resolve, Caller};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetFlowBoard {
    /// The product's key, e.g. `INS`.
    pub product: String,
    /// Narrow to one team's members' items (the team's id), with its own WIP limits.
    pub team: Option<i64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_flow_board(db: &Db, caller: &Caller, a: GetFlowBoard) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    json(&board::board(db, &ctx, a.team).await?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetForecast {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// A backlog query, e.g. `is:ready`; every open item when omitted.
    pub items: Option<String>,
    /// Only the top N items in backlog order (1–1000).
    pub top: Option<i64>,
    /// Also say how much will be done by this date (YYYY-MM-DD).
    pub by: Option<String>,
    /// The random seed: the same seed gives the same answer.
    pub seed: Option<u64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_forecast(db: &Db, caller: &Caller, a: GetForecast) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let p = forecast::ForecastParams {
        items: a.items,
        top: a.top,
        by: a.by,
        seed: a.seed,
        ..forecast::ForecastParams::default()
    };
    let mut f = json(&forecast::forecast(db, &ctx, &p).await?)?;
    // The per-future distribution is for charts; an agent needs the dates.
    if let Some(o) = f.as_object_mut() {
        o.remove("distribution");
        if let Some(by) = o.get_mut("by").and_then(Value::as_object_mut) {
            by.remove("distribution");
        }
    }
    Ok(f)
}
