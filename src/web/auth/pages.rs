//! Sign-in and sign-out pages.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::address::ClientAddress;
use crate::auth::extract::{PageUser, SESSION_COOKIE};
use crate::auth::sign_in::authenticate;
use crate::auth::store;
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
    /// A button per single sign-on provider: (slug, name).
    providers: Vec<(String, String)>,
    /// Whether the password form is offered (an instance admin may turn it off).
    local_passwords: bool,
}

/// After signing out of a session that came through a provider which publishes a sign-out
/// address: the way to sign out there too.
#[derive(askama::Template)]
#[template(path = "sso/signed_out.html")]
struct SignedOutPage {
    provider: String,
    end_session_url: String,
}

fn cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    crate::auth::extract::set_cookie(state.secure_cookies, name, value, max_age)
}

async fn login_form(state: &AppState, email: String, error: Option<String>) -> Response {
    let csrf = crate::auth::random_secret("");
    let (providers, local_passwords) = match sign_in_ways(state).await {
        Ok(ways) => ways,
        Err(e) => return e.into_response(),
    };
    let mut resp = render(&LoginPage {
        csrf: csrf.clone(),
        email,
        error,
        setup_pending: state.setup.is_live(),
        can_reset: state.mail.is_some(),
        providers,
        local_passwords,
    });
    resp.headers_mut().append(
        header::SET_COOKIE,
        cookie(state, LOGIN_CSRF_COOKIE, &csrf, 3600),
    );
    resp
}

/// The single sign-on providers (slug, name) and whether passwords sign anyone in. Passwords
/// are offered whenever no provider is left, so that nobody is locked out by a removal.
async fn sign_in_ways(state: &AppState) -> crate::error::Result<(Vec<(String, String)>, bool)> {
    let providers: Vec<(String, String)> = crate::sso::service::providers(&state.db, &state.oidc)
        .await?
        .into_iter()
        .map(|p| (p.slug, p.name))
        .collect();
    let passwords = crate::sso::store::passwords(&state.db)
        .await?
        .local_passwords;
    let passwords = passwords || providers.is_empty();
    Ok((providers, passwords))
}

async fn login_page(State(state): State<AppState>) -> Response {
    login_form(&state, String::new(), None).await
}

async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    form: FormData,
) -> Response {
    let email = form.text("email");
    let expected = crate::auth::extract::cookie(&headers, LOGIN_CSRF_COOKIE);
    if expected.is_none() || expected != form.get("csrf") {
        return login_form(
            &state,
            email,
            Some("The sign-in form expired; please try again.".into()),
        )
        .await;
    }
    match sign_in_ways(&state).await {
        Ok((_, true)) => {}
        Ok((_, false)) => {
            let mut resp = login_form(
                &state,
                email,
                Some(
                    "Passwords are turned off here: sign in with your organisation's account."
                        .into(),
                ),
            )
            .await;
            *resp.status_mut() = axum::http::StatusCode::FORBIDDEN;
            return resp;
        }
        Err(e) => return e.into_response(),
    }
    let password = form.text("password");
    let checked = authenticate(&state.db, &state.hashing, &email, &password, &address).await;
    match checked {
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
        Err(e @ (Error::Invalid { .. } | Error::SlowDown { .. } | Error::Busy { .. })) => {
            let mut resp = login_form(&state, email, Some(e.public_message())).await;
            *resp.status_mut() = e.status();
            e.tell_when(&mut resp);
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
    let mut provider_sign_out = None;
    if let Some(secret) = crate::auth::extract::cookie(&headers, SESSION_COOKIE) {
        let base = crate::sso::base_url(&state.oidc, state.secure_cookies, &headers);
        provider_sign_out =
            crate::sso::service::sign_out_url(&state.db, &state.oidc, secret, &base).await;
        if let Err(e) = store::end_session(&state.db, secret).await {
            return e.into_response();
        }
    }
    let mut resp = match provider_sign_out {
        Some((provider, end_session_url)) => render(&SignedOutPage {
            provider,
            end_session_url,
        }),
        None => Redirect::to("/login").into_response(),
    };
    resp.headers_mut()
        .append(header::SET_COOKIE, cookie(&state, SESSION_COOKIE, "", 0));
    resp
}
