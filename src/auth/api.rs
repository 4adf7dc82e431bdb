//! JSON handlers for the caller's own account.

use axum::Json;

use super::extract::ApiUser;
use super::store::User;
use crate::error::ApiError;
use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// Show the caller's account
#[utoipa::path(get, path = "/api/v1/me", operation_id = "getMe", tag = "account", responses((status = 200, body = User), (status = 401)))]
pub async fn me(ApiUser(user): ApiUser) -> Result<Json<User>, ApiError> {
    Ok(Json(user))
}
