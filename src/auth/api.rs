//! JSON handlers for the caller's own account.

use axum::routing::get;
use axum::{Json, Router};

use super::extract::ApiUser;
use super::store::User;
use crate::error::ApiError;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/me", get(me))
}

/// Show the caller's account
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "account", responses((status = 200, body = User), (status = 401)))]
pub async fn me(ApiUser(user): ApiUser) -> Result<Json<User>, ApiError> {
    Ok(Json(user))
}
