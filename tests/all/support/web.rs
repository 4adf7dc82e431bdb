//! Driving headless Chromium through WebDriver: connect, click, type, sign in.
#![allow(dead_code, clippy::unwrap_used)]

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::{TestApp, PASSWORD};

/// A browser session when THROUGHLINE_WEBDRIVER names a running chromedriver; `None` skips.
pub async fn browser() -> Option<Client> {
    let url = std::env::var("THROUGHLINE_WEBDRIVER")
        .ok()
        .filter(|u| !u.is_empty())?;
    let binary =
        std::env::var("THROUGHLINE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), json!({
        "binary": binary,
        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
    }));
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    Some(
        ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("connect to chromedriver"),
    )
}

pub async fn click(c: &Client, css: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"));
    e.click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

pub async fn type_into(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("find {css}: {e}"));
    e.send_keys(text)
        .await
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

pub async fn sign_in(c: &Client, app: &TestApp, email: &str) {
    c.goto(&app.url("/login")).await.expect("login page");
    type_into(c, "#email", email).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, "button[type=submit]").await;
    // The sign-in page has no top bar; every signed-in page does.
    c.wait()
        .for_element(Locator::Css("header.topbar"))
        .await
        .expect("signed in");
}
