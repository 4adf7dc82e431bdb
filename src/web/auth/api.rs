//! JSON handlers for the caller's own account and its API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

use crate::auth::email_prefs;
use crate::auth::extract::{ApiJson, ApiUser};
use crate::auth::store::{self, User};
use crate::error::ApiError;
use crate::extract::Path;
use crate::mail::Mode;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(email_settings, set_email_settings))
}

/// Show the caller's account
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "account", responses((status = 200, body = User), (status = 401)))]
pub async fn me(ApiUser(user): ApiUser) -> Result<Json<User>, ApiError> {
    Ok(Json(user))
}

/// One of the caller's API tokens (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// It may only read: every change it tries is refused (403).
    pub read_only: bool,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for, 1 to 100 characters, not all blank.
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$"
    )]
    pub name: String,
    /// A token that reads and never changes anything (REST API and MCP alike).
    #[serde(default)]
    pub read_only: bool,
}

/// A token just made: its secret is shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub name: String,
    pub read_only: bool,
    /// `tl_…`: send it as `Authorization: Bearer …`.
    pub token: String,
}

/// List the caller's API tokens
#[utoipa::path(get, path = "/api/v1/me/tokens", operation_id = "listMyTokens", tag = "account",
    responses((status = 200, body = [TokenView]), (status = 401)))]
pub async fn list_tokens(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let tokens = store::tokens_of(&state.db, user.id).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView {
                id: t.id,
                name: t.name,
                created_at: t.created_at,
                read_only: t.read_only,
            })
            .collect(),
    ))
}

/// Create an API token for the caller, read-only or not
#[utoipa::path(post, path = "/api/v1/me/tokens", operation_id = "createMyToken", tag = "account",
    request_body = NewToken,
    responses((status = 201, body = CreatedToken), (status = 401), (status = 403, description = "the calling token is read-only"), (status = 422)))]
pub async fn create_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(t): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let token = store::create_token(&state.db, user.id, &t.name, t.read_only).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            name: t.name.trim().to_string(),
            read_only: t.read_only,
            token,
        }),
    ))
}

/// Revoke one of the caller's API tokens
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", operation_id = "revokeMyToken", tag = "account",
    params(("id" = i64, Path)), responses((status = 204), (status = 401), (status = 404)))]
pub async fn revoke_token(
    axum::extract::State(state): axum::extract::State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    store::revoke_token(&state.db, user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How the caller hears of notifications by e-mail.
/// The choices of `notifications`, for the OpenAPI document (the handler reads the text and
/// names the field when it is none of them).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum NotificationEmail {
    Immediate,
    Daily,
    Off,
}

#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// `immediate` (one e-mail per notification), `daily` (one digest a day) or `off`.
    #[schema(value_type = NotificationEmail)]
    pub notifications: String,
}

/// Show how the caller's notifications reach them by e-mail
#[utoipa::path(get, path = "/api/v1/me/email", operation_id = "getEmailSettings", tag = "account",
    responses((status = 200, body = EmailSettings), (status = 401)))]
pub async fn email_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<EmailSettings>, ApiError> {
    let mode = email_prefs::mode(&state.db, user.id).await?;
    Ok(Json(EmailSettings {
        notifications: mode.as_str().into(),
    }))
}

/// Choose immediately, a daily digest, or no notification e-mail
///
/// Turning it off also withdraws notification e-mail not sent yet.
#[utoipa::path(put, path = "/api/v1/me/email", operation_id = "setEmailSettings", tag = "account",
    request_body = EmailSettings, responses((status = 200, body = EmailSettings), (status = 401), (status = 422)))]
pub async fn set_email_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(input): ApiJson<EmailSettings>,
) -> Result<Json<EmailSettings>, ApiError> {
    let mode: Mode = email_prefs::parse_mode("notifications", &input.notifications)?;
    let mode = email_prefs::set_mode(&state.db, user.id, mode).await?;
    Ok(Json(EmailSettings {
        notifications: mode.as_str().into(),
    }))
}
