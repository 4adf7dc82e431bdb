//! The one-click unsubscribe link of notification e-mail: opening it asks for a click (mail
//! scanners open links, and must not unsubscribe anyone); a POST, from that button or from a
//! mail client's one-click unsubscribe (RFC 8058), turns the person's e-mail off. The token is
//! the whole authority: no session, and no CSRF token, since a forged POST can only do what the
//! link's holder may do, once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::email_prefs;
use crate::error::Error;
use crate::extract::Path;
use crate::page::render;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/mail/unsubscribe/{token}", get(show).post(unsubscribe))
}

#[derive(askama::Template)]
#[template(path = "mail/unsubscribe.html")]
struct UnsubscribePage {
    token: String,
    /// The address the link is for; none when the link is unknown.
    email: Option<String>,
    done: bool,
}

fn page(token: &str, found: Result<String, Error>, done: bool) -> Response {
    match found {
        Ok(email) => render(&UnsubscribePage {
            token: token.to_string(),
            email: Some(email),
            done,
        }),
        Err(Error::NotFound) => {
            let mut resp = render(&UnsubscribePage {
                token: String::new(),
                email: None,
                done: false,
            });
            *resp.status_mut() = StatusCode::NOT_FOUND;
            resp
        }
        Err(e) => e.into_response(),
    }
}

async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let found = email_prefs::unsubscribe_target(&state.db, &token).await;
    page(&token, found, false)
}

async fn unsubscribe(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let done = email_prefs::unsubscribe(&state.db, &token).await;
    page(&token, done, true)
}
