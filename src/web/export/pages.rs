//! The Export page: what a workspace export and each backlog CSV will hold (rows and bytes),
//! with download links. Admins see everything; a product's PM sees that product's CSV.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::export::{jira, store, Summary};
use crate::extract::Path;
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::workspace::{store as ws_store, Workspace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/export", get(page))
        .route("/w/{ws}/export.json", get(download_json))
        .route("/w/{ws}/p/{product}/export.csv", get(download_csv))
}

/// A product's backlog CSV as offered on the page.
pub struct Backlog {
    pub key: String,
    pub items: usize,
    pub bytes: u64,
}

#[derive(askama::Template)]
#[template(path = "export/page.html")]
struct ExportPage {
    layout: Layout,
    workspace: Workspace,
    summary: Option<Summary>,
    backlogs: Vec<Backlog>,
}

impl ExportPage {
    fn size(&self, bytes: &u64) -> String {
        let b = *bytes as f64;
        match b {
            b if b >= 1_048_576.0 => format!("{:.1} MB", b / 1_048_576.0),
            b if b >= 1024.0 => format!("{:.1} KB", b / 1024.0),
            b => format!("{b} B"),
        }
    }

    fn non_empty(&self) -> usize {
        self.summary
            .as_ref()
            .map_or(0, |s| s.tables.iter().filter(|t| t.rows > 0).count())
    }

    fn empty_tables(&self) -> usize {
        self.summary
            .as_ref()
            .map_or(0, |s| s.tables.len() - self.non_empty())
    }
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
) -> Result<Response> {
    let (workspace, admin) = ws_store::workspace_for(&state.db, user.user.id, &ws).await?;
    let mut backlogs = Vec::new();
    for p in ws_store::products(&state.db, workspace.id).await? {
        let ctx = ws_store::product_ctx(&state.db, user.user.id, &workspace.slug, &p.key).await?;
        if !ctx.grants.may(Action::ExportBacklog) {
            continue;
        }
        let rows = jira::rows(&state.db, p.id, &p.key).await?;
        let bytes = jira::to_csv(&rows)?.len() as u64;
        backlogs.push(Backlog {
            key: p.key,
            items: rows.len(),
            bytes,
        });
    }
    if !admin && backlogs.is_empty() {
        return Err(Error::forbidden(
            "only workspace admins and product managers export data",
        ));
    }
    let summary = if admin {
        Some(store::write_document(&state.db, &workspace.slug, store::Sink::Discard).await?)
    } else {
        None
    };
    let layout = Layout::new(&user, "Export")
        .crumb(format!("/w/{}", workspace.slug), workspace.name.clone())
        .crumb(format!("/w/{}/export", workspace.slug), "Export");
    Ok(render(&ExportPage {
        layout,
        workspace,
        summary,
        backlogs,
    }))
}

async fn download_json(
    State(state): State<AppState>,
    user: PageUser,
    Path(ws): Path<String>,
) -> Result<Response> {
    let w = super::api::admin_workspace(&state, user.user.id, &ws).await?;
    let name = format!("{}-export.json", w.slug);
    let body = store::document_body(state.db.clone(), w.slug);
    Ok(super::api::attachment("application/json", &name, body))
}

async fn download_csv(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, product)): Path<(String, String)>,
) -> Result<Response> {
    let ctx = super::api::csv_product(&state, user.user.id, &ws, &product).await?;
    let rows = jira::rows(&state.db, ctx.product.id, &ctx.product.key).await?;
    let name = format!("{}-{}-backlog.csv", ctx.workspace.slug, ctx.product.key);
    Ok(super::api::attachment(
        "text/csv; charset=utf-8",
        &name,
        jira::to_csv(&rows)?.into_bytes(),
    ))
}
