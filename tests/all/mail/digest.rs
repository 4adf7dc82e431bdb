//! The daily digest: notifications wait until the oldest is a day old, then go out together
//! in one message.

use serde_json::json;

use super::{mail_app, mail_to, person, send_mail, send_mail_at, wait_for_mail};
use crate::support::scrum::json_ok;

#[tokio::test]
async fn a_daily_digest_gathers_several_notifications_into_one_message() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let dana = person(&app, &owner, "Dana", &["dev"]).await;
    let r = app
        .req(&dana, reqwest::Method::PUT, "/api/v1/me/email")
        .json(&json!({"notifications": "daily"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_ok(r, 200).await["notifications"], "daily");
    let key = app.story(&owner, "Export").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let ip = format!("/api/v1/workspaces/acme/items/{key}");
    for (version, change) in [
        (1, json!({"assignee": dana.email})),
        (2, json!({"status": "in_progress"})),
        (3, json!({"title": "Export as CSV"})),
    ] {
        assert_eq!(app.patch(&owner, &ip, version, change).await.status(), 200);
    }
    // Nothing yet: a digest waits for a day.
    assert_eq!(send_mail(&app).await, 0);
    assert!(mail_to(&dana.email).is_empty());

    let tomorrow = chrono::Utc::now() + chrono::Duration::hours(25);
    assert_eq!(send_mail_at(&app, tomorrow).await, 1);
    let got = wait_for_mail(&dana.email, 1).await;
    assert_eq!(got.len(), 1, "one message: {got:?}");
    let m = &got[0];
    assert!(m.subject.contains("3 notifications"), "{}", m.subject);
    assert!(m.two_parts);
    let inbox = json_ok(app.get(&dana, "/api/v1/inbox").await, 200).await;
    for n in inbox["notifications"].as_array().unwrap() {
        let title = n["title"].as_str().unwrap();
        assert!(m.text.contains(title), "{title} missing from:\n{}", m.text);
    }
    assert_eq!(inbox["notifications"].as_array().unwrap().len(), 3);
    assert!(m.list_unsubscribe.is_some());
    // Sent once.
    assert_eq!(send_mail_at(&app, tomorrow).await, 0);
    assert_eq!(mail_to(&dana.email).len(), 1);
}
