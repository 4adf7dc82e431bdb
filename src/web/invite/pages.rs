//! The acceptance page a link opens, no sign-in needed. (The admins' invite and revoke
//! buttons are on the members page, `workspace::invite_pages`.)

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::extract::{cookie, SESSION_COOKIE};
use crate::auth::store::{create_session, User, SESSION_DAYS};
use crate::error::Error;
use crate::extract::Path;
use crate::invite::service::{self, Acceptance, Opened};
use crate::page::{render, FormData};
use crate::state::AppState;

/// Double-submit cookie protecting the acceptance form, which has no session yet.
const INVITE_CSRF_COOKIE: &str = "tl_invite";

pub fn routes() -> Router<AppState> {
    Router::new().route("/invite/{token}", get(show).post(accept))
}

#[derive(askama::Template)]
#[template(path = "invite/accept.html")]
struct AcceptPage {
    token: String,
    csrf: String,
    workspace: String,
    /// Why the link can no longer be used; the form is not shown then.
    gone: Option<String>,
    claims: bool,
    name: String,
    email: String,
    email_fixed: bool,
    error: Option<String>,
    /// The visitor is signed in as the invited address: one button joins.
    join_as: Option<String>,
}

fn gone(why: &str) -> AcceptPage {
    AcceptPage {
        token: String::new(),
        csrf: String::new(),
        workspace: String::new(),
        gone: Some(why.to_string()),
        claims: false,
        name: String::new(),
        email: String::new(),
        email_fixed: false,
        error: None,
        join_as: None,
    }
}

/// The form for a usable link (with a fresh CSRF cookie), or the page saying why it is not.
fn form(
    state: &AppState,
    token: &str,
    o: &Opened,
    given: Option<&Acceptance>,
    error: Option<String>,
    visitor: Option<&User>,
) -> Response {
    if let Some(why) = o.row.state().refusal() {
        let mut resp = render(&gone(why));
        *resp.status_mut() = axum::http::StatusCode::GONE;
        return resp;
    }
    let fixed = o.fixed_email();
    let csrf = crate::auth::random_secret("");
    let mut resp = render(&AcceptPage {
        token: token.to_string(),
        csrf: csrf.clone(),
        workspace: o.workspace.name.clone(),
        gone: None,
        claims: o.row.placeholder_id.is_some(),
        name: given
            .map(|g| g.name.clone())
            .or_else(|| o.row.placeholder_name.clone())
            .unwrap_or_default(),
        email: fixed
            .clone()
            .or_else(|| given.map(|g| g.email.clone()))
            .unwrap_or_default(),
        email_fixed: fixed.is_some(),
        join_as: visitor
            .filter(|v| o.row.placeholder_id.is_none() && Some(&v.email) == fixed.as_ref())
            .map(|v| v.email.clone()),
        error,
    });
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(state, INVITE_CSRF_COOKIE, &csrf, 3600),
    );
    resp
}

fn not_found() -> Response {
    let mut resp = render(&gone(
        "This invitation link is not valid. Check that it was copied whole, or ask a workspace admin for a new one.",
    ));
    *resp.status_mut() = axum::http::StatusCode::NOT_FOUND;
    resp
}

/// Who the visitor is signed in as, if anyone (this page needs no sign-in).
async fn visitor(state: &AppState, headers: &HeaderMap) -> Option<User> {
    let secret = cookie(headers, SESSION_COOKIE)?;
    let session = crate::auth::store::session(&state.db, secret)
        .await
        .ok()??;
    Some(session.user)
}

async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let me = visitor(&state, &headers).await;
    match service::open(&state.db, &token).await {
        Ok(o) => form(&state, &token, &o, None, None, me.as_ref()),
        Err(Error::NotFound) => not_found(),
        Err(e) => e.into_response(),
    }
}

async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    form_data: FormData,
) -> Response {
    let opened = match service::open(&state.db, &token).await {
        Ok(o) => o,
        Err(Error::NotFound) => return not_found(),
        Err(e) => return e.into_response(),
    };
    let given = Acceptance {
        name: form_data.text("name"),
        email: form_data.text("email"),
        password: form_data.text("password"),
    };
    let me = visitor(&state, &headers).await;
    let expected = cookie(&headers, INVITE_CSRF_COOKIE);
    if expected.is_none() || expected != form_data.get("csrf") {
        let why = "The form expired or came from another site; please try again.";
        let mut resp = form(
            &state,
            &token,
            &opened,
            Some(&given),
            Some(why.into()),
            me.as_ref(),
        );
        if resp.status().is_success() {
            *resp.status_mut() = axum::http::StatusCode::FORBIDDEN;
        }
        return resp;
    }
    // Signed in as the invited address: joining needs nothing more.
    let accepted = match (&me, form_data.get("join")) {
        (Some(user), Some(_)) => service::join(&state.db, &token, user)
            .await
            .map(|ws| (user.clone(), ws, false)),
        _ => service::accept(&state.db, &state.hashing, &token, &given)
            .await
            .map(|(u, ws)| (u, ws, true)),
    };
    match accepted {
        Ok((_, ws, false)) => Redirect::to(&format!("/w/{}", ws.slug)).into_response(),
        Ok((user, ws, true)) => match create_session(&state.db, user.id).await {
            Ok(secret) => {
                let mut resp = Redirect::to(&format!("/w/{}", ws.slug)).into_response();
                let h = resp.headers_mut();
                let age = SESSION_DAYS * 86_400;
                h.append(
                    header::SET_COOKIE,
                    set_cookie(&state, SESSION_COOKIE, &secret, age),
                );
                h.append(
                    header::SET_COOKIE,
                    set_cookie(&state, INVITE_CSRF_COOKIE, "", 0),
                );
                resp
            }
            Err(e) => e.into_response(),
        },
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_))) => {
            // Re-read: a refusal because the link was used meanwhile shows that page instead.
            let opened = service::open(&state.db, &token).await.unwrap_or(opened);
            let mut resp = form(
                &state,
                &token,
                &opened,
                Some(&given),
                Some(e.public_message()),
                me.as_ref(),
            );
            if resp.status().is_success() {
                *resp.status_mut() = e.status();
            }
            resp
        }
        Err(e) => e.into_response(),
    }
}

fn set_cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> axum::http::HeaderValue {
    crate::auth::extract::set_cookie(state.secure_cookies, name, value, max_age)
}
