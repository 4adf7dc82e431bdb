//! The hand-off kit on the Documents tab: its downloads (`kit.zip`, `kit.json` for the
//! manifest) and the Product Owner's exception forms.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::api::{base_url, zip_response, KitParams};
use crate::docs::kit::exceptions::{self, KitExceptionInput};
use crate::docs::kit::{make, Scope};
use crate::error::Result;
use crate::extract::Query;
use crate::page::back;
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/documents/kit.zip", get(zip))
        .route("/w/{ws}/p/{product}/documents/kit.json", get(manifest))
        .route(
            "/w/{ws}/p/{product}/documents/kit/exceptions",
            post(include),
        )
        .route(
            "/w/{ws}/p/{product}/documents/kit/exceptions/remove",
            post(exclude),
        )
}

async fn zip(
    State(s): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Query(q): Query<KitParams>,
    headers: HeaderMap,
) -> Result<Response> {
    let scope = Scope::from_params(q.initiative, q.release, q.sprint)?;
    let kit = make(&s.db, &ctx, scope, &base_url(&headers)).await?;
    zip_response(&kit)
}

async fn manifest(
    State(s): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Query(q): Query<KitParams>,
    headers: HeaderMap,
) -> Result<Response> {
    let scope = Scope::from_params(q.initiative, q.release, q.sprint)?;
    let kit = make(&s.db, &ctx, scope, &base_url(&headers)).await?;
    let text = kit
        .files
        .iter()
        .find(|f| f.path == "manifest.json")
        .map(|f| f.text.clone())
        .unwrap_or_default();
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.manifest.json\"", kit.manifest.name),
            ),
        ],
        text,
    )
        .into_response())
}

async fn include(State(s): State<AppState>, f: ProductForm) -> Result<Response> {
    let input = KitExceptionInput {
        item: f.form.get("item").unwrap_or_default().to_string(),
        reason: f.form.get("reason").unwrap_or_default().to_string(),
    };
    let r = exceptions::include(&s.db, &f.user.user, &f.ctx, &input).await;
    back(&f.url("/documents#kit-exceptions"), r.map(|_| ()))
}

async fn exclude(State(s): State<AppState>, f: ProductForm) -> Result<Response> {
    let key = f.form.get("item").unwrap_or_default().to_string();
    let r = exceptions::remove(&s.db, &f.user.user, &f.ctx, &key).await;
    back(&f.url("/documents#kit-exceptions"), r.map(|_| ()))
}
