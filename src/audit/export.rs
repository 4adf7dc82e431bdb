//! The audit log as a file (CSV or JSON), whole or filtered, oldest first: one body for the
//! API's export and the page's download.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::store::{self, Filter};
use super::Entry;
use crate::db::Db;
use crate::error::{Error, Result};

/// Every entry `filter` keeps, oldest first, read a thousand at a time.
pub async fn gather(db: &Db, workspace_id: i64, filter: &Filter) -> Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut before = None;
    loop {
        let page = store::filtered(db, workspace_id, filter, before, 1000).await?;
        before = page.last().map(|e| e.id);
        let done = page.len() < 1000;
        entries.extend(page);
        if done {
            break;
        }
    }
    entries.reverse();
    Ok(entries)
}

/// `entries` as a download named after the workspace (its `slug`), in `format` (`csv`, the
/// default, or `json`).
pub fn respond(slug: &str, entries: &[Entry], format: Option<&str>) -> Result<Response> {
    let name = format!("{slug}-audit");
    match format.unwrap_or("csv") {
        "json" => Ok((
            [(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.json\""),
            )],
            Json(entries),
        )
            .into_response()),
        "csv" => {
            let body = to_csv(entries).map_err(Error::Internal)?;
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
        _ => Err(Error::invalid("format", "use csv or json")),
    }
}

pub fn to_csv(entries: &[Entry]) -> anyhow::Result<String> {
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
