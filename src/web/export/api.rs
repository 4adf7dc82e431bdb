//! Export over the API: the workspace document (admins), what it holds, the backlog as Jira
//! CSV (the PM and admins), and the document's JSON Schema beside the OpenAPI document.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::auth::extract::ApiUser;
use crate::auth::Action;
use crate::error::{ApiError, Error, Result};
use crate::export::{jira, schema, store, Summary};
use crate::extract::Path;
use crate::state::AppState;
use crate::workspace::{store as ws_store, ProductCtx, Workspace};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_schema))
        .routes(routes!(export))
        .routes(routes!(summary))
        .routes(routes!(backlog_csv))
}

/// The workspace if the caller administers it: a whole export carries everyone's data.
pub async fn admin_workspace(state: &AppState, user_id: i64, ws: &str) -> Result<Workspace> {
    let (w, admin) = ws_store::workspace_for(&state.db, user_id, ws).await?;
    if !admin {
        return Err(Error::forbidden(
            "only workspace admins may export the whole workspace",
        ));
    }
    Ok(w)
}

/// The product if the caller may export its backlog.
pub async fn csv_product(
    state: &AppState,
    user_id: i64,
    ws: &str,
    key: &str,
) -> Result<ProductCtx> {
    let ctx = ws_store::product_ctx(&state.db, user_id, ws, key).await?;
    ctx.grants.require(Action::ExportBacklog)?;
    Ok(ctx)
}

pub(super) fn attachment(content_type: &str, name: &str, body: impl Into<Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// Export the whole workspace as a versioned JSON document
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/export", operation_id = "exportWorkspace", tag = "export",
    params(("ws" = String, Path)),
    responses((status = 200, content_type = "application/json",
        description = "the workspace document, described by /api/export.schema.json; restore it with `throughline restore FILE`"),
        (status = 403), (status = 404)))]
pub async fn export(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Response, ApiError> {
    let w = admin_workspace(&state, user.id, &ws).await?;
    let name = format!("{}-export.json", w.slug);
    let body = store::document_body(state.db.clone(), w.slug);
    Ok(attachment("application/json", &name, body))
}

/// Describe what a workspace export holds: rows and bytes per table
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/export/summary", operation_id = "describeWorkspaceExport", tag = "export",
    params(("ws" = String, Path)),
    responses((status = 200, body = Summary), (status = 403), (status = 404)))]
pub async fn summary(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(ws): Path<String>,
) -> Result<Json<Summary>, ApiError> {
    let w = admin_workspace(&state, user.id, &ws).await?;
    Ok(Json(
        store::write_document(&state.db, &w.slug, store::Sink::Discard).await?,
    ))
}

/// Export a product's backlog as CSV with Jira's column names
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/export.csv", operation_id = "exportBacklogCsv", tag = "export",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, content_type = "text/csv",
        description = "one row per backlog item in backlog order; Sprint and Labels repeat as Jira writes them"),
        (status = 403), (status = 404)))]
pub async fn backlog_csv(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((ws, product)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let ctx = csv_product(&state, user.id, &ws, &product).await?;
    let rows = jira::rows(&state.db, ctx.product.id, &ctx.product.key).await?;
    let text = jira::to_csv(&rows)?;
    let name = format!("{}-{}-backlog.csv", ctx.workspace.slug, ctx.product.key);
    Ok(attachment(
        "text/csv; charset=utf-8",
        &name,
        text.into_bytes(),
    ))
}

/// The JSON Schema of the workspace export document
#[utoipa::path(get, path = "/api/export.schema.json", operation_id = "getExportSchema", tag = "export",
    security(()),
    responses((status = 200, content_type = "application/schema+json", description = "a JSON Schema (2020-12)")))]
pub async fn export_schema() -> Response {
    let latest = crate::db::migration_versions()
        .0
        .into_iter()
        .max()
        .unwrap_or(0);
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        Json(schema::document(latest)),
    )
        .into_response()
}
