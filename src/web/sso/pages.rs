//! The two addresses of a sign-in through a provider: `/sso/{slug}/start` sends the browser to
//! the provider, `/sso/{slug}/callback` takes its answer. A refused answer is a page that says
//! why; nothing is signed in and no account is made.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::{cookie, set_cookie, SESSION_COOKIE};
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::page::render;
use crate::sso::{base_url, oidc, service, store, Provider, PENDING_MINUTES};
use crate::state::AppState;

/// Holds the `state` of the sign-in this browser started, so that an answer meant for another
/// browser (or forged) is refused.
const STATE_COOKIE: &str = "tl_sso";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sso/{slug}/start", get(start))
        .route("/sso/{slug}/callback", get(callback))
}

#[derive(askama::Template)]
#[template(path = "sso/refused.html")]
struct RefusedPage {
    message: String,
}

/// The page for a refused sign-in; its status says what kind of refusal it was.
fn refused(e: Error, secure: bool) -> Response {
    let status = match &e {
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::Conflict(_) => StatusCode::BAD_GATEWAY,
        Error::NotFound => StatusCode::NOT_FOUND,
        other => other.status(),
    };
    let message = match e {
        Error::NotFound => "there is no such sign-in provider here".to_string(),
        e => e.public_message(),
    };
    let mut resp = render(&RefusedPage { message });
    *resp.status_mut() = status;
    resp.headers_mut()
        .append(header::SET_COOKIE, set_cookie(secure, STATE_COOKIE, "", 0));
    resp
}

async fn start(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Response {
    let secure = state.secure_cookies;
    let go = async {
        let p = service::provider(&state.db, &state.oidc, &slug).await?;
        let redirect = p.redirect_uri(&base_url(&state.oidc, secure, &headers));
        let started = oidc::start(&p, &redirect).await?;
        store::put_pending(&state.db, &started.state, &started.pending).await?;
        Ok::<_, Error>(started)
    };
    match go.await {
        Ok(started) => {
            let mut resp = Redirect::to(&started.url).into_response();
            resp.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(secure, STATE_COOKIE, &started.state, PENDING_MINUTES * 60),
            );
            resp
        }
        Err(e) => refused(e, secure),
    }
}

#[derive(Deserialize)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Query(answer): Query<Answer>,
) -> Response {
    let secure = state.secure_cookies;
    match finish(&state, &slug, &headers, answer).await {
        Ok(secret) => {
            let mut resp = Redirect::to("/").into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    secure,
                    SESSION_COOKIE,
                    &secret,
                    crate::auth::store::SESSION_DAYS * 86_400,
                ),
            );
            h.append(header::SET_COOKIE, set_cookie(secure, STATE_COOKIE, "", 0));
            resp
        }
        Err(e) => refused(e, secure),
    }
}

async fn finish(state: &AppState, slug: &str, headers: &HeaderMap, a: Answer) -> Result<String> {
    let p: Provider = service::provider(&state.db, &state.oidc, slug).await?;
    let given = a.state.unwrap_or_default();
    // The sign-in is used up whatever happens next: an answer is taken once.
    let pending = if given.is_empty() {
        None
    } else {
        store::take_pending(&state.db, &given).await?
    };
    let ours = cookie(headers, STATE_COOKIE).is_some_and(|c| same(c, &given));
    let Some(pending) = pending.filter(|p| ours && p.provider == slug) else {
        return Err(Error::invalid(
            "state",
            "this answer does not belong to a sign-in started in this browser, or it was used \
             already or is older than 10 minutes. Sign in again",
        ));
    };
    if let Some(error) = a.error {
        return Err(Error::forbidden(format!(
            "{} did not sign you in: {}",
            p.name,
            a.error_description.unwrap_or(error)
        )));
    }
    let code = a
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::invalid("code", "the provider's answer has no code"))?;
    let redirect = p.redirect_uri(&base_url(&state.oidc, state.secure_cookies, headers));
    let (who, id_token) = oidc::finish(&p, &redirect, &code, &pending).await?;
    service::sign_in(&state.db, &p, &who, &id_token).await
}

fn same(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}
