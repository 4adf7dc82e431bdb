//! JSON and SVG handlers for flow: the cadence and WIP limits, the board and its moves, and
//! the flow report with its charts.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::flow::board::{self, FlowBoard, Moved};
use crate::flow::forecast::{self, Forecast, ForecastParams};
use crate::flow::report::{self, FlowParams, FlowReport};
use crate::flow::teams::{self, TeamCadence};
use crate::flow::{store, FlowSettings, FlowSettingsInput, TeamCadenceInput};
use crate::state::AppState;
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(get_team_cadence, put_team_cadence))
        .routes(routes!(show_board))
        .routes(routes!(move_card))
        .routes(routes!(show_report))
        .routes(routes!(report_chart))
        .routes(routes!(show_forecast))
        .routes(routes!(forecast_chart))
}

/// Forecast when a set of items will be done (Monte Carlo over the team's own history)
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/forecast", operation_id = "getForecast", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), ForecastParams),
    responses((status = 200, body = Forecast, description = "the dates by which the items are done with 50, 85 and 95 % likelihood, the distribution, and how much by a date"), (status = 422)))]
pub async fn show_forecast(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<ForecastParams>,
) -> Result<Json<Forecast>, ApiError> {
    Ok(Json(forecast::forecast(&st.db, &ctx, &q).await?))
}

/// Draw the forecast's distribution of finish dates as SVG
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/forecast.svg", operation_id = "getForecastChart", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), ForecastParams),
    responses((status = 200, content_type = "image/svg+xml"), (status = 422)))]
pub async fn forecast_chart(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<ForecastParams>,
) -> Result<Response, ApiError> {
    let f = forecast::forecast(&st.db, &ctx, &q).await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "image/svg+xml")],
        forecast::chart(&f, crate::chart::Canvas::WIDE),
    )
        .into_response())
}

fn etag(version: i64) -> [(axum::http::HeaderName, String); 1] {
    [(header::ETAG, format!("\"{version}\""))]
}

/// Show the product's cadence (sprints or flow) and WIP limits
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/flow", operation_id = "getFlowSettings", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, body = FlowSettings, description = "the cadence and WIP limits; the ETag is their version")))]
pub async fn get_settings(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Response, ApiError> {
    ctx.grants.require(crate::auth::Action::ViewBacklog)?;
    let s = store::settings(&st.db, ctx.product.id).await?;
    Ok((etag(s.version), Json(s)).into_response())
}

/// Set the product's cadence and WIP limits (the PO or the SM)
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/flow", operation_id = "setFlowSettings", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), ("If-Match" = String, Header)), request_body = FlowSettingsInput,
    responses((status = 200, body = FlowSettings), (status = 403, description = "the PO or the SM sets them"), (status = 412, description = "the settings changed since they were read"), (status = 422)))]
pub async fn put_settings(
    State(st): State<AppState>,
    InProduct { user, ctx }: InProduct,
    IfMatch(expected): IfMatch,
    ApiJson(i): ApiJson<FlowSettingsInput>,
) -> Result<Response, ApiError> {
    let s = store::set_settings(&st.db, &user, &ctx, expected, &i).await?;
    Ok((etag(s.version), Json(s)).into_response())
}

/// Show a team's cadence on a product (its own, or the product's it follows)
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/teams/{id}/cadence", operation_id = "getTeamCadence", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path, description = "the team")),
    responses((status = 200, body = TeamCadence, description = "the cadence the team works by; the ETag is its version"), (status = 404)))]
pub async fn get_team_cadence(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, id)): Path<(String, String, i64)>,
) -> Result<Etagged<TeamCadence>, ApiError> {
    Ok(Etagged(StatusCode::OK, teams::get(&st.db, &ctx, id).await?))
}

/// Set a team's cadence: sprints, flow, or product to follow the product's (the PO or the SM)
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/teams/{id}/cadence", operation_id = "setTeamCadence", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path, description = "the team"), ("If-Match" = String, Header, description = "the ETag you read")),
    request_body = TeamCadenceInput,
    responses((status = 200, body = TeamCadence), (status = 403, description = "the PO or the SM sets it"), (status = 404),
        (status = 412, description = "the team's cadence changed since it was read; body has `current`"), (status = 422), (status = 428)))]
pub async fn put_team_cadence(
    State(st): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, _p, id)): Path<(String, String, i64)>,
    IfMatch(expected): IfMatch,
    ApiJson(i): ApiJson<TeamCadenceInput>,
) -> Result<Etagged<TeamCadence>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        teams::set(&st.db, &user, &ctx, id, expected, &i).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BoardParams {
    /// Narrow to the items assigned to one team's members (its id), with the team's own WIP
    /// limits.
    pub team: Option<i64>,
}

/// Show the flow board: open work by column, WIP limits, card ages
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/flow/board", operation_id = "getFlowBoard", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), BoardParams),
    responses((status = 200, body = FlowBoard), (status = 422, description = "no such team on this product")))]
pub async fn show_board(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<BoardParams>,
) -> Result<Json<FlowBoard>, ApiError> {
    Ok(Json(board::board(&st.db, &ctx, q.team).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FlowMoveInput)]
pub struct MoveInput {
    /// The item's key, e.g. ONB-42.
    #[schema(max_length = 40)]
    pub item: String,
    /// todo, in_progress, in_review or done.
    pub status: String,
    /// The Product Owner's reason to go past a blocking WIP limit (recorded).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub override_reason: Option<String>,
    /// A team of the product: the move is on that team's board, under its cadence and its WIP
    /// limits (counted among its members' cards).
    #[serde(default)]
    pub team: Option<i64>,
}

/// Move a card of a flow product to another column
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/flow/board/move", operation_id = "moveFlowCard", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = MoveInput,
    responses((status = 200, body = Moved, description = "moved, with any WIP warning"), (status = 403), (status = 409, description = "a blocking WIP limit (named, with the cards that hold it), or a product that runs in sprints"), (status = 422)))]
pub async fn move_card(
    State(st): State<AppState>,
    InProduct { user, ctx }: InProduct,
    ApiJson(m): ApiJson<MoveInput>,
) -> Result<Json<Moved>, ApiError> {
    let r = board::move_card(
        &st.db,
        &user,
        &ctx,
        m.team,
        &m.item,
        &m.status,
        m.override_reason.as_deref(),
    )
    .await?;
    Ok(Json(r))
}

/// Show throughput, cycle times, aging work in progress and cumulative flow
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/flow/report", operation_id = "getFlowReport", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), FlowParams),
    responses((status = 200, body = FlowReport), (status = 422)))]
pub async fn show_report(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<FlowParams>,
) -> Result<Json<FlowReport>, ApiError> {
    Ok(Json(
        report::report(&st.db.for_reports(), &ctx, q.team).await?,
    ))
}

/// Draw one flow chart as SVG
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/flow/report/{chart}", operation_id = "getFlowChart", tag = "flow",
    params(("ws" = String, Path), ("product" = String, Path), ("chart" = String, Path, description = "throughput.svg, cycle-scatter.svg, aging.svg or cfd.svg"), FlowParams),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404)))]
pub async fn report_chart(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, chart)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<FlowParams>,
) -> Result<Response, ApiError> {
    let r = report::report(&st.db.for_reports(), &ctx, q.team).await?;
    let svg = report::chart(&r, &chart, crate::chart::Canvas::WIDE).ok_or(Error::NotFound)?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "image/svg+xml")],
        svg,
    )
        .into_response())
}
