//! A browser-like HTTP client: signs in through the form and keeps the session cookie.
#![allow(dead_code, clippy::unwrap_used)]

use reqwest::Client;

use super::{TestApp, PASSWORD};

pub fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    Some(&html[from..from + html[from..].find(end)?])
}

/// The sign-in form's CSRF token (its cookie lands in `client`'s store).
pub async fn login_csrf(client: &Client, app: &TestApp) -> String {
    let page = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string()
}

/// A browser-like client that keeps cookies and shows redirects instead of following them.
pub fn cookie_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A browser-like client signed in as `email`, and the CSRF token of its session.
pub async fn sign_in(app: &TestApp, email: &str) -> (Client, String) {
    let client = cookie_client();
    let csrf = login_csrf(&client, app).await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "sign-in failed");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let home = client
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = between(&home, "name=\"csrf-token\" content=\"", "\"")
        .unwrap()
        .to_string();
    (client, token)
}

/// The body of a page fetched by a signed-in client.
pub async fn page_text(client: &Client, app: &TestApp, path: &str) -> String {
    client
        .get(app.url(path))
        .send()
        .await
        .expect("fetch the page")
        .text()
        .await
        .expect("read the page")
}
