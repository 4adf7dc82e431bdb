//! JSON handlers for the backlog under `/api/v1`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::input::{BulkMoveInput, DependencyInput, ItemPatch, MoveInput, NewItem};
use super::views::{self, NewView, View};
use super::{service, store, Item, Summary, Updated};
use crate::audit::{self, Entry};
use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::{ApiError, Error, Result};
use crate::extract::Path;
use crate::state::AppState;
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use crate::workspace::ProductCtx;
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

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Backlog query, e.g. `status:todo points>=3 label:api "free text"`.
    pub q: Option<String>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub items: Vec<Summary>,
    pub next_cursor: Option<String>,
}

pub use super::query::compile_query;

pub async fn page(state: &AppState, ctx: &ProductCtx, p: &ListParams) -> Result<Page> {
    page_db(&state.db, ctx, p).await
}

/// One page of a product's backlog for any caller (API, page, CLI).
pub async fn page_db(db: &crate::db::Db, ctx: &ProductCtx, p: &ListParams) -> Result<Page> {
    ctx.grants.require(crate::auth::Action::ViewBacklog)?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "from 1 to 500"));
    }
    let filter = compile_query(p.q.as_deref().unwrap_or(""), ctx)?;
    let cursor = p.cursor.as_deref().map(Cursor::decode).transpose()?;
    let after = match (&cursor, filter.order.is_some()) {
        (None, false) => store::After::Rank(""),
        (None, true) => store::After::Rows(0),
        (Some(Cursor::Rank(r)), false) => store::After::Rank(r),
        (Some(Cursor::Rows(n)), true) => store::After::Rows(*n),
        _ => {
            return Err(Error::invalid(
                "cursor",
                "this cursor belongs to a query with another sort",
            ))
        }
    };
    let rows_before = match after {
        store::After::Rows(n) => n,
        store::After::Rank(_) => 0,
    };
    let mut items = store::list(
        db,
        ctx.product.id,
        &ctx.product.key,
        &filter,
        after,
        limit + 1,
    )
    .await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let shown: Vec<(i64, String)> = items.iter().map(|i| (i.id, i.rank.clone())).collect();
    // Tier flags look below each item in backlog order: one probe for a page in that order,
    // one per item for a page sorted otherwise.
    let flags = if filter.order.is_none() {
        crate::governance::tiers::flags(db, ctx.product.id, &ctx.product.key, &shown).await?
    } else {
        let mut all = std::collections::HashMap::new();
        for one in &shown {
            all.extend(
                crate::governance::tiers::flags(
                    db,
                    ctx.product.id,
                    &ctx.product.key,
                    std::slice::from_ref(one),
                )
                .await?,
            );
        }
        all
    };
    for i in &mut items {
        if let Some((tier, inversion, exempt)) = flags.get(&i.id) {
            i.tier = *tier;
            i.inversion = inversion.clone();
            i.exempt = *exempt && i.status != "done";
        }
    }
    let next_cursor = more
        .then(|| match filter.order {
            None => items.last().map(|i| Cursor::Rank(i.rank.clone()).encode()),
            Some(_) => Some(Cursor::Rows(rows_before + limit).encode()),
        })
        .flatten();
    Ok(Page { items, next_cursor })
}

/// A page cursor, opaque to clients: where the next page starts.
enum Cursor {
    Rank(String),
    Rows(i64),
}

impl Cursor {
    fn encode(&self) -> String {
        let raw = match self {
            Cursor::Rank(r) => format!("r:{r}"),
            Cursor::Rows(n) => format!("o:{n}"),
        };
        hex::encode(raw)
    }

    fn decode(s: &str) -> Result<Cursor> {
        let bad = || {
            Error::invalid(
                "cursor",
                "not a cursor this API gave out; start without one",
            )
        };
        let raw = String::from_utf8(hex::decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
        match raw.split_once(':') {
            Some(("r", r)) => Ok(Cursor::Rank(r.to_string())),
            Some(("o", n)) => n.parse().map(Cursor::Rows).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
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
    Ok(Json(page(&state, &ctx, &p).await?))
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
    InProduct { ctx, .. }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
) -> Result<Etagged<Item>, ApiError> {
    Ok(Etagged(
        StatusCode::OK,
        service::get(&state.db, &ctx, &key).await?,
    ))
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
