//! Chromium signs in through the provider's own login and consent pages and lands signed in.
//! Runs when THROUGHLINE_WEBDRIVER names a running chromedriver (scripts/test's browser stage).

use fantoccini::Locator;

use crate::support::oidc::settings;
use crate::support::spawn_app_with_oidc;
use crate::support::web::{browser, click, type_into};

#[tokio::test]
async fn browser_signs_in_through_the_providers_login_and_consent_pages() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app_with_oidc(settings("throughline")).await;
    c.goto(&app.url("/login")).await.expect("login page");
    click(&c, "a[data-provider=oidc]").await;
    // The provider's login page (devInteractions): any login, any password.
    c.wait()
        .for_element(Locator::Css("input[name=login]"))
        .await
        .expect("the provider's login page");
    type_into(&c, "input[name=login]", "ada").await;
    type_into(&c, "input[name=password]", "any password").await;
    click(&c, "button[type=submit]").await;
    // Its consent page, then back to Throughline.
    c.wait()
        .for_element(Locator::Css("input[name=prompt][value=consent]"))
        .await
        .expect("the provider's consent page");
    click(&c, "button[type=submit]").await;
    c.wait()
        .for_element(Locator::Css("header.topbar"))
        .await
        .expect("signed in to Throughline");
    c.goto(&app.url("/account")).await.expect("account page");
    let text = c
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert!(text.contains("ada@example.com"), "{text}");
    c.close().await.expect("close");
}
