//! Password reset by e-mail: ask, get the link, set a new password; the old one stops working,
//! the link works once, and the answer never tells whether an address has an account.

use reqwest::Client;

use super::{address, link_in, mail_app, mail_to, person, send_mail, wait_for_mail};
use crate::support::session::{between, cookie_client, login_csrf};
use crate::support::{TestApp, PASSWORD};

/// Asks for a reset link through the form, as a browser would; the page's text.
async fn ask(app: &TestApp, client: &Client, email: &str) -> String {
    let page = client
        .get(app.url("/password/forgot"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let r = client
        .post(app.url("/password/forgot"))
        .form(&[("csrf", csrf.as_str()), ("email", email)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> u16 {
    let client = cookie_client();
    let csrf = login_csrf(&client, app).await;
    client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_password_is_reset_through_the_emailed_link_once() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let client = cookie_client();
    let login = client
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(login.contains("href=\"/password/forgot\""), "{login}");

    let answer = ask(&app, &client, &dana.email.to_uppercase()).await;
    assert!(answer.contains("id=\"reset-sent\""), "{answer}");
    assert_eq!(send_mail(&app).await, 1);
    let got = wait_for_mail(&dana.email, 1).await;
    assert_eq!(got.len(), 1);
    assert!(
        got[0].two_parts && got[0].subject.contains("password"),
        "{:?}",
        got[0]
    );
    assert!(
        got[0].list_unsubscribe.is_none(),
        "a reset is not a newsletter"
    );
    let link = link_in(&got[0].text, "/password/reset/");
    assert!(got[0].html.contains(&link));

    let page = client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(&dana.email), "{page}");
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    // Too short a password is refused and leaves the link usable.
    let r = client
        .post(&link)
        .form(&[("csrf", csrf.as_str()), ("password", "short")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let r = client
        .post(&link)
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", "a brand new passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("id=\"reset-done\""));

    assert_eq!(
        sign_in_status(&app, &dana.email, "a brand new passphrase").await,
        303
    );
    assert_eq!(
        sign_in_status(&app, &dana.email, PASSWORD).await,
        422,
        "the old password is gone"
    );
    // The link worked once.
    let again = client.get(&link).send().await.unwrap();
    assert_eq!(again.status(), 410);
    let r = client
        .post(&link)
        .form(&[
            ("csrf", csrf.as_str()),
            ("password", "yet another passphrase"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    assert_eq!(
        sign_in_status(&app, &dana.email, "yet another passphrase").await,
        422
    );
}

#[tokio::test]
async fn the_answer_is_the_same_whether_or_not_the_address_has_an_account() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let nobody = address("nobody");
    let client = cookie_client();
    let known = ask(&app, &client, &dana.email).await;
    let unknown = ask(&app, &client, &nobody).await;
    let words = |page: &str, email: &str| {
        between(page, "id=\"reset-sent\">", "</div>")
            .unwrap()
            .replace(email, "ADDRESS")
    };
    assert_eq!(words(&known, &dana.email), words(&unknown, &nobody));
    assert_eq!(send_mail(&app).await, 1, "only the account gets a message");
    assert!(mail_to(&nobody).is_empty());
    assert_eq!(mail_to(&dana.email).len(), 1);
}

#[tokio::test]
async fn reset_links_are_limited_per_account_and_hour() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let client = cookie_client();
    for _ in 0..(throughline::auth::reset::PER_HOUR + 2) {
        let answer = ask(&app, &client, &dana.email).await;
        assert!(
            answer.contains("id=\"reset-sent\""),
            "always the same answer"
        );
    }
    send_mail(&app).await;
    let got = wait_for_mail(&dana.email, throughline::auth::reset::PER_HOUR as usize).await;
    assert_eq!(got.len(), throughline::auth::reset::PER_HOUR as usize);
}
