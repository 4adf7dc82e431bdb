//! JSON handlers for initiatives, the prioritization view and items' initiative under `/api/v1`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::api::id;
use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::extract::Path;
use crate::ids::InitiativeId;
use crate::state::AppState;
use crate::strategy::model::{Initiative, InitiativeInput, ItemInitiative};
use crate::strategy::{initiatives, Quarter, SortBy};
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(link_item))
        .routes(routes!(start_from_idea))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `rice` (default), `wsjf`, `evidence` or `priority`.
    pub sort: Option<String>,
    /// The quarter whose priorities `sort=priority` follows; the current one by default.
    pub quarter: Option<String>,
}

impl ListParams {
    pub fn parse(&self) -> crate::error::Result<(SortBy, Quarter)> {
        let by = SortBy::parse(self.sort.as_deref().unwrap_or_default())?;
        let q = match self.quarter.as_deref().filter(|q| !q.is_empty()) {
            Some(q) => Quarter::parse(q)?,
            None => Quarter::of(crate::strategy::today()),
        };
        Ok((by, q))
    }
}

/// List a product's initiatives, sorted by RICE, WSJF, evidence or priority
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/initiatives", operation_id = "listInitiatives", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ListParams),
    responses((status = 200, body = [Initiative], description = "the prioritization view"), (status = 422)))]
pub async fn list(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<Vec<Initiative>>, ApiError> {
    let (by, q) = p.parse()?;
    Ok(Json(initiatives::list(&s.db, &ctx, by, q).await?))
}

/// Create an initiative
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/initiatives", operation_id = "createInitiative", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = InitiativeInput,
    responses((status = 201, body = Initiative), (status = 403), (status = 422)))]
pub async fn create(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<InitiativeInput>,
) -> Result<Etagged<Initiative>, ApiError> {
    let i = initiatives::create(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, i))
}

/// Show an initiative with its scores, items and progress
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/initiatives/{id}", operation_id = "getInitiative", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Initiative, headers(("ETag" = String))), (status = 404)))]
pub async fn show(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, iid)): Path<(String, String, String)>,
) -> Result<Etagged<Initiative>, ApiError> {
    let i = initiatives::get(&s.db, &ctx, InitiativeId(id(&iid)?)).await?;
    Ok(Etagged(StatusCode::OK, i))
}

/// Change an initiative
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/initiatives/{id}", operation_id = "updateInitiative", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = InitiativeInput,
    responses((status = 200, body = Initiative), (status = 412), (status = 422), (status = 428)))]
pub async fn update(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, iid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<InitiativeInput>,
) -> Result<Etagged<Initiative>, ApiError> {
    let i = initiatives::update(&s.db, &u, &ctx, InitiativeId(id(&iid)?), version, input).await?;
    Ok(Etagged(StatusCode::OK, i))
}

/// Delete an initiative
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/initiatives/{id}", operation_id = "deleteInitiative", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 412)))]
pub async fn remove(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, iid)): Path<(String, String, String)>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    initiatives::delete(&s.db, &u, &ctx, InitiativeId(id(&iid)?), version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Link a backlog item to an initiative, or unlink it
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/items/{key}/initiative", operation_id = "linkItemInitiative", tag = "strategy",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = ItemInitiative,
    responses((status = 200, body = crate::backlog::Item), (status = 403), (status = 422, description = "no such initiative in the item's product")))]
pub async fn link_item(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(body): ApiJson<ItemInitiative>,
) -> Result<Etagged<crate::backlog::Item>, ApiError> {
    let item = initiatives::link_item(&s.db, &u, &ctx, &key, body.initiative).await?;
    Ok(Etagged(StatusCode::OK, item))
}

/// Start from an idea: the intake's answers become a draft vision (when the product has none),
/// personas, a success metric, an initiative and draft stories under it. Refused whole, or
/// written whole.
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/ideas", operation_id = "startFromIdea", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = crate::strategy::idea::IdeaInput,
    responses((status = 201, body = crate::strategy::idea::IdeaDrafts, description = "the records written"), (status = 403), (status = 422)))]
pub async fn start_from_idea(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<crate::strategy::idea::IdeaInput>,
) -> Result<(StatusCode, Json<crate::strategy::idea::IdeaDrafts>), ApiError> {
    let drafts = crate::strategy::idea::draft(&s.db, &u, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(drafts)))
}
