//! The account page: who you are, how you hear of notifications by e-mail, and your API tokens.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::email_prefs;
use crate::auth::extract::PageUser;
use crate::auth::store::{self, TokenInfo};
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::mail::outbox::Sent;
use crate::mail::Mode;
use crate::page::{render, FormData, Layout};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(show))
        .route("/account/tokens", post(create))
        .route("/account/tokens/{id}/revoke", post(revoke))
        .route("/account/email", post(set_email_mode))
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
    /// How notifications reach this person by e-mail.
    email_mode: Mode,
    modes: [Mode; 3],
    /// The server sends e-mail at all.
    mail_on: bool,
    /// The last messages sent to this person (the delivery log, without bodies).
    recent_mail: Vec<Sent>,
    /// Said after the e-mail choice was saved.
    email_saved: bool,
}

async fn page(
    state: &AppState,
    user: &PageUser,
    new_token: Option<String>,
    error: Option<String>,
) -> Result<Response> {
    page_with(state, user, new_token, error, false).await
}

async fn page_with(
    state: &AppState,
    user: &PageUser,
    new_token: Option<String>,
    error: Option<String>,
    email_saved: bool,
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
        email_mode: email_prefs::mode(&state.db, user.user.id).await?,
        modes: Mode::ALL,
        mail_on: state.mail.is_some(),
        recent_mail: crate::mail::outbox::log_for(&state.db, user.user.id, 5).await?,
        email_saved,
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

async fn set_email_mode(
    State(state): State<AppState>,
    user: PageUser,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    match email_prefs::parse_mode("mode", &form.text("mode")) {
        Ok(mode) => {
            email_prefs::set_mode(&state.db, user.user.id, mode).await?;
            page_with(&state, &user, None, None, true).await
        }
        Err(e @ Error::Invalid { .. }) => page(&state, &user, None, Some(e.to_string())).await,
        Err(e) => Err(e),
    }
}
