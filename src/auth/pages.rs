//! Sign-in and sign-out pages.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use super::extract::{PageUser, SESSION_COOKIE};
use super::store;
use crate::error::Error;
use crate::page::{render, FormData};
use crate::state::AppState;

/// Double-submit cookie that protects the sign-in form, which has no session yet.
const LOGIN_CSRF_COOKIE: &str = "tl_login";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
}

#[derive(askama::Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    csrf: String,
    email: String,
    error: Option<String>,
    /// No account exists yet: the page points at the setup link.
    setup_pending: bool,
    /// The server sends e-mail, so a forgotten password can be reset.
    can_reset: bool,
}

fn cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    super::extract::set_cookie(state.secure_cookies, name, value, max_age)
}

fn login_form(state: &AppState, email: String, error: Option<String>) -> Response {
    let csrf = super::random_secret("");
    let mut resp = render(&LoginPage {
        csrf: csrf.clone(),
        email,
        error,
        setup_pending: state.setup.is_live(),
        can_reset: state.mail.is_some(),
    });
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie(state, LOGIN_CSRF_COOKIE, &csrf, 3600),
    );
    resp
}

async fn login_page(State(state): State<AppState>) -> Response {
    login_form(&state, String::new(), None)
}

async fn login(State(state): State<AppState>, headers: HeaderMap, form: FormData) -> Response {
    let email = form.text("email");
    let expected = super::extract::cookie(&headers, LOGIN_CSRF_COOKIE);
    if expected.is_none() || expected != form.get("csrf") {
        return login_form(
            &state,
            email,
            Some("The sign-in form expired; please try again.".into()),
        );
    }
    match store::authenticate(&state.db, &email, &form.text("password")).await {
        Ok(user) => match store::create_session(&state.db, user.id).await {
            Ok(secret) => {
                let mut resp = Redirect::to("/").into_response();
                let h = resp.headers_mut();
                h.append(
                    header::SET_COOKIE,
                    cookie(
                        &state,
                        SESSION_COOKIE,
                        &secret,
                        store::SESSION_DAYS * 86_400,
                    ),
                );
                h.append(header::SET_COOKIE, cookie(&state, LOGIN_CSRF_COOKIE, "", 0));
                resp
            }
            Err(e) => e.into_response(),
        },
        Err(e @ (Error::Invalid { .. } | Error::TooManyRequests)) => {
            let mut resp = login_form(&state, email, Some(e.public_message()));
            *resp.status_mut() = e.status();
            resp
        }
        Err(e) => e.into_response(),
    }
}

async fn logout(
    State(state): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    if let Err(e) = user.check_csrf(form.get("csrf")) {
        return e.into_response();
    }
    if let Some(secret) = super::extract::cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = store::end_session(&state.db, secret).await {
            return e.into_response();
        }
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, cookie(&state, SESSION_COOKIE, "", 0));
    resp
}
