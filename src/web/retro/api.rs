//! JSON handlers for a sprint's retrospective.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::ApiJson;
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::ids::SprintId;
use crate::retro::{store, Retro};
use crate::state::AppState;
use crate::workspace::extract::InProduct;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show, open))
        .routes(routes!(add_entry))
        .routes(routes!(vote, unvote))
        .routes(routes!(add_action))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenInput {
    /// Votes per person, 1–20 (default 3).
    #[serde(default = "three")]
    pub vote_limit: i64,
}

fn three() -> i64 {
    3
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// went_well, to_improve or idea.
    pub kind: String,
    pub body: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub text: String,
    /// E-mail of the member who owns the action.
    pub owner: String,
    /// The entry it answers.
    pub entry_id: Option<i64>,
}

type P3 = Path<(String, String, SprintId)>;

async fn current(
    st: &AppState,
    u: &crate::auth::store::User,
    ctx: &crate::workspace::ProductCtx,
    id: SprintId,
) -> Result<Retro, Error> {
    store::get(&st.db, ctx, u.id, id)
        .await?
        .ok_or(Error::NotFound)
}

/// Show a sprint's retrospective
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/retro", operation_id = "getRetro", tag = "retrospectives",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Retro), (status = 404, description = "not opened yet")))]
pub async fn show(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
) -> Result<Json<Retro>, ApiError> {
    Ok(Json(current(&st, &u, &ctx, id).await?))
}

/// Open a sprint's retrospective
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/retro", operation_id = "openRetro", tag = "retrospectives",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = OpenInput,
    responses((status = 200, body = Retro), (status = 403), (status = 409, description = "the sprint has not started")))]
pub async fn open(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    ApiJson(i): ApiJson<OpenInput>,
) -> Result<Json<Retro>, ApiError> {
    store::open(&st.db, &u, &ctx, id, i.vote_limit).await?;
    Ok(Json(current(&st, &u, &ctx, id).await?))
}

/// Add an entry to a retrospective
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/retro/entries", operation_id = "addRetroEntry", tag = "retrospectives",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = EntryInput,
    responses((status = 201, body = Retro), (status = 409), (status = 422)))]
pub async fn add_entry(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    ApiJson(i): ApiJson<EntryInput>,
) -> Result<(StatusCode, Json<Retro>), ApiError> {
    store::add_entry(&st.db, &u, &ctx, id, &i.kind, &i.body).await?;
    Ok((StatusCode::CREATED, Json(current(&st, &u, &ctx, id).await?)))
}

/// Vote for a retrospective entry
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/retro/entries/{entry}/vote", operation_id = "voteRetroEntry", tag = "retrospectives",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("entry" = i64, Path)),
    responses((status = 200, body = Retro), (status = 409, description = "no votes left, or already voted for it")))]
pub async fn vote(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id, entry)): Path<(String, String, SprintId, i64)>,
) -> Result<Json<Retro>, ApiError> {
    store::vote(&st.db, &u, &ctx, id, entry, true).await?;
    Ok(Json(current(&st, &u, &ctx, id).await?))
}

/// Take back a vote for a retrospective entry
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/retro/entries/{entry}/vote", operation_id = "unvoteRetroEntry", tag = "retrospectives",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("entry" = i64, Path)),
    responses((status = 200, body = Retro)))]
pub async fn unvote(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id, entry)): Path<(String, String, SprintId, i64)>,
) -> Result<Json<Retro>, ApiError> {
    store::vote(&st.db, &u, &ctx, id, entry, false).await?;
    Ok(Json(current(&st, &u, &ctx, id).await?))
}

/// Add an action to a retrospective; it becomes a backlog task
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/sprints/{id}/retro/actions", operation_id = "addRetroAction", tag = "retrospectives",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = ActionInput,
    responses((status = 201, body = Retro, description = "the action is now a backlog task"), (status = 403), (status = 422)))]
pub async fn add_action(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): P3,
    ApiJson(i): ApiJson<ActionInput>,
) -> Result<(StatusCode, Json<Retro>), ApiError> {
    store::add_action(&st.db, &u, &ctx, id, &i.text, &i.owner, i.entry_id).await?;
    Ok((StatusCode::CREATED, Json(current(&st, &u, &ctx, id).await?)))
}
