//! The documents over the API: one address per kind, answering Markdown, HTML or the list of
//! source records as the `Accept` header asks.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiQuery};
use crate::docs::compose::{make, Params};
use crate::docs::print::{html, Paper};
use crate::docs::rules::{negotiate, Media};
use crate::docs::signoff::{DocumentSignoff, SendInput};
use crate::docs::{Document, Kind};
use crate::error::{ApiError, Error, Result};
use crate::extract::Path;
use crate::state::AppState;
use crate::strategy::Quarter;
use crate::workspace::extract::InProduct;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(document))
        .routes(routes!(send_for_signoff))
        .routes(routes!(signoff_view))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocParams {
    /// The brief's quarter, `2026-Q4`; the current one by default.
    pub quarter: Option<String>,
    /// The initiative's id: `blueprint` needs it or `release`; `plan` covers the product's
    /// open backlog with neither.
    pub initiative: Option<i64>,
    /// The release's id: the blueprint or plan of everything it ships.
    pub release: Option<i64>,
    /// `a4` (default) or `letter`: the paper the HTML is laid out for.
    pub paper: Option<String>,
}

impl DocParams {
    pub fn parse(&self) -> Result<(Params, Paper)> {
        let quarter = match &self.quarter {
            Some(q) => Some(
                Quarter::parse(q)
                    .map_err(|_| Error::invalid("quarter", "a quarter such as 2026-Q4"))?,
            ),
            None => None,
        };
        let paper = match &self.paper {
            Some(p) => Paper::parse(p)?,
            None => Paper::default(),
        };
        Ok((
            Params {
                quarter,
                initiative: self.initiative,
                release: self.release,
            },
            paper,
        ))
    }
}

/// Write one of a product's documents
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/documents/{kind}", operation_id = "getDocument", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path),
        ("kind" = String, Path, description = "`brief`, `blueprint` or `plan`"), DocParams),
    responses(
        (status = 200, description = "the document as Markdown (also for `*/*` or no Accept), as a printable HTML page, or the records it was made from with their versions",
            content((String = "text/markdown"), (String = "text/html"), (Document = "application/json"))),
        (status = 404), (status = 406, description = "Accept names none of text/markdown, text/html, application/json"), (status = 422)))]
pub async fn document(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, kind)): Path<(String, String, String)>,
    ApiQuery(q): ApiQuery<DocParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let media = negotiate(accept).ok_or_else(|| {
        Error::NotAcceptable(
            "documents are text/markdown, text/html or application/json (their sources)".into(),
        )
    })?;
    let kind = Kind::parse(&kind)?;
    let (params, paper) = q.parse()?;
    let doc = make(&s.db.for_reports(), &ctx, kind, &params).await?;
    Ok(match media {
        Media::Markdown => text("text/markdown; charset=utf-8", doc.markdown),
        Media::Html => text(
            "text/html; charset=utf-8",
            html(&doc.title, &doc.markdown, paper)?,
        ),
        Media::Sources => Json(doc).into_response(),
    })
}

fn text(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::VARY, "Accept"),
        ],
        body,
    )
        .into_response()
}

/// Send a document for sign-off: it is frozen as it reads now (PM)
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/documents/{kind}/signoff", operation_id = "sendDocumentForSignoff", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path), ("kind" = String, Path, description = "`brief`, `blueprint` or `plan`")),
    request_body = SendInput,
    responses((status = 201, body = DocumentSignoff), (status = 403), (status = 404), (status = 422)))]
pub async fn send_for_signoff(
    State(s): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, _product, kind)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<SendInput>,
) -> Result<(StatusCode, Json<DocumentSignoff>), ApiError> {
    let kind = Kind::parse(&kind)?;
    Ok((
        StatusCode::CREATED,
        Json(crate::docs::signoff::send(&s.db, &user, &ctx, kind, &input).await?),
    ))
}

/// A document's sign-off, with what changed since it was sent
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/documents/signoffs/{id}", operation_id = "getDocumentSignoff", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = DocumentSignoff), (status = 404)))]
pub async fn signoff_view(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, id)): Path<(String, String, String)>,
) -> Result<Json<DocumentSignoff>, ApiError> {
    let id: i64 = id.parse().map_err(|_| Error::NotFound)?;
    Ok(Json(crate::docs::signoff::view(&s.db, &ctx, id).await?))
}
