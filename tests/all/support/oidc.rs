//! The real OpenID provider of the single sign-on tests (`tests/oidc/provider.mjs` on the npm
//! package `oidc-provider`), and a browser-like walk through its login and consent pages.
//!
//! scripts/test starts the provider and names it in THROUGHLINE_TEST_OIDC_ISSUER. Without that,
//! the tests start it themselves when `node` and target/oidc-provider (the package installed by
//! scripts/test) are there, and otherwise fail saying so: they never pass without a provider.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use reqwest::{Client, Response};
use throughline::config::oidc::OidcSettings;

use super::session::{between, cookie_client};
use super::TestApp;

/// The provider's issuer URL.
pub fn issuer() -> String {
    if let Some(url) = std::env::var("THROUGHLINE_TEST_OIDC_ISSUER")
        .ok()
        .filter(|u| !u.is_empty())
    {
        return url;
    }
    static STARTED: OnceLock<Result<String, String>> = OnceLock::new();
    STARTED
        .get_or_init(start_provider)
        .clone()
        .unwrap_or_else(|why| {
            panic!(
            "the single sign-on tests need a real OpenID provider: {why}. Run scripts/test (it \
             installs the npm package oidc-provider into target/oidc-provider and starts it), or \
             start tests/oidc/provider.mjs yourself and set THROUGHLINE_TEST_OIDC_ISSUER to the \
             ISSUER it prints"
        )
        })
}

/// The provider process this test binary started; it ends when its standard input closes,
/// that is when this process ends.
static CHILD: Mutex<Option<Child>> = Mutex::new(None);

fn start_provider() -> Result<String, String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let package = format!("{root}/target/oidc-provider/node_modules/oidc-provider");
    if !std::path::Path::new(&package).is_dir() {
        return Err(format!(
            "THROUGHLINE_TEST_OIDC_ISSUER is not set and {package} is not installed"
        ));
    }
    let mut child = Command::new("node")
        .arg(format!("{root}/tests/oidc/provider.mjs"))
        .arg("--exit-with-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            format!("THROUGHLINE_TEST_OIDC_ISSUER is not set and node did not start: {e}")
        })?;
    let stdout = child.stdout.take().ok_or("no output from node")?;
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| e.to_string())?;
    // Keep reading what it prints, so that it never writes into a closed pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    let issuer = line
        .trim()
        .strip_prefix("ISSUER=")
        .ok_or_else(|| format!("the provider printed {line:?} instead of its issuer"))?
        .to_string();
    *CHILD.lock().unwrap() = Some(child);
    Ok(issuer)
}

/// The configured provider (`THROUGHLINE_OIDC_*`) as the client `client_id` of the test
/// provider, whose secret is `<client id>-secret`.
pub fn settings(client_id: &str) -> OidcSettings {
    OidcSettings {
        oidc_issuer: Some(issuer()),
        oidc_client_id: Some(client_id.to_string()),
        oidc_client_secret: Some(format!("{client_id}-secret")),
        oidc_name: "Test IdP".into(),
        ..Default::default()
    }
}

fn location(r: &Response, base: &str) -> String {
    let loc = r.headers()["location"].to_str().unwrap();
    reqwest::Url::parse(base)
        .unwrap()
        .join(loc)
        .unwrap()
        .to_string()
}

/// Starts a sign-in at `/sso/{slug}/start` in `client`, signs in at the provider as `login`
/// (its login form, then its consent form), and answers the address the provider sends the
/// browser back to, without following it.
pub async fn walk_to_callback(app: &TestApp, client: &Client, slug: &str, login: &str) -> String {
    let back = app.url(&format!("/sso/{slug}/callback"));
    let mut r = client
        .get(app.url(&format!("/sso/{slug}/start")))
        .send()
        .await
        .unwrap();
    let mut url = app.url("/");
    for _ in 0..20 {
        if r.status().is_redirection() {
            let next = location(&r, &url);
            if next.starts_with(&back) {
                return next;
            }
            url = next;
            r = client.get(&url).send().await.unwrap();
            continue;
        }
        let status = r.status();
        let page = r.text().await.unwrap();
        assert_eq!(status, 200, "{url}: {page}");
        let action = between(&page, "action=\"", "\"").unwrap_or_else(|| panic!("{page}"));
        let action = reqwest::Url::parse(&url).unwrap().join(action).unwrap();
        let form: Vec<(&str, &str)> = if page.contains("name=\"prompt\" value=\"login\"") {
            vec![("prompt", "login"), ("login", login), ("password", "any")]
        } else {
            vec![("prompt", "consent")]
        };
        url = action.to_string();
        r = client.post(action).form(&form).send().await.unwrap();
    }
    panic!("the provider did not send the browser back within 20 steps");
}

/// A fresh browser that signs in through `slug` as `login`; answers the browser and the
/// response to the provider's answer (a redirect with a session, or a refusal page).
pub async fn sign_in_through(app: &TestApp, slug: &str, login: &str) -> (Client, Response) {
    let client = cookie_client();
    let callback = walk_to_callback(app, &client, slug, login).await;
    let r = client.get(callback).send().await.unwrap();
    (client, r)
}

/// Whether a response started a session.
pub fn signs_in(r: &Response) -> bool {
    r.headers().get_all("set-cookie").iter().any(|c| {
        c.to_str().unwrap().starts_with("tl_session=") && !c.to_str().unwrap().contains("Max-Age=0")
    })
}

/// How many accounts have this e-mail (0 or 1).
pub async fn accounts_with(app: &TestApp, email: &str) -> usize {
    usize::from(
        throughline::auth::store::find_by_email(&app.db, email)
            .await
            .unwrap()
            .is_some(),
    )
}
