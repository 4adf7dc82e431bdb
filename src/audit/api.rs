//! The workspace audit log over the API: paged reading, and a whole export as CSV or JSON.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::{store, Entry};
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
    Ok(Json(
        store::for_workspace(&state.db, w.id, p.before, limit).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    /// `csv` (default) or `json`.
    pub format: Option<String>,
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
    let mut entries = Vec::new();
    let mut before = None;
    loop {
        let page = store::for_workspace(&state.db, w.id, before, 1000).await?;
        before = page.last().map(|e| e.id);
        let done = page.len() < 1000;
        entries.extend(page);
        if done {
            break;
        }
    }
    entries.reverse();
    let name = format!("{}-audit", w.slug);
    match p.format.as_deref().unwrap_or("csv") {
        "json" => Ok((
            [(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.json\""),
            )],
            Json(entries),
        )
            .into_response()),
        "csv" => {
            let body = to_csv(&entries).map_err(Error::Internal)?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.csv\""),
                    ),
                ],
                body,
            )
                .into_response())
        }
        _ => Err(Error::invalid("format", "use csv or json").into()),
    }
}

fn to_csv(entries: &[Entry]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "at",
        "actor",
        "action",
        "entity_type",
        "entity_id",
        "reason",
        "before",
        "after",
    ])?;
    for e in entries {
        let json =
            |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
        // Actor names and reasons are typed by people: guard them against formulas.
        let safe = |s: &str| crate::csv_safe::cell(s).into_owned();
        w.write_record([
            e.id.to_string(),
            e.at.to_rfc3339(),
            safe(e.actor.as_deref().unwrap_or_default()),
            e.action.clone(),
            e.entity_type.clone(),
            e.entity_id.to_string(),
            safe(e.reason.as_deref().unwrap_or_default()),
            safe(&json(&e.before)),
            safe(&json(&e.after)),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
