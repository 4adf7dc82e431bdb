//! JSON handlers for the backlog under `/api/v1`.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;

use crate::audit::{self, Entry};
use crate::auth::extract::{ApiJson, ApiQuery};
use crate::backlog::input::{BulkMoveInput, DependencyInput, ItemPatch, MoveInput, NewItem};
use crate::backlog::views::{self, NewView, View};
use crate::backlog::{service, Item, Updated};
use crate::error::{ApiError, Error, Result};
use crate::extract::Path;
use crate::governance::listing::{page, ListParams, Page};
use crate::state::AppState;
use crate::workspace::extract::{api_and_ctx_with, Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(bulk_move))
        .routes(routes!(list_views, save_view))
        .routes(routes!(delete_view))
        .routes(routes!(show, update, remove))
        .routes(routes!(move_one))
        .routes(routes!(add_dependency, remove_dependency))
        .routes(routes!(history))
}

/// List a product's backlog in rank order, filtered by a query
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/items", operation_id = "listItems", tag = "backlog",
    params(("ws" = String, Path), ("product" = String, Path), ListParams),
    responses((status = 200, body = Page), (status = 422, description = "bad query")))]
pub async fn list(
    State(state): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Json<Page>, ApiError> {
    Ok(Json(page(&state.db, &ctx, &p).await?))
}

/// Create a backlog item at the bottom of the backlog
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/items", operation_id = "createItem", tag = "backlog",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = NewItem,
    responses((status = 201, body = Item), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    ApiJson(input): ApiJson<NewItem>,
) -> Result<Etagged<Item>, ApiError> {
    let item = service::create(&state.db, &user, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, item))
}

/// Show a backlog item with its criteria, readiness and tier
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/items/{key}", operation_id = "getItem", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path, description = "e.g. ONB-42")),
    responses((status = 200, body = Item, headers(("ETag" = String))), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    ItemIn { ctx, row }: ItemIn,
) -> Result<Etagged<Item>, ApiError> {
    // Who may not read the backlog is told so before whether the item exists.
    ctx.grants.require(crate::auth::Action::ViewBacklog)?;
    let (_, item) = service::load_read(&ctx, row.ok_or(Error::NotFound)?)?;
    Ok(Etagged(StatusCode::OK, item.on(&state.db).await?))
}

/// The item API's prologue: the token's holder, the product and the item's row in one
/// statement (the item is then read in a second).
pub struct ItemIn {
    ctx: crate::workspace::ProductCtx,
    row: Option<crate::backlog::store::ItemRow>,
}

impl FromRequestParts<AppState> for ItemIn {
    type Rejection = axum::response::Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (_, ctx, row) = api_and_ctx_with(parts, state, |caller, at, p| {
            let key = p.get("key").map(String::as_str).unwrap_or_default();
            crate::backlog::store::ctx_and_row_read(caller, at, key)
        })
        .await?;
        Ok(ItemIn { ctx, row })
    }
}

/// Change a backlog item
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/items/{key}", operation_id = "updateItem", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path), ("If-Match" = String, Header, description = "the ETag you read")),
    request_body = ItemPatch,
    responses((status = 200, body = Updated, description = "the item as changed, with `warnings`: a status change past a WIP limit of a flow product in warn mode goes through, and each warning names the limit and the cards that hold it"),
        (status = 409, description = "a flow product's column is at a blocking WIP limit; the detail names it and its cards"),
        (status = 412, description = "stale version; body has `current`"), (status = 428)))]
pub async fn update(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<ItemPatch>,
) -> Result<Etagged<Updated>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        service::update_warned(&state.db, &user, &ctx, &key, version, patch).await?,
    ))
}

/// Delete a backlog item
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/items/{key}", operation_id = "deleteItem", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 412)))]
pub async fn remove(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, &user, &ctx, &key, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move one item to the top, the bottom, or beside another item
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/move", operation_id = "moveItem", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = MoveInput,
    responses((status = 200, body = Item), (status = 422, description = "neighbour not in this backlog")))]
pub async fn move_one(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(m): ApiJson<MoveInput>,
) -> Result<Etagged<Item>, ApiError> {
    crate::governance::moves::move_items(
        &state.db,
        &user,
        &ctx,
        crate::governance::moves::MoveRequest {
            keys: std::slice::from_ref(&key),
            anchor: m.anchor()?,
            exemption: m.exemption.as_deref(),
            override_reason: m.override_reason.as_deref(),
        },
    )
    .await?;
    Ok(Etagged(
        StatusCode::OK,
        service::get(&state.db, &ctx, &key).await?,
    ))
}

/// Move several items as one block, in the order given
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/items/move", operation_id = "moveItems", tag = "backlog",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = BulkMoveInput,
    responses((status = 204), (status = 422)))]
pub async fn bulk_move(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    ApiJson(m): ApiJson<BulkMoveInput>,
) -> Result<StatusCode, ApiError> {
    crate::governance::moves::move_items(
        &state.db,
        &user,
        &ctx,
        crate::governance::moves::MoveRequest {
            keys: &m.keys,
            anchor: m.anchor()?,
            exemption: m.exemption.as_deref(),
            override_reason: m.override_reason.as_deref(),
        },
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn edge(key: &str, d: &DependencyInput) -> Result<(String, String)> {
    match (&d.blocks, &d.blocked_by) {
        (Some(b), None) => Ok((key.to_string(), b.clone())),
        (None, Some(b)) => Ok((b.clone(), key.to_string())),
        _ => Err(Error::invalid(
            "blocks",
            "give exactly one of blocks or blocked_by",
        )),
    }
}

/// Add a dependency between two items
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/dependencies", operation_id = "addDependency", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = DependencyInput,
    responses((status = 200, body = Item), (status = 409, description = "would make a cycle")))]
pub async fn add_dependency(
    State(state): State<AppState>,
    p: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(d): ApiJson<DependencyInput>,
) -> Result<Etagged<Item>, ApiError> {
    link(&state, &p, &key, &d, false).await
}

/// Remove a dependency between two items
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/items/{key}/dependencies", operation_id = "removeDependency", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = DependencyInput,
    responses((status = 200, body = Item)))]
pub async fn remove_dependency(
    State(state): State<AppState>,
    p: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(d): ApiJson<DependencyInput>,
) -> Result<Etagged<Item>, ApiError> {
    link(&state, &p, &key, &d, true).await
}

/// Adds or removes the edge named in `d` and answers with the item as it now stands.
async fn link(
    state: &AppState,
    p: &InProduct,
    key: &str,
    d: &DependencyInput,
    remove: bool,
) -> Result<Etagged<Item>, ApiError> {
    let (a, b) = edge(key, d)?;
    service::link(&state.db, &p.user, &p.ctx, &a, &b, remove).await?;
    let item = service::get(&state.db, &p.ctx, key).await?;
    Ok(Etagged(StatusCode::OK, item))
}

/// List an item's audit history
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/items/{key}/audit", operation_id = "listItemAudit", tag = "backlog",
    params(("ws" = String, Path), ("key" = String, Path)), responses((status = 200, body = Vec<Entry>)))]
pub async fn history(
    State(state): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    let item = service::get(&state.db, &ctx, &key).await?;
    Ok(Json(
        audit::store::for_entity(&state.db, "item", item.id, 200).await?,
    ))
}

/// List the caller's saved backlog views
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/views", operation_id = "listViews", tag = "backlog",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = Vec<View>)))]
pub async fn list_views(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
) -> Result<Json<Vec<View>>, ApiError> {
    Ok(Json(views::list(&state.db, user.id, &ctx).await?))
}

/// Save a backlog query as a named view
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/views", operation_id = "saveView", tag = "backlog",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = NewView,
    responses((status = 201, body = View), (status = 422)))]
pub async fn save_view(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    ApiJson(v): ApiJson<NewView>,
) -> Result<(StatusCode, Json<View>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(views::save(&state.db, user.id, &ctx, v).await?),
    ))
}

/// Delete a saved backlog view
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/views/{id}", operation_id = "deleteView", tag = "backlog",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_view(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, _product, id)): Path<(String, String, i64)>,
) -> Result<StatusCode, ApiError> {
    views::delete(&state.db, user.id, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
