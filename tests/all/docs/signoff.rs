//! A document sent for sign-off is frozen as it read; once a record it reads changes, the
//! document opens with "changed since sent for sign-off" and the sign-off shows which records
//! moved and a diff of the text.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::scrum::{json_ok, P};
use crate::support::session::{page_text, sign_in};
use crate::support::{spawn_app, Caller, TestApp};

async fn set_vision(app: &TestApp, pm: &Caller, text: &str) {
    let v = json_ok(app.get(pm, &format!("{P}/vision")).await, 200).await;
    let r = app
        .req(pm, Method::PUT, &format!("{P}/vision"))
        .header("If-Match", format!("\"{}\"", v["version"]))
        .json(&json!({"vision": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn brief(app: &TestApp, who: &Caller) -> String {
    app.req(
        who,
        Method::GET,
        &format!("{P}/documents/brief?quarter=2026-Q4"),
    )
    .header("Accept", "text/markdown")
    .send()
    .await
    .unwrap()
    .text()
    .await
    .unwrap()
}

#[tokio::test]
async fn a_document_sent_for_signoff_shows_what_changed_since() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let exec = app.member(&pm, "Erin", &["stakeholder"]).await;
    set_vision(&app, &pm, "Every sprint traces back to a why").await;
    let send = format!("{P}/documents/brief/signoff");

    // Without stakeholders there is nobody to ask; a stakeholder may not send; bad input named.
    let p = json_ok(
        app.post(
            &pm,
            &send,
            json!({"title": "Q4 brief", "quarter": "2026-Q4"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "subject", "{p}");
    let r = app
        .req(&pm, Method::PUT, &format!("{P}/stakeholders"))
        .json(&json!({"user_id": exec.id, "group": "exec"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.post(&exec, &send, json!({"title": "Q4 brief"}))
            .await
            .status(),
        403
    );
    let p = json_ok(
        app.post(
            &pm,
            &send,
            json!({"title": "Q4 brief", "quarter": "2026-Q9"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "quarter");
    let p = json_ok(
        app.post(
            &pm,
            &format!("{P}/documents/blueprint/signoff"),
            json!({"title": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "initiative");
    // The roadmap's request address sends the PM to the document's own.
    let p = json_ok(
        app.post(
            &pm,
            &format!("{P}/signoffs"),
            json!({"subject": "document", "title": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["field"], "subject");

    let before = brief(&app, &pm).await;
    let sent: Value = json_ok(
        app.post(
            &pm,
            &send,
            json!({"title": "Q4 brief", "quarter": "2026-Q4"}),
        )
        .await,
        201,
    )
    .await;
    let id = sent["request"]["id"].as_i64().unwrap();
    assert_eq!(sent["request"]["subject"], "document");
    assert_eq!(sent["request"]["status"], "pending");
    assert_eq!(sent["changed"], false);
    assert_eq!(sent["diff"], "");
    assert_eq!(
        brief(&app, &pm).await,
        before,
        "an unchanged document carries no note"
    );

    set_vision(&app, &pm, "Every sprint traces back to a customer's why").await;
    let view = json_ok(
        app.get(&exec, &format!("{P}/documents/signoffs/{id}"))
            .await,
        200,
    )
    .await;
    assert_eq!(view["changed"], true);
    assert_eq!(
        view["records"],
        json!([{"kind": "vision", "key": "ONB", "then": 2, "now": 3}])
    );
    let diff = view["diff"].as_str().unwrap();
    assert!(
        diff.contains("-Every sprint traces back to a why"),
        "{diff}"
    );
    assert!(
        diff.contains("+Every sprint traces back to a customer's why"),
        "{diff}"
    );
    let now = brief(&app, &pm).await;
    assert!(
        now.contains(&format!("> **Changed since sent for sign-off** (request {id}, “Q4 brief”, pending): 1 record(s) changed: vision ONB v2 → v3.")),
        "{now}"
    );
    // Another quarter's brief is another document: no note.
    let other = app
        .req(
            &pm,
            Method::GET,
            &format!("{P}/documents/brief?quarter=2027-Q1"),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!other.contains("Changed since"), "{other}");

    // The sign-off page says so too, and the roadmap's sign-off list links to it.
    let (client, _) = sign_in(&app, &exec.email).await;
    let page = page_text(
        &client,
        &app,
        &format!("/w/acme/p/ONB/documents/signoffs/{id}"),
    )
    .await;
    assert!(page.contains("Changed since sent for sign-off."), "{page}");
    assert!(
        page.contains("customer&#39;s why") || page.contains("customer&#x27;s why"),
        "{page}"
    );
    let list = page_text(&client, &app, "/w/acme/p/ONB/signoffs").await;
    assert!(list.contains(&format!("/w/acme/p/ONB/documents/signoffs/{id}")));
    // A roadmap sign-off is not a document's.
    assert_eq!(
        app.get(&pm, &format!("{P}/documents/signoffs/999"))
            .await
            .status(),
        404
    );
}
