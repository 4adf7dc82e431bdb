//! JSON handlers for competitors, capabilities and the capability × competitor matrix.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::api::id;
use crate::auth::extract::ApiJson;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use crate::strategy::competitors::{self, CellsInput, Competitor, CompetitorInput, Matrix};
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(matrix, create))
        .routes(routes!(update))
        .routes(routes!(add_capability))
        .routes(routes!(set_cells))
}

/// Show the competitors and the capability grid
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/competitors", operation_id = "getCompetitorMatrix", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = Matrix)))]
pub async fn matrix(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Matrix>, ApiError> {
    Ok(Json(competitors::matrix(&s.db, &ctx).await?))
}

/// Add a competitor
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/competitors", operation_id = "createCompetitor", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = CompetitorInput,
    responses((status = 201, body = Competitor), (status = 403), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<CompetitorInput>,
) -> Result<Etagged<Competitor>, ApiError> {
    let c = competitors::save_competitor(&s.db, &u, &ctx, None, input).await?;
    Ok(Etagged(StatusCode::CREATED, c))
}

/// Change a competitor
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/competitors/{id}", operation_id = "updateCompetitor", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = CompetitorInput, responses((status = 200, body = Competitor), (status = 412), (status = 422)))]
pub async fn update(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, cid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<CompetitorInput>,
) -> Result<Etagged<Competitor>, ApiError> {
    let c =
        competitors::save_competitor(&s.db, &u, &ctx, Some((id(&cid)?, version)), input).await?;
    Ok(Etagged(StatusCode::OK, c))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapabilityInput {
    pub name: String,
    /// Our own product: has, partial, no or unknown (default).
    #[serde(default = "unknown")]
    pub ours: String,
}

fn unknown() -> String {
    "unknown".into()
}

/// Add a capability to the grid
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/capabilities", operation_id = "addCapability", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = CapabilityInput,
    responses((status = 201, body = Matrix), (status = 403), (status = 422)))]
pub async fn add_capability(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<CapabilityInput>,
) -> Result<(StatusCode, Json<Matrix>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(competitors::add_capability(&s.db, &u, &ctx, &input.name, &input.ours).await?),
    ))
}

/// Set cells of the capability grid
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/competitors-matrix", operation_id = "setCapabilityCells", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = CellsInput,
    responses((status = 200, body = Matrix, description = "all cells saved, or none"), (status = 422)))]
pub async fn set_cells(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<CellsInput>,
) -> Result<Json<Matrix>, ApiError> {
    Ok(Json(
        competitors::set_cells(&s.db, &u, &ctx, &input.cells).await?,
    ))
}
