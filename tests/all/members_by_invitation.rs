//! Adding a member is an invitation the person accepts (issue 16): nobody is put into a
//! workspace without saying yes, and the answer never tells whether an address has an account.

use reqwest::Response;
use serde_json::{json, Value};

use crate::support::session::{between, sign_in};
use crate::support::{invitation_token, spawn_app, Caller, TestApp};

const MEMBERS: &str = "/api/v1/workspaces/acme/members";

async fn add(app: &TestApp, admin: &Caller, email: &str) -> Response {
    app.post(admin, MEMBERS, json!({"email": email})).await
}

async fn member_emails(app: &TestApp, who: &Caller) -> Vec<String> {
    let list: Value = app.get(who, MEMBERS).await.json().await.unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap().to_string())
        .collect()
}

/// The answer with what differs between any two invitations (ids, dates, the secret) blanked.
async fn shape(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let mut v: Value = r.json().await.unwrap();
    for key in ["id", "created_at", "expires_at", "link", "email"] {
        v[key] = json!("…");
    }
    (status, v)
}

#[tokio::test]
async fn adding_someone_with_an_account_changes_nothing_until_they_accept() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mia = app.user("Mia").await;
    let r = add(&app, &owner, &mia.email).await;
    assert_eq!(r.status(), 202);
    let invitation: Value = r.json().await.unwrap();
    assert!(!member_emails(&app, &owner).await.contains(&mia.email));
    assert_eq!(
        app.get(&mia, "/api/v1/workspaces/acme/products")
            .await
            .status(),
        404,
        "not a member yet"
    );
    let token = invitation_token(&invitation);
    // Someone else cannot accept it for them.
    let eve = app.user("Eve").await;
    let r = app
        .post(&eve, "/api/v1/invitations/accept", json!({"token": token}))
        .await;
    assert_eq!(r.status(), 409);
    assert!(!member_emails(&app, &owner).await.contains(&eve.email));
    let r = app
        .post(&mia, "/api/v1/invitations/accept", json!({"token": token}))
        .await;
    assert_eq!(r.status(), 200);
    assert!(member_emails(&app, &owner).await.contains(&mia.email));
    let r = app
        .post(&mia, "/api/v1/invitations/accept", json!({"token": token}))
        .await;
    assert_eq!(r.status(), 409, "a link works once");
}

#[tokio::test]
async fn the_answer_is_the_same_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let known = app.user("Known").await;
    let with_account = shape(add(&app, &owner, &known.email).await).await;
    let without = shape(add(&app, &owner, "nobody.here@example.com").await).await;
    assert_eq!(with_account, without);
    assert_eq!(with_account.0, 202);
}

#[tokio::test]
async fn the_links_page_joins_the_signed_in_invitee_and_asks_others_to_sign_in() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mia = app.user("Mia").await;
    let r = add(&app, &owner, &mia.email).await;
    let link = format!("/invite/{}", invitation_token(&r.json().await.unwrap()));
    // Not signed in: making a second account for the address is refused, saying to sign in.
    let anon = crate::support::session::cookie_client();
    let page = anon
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"have-account\""), "{page}");
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let r = anon
        .post(app.url(&link))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Mallory"),
            ("password", "a long password 1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("sign in with it, then open this link again"));
    assert!(!member_emails(&app, &owner).await.contains(&mia.email));
    // Signed in as Mia: one button joins.
    let (client, _) = sign_in(&app, &mia.email).await;
    let page = client
        .get(app.url(&link))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"join-form\""), "{page}");
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let r = client
        .post(app.url(&link))
        .form(&[("csrf", csrf.as_str()), ("join", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/w/acme");
    assert!(member_emails(&app, &owner).await.contains(&mia.email));
}

#[tokio::test]
async fn the_members_pages_form_invites_alike_for_known_and_unknown_addresses() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let known = app.user("Known").await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let mut pages = Vec::new();
    for email in [known.email.as_str(), "nobody.here@example.com"] {
        let r = client
            .post(app.url("/w/acme/members"))
            .form(&[("csrf", csrf.as_str()), ("email", email)])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let page = r.text().await.unwrap();
        assert!(page.contains("id=\"invite-link\""), "{page}");
        pages.push((
            status,
            page.contains(&format!("Invitation for {email} created")),
        ));
    }
    assert_eq!(pages[0], pages[1]);
    assert!(!member_emails(&app, &owner).await.contains(&known.email));
}
