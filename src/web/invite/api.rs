//! JSON handlers for a workspace's invitations (admins only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::auth::extract::{ApiJson, ApiUser};
use crate::error::ApiError;
use crate::extract::Path;
use crate::invite::{service, Invitation, InvitationInput, NewInvitation};
use crate::state::AppState;
use crate::workspace::extract::InWorkspace;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
        .routes(routes!(accept))
}

/// The link's secret, `tli_…` (the last part of `/invite/tli_…`).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationToken {
    pub token: String,
}

/// Accept an invitation to your e-mail address: you join its workspace with its roles
///
/// For someone who has an account: the caller's e-mail must be the invited one. (Someone new
/// accepts on the link's page, choosing a password there.)
#[utoipa::path(post, path = "/api/v1/invitations/accept", operation_id = "acceptInvitation", tag = "workspaces",
    request_body = InvitationToken,
    responses((status = 200, body = crate::workspace::Workspace), (status = 401), (status = 404), (status = 409)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(t): ApiJson<InvitationToken>,
) -> Result<Json<crate::workspace::Workspace>, ApiError> {
    Ok(Json(service::join(&state.db, t.token.trim(), &user).await?))
}

/// Invite someone by link, or claim a placeholder an import made
///
/// Answers the invitation and its one-time `link`: only its hash is kept. A newer invitation
/// for the same person replaces an open one. With `send_email`, the link is also e-mailed to
/// the invitee (`emailed` says whether it was).
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/invitations", operation_id = "createInvitation", tag = "workspaces",
    params(("ws" = String, Path)), request_body = InvitationInput,
    responses((status = 201, body = NewInvitation), (status = 403), (status = 404), (status = 409)))]
pub async fn create(
    State(state): State<AppState>,
    InWorkspace {
        user,
        workspace: w,
        admin,
    }: InWorkspace,
    ApiJson(input): ApiJson<InvitationInput>,
) -> Result<(StatusCode, Json<NewInvitation>), ApiError> {
    let created =
        service::create_and_send(&state.db, state.mail.as_ref(), &user, &w, admin, &input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// List a workspace's open invitations (never their links)
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/invitations", operation_id = "listInvitations", tag = "workspaces",
    params(("ws" = String, Path)), responses((status = 200, body = Vec<Invitation>), (status = 403), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    InWorkspace {
        workspace: w,
        admin,
        ..
    }: InWorkspace,
) -> Result<Json<Vec<Invitation>>, ApiError> {
    Ok(Json(service::list(&state.db, &w, admin).await?))
}

/// Revoke an open invitation; its link then says it was withdrawn
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/invitations/{id}", operation_id = "revokeInvitation", tag = "workspaces",
    params(("ws" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 403), (status = 404), (status = 409)))]
pub async fn revoke(
    State(state): State<AppState>,
    InWorkspace {
        user,
        workspace: w,
        admin,
    }: InWorkspace,
    Path((_ws, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    service::revoke(&state.db, &user, &w, admin, crate::extract::id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
