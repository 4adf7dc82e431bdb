//! The account page: who you are, and your API tokens.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use super::extract::PageUser;
use super::store::{self, TokenInfo};
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::page::{render, FormData, Layout};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/tokens", post(create))
        .route("/account/tokens/{id}/revoke", post(revoke))
}

#[derive(askama::Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    layout: Layout,
    email: String,
    tokens: Vec<TokenInfo>,
    new_token: Option<String>,
    error: Option<String>,
    /// The account administers the installation: the page links to that area.
    instance_admin: bool,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<Response> {
    let tokens = store::tokens_of(&state.db, user.user.id).await?;
    let layout = Layout::new(user, "Your account").crumb("/account", "Account");
    Ok(render(&AccountPage {
        layout,
        email: user.user.email.clone(),
        tokens,
        new_token,
        error,
        instance_admin: crate::auth::store::is_instance_admin(&state.db, user.user.id).await?,
    }))
}

async fn show(State(state): State<AppState>, user: PageUser) -> Result<Response> {
    page(&state, &user, None, None).await
}

async fn create(State(state): State<AppState>, user: PageUser, form: FormData) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    match store::create_token(
        &state.db,
        user.user.id,
        &form.text("name"),
        form.get("read_only").is_some(),
    )
    .await
    {
        Ok(token) => page(&state, &user, Some(token), None).await,
        Err(e @ Error::Invalid { .. }) => page(&state, &user, None, Some(e.to_string())).await,
        Err(e) => Err(e),
    }
}

async fn revoke(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<i64>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    store::revoke_token(&state.db, user.user.id, id).await?;
    Ok(Redirect::to("/account").into_response())
}
