//! Watchers, mentions and the inbox; webhooks signed, retried with backoff, leased once,
//! and kept off private addresses unless an admin allows them.

use crate::support;

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};
use support::scrum::json_ok;
use support::{spawn_app, Caller, TestApp};
use throughline::notify::{signature, worker};

async fn inbox(app: &TestApp, who: &Caller) -> Value {
    json_ok(app.get(who, "/api/v1/inbox").await, 200).await
}

#[tokio::test]
async fn watchers_mentions_and_assignees_fill_the_inbox() {
    let app = spawn_app().await;
    let owner = app.workspace().await; // pm, po, dev
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let pm = app.member(&owner, "Pat", &["pm"]).await;
    let item = app.story(&owner, "sign up").await;
    let key = item["key"].as_str().unwrap().to_string();
    let ip = format!("/api/v1/workspaces/acme/items/{key}");
    assert_eq!(
        inbox(&app, &owner).await["unread"],
        0,
        "nobody is told about their own change"
    );

    // The dev moves it: the creator (and PO) hears of it.
    let r = app
        .patch(&dev, &ip, 1, json!({"status": "in_progress"}))
        .await;
    assert_eq!(r.status(), 200);
    let i = inbox(&app, &owner).await;
    assert_eq!(i["unread"], 1);
    assert_eq!(i["notifications"][0]["event"], "item.changed");
    assert!(
        i["notifications"][0]["title"]
            .as_str()
            .unwrap()
            .contains("status → In progress"),
        "{i}"
    );
    assert_eq!(
        i["notifications"][0]["link"],
        format!("/w/acme/items/{key}").as_str()
    );
    assert_eq!(inbox(&app, &dev).await["unread"], 0);

    // A mention reaches the person named and makes them a watcher.
    let r = app
        .patch(
            &owner,
            &ip,
            2,
            json!({"description": "@pat can you check the copy? cc owner@example.com"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let i = inbox(&app, &pm).await;
    assert_eq!(i["unread"], 1, "{i}");
    assert_eq!(
        i["notifications"][0]["event"], "mention",
        "the inbox tells a mention from a watcher's news"
    );
    // Assigning tells the assignee.
    let r = app
        .patch(&owner, &ip, 3, json!({"assignee": dev.email}))
        .await;
    let v: Value = json_ok(r, 200).await;
    assert_eq!(v["assignee"], dev.email.as_str());
    assert_eq!(inbox(&app, &dev).await["unread"], 1);
    let r = app
        .patch(&owner, &ip, 4, json!({"assignee": "nobody@example.com"}))
        .await;
    assert_eq!(json_ok(r, 422).await["field"], "assignee");

    // Read one, then all; unwatching stops the news.
    let id = inbox(&app, &owner).await["notifications"][0]["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(&owner, &format!("/api/v1/inbox/{id}/read"), json!({}))
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        app.post(&dev, &format!("/api/v1/inbox/{id}/read"), json!({}))
            .await
            .status(),
        404,
        "not theirs"
    );
    app.post(&pm, "/api/v1/inbox/read-all", json!({})).await;
    assert_eq!(inbox(&app, &pm).await["unread"], 0);
    let r = app
        .req(&pm, Method::DELETE, &format!("{ip}/watch"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    app.patch(&dev, &ip, 4, json!({"status": "in_review"}))
        .await;
    assert_eq!(inbox(&app, &pm).await["unread"], 0);
    // A question asked by the dev reaches the PO.
    let before = inbox(&app, &owner).await["unread"].as_i64().unwrap();
    let r = app
        .post(
            &dev,
            &format!("{ip}/questions"),
            json!({"body": "Which e-mail providers?"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        inbox(&app, &owner).await["unread"].as_i64().unwrap(),
        before + 1
    );
}

/// A receiver on 127.0.0.1 that answers with the given statuses in turn (then 200).
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    statuses: Arc<Mutex<Vec<u16>>>,
}

async fn receiver(statuses: Vec<u16>) -> (String, Receiver) {
    let r = Receiver {
        statuses: Arc::new(Mutex::new(statuses)),
        ..Default::default()
    };
    let state = r.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                state.got.lock().unwrap().push((headers, body));
                let mut s = state.statuses.lock().unwrap();
                let code = if s.is_empty() { 200 } else { s.remove(0) };
                axum::http::StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), r)
}

const SECRET: &str = "a-long-enough-secret";

async fn webhook(app: &TestApp, owner: &Caller, url: &str, events: Value) -> reqwest::Response {
    app.post(
        owner,
        "/api/v1/workspaces/acme/webhooks",
        json!({"url": url, "events": events, "secret": SECRET}),
    )
    .await
}

async fn allow_private(app: &TestApp, owner: &Caller) {
    let r = app
        .req(
            owner,
            Method::PUT,
            "/api/v1/workspaces/acme/settings/private-webhooks",
        )
        .json(&json!({"allow": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn webhooks_are_signed_retried_with_backoff_and_logged() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let (url, rx) = receiver(vec![500]).await;
    // Loopback is refused until an admin allows private targets; only admins manage webhooks.
    let e = json_ok(
        webhook(&app, &owner, &url, json!(["item.created"])).await,
        422,
    )
    .await;
    assert!(e["detail"].as_str().unwrap().contains("127.0.0.1"), "{e}");
    assert_eq!(
        webhook(&app, &owner, "ftp://example.com/x", json!(["*"]))
            .await
            .status(),
        422
    );
    assert_eq!(
        json_ok(
            webhook(&app, &owner, &url, json!(["item.exploded"])).await,
            422
        )
        .await["field"],
        "events"
    );
    allow_private(&app, &owner).await;
    assert_eq!(webhook(&app, &dev, &url, json!(["*"])).await.status(), 403);
    let hook = json_ok(
        webhook(&app, &owner, &url, json!(["item.created"])).await,
        201,
    )
    .await;
    let id = hook["id"].as_i64().unwrap();

    app.story(&owner, "sign up").await;
    let t0 = chrono::Utc::now();
    // First try: the receiver answers 500, so it is retried 10 s later, not before.
    assert_eq!(worker::tick(&app.db, "w1", t0).await.unwrap(), 1);
    assert_eq!(
        worker::tick(&app.db, "w1", t0 + chrono::Duration::seconds(5))
            .await
            .unwrap(),
        0
    );
    let log = json_ok(
        app.get(
            &owner,
            &format!("/api/v1/workspaces/acme/webhooks/{id}/deliveries"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (
            log[0]["state"].as_str(),
            log[0]["attempts"].as_i64(),
            log[0]["last_status"].as_i64()
        ),
        (Some("pending"), Some(1), Some(500))
    );
    assert_eq!(
        worker::tick(&app.db, "w1", t0 + chrono::Duration::seconds(11))
            .await
            .unwrap(),
        1
    );
    let log = json_ok(
        app.get(
            &owner,
            &format!("/api/v1/workspaces/acme/webhooks/{id}/deliveries"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (log[0]["state"].as_str(), log[0]["attempts"].as_i64()),
        (Some("delivered"), Some(2))
    );

    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let (headers, body) = &got[1];
    assert_eq!(
        headers["x-hub-signature-256"].to_str().unwrap(),
        signature(SECRET, body.as_bytes())
    );
    assert_eq!(headers["x-throughline-event"], "item.created");
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["event"], "item.created");
    assert_eq!(payload["data"]["key"], "ONB-1");
    assert_eq!(payload["actor"]["email"], owner.email.as_str());

    // Events it did not subscribe to are not sent.
    let ip = "/api/v1/workspaces/acme/items/ONB-1";
    app.patch(&owner, ip, 1, json!({"title": "sign up with e-mail"}))
        .await;
    assert_eq!(
        worker::tick(&app.db, "w1", t0 + chrono::Duration::seconds(60))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn two_workers_deliver_each_job_once_and_give_up_after_the_last_try() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    allow_private(&app, &owner).await;
    let (url, rx) = receiver(vec![]).await;
    json_ok(webhook(&app, &owner, &url, json!(["*"])).await, 201).await;
    for t in ["a", "b", "c"] {
        app.story(&owner, t).await;
    }
    let now = chrono::Utc::now();
    let (a, b) = tokio::join!(
        worker::tick(&app.db, "one", now),
        worker::tick(&app.db, "two", now)
    );
    assert_eq!(
        a.unwrap() + b.unwrap(),
        3,
        "three jobs, each leased by one worker"
    );
    assert_eq!(rx.got.lock().unwrap().len(), 3);

    // A receiver that always fails: eight tries with growing waits, then failed.
    let (bad, brx) = receiver(vec![503; 20]).await;
    let h = json_ok(
        webhook(&app, &owner, &bad, json!(["item.created"])).await,
        201,
    )
    .await;
    app.story(&owner, "d").await;
    let mut at = now;
    for _ in 0..12 {
        at += chrono::Duration::hours(2);
        worker::tick(&app.db, "one", at).await.unwrap();
    }
    assert_eq!(brx.got.lock().unwrap().len(), 8);
    let log = json_ok(
        app.get(
            &owner,
            &format!("/api/v1/workspaces/acme/webhooks/{}/deliveries", h["id"]),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(
        (log[0]["state"].as_str(), log[0]["attempts"].as_i64()),
        (Some("failed"), Some(8))
    );
    assert!(log[0]["last_error"].as_str().unwrap().contains("503"));

    // Private targets allowed at creation are refused at delivery once the admin takes it back.
    let r = app
        .req(
            &owner,
            Method::PUT,
            "/api/v1/workspaces/acme/settings/private-webhooks",
        )
        .json(&json!({"allow": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let before = rx.got.lock().unwrap().len();
    app.story(&owner, "e").await;
    worker::tick(&app.db, "one", at + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(
        rx.got.lock().unwrap().len(),
        before,
        "nothing reaches a private address"
    );
}

/// Only the product team's questions block readiness; a stakeholder's is a comment. Items
/// take comment threads with @mentions and kept edits, and a question takes follow-ups until
/// the PO answers it.
#[tokio::test]
async fn comments_follow_ups_and_a_stakeholders_question() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let erin = app.member(&owner, "Erin", &["stakeholder"]).await;
    let dana = app.member(&owner, "Dana", &["dev"]).await;
    let ready =
        support::scrum::ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
    let item = format!("/api/v1/workspaces/acme/items/{ready}");
    let q = json_ok(
        app.post(
            &erin,
            &format!("{item}/questions"),
            json!({"body": "Will this ship in May?"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(q["blocking"], false);
    assert_eq!(
        app.show(&owner, &ready).await["ready"],
        true,
        "a stakeholder's question blocks nothing"
    );
    let q = json_ok(
        app.post(
            &dana,
            &format!("{item}/questions"),
            json!({"body": "Which e-mail provider?"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(q["blocking"], true);
    assert_eq!(app.show(&owner, &ready).await["ready"], false);

    // A follow-up joins the open question's thread; once answered it takes no more.
    let qid = q["id"].as_i64().unwrap();
    json_ok(
        app.post(
            &dana,
            &format!("{item}/comments"),
            json!({"body": "Postmark or SES?", "question": qid}),
        )
        .await,
        201,
    )
    .await;
    let r = app
        .req(
            &owner,
            Method::POST,
            &format!("{item}/questions/{qid}/answer"),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"answer": "Postmark"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.show(&owner, &ready).await["ready"], true);
    let late = app
        .post(
            &dana,
            &format!("{item}/comments"),
            json!({"body": "and bounces?", "question": qid}),
        )
        .await;
    assert_eq!(late.status(), 409);
    let qs = json_ok(app.get(&owner, &format!("{item}/questions")).await, 200).await;
    assert_eq!(qs[1]["follow_ups"][0]["body"], "Postmark or SES?");

    // A comment tells whoever it mentions; its author edits it and the earlier text stays.
    let c = json_ok(
        app.post(
            &erin,
            &format!("{item}/comments"),
            json!({"body": "@dana the beta list is ready"}),
        )
        .await,
        201,
    )
    .await;
    let told = inbox(&app, &dana).await;
    assert!(told.to_string().contains("Erin commented on"), "{told}");
    let id = c["id"].as_i64().unwrap();
    let edit = |who: &Caller, v: i64| {
        app.req(who, Method::PATCH, &format!("{item}/comments/{id}"))
            .header("If-Match", format!("\"{v}\""))
            .json(&json!({"body": "@dana the beta list has 40 names"}))
            .send()
    };
    assert_eq!(
        edit(&dana, 1).await.unwrap().status(),
        403,
        "only the author edits"
    );
    let e = json_ok(edit(&erin, 1).await.unwrap(), 200).await;
    assert_eq!(e["edits"][0]["body"], "@dana the beta list is ready");
    assert_eq!(
        edit(&erin, 1).await.unwrap().status(),
        412,
        "a stale edit changes nothing"
    );
    let page = app
        .get(&owner, &format!("/w/acme/items/{ready}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("the beta list has 40 names") && page.contains("Earlier versions"),
        "the page shows the thread"
    );
}

/// The inbox page (UI.md, "Inbox"): news grouped by day and by what they lead to, narrowed to
/// mentions, sprints, overrides or sign-offs, fifty to a page with a link to older ones.
#[tokio::test]
async fn the_inbox_page_groups_filters_and_pages() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev", "po"]).await;
    let a = app.story(&dev, "first").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let b = app.story(&dev, "second").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    // The owner watches both (a PO of the product); 60 changes by the dev reach the owner.
    for n in 0..30 {
        for key in [&a, &b] {
            let v = app.show(&dev, key).await["version"].as_i64().unwrap();
            let r = app
                .patch(
                    &dev,
                    &format!("/api/v1/workspaces/acme/items/{key}"),
                    v,
                    json!({"title": format!("take {n}")}),
                )
                .await;
            assert_eq!(r.status(), 200);
        }
    }
    let r = app
        .post(
            &dev,
            &format!("/api/v1/workspaces/acme/items/{a}/comments"),
            json!({"body": "@owner have a look"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let (client, _) = support::session::sign_in(&app, &owner.email).await;
    let page = support::session::page_text(&client, &app, "/inbox").await;
    assert!(page.contains("class=\"inbox-date\""), "{page}");
    assert!(page.contains("<span class=\"tag\">Mention</span>"));
    assert_eq!(
        page.matches("<li class=\"inbox-group").count(),
        2,
        "one group per item on the day: {page}"
    );
    assert!(page.contains("id=\"older\""), "63 news take two pages");
    let older = page
        .split("id=\"older\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .unwrap()
        .replace("&amp;", "&");
    let second = support::session::page_text(&client, &app, &older).await;
    assert!(!second.contains("id=\"older\""), "the last page: {second}");
    // 2 new items, 60 changes and a mention: 63, so 13 on the second page.
    assert_eq!(second.matches("class=\"notification").count(), 13);
    let mentions = support::session::page_text(&client, &app, "/inbox?show=mentions").await;
    assert_eq!(
        mentions.matches("class=\"notification").count(),
        1,
        "{mentions}"
    );
    assert!(mentions.contains("commented on"), "{mentions}");
    let sprints = support::session::page_text(&client, &app, "/inbox?show=sprints").await;
    assert!(sprints.contains("Nothing here"), "{sprints}");
}
