//! JSON handlers for objectives, success metrics and quarterly priorities under `/api/v1`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::{ApiError, Result};
use crate::extract::Path;
use crate::state::AppState;
use crate::strategy::model::{
    MetricDetail, MetricInput, MetricValue, Objective, ObjectiveInput, Priority, PriorityInput,
    PriorityMove,
};
use crate::strategy::{objectives, priorities, Quarter};
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_objectives, create_objective))
        .routes(routes!(show_objective, update_objective, delete_objective))
        .routes(routes!(list_metrics, create_metric))
        .routes(routes!(show_metric, update_metric))
        .routes(routes!(record_value))
        .routes(routes!(list_priorities, create_priority))
        .routes(routes!(show_priority, update_priority, delete_priority))
        .routes(routes!(move_priority))
}

/// A numeric id from the path; anything else is simply not found.
pub use crate::extract::id;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuarterParam {
    /// `YYYY-Qn`; all quarters when omitted (priorities default to the current quarter).
    pub quarter: Option<String>,
}

impl QuarterParam {
    pub fn parse(&self) -> Result<Option<Quarter>> {
        self.quarter
            .as_deref()
            .filter(|q| !q.is_empty())
            .map(Quarter::parse)
            .transpose()
    }
}

/// List a product's objectives
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/objectives", operation_id = "listObjectives", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), QuarterParam),
    responses((status = 200, body = [Objective]), (status = 422)))]
pub async fn list_objectives(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<QuarterParam>,
) -> Result<Json<Vec<Objective>>, ApiError> {
    Ok(Json(objectives::list(&s.db, &ctx, q.parse()?).await?))
}

/// Create an objective for a quarter
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/objectives", operation_id = "createObjective", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = ObjectiveInput,
    responses((status = 201, body = Objective), (status = 403), (status = 422)))]
pub async fn create_objective(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<ObjectiveInput>,
) -> Result<Etagged<Objective>, ApiError> {
    let o = objectives::create(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, o))
}

/// Show an objective with its metrics
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/objectives/{id}", operation_id = "getObjective", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Objective, headers(("ETag" = String))), (status = 404)))]
pub async fn show_objective(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, oid)): Path<(String, String, String)>,
) -> Result<Etagged<Objective>, ApiError> {
    let o = objectives::get(&s.db, &ctx, id(&oid)?).await?;
    Ok(Etagged(StatusCode::OK, o))
}

/// Change an objective
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/objectives/{id}", operation_id = "updateObjective", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = ObjectiveInput,
    responses((status = 200, body = Objective), (status = 412), (status = 422), (status = 428)))]
pub async fn update_objective(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, oid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ObjectiveInput>,
) -> Result<Etagged<Objective>, ApiError> {
    let o = objectives::update(&s.db, &u, &ctx, id(&oid)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, o))
}

/// Delete an objective
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/objectives/{id}", operation_id = "deleteObjective", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 412)))]
pub async fn delete_objective(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, oid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    objectives::delete(&s.db, &u, &ctx, id(&oid)?, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a product's success metrics
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/metrics", operation_id = "listMetrics", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, body = [crate::strategy::model::Metric])))]
pub async fn list_metrics(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<crate::strategy::model::Metric>>, ApiError> {
    Ok(Json(objectives::metrics(&s.db, &ctx).await?))
}

/// Create a success metric
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/metrics", operation_id = "createMetric", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = MetricInput,
    responses((status = 201, body = MetricDetail), (status = 403), (status = 422)))]
pub async fn create_metric(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<MetricInput>,
) -> Result<Etagged<MetricDetail>, ApiError> {
    let m = objectives::create_metric(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, m))
}

/// Show a success metric with its values and progress
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/metrics/{id}", operation_id = "getMetric", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = MetricDetail, headers(("ETag" = String))), (status = 404)))]
pub async fn show_metric(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, mid)): Path<(String, String, String)>,
) -> Result<Etagged<MetricDetail>, ApiError> {
    let m = objectives::metric(&s.db, &ctx, id(&mid)?).await?;
    Ok(Etagged(StatusCode::OK, m))
}

/// Change a success metric
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/metrics/{id}", operation_id = "updateMetric", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = MetricInput,
    responses((status = 200, body = MetricDetail), (status = 412), (status = 422), (status = 428)))]
pub async fn update_metric(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, mid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<MetricInput>,
) -> Result<Etagged<MetricDetail>, ApiError> {
    let m = objectives::update_metric(&s.db, &u, &ctx, id(&mid)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, m))
}

/// Record a dated value of a metric
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/metrics/{id}/values", operation_id = "recordMetricValue", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = MetricValue,
    responses((status = 201, body = MetricDetail, description = "the value replaces any earlier one of the same day"), (status = 422)))]
pub async fn record_value(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, mid)): Path<(String, String, String)>,
    ApiJson(v): ApiJson<MetricValue>,
) -> Result<Etagged<MetricDetail>, ApiError> {
    let m = objectives::record_value(&s.db, &u, &ctx, id(&mid)?, v).await?;
    Ok(Etagged(StatusCode::CREATED, m))
}

/// List a product's quarterly priorities in rank order
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/priorities", operation_id = "listPriorities", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), QuarterParam),
    responses((status = 200, body = [Priority], description = "in rank order; `position` is the tier"), (status = 422)))]
pub async fn list_priorities(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<QuarterParam>,
) -> Result<Json<Vec<Priority>>, ApiError> {
    let quarter = q
        .parse()?
        .unwrap_or_else(|| Quarter::of(crate::strategy::today()));
    Ok(Json(priorities::list(&s.db, &ctx, quarter).await?))
}

/// Create a quarterly priority
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/priorities", operation_id = "createPriority", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = PriorityInput,
    responses((status = 201, body = Priority), (status = 403), (status = 422, description = "bad quarter, no objective, or no reason once the quarter started")))]
pub async fn create_priority(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<PriorityInput>,
) -> Result<Etagged<Priority>, ApiError> {
    let p = priorities::create(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, p))
}

/// Show a quarterly priority
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/priorities/{id}", operation_id = "getPriority", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Priority, headers(("ETag" = String))), (status = 404)))]
pub async fn show_priority(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, pid)): Path<(String, String, String)>,
) -> Result<Etagged<Priority>, ApiError> {
    let p = priorities::get(&s.db, &ctx, id(&pid)?).await?;
    Ok(Etagged(StatusCode::OK, p))
}

/// Change a quarterly priority
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/priorities/{id}", operation_id = "updatePriority", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = PriorityInput,
    responses((status = 200, body = Priority), (status = 412), (status = 422), (status = 428)))]
pub async fn update_priority(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, pid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<PriorityInput>,
) -> Result<Etagged<Priority>, ApiError> {
    let p = priorities::update(&s.db, &u, &ctx, id(&pid)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, p))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReasonParam {
    /// Why; required once the quarter has started.
    pub reason: Option<String>,
}

/// Delete a quarterly priority
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/priorities/{id}", operation_id = "deletePriority", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header), ReasonParam),
    responses((status = 204), (status = 412), (status = 422)))]
pub async fn delete_priority(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, pid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiQuery(r): ApiQuery<ReasonParam>,
) -> Result<StatusCode, ApiError> {
    priorities::delete(&s.db, &u, &ctx, id(&pid)?, version, r.reason.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move a quarterly priority within its quarter
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/priorities/{id}/move", operation_id = "movePriority", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = PriorityMove,
    responses((status = 200, body = [Priority], description = "the quarter's priorities in their new order"), (status = 422)))]
pub async fn move_priority(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, pid)): Path<(String, String, String)>,
    ApiJson(m): ApiJson<PriorityMove>,
) -> Result<Json<Vec<Priority>>, ApiError> {
    Ok(Json(
        crate::governance::tiers::move_priority(&s.db, &u, &ctx, id(&pid)?, m).await?,
    ))
}
