//! The workspace audit log over the API: paged reading, and a whole export as CSV or JSON.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;

use crate::audit::filter::FilterParams;
use crate::audit::{store, Entry};
use crate::auth::extract::{ApiQuery, ApiUser};
use crate::error::{ApiError, Error, Result};
use crate::extract::Path;
use crate::state::AppState;
use crate::workspace::{store as ws_store, Workspace};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(audit_log))
        .routes(routes!(export))
}

async fn admin_workspace(state: &AppState, user_id: i64, ws: &str) -> Result<Workspace> {
    let (w, admin) = ws_store::workspace_for(&state.db, user_id, ws).await?;
    if !admin {
        return Err(Error::forbidden(
            "only workspace admins may read the whole audit log",
        ));
    }
    Ok(w)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Entries older than this id (the `id` of the last entry you have).
    pub before: Option<i64>,
    /// 1–1000, default 100.
    pub limit: Option<i64>,
    /// Only changes by this account (its e-mail).
    pub actor: Option<String>,
    /// Only this action, as recorded (`item.update`).
    pub action: Option<String>,
    /// From this day on (`YYYY-MM-DD`, UTC).
    pub since: Option<String>,
    /// Up to and including this day (`YYYY-MM-DD`, UTC).
    pub until: Option<String>,
}

/// The filter part of a query: both operations take the same four parameters.
macro_rules! filter_of {
    ($p:expr) => {
        FilterParams {
            actor: $p.actor.clone(),
            action: $p.action.clone(),
            since: $p.since.clone(),
            until: $p.until.clone(),
        }
    };
}

/// List the workspace's audit log, newest first
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/audit", operation_id = "listAuditEntries", tag = "audit",
    params(("ws" = String, Path), AuditParams), responses((status = 200, body = Vec<Entry>), (status = 403)))]
pub async fn audit_log(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Vec<Entry>>, ApiError> {
    let w = admin_workspace(&state, user.id, &ws).await?;
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let filter = filter_of!(p).filter()?;
    Ok(Json(
        store::filtered(&state.db, w.id, &filter, p.before, limit).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `csv` (default) or `json`.
    pub format: Option<String>,
    /// Only changes by this account (its e-mail).
    pub actor: Option<String>,
    /// Only this action, as recorded (`item.update`).
    pub action: Option<String>,
    /// From this day on (`YYYY-MM-DD`, UTC).
    pub since: Option<String>,
    /// Up to and including this day (`YYYY-MM-DD`, UTC).
    pub until: Option<String>,
}

/// Export the workspace's audit log as CSV or JSON
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/audit/export", operation_id = "exportAuditLog", tag = "audit",
    params(("ws" = String, Path), ExportParams),
    responses((status = 200, description = "every entry, oldest first, as CSV or a JSON array"), (status = 403)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let w = admin_workspace(&state, user.id, &ws).await?;
    let filter = filter_of!(p).filter()?;
    let entries = crate::audit::export::gather(&state.db, w.id, &filter).await?;
    Ok(crate::audit::export::respond(
        &w.slug,
        &entries,
        p.format.as_deref(),
    )?)
}
