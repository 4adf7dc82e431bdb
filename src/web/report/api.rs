//! JSON and SVG handlers for reports.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::ApiQuery;
use crate::error::ApiError;
use crate::extract::Path;
use crate::report::{store, Report};
use crate::state::AppState;
use crate::workspace::extract::InProduct;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(chart))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportParams {
    /// Narrow to one team's sprints and items.
    pub team: Option<i64>,
}

/// Show velocity, say/do, scope churn and cycle time
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/reports", operation_id = "getReports", tag = "reports",
    params(("ws" = String, Path), ("product" = String, Path), ReportParams),
    responses((status = 200, body = Report)))]
pub async fn show(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        store::report(&st.db.for_reports(), &ctx, q.team).await?,
    ))
}

/// Draw one report as an SVG chart
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/reports/{chart}", operation_id = "getReportChart", tag = "reports",
    params(("ws" = String, Path), ("product" = String, Path), ("chart" = String, Path, description = "velocity.svg, churn.svg or cycle-time.svg"), ReportParams),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404)))]
pub async fn chart(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _p, chart)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<ReportParams>,
) -> Result<Response, ApiError> {
    let r = store::report(&st.db.for_reports(), &ctx, q.team).await?;
    let svg = crate::report::charts::by_name(&r, &chart, crate::chart::Canvas::WIDE)
        .ok_or(crate::error::Error::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
