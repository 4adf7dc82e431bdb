//! JSON handlers for comment threads on items.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::ApiJson;
use crate::backlog::service;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use crate::story::comments::{self, Comment};
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(edit))
}

/// An item's comments, oldest first, follow-ups to questions included.
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/items/{key}/comments", operation_id = "listComments", tag = "questions",
    params(("ws" = String, Path), ("key" = String, Path)), responses((status = 200, body = Vec<Comment>)))]
pub async fn list(
    State(state): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
) -> Result<Json<Vec<Comment>>, ApiError> {
    let item = service::get(&state.db, &ctx, &key).await?;
    Ok(Json(comments::for_item(&state.db, item.id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    /// Markdown-free text; `@handle` (the start of an e-mail) tells that member.
    pub body: String,
    /// The open question this follows up.
    pub question: Option<i64>,
}

/// Comment on an item, or follow up one of its open questions.
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/comments", operation_id = "addComment", tag = "questions",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = CommentInput,
    responses((status = 201, body = Comment), (status = 409, description = "the question is answered"), (status = 422)))]
pub async fn add(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(c): ApiJson<CommentInput>,
) -> Result<Etagged<Comment>, ApiError> {
    let made = comments::add(&state.db, &user, &ctx, &key, &c.body, c.question).await?;
    Ok(Etagged(StatusCode::CREATED, made))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentEdit {
    pub body: String,
}

/// The author edits a comment; the earlier text stays in `edits`.
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/items/{key}/comments/{id}", operation_id = "editComment", tag = "questions",
    params(("ws" = String, Path), ("key" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = CommentEdit, responses((status = 200, body = Comment), (status = 403), (status = 412), (status = 428)))]
pub async fn edit(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key, id)): Path<(String, String, i64)>,
    IfMatch(v): IfMatch,
    ApiJson(c): ApiJson<CommentEdit>,
) -> Result<Etagged<Comment>, ApiError> {
    let done = comments::edit(&state.db, &user, &ctx, &key, id, v, &c.body).await?;
    Ok(Etagged(StatusCode::OK, done))
}
