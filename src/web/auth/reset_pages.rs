//! "Forgot your password?": the form that asks for a link by e-mail, and the page the link
//! opens to choose a new password. Neither needs a session; both are protected by a
//! double-submit cookie like the sign-in form.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::reset;
use crate::error::Error;
use crate::extract::Path;
use crate::page::{render, FormData};
use crate::state::AppState;

const RESET_CSRF_COOKIE: &str = "tl_reset";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/reset/{token}", get(reset_page).post(reset))
}

#[derive(askama::Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    csrf: String,
    email: String,
    /// The server sends no e-mail: the page says whom to ask instead.
    no_mail: bool,
    /// The address a link was asked for: the page says what happens next.
    asked: Option<String>,
    error: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "auth/reset.html")]
struct ResetPage {
    csrf: String,
    token: String,
    email: String,
    /// Why the link cannot be used; the form is not shown then.
    gone: bool,
    done: bool,
    error: Option<String>,
}

/// Renders a page with a fresh CSRF cookie.
fn with_csrf(
    state: &AppState,
    status: StatusCode,
    page: impl FnOnce(String) -> Response,
) -> Response {
    let csrf = crate::auth::random_secret("");
    let mut resp = page(csrf.clone());
    *resp.status_mut() = status;
    resp.headers_mut().append(
        header::SET_COOKIE,
        crate::auth::extract::set_cookie(state.secure_cookies, RESET_CSRF_COOKIE, &csrf, 3600),
    );
    resp
}

fn csrf_ok(headers: &HeaderMap, form: &FormData) -> bool {
    let expected = crate::auth::extract::cookie(headers, RESET_CSRF_COOKIE);
    expected.is_some() && expected == form.get("csrf")
}

fn forgot_form(
    state: &AppState,
    status: StatusCode,
    email: String,
    asked: Option<String>,
    error: Option<String>,
) -> Response {
    with_csrf(state, status, |csrf| {
        render(&ForgotPage {
            csrf,
            email,
            no_mail: state.mail.is_none(),
            asked,
            error,
        })
    })
}

async fn forgot_page(State(state): State<AppState>) -> Response {
    forgot_form(&state, StatusCode::OK, String::new(), None, None)
}

async fn forgot(State(state): State<AppState>, headers: HeaderMap, form: FormData) -> Response {
    let email = form.text("email");
    if !csrf_ok(&headers, &form) {
        let why = "The form expired; please try again.".to_string();
        return forgot_form(&state, StatusCode::FORBIDDEN, email, None, Some(why));
    }
    let Some(mailer) = &state.mail else {
        return forgot_form(&state, StatusCode::OK, email, None, None);
    };
    if crate::auth::validate_email(&email).is_err() {
        let why = "Give the e-mail address you sign in with.".to_string();
        return forgot_form(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            email,
            None,
            Some(why),
        );
    }
    // The same answer whether or not an account has this address.
    match reset::request(&state.db, mailer, &email, crate::db::now()).await {
        Ok(()) => forgot_form(&state, StatusCode::OK, String::new(), Some(email), None),
        Err(e) => e.into_response(),
    }
}

fn reset_form(
    state: &AppState,
    status: StatusCode,
    token: &str,
    email: String,
    error: Option<String>,
) -> Response {
    with_csrf(state, status, |csrf| {
        render(&ResetPage {
            csrf,
            token: token.to_string(),
            email,
            gone: false,
            done: false,
            error,
        })
    })
}

fn gone() -> Response {
    let mut resp = render(&ResetPage {
        csrf: String::new(),
        token: String::new(),
        email: String::new(),
        gone: true,
        done: false,
        error: None,
    });
    *resp.status_mut() = StatusCode::GONE;
    resp
}

async fn reset_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match reset::open(&state.db, &token, crate::db::now()).await {
        Ok(user) => reset_form(&state, StatusCode::OK, &token, user.email, None),
        Err(Error::NotFound) => gone(),
        Err(e) => e.into_response(),
    }
}

async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let user = match reset::open(&state.db, &token, crate::db::now()).await {
        Ok(u) => u,
        Err(Error::NotFound) => return gone(),
        Err(e) => return e.into_response(),
    };
    if !csrf_ok(&headers, &form) {
        let why = "The form expired; please try again.".to_string();
        return reset_form(&state, StatusCode::FORBIDDEN, &token, user.email, Some(why));
    }
    match reset::complete(
        &state.db,
        &state.hashing,
        &token,
        &form.text("password"),
        crate::db::now(),
    )
    .await
    {
        Ok(user) => render(&ResetPage {
            csrf: String::new(),
            token: String::new(),
            email: user.email,
            gone: false,
            done: true,
            error: None,
        }),
        Err(Error::NotFound) => gone(),
        Err(e @ Error::Invalid { .. }) => reset_form(
            &state,
            e.status(),
            &token,
            user.email,
            Some(e.public_message()),
        ),
        Err(e) => e.into_response(),
    }
}
