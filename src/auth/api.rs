//! JSON handlers for the caller's own account.

use axum::extract::State;
use axum::Json;

use super::email_prefs;
use super::extract::{ApiJson, ApiUser};
use super::store::User;
use crate::error::ApiError;
use crate::mail::Mode;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(email_settings, set_email_settings))
}

/// Show the caller's account
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "account", responses((status = 200, body = User), (status = 401)))]
pub async fn me(ApiUser(user): ApiUser) -> Result<Json<User>, ApiError> {
    Ok(Json(user))
}

/// How the caller hears of notifications by e-mail.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// `immediate` (one e-mail per notification), `daily` (one digest a day) or `off`.
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
