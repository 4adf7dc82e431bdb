//! The Overview as JSON: what a coding agent or a script asks first ("what needs me?").

use axum::extract::State;
use axum::Json;

use crate::error::ApiError;
use crate::overview::facts::{overview, Overview};
use crate::state::AppState;
use crate::workspace::extract::InProduct;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(show))
}

/// Show a product's overview: the running sprint, the quarter's alignment and its worst gap,
/// the ranked priorities, and what needs the caller by the roles they hold
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/overview", operation_id = "getOverview", tag = "products",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, body = Overview, description = "the product's overview for the caller"), (status = 404)))]
pub async fn show(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(overview(&st.db, &ctx).await?))
}
