//! JSON handlers: the caller's inbox, watching items, and a workspace's webhooks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiQuery, ApiUser};
use crate::auth::Action;
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::notify::store::{self, Inbox};
use crate::notify::webhooks::{self, Delivery, NewWebhook, Webhook};
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(inbox))
        .routes(routes!(read_all))
        .routes(routes!(read_one))
        .routes(routes!(watch, unwatch))
        .routes(routes!(list, create))
        .routes(routes!(remove))
        .routes(routes!(deliveries))
        .routes(routes!(ping))
        .routes(routes!(allow_private))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// Only unread notifications.
    #[serde(default)]
    pub unread: bool,
    /// 1–200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// List the caller's notifications
#[utoipa::path(get, path = "/api/v1/inbox", operation_id = "listInbox", tag = "notifications", params(InboxParams),
    responses((status = 200, body = Inbox, description = "newest first, with the unread count")))]
pub async fn inbox(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    ApiQuery(q): ApiQuery<InboxParams>,
) -> Result<Json<Inbox>, ApiError> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(Error::invalid("limit", "from 1 to 200").into());
    }
    Ok(Json(store::inbox(&st.db, u.id, q.unread, limit).await?))
}

/// Mark one notification read
#[utoipa::path(post, path = "/api/v1/inbox/{id}/read", operation_id = "markNotificationRead", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404)))]
pub async fn read_one(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    store::mark_read(&st.db, u.id, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Mark every notification read
#[utoipa::path(post, path = "/api/v1/inbox/read-all", operation_id = "markAllNotificationsRead", tag = "notifications", responses((status = 204)))]
pub async fn read_all(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
) -> Result<StatusCode, ApiError> {
    store::mark_read(&st.db, u.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Starts or stops watching an item; anyone who can read it may watch it.
pub async fn set_watch(
    st: &AppState,
    user: &crate::auth::store::User,
    ws: &str,
    key: &str,
    on: bool,
) -> Result<(), Error> {
    let ctx = crate::workspace::store::item_ctx(&st.db, user.id, ws, key).await?;
    ctx.grants.require(Action::ViewBacklog)?;
    let item = store::item_id(&st.db, ctx.product.id, key).await?;
    let mut tx = st.db.begin().await?;
    if on {
        store::watch(&mut tx, "item", item, user.id).await?;
    } else {
        store::unwatch(&mut tx, "item", item, user.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Watch an item
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/watch", operation_id = "watchItem", tag = "notifications",
    params(("ws" = String, Path), ("key" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn watch(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    set_watch(&st, &u, &ws, &key, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop watching an item
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/items/{key}/watch", operation_id = "unwatchItem", tag = "notifications",
    params(("ws" = String, Path), ("key" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn unwatch(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, key)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    set_watch(&st, &u, &ws, &key, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List the workspace's webhooks
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/webhooks", operation_id = "listWebhooks", tag = "notifications", params(("ws" = String, Path)),
    responses((status = 200, body = Vec<Webhook>), (status = 403, description = "admins only")))]
pub async fn list(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Vec<Webhook>>, ApiError> {
    Ok(Json(webhooks::list(&st.db, &u, &ws).await?.2))
}

/// Add an outgoing webhook
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/webhooks", operation_id = "createWebhook", tag = "notifications", params(("ws" = String, Path)),
    request_body = NewWebhook,
    responses((status = 201, body = Webhook), (status = 403), (status = 422, description = "bad URL, unknown event, or a private target not allowed")))]
pub async fn create(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(ws): Path<String>,
    ApiJson(i): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<Webhook>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(webhooks::create(&st.db, &u, &ws, i).await?),
    ))
}

/// Delete a webhook
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/webhooks/{id}", operation_id = "deleteWebhook", tag = "notifications",
    params(("ws" = String, Path), ("id" = i64, Path)), responses((status = 204), (status = 404)))]
pub async fn remove(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    webhooks::delete(&st.db, &u, &ws, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List a webhook's recent deliveries
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/webhooks/{id}/deliveries", operation_id = "listWebhookDeliveries", tag = "notifications",
    params(("ws" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Vec<Delivery>)))]
pub async fn deliveries(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, id)): Path<(String, i64)>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    Ok(Json(webhooks::deliveries(&st.db, &u, &ws, id).await?))
}

/// Queue a test delivery to a webhook
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/webhooks/{id}/ping", operation_id = "pingWebhook", tag = "notifications",
    params(("ws" = String, Path), ("id" = i64, Path)), responses((status = 202, description = "a webhook.ping is queued")))]
pub async fn ping(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path((ws, id)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    webhooks::ping(&st.db, &u, &ws, id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowPrivate {
    /// Let webhooks reach private, loopback and link-local addresses (e.g. an intranet).
    pub allow: bool,
}

/// Allow or refuse webhooks to private addresses
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/settings/private-webhooks", operation_id = "allowPrivateWebhooks", tag = "notifications",
    params(("ws" = String, Path)), request_body = AllowPrivate, responses((status = 204), (status = 403)))]
pub async fn allow_private(
    State(st): State<AppState>,
    ApiUser(u): ApiUser,
    Path(ws): Path<String>,
    ApiJson(i): ApiJson<AllowPrivate>,
) -> Result<StatusCode, ApiError> {
    webhooks::allow_private(&st.db, &u, &ws, i.allow).await?;
    Ok(StatusCode::NO_CONTENT)
}
