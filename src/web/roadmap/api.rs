//! JSON handlers for the roadmap, its share links, and a shared roadmap opened by token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::roadmap::share::{self, NewShare, Share};
use crate::roadmap::store::{self, Filter, Roadmap};
use crate::state::AppState;
use crate::workspace::extract::InProduct;
use crate::workspace::extract::InWorkspace;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roadmap))
        .routes(routes!(shares, create_share))
        .routes(routes!(revoke_share))
        .routes(routes!(shared))
}

/// Show the workspace's roadmap by quarter and as now, next, later
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/roadmap", operation_id = "getRoadmap", tag = "roadmap",
    params(("ws" = String, Path), Filter),
    responses((status = 200, body = Roadmap, description = "initiatives across the workspace's products, by quarter and horizon"), (status = 422)))]
pub async fn roadmap(
    State(s): State<AppState>,
    InWorkspace { workspace: w, .. }: InWorkspace,
    ApiQuery(f): ApiQuery<Filter>,
) -> Result<Json<Roadmap>, ApiError> {
    Ok(Json(store::load(&s.db.for_reports(), w.id, &f).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// Who the link is for, e.g. "Board, Q1 review".
    #[serde(default)]
    pub label: String,
}

/// Create a read-only roadmap link
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/roadmap/shares", operation_id = "createRoadmapShare", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = ShareInput,
    responses((status = 201, body = NewShare, description = "the token is shown only now"), (status = 403)))]
pub async fn create_share(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<ShareInput>,
) -> Result<(StatusCode, Json<NewShare>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(share::create(&s.db, &u, &ctx, &input.label).await?),
    ))
}

/// List a product's read-only roadmap links
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/roadmap/shares", operation_id = "listRoadmapShares", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Share]), (status = 403)))]
pub async fn shares(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Share>>, ApiError> {
    Ok(Json(share::list(&s.db, &ctx).await?))
}

/// Revoke a read-only roadmap link
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/roadmap/shares/{id}", operation_id = "revokeRoadmapShare", tag = "roadmap",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "revoked: the link stops working at once"), (status = 404)))]
pub async fn revoke_share(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, id)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    share::revoke(&s.db, &u, &ctx, crate::extract::id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show a shared roadmap without an account
#[utoipa::path(get, path = "/api/v1/shared/roadmap/{token}", operation_id = "getSharedRoadmap", tag = "roadmap", security(()),
    params(("token" = String, Path)), responses((status = 200, body = Roadmap), (status = 404, description = "unknown or revoked")))]
pub async fn shared(
    State(s): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Roadmap>, ApiError> {
    let (ws, key, _) = share::resolve(&s.db, &token)
        .await?
        .ok_or(Error::NotFound)?;
    let f = Filter {
        product: Some(key),
        ..Filter::default()
    };
    Ok(Json(store::load(&s.db.for_reports(), ws, &f).await?))
}
