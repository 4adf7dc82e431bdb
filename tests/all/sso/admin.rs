//! The instance admin's page for providers and the password switch, and the way back in at
//! the server's terminal.

use reqwest::{Client, Response};

use crate::support::cli::Cli;
use crate::support::oidc::{issuer, sign_in_through, signs_in};
use crate::support::session::{between, page_text, sign_in};
use crate::support::{spawn_app, TestApp, PASSWORD};

async fn post(client: &Client, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Response {
    client.post(app.url(path)).form(form).send().await.unwrap()
}

/// The admin's page, and the CSRF token on it.
async fn admin_page(client: &Client, app: &TestApp) -> (String, String) {
    let page = page_text(client, app, "/admin/sso").await;
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    (page, csrf)
}

async fn add_provider(client: &Client, app: &TestApp, csrf: &str) -> Response {
    let issuer = issuer();
    post(
        client,
        app,
        "/admin/sso/providers",
        &[
            ("csrf", csrf),
            ("slug", "idp"),
            ("name", "Acme IdP"),
            ("issuer", &issuer),
            ("client_id", "throughline"),
            ("client_secret", "throughline-secret"),
            ("allowed_domains", "example.com"),
        ],
    )
    .await
}

#[tokio::test]
async fn an_admin_adds_a_provider_people_then_sign_in_with() {
    let app = spawn_app().await;
    let admin = app.user("Owner").await; // the first account administers the instance
    let (client, _) = sign_in(&app, &admin.email).await;
    let (_, csrf) = admin_page(&client, &app).await;
    let r = add_provider(&client, &app, &csrf).await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let (page, csrf) = admin_page(&client, &app).await;
    assert!(page.contains("Acme IdP"), "{page}");
    assert!(
        page.contains(&app.url("/sso/idp/callback")),
        "the redirect URI to register"
    );
    assert!(
        !page.contains("throughline-secret"),
        "a secret is never shown back"
    );

    // A change that leaves the secret empty keeps it: sign-in still works afterwards.
    let id = between(&page, "action=\"/admin/sso/providers/", "\"")
        .unwrap()
        .to_string();
    let change = |version: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.to_string()),
            ("slug", "idp".to_string()),
            ("name", "Acme sign-in".to_string()),
            ("issuer", issuer()),
            ("client_id", "throughline".to_string()),
            ("client_secret", String::new()),
            ("allowed_domains", "example.com".to_string()),
        ]
    };
    let path = format!("/admin/sso/providers/{id}");
    let r = client
        .post(app.url(&path))
        .form(&change("1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    // A stale version is refused and changes nothing.
    let r = client
        .post(app.url(&path))
        .form(&change("1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 412);

    let login = page_text(&cookie(), &app, "/login").await;
    assert!(login.contains("Sign in with Acme sign-in"), "{login}");
    let (_, r) = sign_in_through(&app, "idp", "ada").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    assert!(signs_in(&r));
}

fn cookie() -> Client {
    crate::support::session::cookie_client()
}

#[tokio::test]
async fn bad_provider_input_names_the_field_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.user("Owner").await;
    let (client, _) = sign_in(&app, &admin.email).await;
    let (_, csrf) = admin_page(&client, &app).await;
    let r = post(
        &client,
        &app,
        "/admin/sso/providers",
        &[
            ("csrf", &csrf),
            ("slug", "idp"),
            ("name", "Acme"),
            ("issuer", "not a url"),
            ("client_id", "x"),
            ("client_secret", "y"),
        ],
    )
    .await;
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("issuer: give the provider"), "{page}");
    assert!(throughline::sso::store::stored(&app.db)
        .await
        .unwrap()
        .is_empty());
    // Someone who is not an instance admin may not see or change any of it.
    let other = app.user("Mallory").await;
    let (client, csrf) = sign_in(&app, &other.email).await;
    assert_eq!(
        client
            .get(app.url("/admin/sso"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let r = add_provider(&client, &app, &csrf).await;
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn passwords_turned_off_hide_the_form_refuse_sign_in_and_the_cli_turns_them_back_on() {
    let app = spawn_app().await;
    let admin = app.user("Owner").await;
    let (client, _) = sign_in(&app, &admin.email).await;
    let (_, csrf) = admin_page(&client, &app).await;
    // Not without a provider: nobody could sign in.
    let r = post(
        &client,
        &app,
        "/admin/sso/passwords",
        &[("csrf", &csrf), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("add a sign-in provider before"));
    assert_eq!(add_provider(&client, &app, &csrf).await.status(), 303);
    let r = post(
        &client,
        &app,
        "/admin/sso/passwords",
        &[("csrf", &csrf), ("version", "1")],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());

    let browser = cookie();
    let r = browser.get(app.url("/login")).send().await.unwrap();
    // The form is gone, but a hand-made post with the sign-in cookie's token is still refused.
    let csrf = r.headers()["set-cookie"].to_str().unwrap();
    let csrf = between(csrf, "tl_login=", ";").unwrap().to_string();
    let login = r.text().await.unwrap();
    assert!(!login.contains("id=\"password-form\""), "{login}");
    assert!(login.contains("Sign in with Acme IdP"), "{login}");
    let r = post(
        &browser,
        &app,
        "/login",
        &[
            ("csrf", &csrf),
            ("email", &admin.email),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), 403);
    assert!(!signs_in(&r));

    // The way back in, at the server's terminal.
    let cli = Cli::for_app(&app);
    let out = cli.ok(&["sso", "passwords", "on"]);
    assert!(out.contains("local passwords are on"), "{out}");
    let login = page_text(&cookie(), &app, "/login").await;
    assert!(login.contains("id=\"password-form\""), "{login}");
    sign_in(&app, &admin.email).await;
}
