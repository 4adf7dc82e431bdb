//! The first-run page: `/setup?token=…`, opened from the link `serve` prints when no account
//! exists. No session exists yet, so the form carries its own double-submit cookie.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::admin::setup::{self, SetupInput};
use crate::auth::extract::{cookie, set_cookie, SESSION_COOKIE};
use crate::auth::store::{create_session, SESSION_DAYS};
use crate::error::Error;
use crate::page::{render, FormData};
use crate::state::AppState;

const SETUP_CSRF_COOKIE: &str = "tl_setup";

pub fn routes() -> Router<AppState> {
    Router::new().route("/setup", get(show).post(submit))
}

#[derive(askama::Template)]
#[template(path = "admin/setup.html")]
struct SetupPage {
    token: String,
    csrf: String,
    /// Why the form is not shown (no live link, or set up already).
    gone: Option<String>,
    input: SetupInput,
    error: Option<String>,
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

const GONE: &str = "This setup link is not valid: it was used, or the server restarted since \
                    it printed it. If nobody has set this installation up yet, look for the new \
                    link the server printed when it last started.";

fn gone_page(why: &str) -> Response {
    let mut resp = render(&SetupPage {
        token: String::new(),
        csrf: String::new(),
        gone: Some(why.to_string()),
        input: SetupInput::default(),
        error: None,
    });
    *resp.status_mut() = StatusCode::NOT_FOUND;
    resp
}

fn form(state: &AppState, token: &str, input: SetupInput, error: Option<Error>) -> Response {
    let csrf = crate::auth::random_secret("");
    let status = error.as_ref().map(Error::status);
    let mut resp = render(&SetupPage {
        token: token.to_string(),
        csrf: csrf.clone(),
        gone: None,
        input: SetupInput {
            password: String::new(),
            ..input
        },
        error: error.map(|e| e.public_message()),
    });
    if let Some(s) = status {
        *resp.status_mut() = s;
    }
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state.secure_cookies, SETUP_CSRF_COOKIE, &csrf, 3600),
    );
    resp
}

async fn show(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> Response {
    let token = q.token.unwrap_or_default();
    if !state.setup.matches(&token) {
        return gone_page(GONE);
    }
    let input = SetupInput {
        demo: false,
        ..Default::default()
    };
    form(&state, &token, input, None)
}

fn input_of(f: &FormData) -> SetupInput {
    SetupInput {
        name: f.text("name"),
        email: f.text("email"),
        password: f.text("password"),
        workspace_name: f.text("workspace_name"),
        workspace_slug: f.text("workspace_slug"),
        product_name: f.text("product_name"),
        product_key: f.text("product_key"),
        demo: f.flag("demo"),
    }
}

async fn submit(State(state): State<AppState>, headers: HeaderMap, f: FormData) -> Response {
    let token = f.text("token");
    let input = input_of(&f);
    let expected = cookie(&headers, SETUP_CSRF_COOKIE);
    if expected.is_none() || expected != f.get("csrf") {
        if !state.setup.matches(&token) {
            return gone_page(GONE);
        }
        let expired = Error::invalid("csrf", "the form expired; please send it again");
        return form(&state, &token, input, Some(expired));
    }
    // Taken while the setup runs, so that a second submission cannot run beside it.
    let Some(secret) = state.setup.take(&token) else {
        return gone_page(GONE);
    };
    match setup::run(&state.db, &input).await {
        Ok((user, workspace, _)) => match create_session(&state.db, user.id).await {
            Ok(session) => {
                let to = format!("/w/{}/start", workspace.slug);
                let mut resp = Redirect::to(&to).into_response();
                let h = resp.headers_mut();
                let secure = state.secure_cookies;
                let age = SESSION_DAYS * 86_400;
                h.append(
                    header::SET_COOKIE,
                    set_cookie(secure, SESSION_COOKIE, &session, age),
                );
                h.append(
                    header::SET_COOKIE,
                    set_cookie(secure, SETUP_CSRF_COOKIE, "", 0),
                );
                resp
            }
            Err(e) => e.into_response(),
        },
        Err(Error::Conflict(why)) => gone_page(&why),
        Err(e) => {
            // Nothing was written for a refused form: the link stays good for the next try.
            state.setup.restore(secret);
            form(&state, &token, input, Some(e))
        }
    }
}
