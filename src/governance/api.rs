//! JSON handlers for alignment.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::alignment::{self, Alignment};
use crate::auth::extract::{ApiQuery, ApiUser};
use crate::db::Db;
use crate::error::{ApiError, Error, Result};
use crate::state::AppState;
use crate::workspace::store::product_ctx;
use crate::workspace::ProductCtx;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/v1/workspaces/{ws}/products/{product}/alignment",
        get(show),
    )
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlignmentParams {
    /// A sprint id: that sprint's alignment.
    pub sprint: Option<i64>,
    /// A quarter like 2027-Q1: every sprint starting in it, with the trend.
    pub quarter: Option<String>,
}

/// One of the two reports, as the parameters ask; shared with the page and the CLI.
pub async fn report(db: &Db, ctx: &ProductCtx, p: &AlignmentParams) -> Result<Alignment> {
    match (p.sprint, p.quarter.as_deref()) {
        (Some(s), None) => alignment::for_sprint(db, ctx, s).await,
        (None, Some(q)) => alignment::for_quarter(db, ctx, q).await,
        _ => Err(Error::invalid(
            "sprint",
            "give either a sprint or a quarter",
        )),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/alignment", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path), AlignmentParams),
    responses((status = 200, body = Alignment, description = "points per priority, unaligned share, gaps both ways, and the score with its formula"), (status = 422)))]
pub async fn show(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, p)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<AlignmentParams>,
) -> Result<Json<Alignment>, ApiError> {
    let ctx = product_ctx(&st.db, u.id, &ws, &p).await?;
    Ok(Json(report(&st.db, &ctx, &q).await?))
}
