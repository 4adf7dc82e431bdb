//! The audit log page of a workspace, for its admins: every change, newest first, narrowed by
//! person, action and days, paged, and downloaded as CSV or JSON with the same filter.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::pages::{admin_of, ws_layout};
use crate::audit::filter::FilterParams;
use crate::audit::{export, store, Entry};
use crate::auth::extract::PageUser;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::workspace::{store as ws, Member, Workspace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/admin/audit", get(audit))
        .route("/w/{ws}/admin/audit/export", get(download))
}

#[derive(Deserialize)]
struct Paging {
    before: Option<i64>,
    format: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    workspace: Workspace,
    entries: Vec<Entry>,
    /// The cursor of the next page, with the filter kept.
    older: Option<String>,
    members: Vec<Member>,
    actions: Vec<String>,
    chosen: FilterParams,
    /// The filter's query string, for the downloads.
    query: String,
    error: Option<String>,
}

impl AuditPage {
    fn is_actor(&self, email: &str) -> bool {
        self.chosen
            .actor
            .as_deref()
            .is_some_and(|a| a.trim().eq_ignore_ascii_case(email))
    }

    fn is_action(&self, action: &str) -> bool {
        self.chosen.action.as_deref().map(str::trim) == Some(action)
    }
}

/// Entries per page of the audit log.
const AUDIT_PAGE: i64 = 50;

async fn audit(
    State(state): State<AppState>,
    user: PageUser,
    Path(slug): Path<String>,
    Query(paging): Query<Paging>,
    Query(chosen): Query<FilterParams>,
) -> Result<Response> {
    let w = admin_of(&state, &user, &slug).await?;
    let query = chosen.query();
    // A filter that does not parse shows the page unfiltered-empty with the reason beside the
    // form, rather than an error page that loses what was typed.
    let (entries, error) = match chosen.filter() {
        Ok(f) => (
            store::filtered(&state.db, w.id, &f, paging.before, AUDIT_PAGE).await?,
            None,
        ),
        Err(Error::Invalid { field, message }) => (Vec::new(), Some(format!("{field}: {message}"))),
        Err(e) => return Err(e),
    };
    let older = (entries.len() as i64 == AUDIT_PAGE)
        .then(|| entries.last().map(|e| e.id))
        .flatten()
        .map(|id| {
            let sep = if query.is_empty() { "" } else { "&" };
            format!("/w/{}/admin/audit?{query}{sep}before={id}", w.slug)
        });
    Ok(render(&AuditPage {
        layout: ws_layout(&user, &w, "Audit log"),
        members: ws::members(&state.db, w.id).await?,
        actions: store::actions(&state.db, w.id).await?,
        workspace: w,
        entries,
        older,
        chosen,
        query,
        error,
    }))
}

async fn download(
    State(state): State<AppState>,
    user: PageUser,
    Path(slug): Path<String>,
    Query(paging): Query<Paging>,
    Query(chosen): Query<FilterParams>,
) -> Result<Response> {
    let w = admin_of(&state, &user, &slug).await?;
    let entries = export::gather(&state.db, w.id, &chosen.filter()?).await?;
    export::respond(&w.slug, &entries, paging.format.as_deref())
}
