//! A person signs in through the provider: a new account (just in time, joining the
//! configured workspace), an existing account matched by its verified e-mail, and sign-out.

use reqwest::Method;
use throughline::config::oidc::OidcSettings;

use crate::support::oidc::{accounts_with, settings, sign_in_through, signs_in};
use crate::support::session::{between, page_text};
use crate::support::spawn_app_with_oidc;

fn joining(workspace: &str, role: &str) -> OidcSettings {
    OidcSettings {
        oidc_workspace: Some(workspace.into()),
        oidc_role: Some(role.into()),
        ..settings("throughline")
    }
}

#[tokio::test]
async fn a_new_person_gets_an_account_that_joins_the_configured_workspace() {
    let app = spawn_app_with_oidc(joining("acme", "dev")).await;
    let owner = app.workspace().await;
    let login = app.client.get(app.url("/login")).send().await.unwrap();
    let page = login.text().await.unwrap();
    assert!(page.contains("href=\"/sso/oidc/start\""), "{page}");
    assert!(page.contains("Sign in with Test IdP"), "{page}");

    let (client, r) = sign_in_through(&app, "oidc", "ada").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/");
    assert!(signs_in(&r));
    let account = page_text(&client, &app, "/account").await;
    assert!(account.contains("ada@example.com"), "{account}");
    // A member of acme, with the configured role on its product.
    let members = app.get(&owner, "/api/v1/workspaces/acme/members").await;
    let members: serde_json::Value = members.json().await.unwrap();
    let ada = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ada@example.com")
        .unwrap_or_else(|| panic!("ada is not a member: {members}"));
    assert!(ada.to_string().contains("dev"), "{ada}");
    // The pending sign-in was used up.
    assert_eq!(
        throughline::sso::store::pending_count(&app.db)
            .await
            .unwrap(),
        0
    );

    // Signing in again finds the same account.
    let (_, again) = sign_in_through(&app, "oidc", "ada").await;
    assert_eq!(again.status(), 303);
    assert_eq!(accounts_with(&app, "ada@example.com").await, 1);
}

#[tokio::test]
async fn an_existing_account_is_matched_by_its_verified_email() {
    let app = spawn_app_with_oidc(settings("throughline")).await;
    let ada = app.user("Ada").await;
    let (client, r) = sign_in_through(&app, "oidc", "ada").await;
    assert_eq!(r.status(), 303);
    let account = page_text(&client, &app, "/account").await;
    assert!(account.contains(&ada.email), "{account}");
    let me = throughline::auth::store::find_by_email(&app.db, &ada.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(me.id, ada.id);
    assert_eq!(me.name, "Ada", "the account keeps its own name");
}

#[tokio::test]
async fn sign_out_ends_the_session_and_offers_the_providers_sign_out() {
    let app = spawn_app_with_oidc(settings("throughline")).await;
    let (client, r) = sign_in_through(&app, "oidc", "ada").await;
    assert_eq!(r.status(), 303);
    let account = page_text(&client, &app, "/account").await;
    let csrf = between(&account, "name=\"csrf-token\" content=\"", "\"").unwrap();
    let out = client
        .request(Method::POST, app.url("/logout"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    let page = out.text().await.unwrap();
    let link = between(&page, "id=\"provider-sign-out\" href=\"", "\"")
        .unwrap_or_else(|| panic!("{page}"))
        .replace("&amp;", "&");
    let issuer = crate::support::oidc::issuer();
    assert!(
        link.starts_with(&format!("{issuer}/session/end?")),
        "{link}"
    );
    assert!(link.contains("id_token_hint="), "{link}");
    let after = format!("post_logout_redirect_uri={}", urlencode(&app.url("/login")));
    assert!(link.contains(&after), "{link}");
    // The session is over here.
    let r = client.get(app.url("/account")).send().await.unwrap();
    assert_ne!(r.status(), 200);
    // And the provider takes the link: its sign-out confirmation page.
    let end = client.get(&link).send().await.unwrap();
    assert_eq!(end.status(), 200, "{}", end.text().await.unwrap());
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_provider_that_rotated_its_keys_is_asked_for_them_again() {
    let app = spawn_app_with_oidc(settings("throughline")).await;
    let (_, first) = sign_in_through(&app, "oidc", "ada").await;
    assert_eq!(first.status(), 303);
    // The cached keys no longer hold the one the provider signs with: as after a rotation.
    throughline::sso::oidc::forget_cached_keys(&crate::support::oidc::issuer());
    let (_, r) = sign_in_through(&app, "oidc", "ada").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
}
