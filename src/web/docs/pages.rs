//! The Documents tab: each document of the product with a preview and its downloads, and the
//! downloads themselves (`brief.md`, `blueprint.html?initiative=3`, ...).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::api::DocParams;
use crate::auth::Action;
use crate::docs::compose::{make, Params};
use crate::docs::print::html;
use crate::docs::{Document, Kind};
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::strategy::model::Initiative;
use crate::strategy::{initiatives, Quarter, SortBy};
use crate::workspace::extract::ProductPage;
use crate::workspace::Product;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/documents", get(tab))
        .route("/w/{ws}/p/{product}/documents/{file}", get(download))
        .route("/w/{ws}/p/{product}/documents/{file}/signoff", post(send))
        .route(
            "/w/{ws}/p/{product}/documents/signoffs/{id}",
            get(signoff_page),
        )
}

#[derive(Debug, Default, serde::Deserialize)]
struct TabParams {
    /// The document shown: `brief`, `blueprint` or `plan`.
    preview: Option<String>,
    initiative: Option<i64>,
    release: Option<i64>,
    quarter: Option<String>,
    /// The kit previewed: `initiative-3`, `release-2` or `sprint-7`.
    kit: Option<String>,
    error: Option<String>,
}

/// A kit shown on the tab: what it is of, its query string, its manifest and its AGENTS.md.
struct KitPreview {
    query: String,
    manifest: crate::docs::kit::Manifest,
    agents: String,
}

#[derive(askama::Template)]
#[template(path = "docs/documents.html")]
struct DocumentsPage {
    layout: Layout,
    ws: String,
    product: Product,
    quarter: String,
    initiatives: Vec<Initiative>,
    /// The document previewed, its query string and its body as HTML.
    preview: Option<(Document, String, String)>,
    releases: Vec<crate::roadmap::releases::Release>,
    /// Planned and running sprints: those a kit is worth making for.
    sprints: Vec<crate::sprint::Sprint>,
    exceptions: Vec<crate::docs::kit::exceptions::KitException>,
    can_include: bool,
    kit: Option<KitPreview>,
    error: Option<String>,
    can_send: bool,
    /// The documents sent for sign-off, newest first.
    signoffs: Vec<crate::roadmap::signoff::Request>,
    quarter_of_preview: Option<String>,
    initiative_of_preview: Option<i64>,
    release_of_preview: Option<i64>,
}

impl DocumentsPage {
    fn query(&self, initiative: &crate::ids::InitiativeId) -> String {
        format!("initiative={initiative}")
    }
}

async fn tab(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Query(p): Query<TabParams>,
    headers: axum::http::HeaderMap,
) -> Result<Response> {
    ctx.grants.require(Action::ViewDocuments)?;
    let quarter = match &p.quarter {
        Some(q) => Quarter::parse(q)?,
        None => Quarter::of(crate::calendar::today()),
    };
    let preview = match &p.preview {
        Some(kind) => {
            let kind = Kind::parse(kind)?;
            let params = Params {
                quarter: Some(quarter),
                initiative: p.initiative,
                release: p.release,
            };
            let doc = make(&s.db.for_reports(), &ctx, kind, &params).await?;
            let mut q = format!("quarter={quarter}");
            if let Some(i) = p.initiative {
                q.push_str(&format!("&initiative={i}"));
            }
            if let Some(r) = p.release {
                q.push_str(&format!("&release={r}"));
            }
            let body = crate::docs::print::body(&doc.markdown);
            Some((doc, q, body))
        }
        None => None,
    };
    let kit = match p.kit.as_deref().and_then(|k| k.split_once('-')) {
        Some((kind, id)) => {
            let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
            let scope = match kind {
                "initiative" => crate::docs::kit::Scope::Initiative(id),
                "release" => crate::docs::kit::Scope::Release(id),
                "sprint" => crate::docs::kit::Scope::Sprint(id),
                _ => return Err(Error::NotFound),
            };
            let base = crate::web::docs::kit::api::base_url(&headers);
            let kit = crate::docs::kit::make(&s.db.for_reports(), &ctx, scope, &base).await?;
            let agents = kit
                .files
                .iter()
                .find(|f| f.path == "AGENTS.md")
                .map(|f| crate::docs::print::body(&f.text))
                .unwrap_or_default();
            Some(KitPreview {
                query: format!("{kind}={id}"),
                manifest: kit.manifest,
                agents,
            })
        }
        None => None,
    };
    let sprints = crate::sprint::service::list(&s.db, &ctx, None)
        .await?
        .into_iter()
        .filter(|x| x.state != "closed")
        .collect();
    Ok(render(&DocumentsPage {
        layout: crate::workspace::layout::product_layout(
            &user,
            &ctx,
            crate::page::Section::Documents,
        ),
        ws: ctx.workspace.slug.clone(),
        quarter: quarter.to_string(),
        initiatives: initiatives::list(&s.db, &ctx, SortBy::Priority, quarter).await?,
        releases: crate::roadmap::releases::list(&s.db, &ctx).await?,
        sprints,
        exceptions: crate::docs::kit::exceptions::list(&s.db, &ctx).await?,
        can_include: ctx.grants.may(Action::IncludeInKit),
        kit,
        error: p.error,
        can_send: ctx.grants.may(Action::ManageStrategy),
        quarter_of_preview: (p.preview.as_deref() == Some("brief")).then(|| quarter.to_string()),
        initiative_of_preview: p.initiative,
        release_of_preview: p.release,
        signoffs: crate::roadmap::signoff::list(&s.db, &ctx)
            .await?
            .into_iter()
            .filter(|r| r.subject == "document")
            .collect(),
        product: ctx.product,
        preview,
    }))
}

/// `brief.md`, `plan.html`…: a document as a file to save.
async fn download(
    State(s): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Path((_, _, file)): Path<(String, String, String)>,
    Query(q): Query<DocParams>,
) -> Result<Response> {
    let (kind, ext) = file.rsplit_once('.').ok_or(Error::NotFound)?;
    let kind = Kind::parse(kind).map_err(|_| Error::NotFound)?;
    let (params, paper) = q.parse()?;
    let doc = make(&s.db.for_reports(), &ctx, kind, &params).await?;
    let (content_type, body) = match ext {
        "md" => ("text/markdown; charset=utf-8", doc.markdown.clone()),
        "html" => (
            "text/html; charset=utf-8",
            html(&doc.title, &doc.markdown, paper)?,
        ),
        _ => return Err(Error::NotFound),
    };
    let mut name = format!("{}-{}", ctx.product.key, kind.as_str());
    if let Some(i) = params.initiative {
        name.push_str(&format!("-{i}"));
    }
    if let Some(r) = params.release {
        name.push_str(&format!("-release-{r}"));
    }
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response())
}

/// "Send for sign-off" on the tab: the document as it reads now, frozen.
async fn send(
    State(s): State<AppState>,
    Path((_, _, kind)): Path<(String, String, String)>,
    f: crate::workspace::form::ProductForm,
) -> Result<Response> {
    let kind = Kind::parse(&kind).map_err(|_| Error::NotFound)?;
    let input = crate::docs::signoff::SendInput {
        title: f.form.get("title").unwrap_or_default().to_string(),
        quarter: f
            .form
            .get("quarter")
            .filter(|q| !q.trim().is_empty())
            .map(str::to_string),
        initiative: crate::page::form_int(&f.form, "initiative")?,
        release: crate::page::form_int(&f.form, "release")?,
    };
    match crate::docs::signoff::send(&s.db, &f.user.user, &f.ctx, kind, &input).await {
        Ok(d) => Ok(axum::response::Redirect::to(
            &f.url(&format!("/documents/signoffs/{}", d.request.id)),
        )
        .into_response()),
        Err(e) => crate::page::back(&f.url("/documents#doc-signoffs"), Err(e)),
    }
}

#[derive(askama::Template)]
#[template(path = "docs/signoff.html")]
struct SignoffPage {
    layout: Layout,
    ws: String,
    product: Product,
    d: crate::docs::signoff::DocumentSignoff,
}

async fn signoff_page(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((_, _, id)): Path<(String, String, i64)>,
) -> Result<Response> {
    let d = crate::docs::signoff::view(&s.db, &ctx, id).await?;
    let title = format!("{} · Sign-off of {}", ctx.product.name, d.request.title);
    Ok(render(&SignoffPage {
        layout: crate::workspace::layout::product_layout(
            &user,
            &ctx,
            crate::page::Section::Documents,
        )
        .title(title),
        ws: ctx.workspace.slug.clone(),
        product: ctx.product,
        d,
    }))
}
