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

/// ONB with a vision (version 2) and Erin, a stakeholder not yet named for the product.
struct Brief {
    app: TestApp,
    pm: Caller,
    exec: Caller,
    /// Where the quarter's brief is sent for sign-off.
    send: String,
}

impl Brief {
    async fn unnamed() -> Brief {
        let app = spawn_app().await;
        let pm = app.workspace().await;
        let exec = app.member(&pm, "Erin", &["stakeholder"]).await;
        set_vision(&app, &pm, "Every sprint traces back to a why").await;
        let send = format!("{P}/documents/brief/signoff");
        Brief {
            app,
            pm,
            exec,
            send,
        }
    }

    /// Erin named as the product's stakeholder (exec).
    async fn named() -> Brief {
        let b = Brief::unnamed().await;
        let r = b
            .app
            .req(&b.pm, Method::PUT, &format!("{P}/stakeholders"))
            .json(&json!({"user_id": b.exec.id, "group": "exec"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        b
    }

    /// Named, and the 2026-Q4 brief sent for sign-off; its answer.
    async fn sent() -> (Brief, Value) {
        let b = Brief::named().await;
        let sent = b.send_q4().await;
        (b, sent)
    }

    /// Sent, and the vision changed since; the request's id.
    async fn changed() -> (Brief, i64) {
        let (b, sent) = Brief::sent().await;
        set_vision(
            &b.app,
            &b.pm,
            "Every sprint traces back to a customer's why",
        )
        .await;
        (b, sent["request"]["id"].as_i64().unwrap())
    }

    async fn send_q4(&self) -> Value {
        json_ok(
            self.app
                .post(
                    &self.pm,
                    &self.send,
                    json!({"title": "Q4 brief", "quarter": "2026-Q4"}),
                )
                .await,
            201,
        )
        .await
    }

    /// The PM's request to `path` with `body`, refused as bad input; the problem's field.
    async fn refused(&self, path: &str, body: Value) -> Value {
        let p = json_ok(self.app.post(&self.pm, path, body).await, 422).await;
        p["field"].clone()
    }
}

#[tokio::test]
async fn a_document_goes_for_signoff_only_by_the_pm_to_named_stakeholders() {
    let b = Brief::unnamed().await;
    let (app, send) = (&b.app, &b.send);
    // Without stakeholders there is nobody to ask; a stakeholder may not send; bad input named.
    let q4 = json!({"title": "Q4 brief", "quarter": "2026-Q4"});
    assert_eq!(b.refused(send, q4).await, "subject");
    let r = app
        .req(&b.pm, Method::PUT, &format!("{P}/stakeholders"))
        .json(&json!({"user_id": b.exec.id, "group": "exec"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.post(&b.exec, send, json!({"title": "Q4 brief"}))
            .await
            .status(),
        403
    );
    let q9 = json!({"title": "Q4 brief", "quarter": "2026-Q9"});
    assert_eq!(b.refused(send, q9).await, "quarter");
    let blueprint = format!("{P}/documents/blueprint/signoff");
    assert_eq!(
        b.refused(&blueprint, json!({"title": "x"})).await,
        "initiative"
    );
    // The roadmap's request address sends the PM to the document's own.
    let roadmap = format!("{P}/signoffs");
    assert_eq!(
        b.refused(&roadmap, json!({"subject": "document", "title": "x"}))
            .await,
        "subject"
    );
}

#[tokio::test]
async fn a_document_just_sent_for_signoff_is_pending_and_carries_no_note() {
    let b = Brief::named().await;
    let before = brief(&b.app, &b.pm).await;
    let sent = b.send_q4().await;
    assert_eq!(sent["request"]["subject"], "document");
    assert_eq!(sent["request"]["status"], "pending");
    assert_eq!(sent["changed"], false);
    assert_eq!(sent["diff"], "");
    assert_eq!(
        brief(&b.app, &b.pm).await,
        before,
        "an unchanged document carries no note"
    );
}

#[tokio::test]
async fn a_signoff_shows_which_records_changed_since_and_a_diff_of_the_text() {
    let (b, id) = Brief::changed().await;
    let view = json_ok(
        b.app
            .get(&b.exec, &format!("{P}/documents/signoffs/{id}"))
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
}

#[tokio::test]
async fn a_changed_document_opens_with_a_note_and_another_quarters_does_not() {
    let (b, id) = Brief::changed().await;
    let now = brief(&b.app, &b.pm).await;
    assert!(
        now.contains(&format!("> **Changed since sent for sign-off** (request {id}, “Q4 brief”, pending): 1 record(s) changed: vision ONB v2 → v3.")),
        "{now}"
    );
    // Another quarter's brief is another document: no note.
    let other = b
        .app
        .req(
            &b.pm,
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
}

#[tokio::test]
async fn the_signoff_page_says_what_changed_and_the_signoff_list_links_to_it() {
    let (b, id) = Brief::changed().await;
    // The sign-off page says so too, and the roadmap's sign-off list links to it.
    let (client, _) = sign_in(&b.app, &b.exec.email).await;
    let page = page_text(
        &client,
        &b.app,
        &format!("/w/acme/p/ONB/documents/signoffs/{id}"),
    )
    .await;
    assert!(page.contains("Changed since sent for sign-off."), "{page}");
    assert!(
        page.contains("customer&#39;s why") || page.contains("customer&#x27;s why"),
        "{page}"
    );
    let list = page_text(&client, &b.app, "/w/acme/p/ONB/signoffs").await;
    assert!(list.contains(&format!("/w/acme/p/ONB/documents/signoffs/{id}")));
}

#[tokio::test]
async fn a_roadmap_signoff_is_not_a_documents() {
    let (b, _) = Brief::sent().await;
    // A roadmap sign-off is not a document's.
    assert_eq!(
        b.app
            .get(&b.pm, &format!("{P}/documents/signoffs/999"))
            .await
            .status(),
        404
    );
}
