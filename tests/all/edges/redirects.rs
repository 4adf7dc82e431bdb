//! Opening a notification follows its link only to a path on this site.

use crate::support;

use support::session::{page_text, sign_in};
use support::spawn_app;

#[tokio::test]
async fn opening_a_notification_stays_on_the_site() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let key = app.story(&owner, "sign up").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .patch(
            &dev,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            1,
            serde_json::json!({"status": "in_progress"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let inbox = page_text(&client, &app, "/inbox").await;
    let head = &inbox[..inbox.find("/open\"").unwrap()];
    let id: String = head
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect();
    let open = format!("/inbox/{}/open", id.chars().rev().collect::<String>());
    let follow = |link: &'static str| {
        client
            .post(app.url(&open))
            .form(&[("csrf", csrf.as_str()), ("link", link)])
            .send()
    };
    let good = format!("/w/acme/items/{key}");
    let r = client
        .post(app.url(&open))
        .form(&[("csrf", csrf.as_str()), ("link", good.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], good.as_str());
    // Line breaks are text in a form (CRLF becomes LF) but never part of a path.
    for link in [
        "/\\evil.example",
        "//evil.example",
        "https://evil.example",
        "/a b",
        "/é",
        "/x\r\nSet-Cookie: a=b",
        "/x\nLocation: //evil",
    ] {
        let r = follow(link).await.unwrap();
        assert_eq!(r.status(), 303, "{link}");
        assert_eq!(r.headers()["location"], "/inbox", "{link}");
    }
    // Other control characters never reach the Location header: the form is refused first.
    let r = follow("/\u{1}").await.unwrap();
    assert_eq!(r.status(), 422);
}
