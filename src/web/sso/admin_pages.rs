//! `/admin/sso`, for the instance's admins: the providers people sign in with (add, change,
//! remove; a secret is never shown back) and the switch for local passwords.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::PageUser;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::page::{render, FormData, Layout};
use crate::sso::{base_url, service, store, Provider, ProviderInput};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/sso", get(page))
        .route("/admin/sso/providers", post(add))
        .route("/admin/sso/providers/{id}", post(update))
        .route("/admin/sso/providers/{id}/remove", post(remove))
        .route("/admin/sso/passwords", post(passwords))
}

/// A provider as the page lists it, with the redirect URI to register at the provider.
struct Row {
    p: Provider,
    redirect_uri: String,
    domains: String,
    role: String,
}

#[derive(askama::Template)]
#[template(path = "sso/admin.html")]
struct AdminPage {
    layout: Layout,
    rows: Vec<Row>,
    passwords: store::Passwords,
    example_redirect: String,
    saved: bool,
    error: Option<String>,
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<String>,
}

async fn admin_only(state: &AppState, user: &PageUser) -> Result<()> {
    if crate::auth::store::is_instance_admin(&state.db, user.user.id).await? {
        return Ok(());
    }
    Err(Error::forbidden(
        "only the instance's admins change how people sign in",
    ))
}

async fn view(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    saved: bool,
    error: Option<String>,
) -> Result<Response> {
    let base = base_url(&state.oidc, state.secure_cookies, headers);
    let rows = service::providers(&state.db, &state.oidc)
        .await?
        .into_iter()
        .map(|p| Row {
            redirect_uri: p.redirect_uri(&base),
            domains: p.allowed_domains.join(", "),
            role: p.role.map(|r| r.as_str().to_string()).unwrap_or_default(),
            p,
        })
        .collect();
    let layout = Layout::new(user, "Single sign-on")
        .crumb("/admin", "Instance administration")
        .crumb("/admin/sso", "Single sign-on");
    Ok(render(&AdminPage {
        layout,
        rows,
        passwords: store::passwords(&state.db).await?,
        example_redirect: format!("{base}/sso/SLUG/callback"),
        saved,
        error,
    }))
}

async fn page(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Query(q): Query<Saved>,
) -> Result<Response> {
    admin_only(&state, &user).await?;
    view(&state, &user, &headers, q.saved.is_some(), None).await
}

/// After a change: back to the page, or the page again with the refusal beside the forms.
async fn answer(
    state: &AppState,
    user: &PageUser,
    headers: &HeaderMap,
    outcome: Result<()>,
) -> Result<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to("/admin/sso?saved=1").into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Stale { .. } | Error::Conflict(_))) => {
            let status = e.status();
            let mut resp = view(state, user, headers, false, Some(e.public_message())).await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

fn input(form: &FormData) -> ProviderInput {
    ProviderInput {
        slug: form.text("slug"),
        name: form.text("name"),
        issuer: form.text("issuer"),
        client_id: form.text("client_id"),
        client_secret: form.text("client_secret"),
        allowed_domains: form.text("allowed_domains"),
        workspace: form.text("workspace"),
        role: form.text("role"),
    }
}

async fn add(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    admin_only(&state, &user).await?;
    let outcome = store::add(&state.db, &user.user, &input(&form))
        .await
        .map(|_| ());
    answer(&state, &user, &headers, outcome).await
}

async fn update(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    admin_only(&state, &user).await?;
    let outcome = match form.version() {
        Ok(v) => store::update(&state.db, &user.user, id, v, &input(&form))
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&state, &user, &headers, outcome).await
}

async fn remove(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    admin_only(&state, &user).await?;
    let outcome = match form.version() {
        Ok(v) => service::remove_provider(&state.db, &state.oidc, &user.user, id, v).await,
        Err(e) => Err(e),
    };
    answer(&state, &user, &headers, outcome).await
}

async fn passwords(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    admin_only(&state, &user).await?;
    let on = form.flag("local_passwords");
    let outcome = match form.version() {
        Ok(v) => service::set_passwords(&state.db, &state.oidc, &user.user, v, on).await,
        Err(e) => Err(e),
    };
    answer(&state, &user, &headers, outcome).await
}
