//! Notifications by e-mail: the message arrives with both parts and an unsubscribe link that
//! works; nothing is sent to someone who turned e-mail off; two workers send a message once.

use reqwest::Method;
use serde_json::{json, Value};

use super::{link_in, mail_app, mail_to, person, send_mail, wait_for_mail};
use crate::support::scrum::json_ok;
use crate::support::{Caller, TestApp};

/// An item of ONB assigned to `who` by the owner; its key.
async fn assigned_item(app: &TestApp, owner: &Caller, who: &Caller, title: &str) -> String {
    let item = app.story(owner, title).await;
    let key = item["key"].as_str().unwrap().to_string();
    let r = app
        .patch(
            owner,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            1,
            json!({"assignee": who.email}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    key
}

async fn email_mode(app: &TestApp, who: &Caller) -> Value {
    json_ok(app.get(who, "/api/v1/me/email").await, 200).await
}

#[tokio::test]
async fn a_notification_arrives_with_a_text_and_an_html_part_and_an_unsubscribe_link() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let key = assigned_item(&app, &owner, &dana, "Export <b>bold</b> & more").await;
    assert_eq!(send_mail(&app).await, 1);

    let got = wait_for_mail(&dana.email, 1).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m.envelope_to, dana.email, "only Dana is a recipient");
    assert_eq!(m.to, dana.email);
    assert!(m.subject.contains(&key), "{}", m.subject);
    assert!(m.two_parts, "a text/plain and a text/html part: {m:?}");
    let item_link = app.url(&format!("/w/acme/items/{key}"));
    assert!(m.text.contains(&item_link), "{}", m.text);
    assert!(
        m.html.contains(&format!("href=\"{item_link}\"")),
        "{}",
        m.html
    );
    // The title is the user's text: escaped in the HTML part, as written in the text part.
    assert!(
        m.html
            .contains("Export &#60;b&#62;bold&#60;/b&#62; &#38; more"),
        "{}",
        m.html
    );
    assert!(!m.html.contains("<b>bold</b>"));
    assert!(m.text.contains("Export <b>bold</b> & more"));
    let unsubscribe = link_in(&m.text, "/mail/unsubscribe/");
    assert_eq!(
        m.list_unsubscribe.as_deref(),
        Some(format!("<{unsubscribe}>").as_str())
    );
    assert!(m.html.contains(&unsubscribe));
    // Sent once: the next pass finds nothing new.
    assert_eq!(send_mail(&app).await, 0);
    assert_eq!(mail_to(&dana.email).len(), 1);
}

#[tokio::test]
async fn the_unsubscribe_link_turns_email_off_and_nothing_more_is_sent() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let key = assigned_item(&app, &owner, &dana, "Export").await;
    send_mail(&app).await;
    let got = wait_for_mail(&dana.email, 1).await;
    let link = link_in(&got[0].text, "/mail/unsubscribe/");

    // Opening the link (as a mail scanner would) changes nothing; it asks for the click.
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(&dana.email) && page.contains("Stop the e-mails"),
        "{page}"
    );
    assert_eq!(email_mode(&app, &dana).await["notifications"], "immediate");

    // A mail client's one-click unsubscribe (RFC 8058): a POST, no session.
    let r = app
        .client
        .post(&link)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("id=\"unsubscribed\""));
    assert_eq!(email_mode(&app, &dana).await["notifications"], "off");

    // More news lands in the inbox, and no e-mail goes out.
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            2,
            json!({"status": "in_progress"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(send_mail(&app).await, 0);
    assert_eq!(mail_to(&dana.email).len(), 1);
    let inbox = json_ok(app.get(&dana, "/api/v1/inbox").await, 200).await;
    assert_eq!(inbox["unread"], 2, "{inbox}");

    // A made-up link is refused and changes nothing.
    let r = app
        .client
        .post(app.url("/mail/unsubscribe/tlu_nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn nothing_is_sent_to_a_person_who_turned_email_off() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let put = |body: Value| {
        app.req(&dana, Method::PUT, "/api/v1/me/email")
            .json(&body)
            .send()
    };
    let r = put(json!({"notifications": "weekly"})).await.unwrap();
    assert_eq!(json_ok(r, 422).await["field"], "notifications");
    assert_eq!(email_mode(&app, &dana).await["notifications"], "immediate");
    let r = put(json!({"notifications": "off"})).await.unwrap();
    assert_eq!(json_ok(r, 200).await["notifications"], "off");

    assigned_item(&app, &owner, &dana, "Export").await;
    assert_eq!(send_mail(&app).await, 0);
    assert!(mail_to(&dana.email).is_empty());
    let inbox = json_ok(app.get(&dana, "/api/v1/inbox").await, 200).await;
    assert_eq!(inbox["unread"], 1, "the inbox still has it: {inbox}");
}

#[tokio::test]
async fn two_workers_send_each_message_once() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    assigned_item(&app, &owner, &dana, "Export").await;
    let mailer = app.mail.clone().unwrap();
    let now = chrono::Utc::now();
    let (a, b) = tokio::join!(
        throughline::notify::worker::mail_tick(&app.db, &mailer, "one", now),
        throughline::notify::worker::mail_tick(&app.db, &mailer, "two", now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(wait_for_mail(&dana.email, 1).await.len(), 1);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mail_to(&dana.email).len(), 1);
}

#[tokio::test]
async fn the_account_page_sets_how_notifications_arrive_by_email() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let (client, csrf) = crate::support::session::sign_in(&app, &dana.email).await;
    let page = crate::support::session::page_text(&client, &app, "/account").await;
    assert!(
        page.contains("id=\"email\"") && page.contains("value=\"immediate\" checked"),
        "{page}"
    );
    let r = client
        .post(app.url("/account/email"))
        .form(&[("csrf", csrf.as_str()), ("mode", "daily")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("id=\"email-saved\"") && page.contains("value=\"daily\" checked"),
        "{page}"
    );
    assert_eq!(email_mode(&app, &dana).await["notifications"], "daily");
    let r = client
        .post(app.url("/account/email"))
        .form(&[("csrf", csrf.as_str()), ("mode", "hourly")])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("not a choice"));
    assert_eq!(email_mode(&app, &dana).await["notifications"], "daily");
}
