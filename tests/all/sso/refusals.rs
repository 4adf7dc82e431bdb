//! Each answer that must not sign anyone in is refused with a page that says why, and no
//! account is made: a wrong `state`, a replayed code, a token for another audience, an expired
//! token, an unverified e-mail, a domain the provider does not admit.

use reqwest::Response;
use throughline::config::oidc::OidcSettings;

use crate::support::oidc::{accounts_with, settings, sign_in_through, signs_in, walk_to_callback};
use crate::support::session::cookie_client;
use crate::support::{spawn_app_with_oidc, TestApp};

/// The refusal page: its status, the reason shown, and that nobody was signed in.
async fn refused(r: Response, status: u16, reason: &str) {
    assert_eq!(r.status(), status);
    assert!(!signs_in(&r), "a refusal must not start a session");
    let page = r.text().await.unwrap();
    assert!(page.contains("Sign-in refused"), "{page}");
    assert!(page.contains(reason), "expected {reason:?} in {page}");
}

fn with_state(callback: &str, state: &str) -> String {
    let mut url = reqwest::Url::parse(callback).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                state.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

fn param(url: &str, name: &str) -> String {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

async fn no_account(app: &TestApp, email: &str) {
    assert_eq!(accounts_with(app, email).await, 0, "{email} got an account");
}

#[tokio::test]
async fn a_wrong_state_is_refused() {
    let app = spawn_app_with_oidc(settings("throughline")).await;
    let client = cookie_client();
    let callback = walk_to_callback(&app, &client, "oidc", "ada").await;
    let forged = with_state(&callback, "not-the-state-we-sent");
    let r = client.get(forged).send().await.unwrap();
    refused(
        r,
        422,
        "does not belong to a sign-in started in this browser",
    )
    .await;
    no_account(&app, "ada@example.com").await;
    // The right state from another browser (no state cookie) is refused as well.
    let r = cookie_client().get(&callback).send().await.unwrap();
    refused(
        r,
        422,
        "does not belong to a sign-in started in this browser",
    )
    .await;
    no_account(&app, "ada@example.com").await;
}

#[tokio::test]
async fn a_replayed_code_is_refused() {
    let app = spawn_app_with_oidc(settings("throughline")).await;
    let client = cookie_client();
    let callback = walk_to_callback(&app, &client, "oidc", "ada").await;
    let first = client.get(&callback).send().await.unwrap();
    assert_eq!(first.status(), 303);
    // The same answer again: its sign-in was used up.
    let again = client.get(&callback).send().await.unwrap();
    refused(again, 422, "it was used already").await;
    // The used code under a fresh sign-in of this browser: the provider refuses it.
    let other = cookie_client();
    let start = other.get(app.url("/sso/oidc/start")).send().await.unwrap();
    let fresh_state = param(start.headers()["location"].to_str().unwrap(), "state");
    let replay = with_state(&callback, &fresh_state);
    let r = other.get(replay).send().await.unwrap();
    refused(r, 403, "refused this sign-in").await;
}

async fn refused_for(oidc: OidcSettings, login: &str, email: &str, status: u16, reason: &str) {
    let app = spawn_app_with_oidc(oidc).await;
    let (_, r) = sign_in_through(&app, "oidc", login).await;
    refused(r, status, reason).await;
    no_account(&app, email).await;
}

#[tokio::test]
async fn a_token_for_another_audience_is_refused() {
    refused_for(
        settings("throughline-aud"),
        "ada",
        "ada@example.com",
        403,
        "issued to another application",
    )
    .await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    refused_for(
        settings("throughline-expired"),
        "ada",
        "ada@example.com",
        403,
        "has expired",
    )
    .await;
}

#[tokio::test]
async fn an_unverified_email_is_refused() {
    refused_for(
        settings("throughline"),
        "unverified-uma",
        "unverified-uma@example.com",
        403,
        "has not verified the address unverified-uma@example.com",
    )
    .await;
}

#[tokio::test]
async fn a_domain_the_provider_does_not_admit_is_refused() {
    let oidc = OidcSettings {
        oidc_allowed_domains: Some("example.com".into()),
        ..settings("throughline")
    };
    refused_for(
        oidc,
        "bob@other.org",
        "bob@other.org",
        403,
        "signs in only addresses at example.com",
    )
    .await;
}

#[tokio::test]
async fn an_unknown_provider_is_a_clear_404() {
    let app = spawn_app_with_oidc(settings("throughline")).await;
    let r = app
        .client
        .get(app.url("/sso/nobody/start"))
        .send()
        .await
        .unwrap();
    refused(r, 404, "no such sign-in provider").await;
}
