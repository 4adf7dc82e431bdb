//! JSON handlers for the decision log under `/api/v1`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::api::id;
use crate::auth::extract::ApiJson;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use crate::strategy::decisions::{self, Decision, DecisionInput};
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update))
}

/// List a product's decisions
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/decisions", operation_id = "listDecisions", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Decision], description = "newest first")))]
pub async fn list(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Decision>>, ApiError> {
    Ok(Json(decisions::list(&s.db, &ctx).await?))
}

/// Record a decision
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/decisions", operation_id = "createDecision", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = DecisionInput,
    responses((status = 201, body = Decision), (status = 403), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Etagged<Decision>, ApiError> {
    let d = decisions::create(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, d))
}

/// Show a decision with its evidence
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/decisions/{id}", operation_id = "getDecision", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Decision), (status = 404)))]
pub async fn show(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, did)): Path<(String, String, String)>,
) -> Result<Etagged<Decision>, ApiError> {
    let d = decisions::get(&s.db, &ctx, id(&did)?).await?;
    Ok(Etagged(StatusCode::OK, d))
}

/// Change a decision
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/decisions/{id}", operation_id = "updateDecision", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = DecisionInput, responses((status = 200, body = Decision), (status = 412), (status = 422), (status = 428)))]
pub async fn update(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, did)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Etagged<Decision>, ApiError> {
    let d = decisions::update(&s.db, &u, &ctx, id(&did)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, d))
}
