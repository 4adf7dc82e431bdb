//! Page tests: sign-in, CSRF, forms, conflicts and escaping, checked on the rendered HTML.

use crate::support;

use reqwest::Client;
use serde_json::{json, Value};
use support::session::{between, login_csrf, page_text, sign_in};
use support::{spawn_app, TestApp};

#[tokio::test]
async fn sign_in_sign_out_and_rate_limit() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/w/acme");
    let r = client
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = client.get(app.url("/w/acme")).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/login");

    // Wrong passwords from a machine the owner never signed in from: a clear error, then the
    // account is held back there for a while (tests/all/sign_in.rs has the rest of the rule).
    let anon = Client::builder()
        .cookie_store(true)
        .local_address("127.0.0.42".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    for attempt in 0..6 {
        let token = login_csrf(&anon, &app).await;
        let r = anon
            .post(app.url("/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("email", owner.email.as_str()),
                ("password", "wrong password"),
            ])
            .send()
            .await
            .unwrap();
        let expected = if attempt < 5 { 422 } else { 429 };
        assert_eq!(r.status(), expected, "attempt {attempt}");
        let body = r.text().await.unwrap();
        assert!(body.contains("alert-error"), "{body}");
    }
    // A sign-in form without its CSRF cookie is refused.
    let r = Client::new()
        .post(app.url("/login"))
        .form(&[("csrf", "x"), ("email", "a@b.c"), ("password", "p")])
        .send()
        .await
        .unwrap();
    assert!(r.text().await.unwrap().contains("expired"));
}

#[tokio::test]
async fn backlog_and_item_pages_render_escaped_data() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.item(&owner, json!({"title": "<script>alert(1)</script> export", "goal": "make it fast", "persona": "admin", "benefit": "x",
        "description": "<img src=x onerror=alert(1)> **bold**", "labels": ["api"]})).await;
    let (client, _) = sign_in(&app, &owner.email).await;
    let page = page_text(&client, &app, "/w/acme/p/ONB/backlog").await;
    assert!(page.contains("data-key=\"ONB-1\""));
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    assert!(page.contains("badge-unready"));
    let item = page_text(&client, &app, "/w/acme/items/ONB-1").await;
    assert!(item.contains("<strong>bold</strong>"));
    assert!(!item.contains("<img src=x onerror") && !item.contains("onerror=\"alert"));
    assert!(
        item.contains("No acceptance criteria"),
        "readiness reasons are listed"
    );
    assert!(
        item.contains("fast&#34; is vague"),
        "lint findings are listed"
    );
    assert!(item.contains("created it"), "history is shown in words");
    // A filter error is shown beside the filter, not as a failure.
    let page = page_text(&client, &app, "/w/acme/p/ONB/backlog?q=prio:1").await;
    assert!(page.contains("field-error") && page.contains("prio"));
}

#[tokio::test]
async fn forms_need_csrf_and_create_items_with_criteria() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let form = [("kind", "story"), ("title", "Invite teammates"), ("persona", "admin"), ("goal", "invite my team"),
        ("benefit", "we start together"), ("criteria", "Given 3 addresses When I invite Then 3 e-mails are sent\nGiven a bad address When I invite Then I see which one"), ("labels", "growth, signup")];
    let r = client
        .post(app.url("/w/acme/p/ONB/items"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "no CSRF token");
    let mut with = form.to_vec();
    with.push(("csrf", csrf.as_str()));
    let r = client
        .post(app.url("/w/acme/p/ONB/items"))
        .form(&with)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/w/acme/items/ONB-1");
    let item = app.show(&owner, "ONB-1").await;
    assert_eq!(item["criteria"].as_array().unwrap().len(), 2);
    assert_eq!(item["labels"], json!(["growth", "signup"]));
}

#[tokio::test]
async fn a_stale_form_shows_both_versions_and_saves_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.story(&owner, "Original").await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    // Someone else saves first.
    let r = app
        .patch(
            &owner,
            "/api/v1/workspaces/acme/items/ONB-1",
            1,
            json!({"title": "Theirs"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let form = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("title", "Mine"),
        ("kind", "story"),
        ("status", "todo"),
        ("points", ""),
        ("persona", ""),
        ("goal", ""),
        ("benefit", ""),
        ("description", ""),
        ("labels", ""),
        ("parent", ""),
    ];
    let r = client
        .post(app.url("/w/acme/items/ONB-1"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let page = r.text().await.unwrap();
    assert!(page.contains("Someone else changed ONB-1"));
    assert!(page.contains("Title: Theirs") && page.contains("Title: Mine"));
    assert_eq!(app.show(&owner, "ONB-1").await["title"], "Theirs");
    // Saving again from the refreshed form (current version) applies the change.
    let mut again = form.to_vec();
    again[1] = ("version", "2");
    let r = client
        .post(app.url("/w/acme/items/ONB-1"))
        .form(&again)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.show(&owner, "ONB-1").await["title"], "Mine");
}

#[tokio::test]
async fn a_developer_form_only_touches_what_they_changed() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    app.item(&owner, json!({"title": "Estimate me", "labels": ["api"]}))
        .await;
    let (client, csrf) = sign_in(&app, &dev.email).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("title", "Estimate me"),
        ("kind", "story"),
        ("status", "todo"),
        ("points", "5"),
        ("persona", ""),
        ("goal", ""),
        ("benefit", ""),
        ("description", ""),
        ("labels", "api"),
        ("parent", ""),
    ];
    let r = client
        .post(app.url("/w/acme/items/ONB-1"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.show(&owner, "ONB-1").await["points"], 5);
    let mut retitle = form.to_vec();
    retitle[1] = ("version", "2");
    retitle[2] = ("title", "Renamed by dev");
    let r = client
        .post(app.url("/w/acme/items/ONB-1"))
        .form(&retitle)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        403,
        "a field the role may not change is refused as such"
    );
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("only pm, po may edit backlog items"));
}

#[tokio::test]
async fn script_moves_need_the_csrf_header_and_outsiders_see_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.story(&owner, "a").await;
    app.story(&owner, "b").await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let r = client
        .post(app.url("/w/acme/p/ONB/backlog/move"))
        .form(&[("key", "ONB-2"), ("before", "ONB-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client
        .post(app.url("/w/acme/p/ONB/backlog/move"))
        .header("X-CSRF-Token", &csrf)
        .form(&[("key", "ONB-2"), ("before", "ONB-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.order(&owner).await, ["ONB-2", "ONB-1"]);
    let r = client
        .post(app.url("/w/acme/p/ONB/backlog/move"))
        .header("X-CSRF-Token", &csrf)
        .form(&[("key", "ONB-2"), ("after", "ONB-9")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("ONB-9 is not in this backlog"));

    let outsider = app.user("Outsider").await;
    let (other, _) = sign_in(&app, &outsider.email).await;
    for path in [
        "/w/acme",
        "/w/acme/p/ONB/backlog",
        "/w/acme/items/ONB-1",
        "/w/acme/members",
    ] {
        assert_eq!(
            other.get(app.url(path)).send().await.unwrap().status(),
            404,
            "{path}"
        );
    }
}

#[tokio::test]
async fn members_page_sets_roles() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let page = page_text(&client, &app, "/w/acme/members").await;
    assert!(page.contains("Dev") && page.contains("role-grid"));
    let id = dev.id.to_string();
    let r = client
        .post(app.url("/w/acme/p/ONB/roles"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("user_id", id.as_str()),
            ("role", "dev"),
            ("role", "sm"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let members: serde_json::Value = app
        .get(&owner, "/api/v1/workspaces/acme/members")
        .await
        .json()
        .await
        .unwrap();
    let d = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Dev")
        .unwrap();
    assert_eq!(d["roles"][0]["roles"], json!(["dev", "sm"]));
}

#[tokio::test]
async fn tokens_are_created_shown_once_and_revoked() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let page = client
        .post(app.url("/account/tokens"))
        .form(&[("csrf", csrf.as_str()), ("name", "ci")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = between(&page, "<code id=\"new-token\">", "</code>")
        .unwrap()
        .to_string();
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = page_text(&client, &app, "/account").await;
    assert!(!page.contains(&token), "a token is shown only once");
    let id = between(&page, "action=\"/account/tokens/", "/revoke")
        .unwrap()
        .to_string();
    // The first token listed is the harness's own; revoke the one made here.
    let ids: Vec<&str> = page
        .split("action=\"/account/tokens/")
        .skip(1)
        .filter_map(|s| s.split('/').next())
        .collect();
    let last = ids.last().copied().unwrap_or(&id);
    let r = client
        .post(app.url(&format!("/account/tokens/{last}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn dependencies_are_added_and_removed_from_the_item_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.story(&owner, "blocker").await;
    app.story(&owner, "blocked").await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let r = client
        .post(app.url("/w/acme/items/ONB-2/dependencies"))
        .form(&[("csrf", csrf.as_str()), ("blocked_by", "ONB-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.show(&owner, "ONB-2").await["blocked_by"],
        json!(["ONB-1"])
    );
    let r = client
        .post(app.url("/w/acme/items/ONB-1/dependencies"))
        .form(&[("csrf", csrf.as_str()), ("blocked_by", "ONB-2")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "a cycle is a conflict with what is there");
    assert!(r.text().await.unwrap().contains("cycle"));
    let r = client
        .post(app.url("/w/acme/items/ONB-2/dependencies"))
        .form(&[("csrf", csrf.as_str()), ("remove", "ONB-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.show(&owner, "ONB-2").await["blocked_by"], json!([]));
}

#[tokio::test]
async fn the_item_form_assigns_and_unassigns_a_member() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    app.story(&owner, "Assign me").await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let page = page_text(&client, &app, "/w/acme/items/ONB-1").await;
    assert!(
        page.contains(&format!(r#"<option value="{}">Dana</option>"#, dev.email)),
        "the product's people are offered: {page}"
    );
    let form = |version: &'static str, assignee: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version.to_string()),
            ("title", "Assign me".into()),
            ("kind", "story".into()),
            ("status", "todo".into()),
            ("points", "".into()),
            ("persona", "".into()),
            ("goal", "".into()),
            ("benefit", "".into()),
            ("description", "".into()),
            ("labels", "".into()),
            ("parent", "".into()),
            ("assignee", assignee.to_string()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        client.post(app.url("/w/acme/items/ONB-1")).form(&f).send()
    };
    let r = post(form("1", "nobody@example.com")).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("nobody@example.com is not a member of this workspace"));
    assert_eq!(
        app.show(&owner, "ONB-1").await["assignee"],
        Value::Null,
        "a refused form changes nothing"
    );
    let r = post(form("1", &dev.email)).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        app.show(&owner, "ONB-1").await["assignee"],
        dev.email.as_str()
    );
    let page = page_text(&client, &app, "/w/acme/items/ONB-1").await;
    assert!(
        page.contains(&format!("Assigned to {}", dev.email)),
        "{page}"
    );
    let r = post(form("2", "")).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.show(&owner, "ONB-1").await["assignee"], Value::Null);
}

/// A reader sees the item, its history in words and the threads, but no forms their roles
/// cannot use; the PO sees them all.
#[tokio::test]
async fn readers_see_no_forms_they_cannot_use() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let reader = app.member(&owner, "Rita", &["stakeholder"]).await;
    let key = app.story(&owner, "Export CSV").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let v = app.show(&owner, &key).await["version"].as_i64().unwrap();
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            v,
            json!({"points": 3}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (rita, csrf) = sign_in(&app, &reader.email).await;
    // A reader who posts the edit form anyway is refused as such (403), not as bad input.
    let r = rita
        .post(app.url(&format!("/w/acme/items/{key}")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "2"),
            ("title", "Mine now"),
            ("kind", "story"),
            ("status", "todo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(app.show(&owner, &key).await["title"], "Export CSV");
    let page = page_text(&rita, &app, &format!("/w/acme/items/{key}")).await;
    assert!(
        !page.contains("id=\"edit-form\""),
        "no edit form for a reader"
    );
    assert!(
        !page.contains("Add dependency"),
        "no dependency form for a reader"
    );
    assert!(
        page.contains("points none → 3"),
        "history reads as a change: {page}"
    );
    assert!(
        page.contains("does not hold the item back"),
        "a reader's question is a comment"
    );
    let backlog = page_text(&rita, &app, "/w/acme/p/ONB/backlog").await;
    assert!(!backlog.contains("Add an item") && !backlog.contains("Move selected"));
    assert!(
        !backlog.contains("data-move-url"),
        "no drag and drop for a reader"
    );
    let (po, _) = sign_in(&app, &owner.email).await;
    let page = page_text(&po, &app, &format!("/w/acme/items/{key}")).await;
    assert!(page.contains("id=\"edit-form\"") && page.contains("Add dependency"));
    let backlog = page_text(&po, &app, "/w/acme/p/ONB/backlog").await;
    assert!(backlog.contains("Add an item") && backlog.contains("data-move-url"));
}

/// The Definition of Ready is the PO's: others read it with the form disabled, and a post
/// from them is refused with 403 and changes nothing.
#[tokio::test]
async fn only_the_po_edits_the_definition_of_ready_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let (client, csrf) = sign_in(&app, &dev.email).await;
    let page = page_text(&client, &app, "/w/acme/p/ONB/ready").await;
    assert!(
        page.contains("disabled") && !page.contains("Save the Definition of Ready"),
        "{page}"
    );
    let r = client
        .post(app.url("/w/acme/p/ONB/ready"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("min_criteria", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (po, _) = sign_in(&app, &owner.email).await;
    assert!(page_text(&po, &app, "/w/acme/p/ONB/ready")
        .await
        .contains("Save the Definition of Ready"));
}

/// The item form posted as htmx posts it (in place), with the given fields.
fn save_in_place(
    client: &Client,
    app: &TestApp,
    key: &str,
    fields: Vec<(&'static str, String)>,
) -> reqwest::RequestBuilder {
    client
        .post(app.url(&format!("/w/acme/items/{key}")))
        .header("HX-Request", "true")
        .form(&fields)
}

/// The item page saves in parts (UI.md, "Item"): a form carries only what it shows, and what
/// it does not carry stays as it was. In place (htmx) the answer is the page with a toast;
/// a refusal keeps its status and says why in the toast, and changes nothing.
#[tokio::test]
async fn the_item_page_saves_one_property_at_a_time() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let init = app.initiative(&owner, "Guided setup").await;
    app.item(
        &owner,
        json!({"title": "Invite teammates", "goal": "invite my team", "criteria": ["Given an address When I invite Then an e-mail is sent"]}),
    )
    .await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let post = |fields| save_in_place(&client, &app, "ONB-1", fields).send();
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", "1".into()),
        ("status", "in_progress".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["hx-trigger"],
        r#"{"toast":{"error":false,"message":"Saved ONB-1 \u00b7 status"}}"#
    );
    assert!(r.text().await.unwrap().contains("id=\"item-view\""));
    let item = app.show(&owner, "ONB-1").await;
    assert_eq!(item["status"], "in_progress");
    assert_eq!(item["title"], "Invite teammates");
    assert_eq!(item["goal"], "invite my team");
    assert_eq!(item["criteria"].as_array().unwrap().len(), 1);

    // The initiative and the persona are properties too; an id that is not one is refused.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", "2".into()),
        ("initiative", init["id"].to_string()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.show(&owner, "ONB-1").await["initiative_id"], init["id"]);
    let version = app.show(&owner, "ONB-1").await["version"].to_string();
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", version.clone()),
        ("persona_id", "nine".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.headers()["hx-trigger"]
        .to_str()
        .unwrap()
        .contains("not one of the choices"));

    // A stale version: 409, the conflict shown in place, nothing saved.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", "1".into()),
        ("title", "Mine".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("Someone else changed ONB-1"));
    assert_eq!(app.show(&owner, "ONB-1").await["title"], "Invite teammates");

    // The criteria editor's marker: sent with no criterion, it removes them all.
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", version),
        ("criteria_sent", "1".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.show(&owner, "ONB-1").await["criteria"],
        json!([]),
        "the editor emptied says so"
    );
}

/// The whole edit form is one write: a title changed beside an initiative that is not the
/// product's is refused whole, and the title stays; with a good initiative both land at once,
/// one version later per part, each with its audit row.
#[tokio::test]
async fn an_item_form_save_is_whole_or_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let init = app.initiative(&owner, "Guided setup").await;
    app.item(&owner, json!({"title": "Invite teammates"})).await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let post = |fields| save_in_place(&client, &app, "ONB-1", fields).send();
    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", "1".into()),
        ("title", "Invite the whole team".into()),
        ("initiative", "99999".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let item = app.show(&owner, "ONB-1").await;
    assert_eq!(
        item["title"], "Invite teammates",
        "nothing of a refused save lands"
    );
    assert_eq!(item["version"], 1);

    let r = post(vec![
        ("csrf", csrf.clone()),
        ("version", "1".into()),
        ("title", "Invite the whole team".into()),
        ("initiative", init["id"].to_string()),
    ])
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["hx-trigger"],
        r#"{"toast":{"error":false,"message":"Saved ONB-1 \u00b7 title, initiative"}}"#
    );
    let item = app.show(&owner, "ONB-1").await;
    assert_eq!(item["title"], "Invite the whole team");
    assert_eq!(item["initiative_id"], init["id"]);
    assert_eq!(item["version"], 3);
}

#[tokio::test]
async fn the_backlog_says_who_orders_it() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, _) = sign_in(&app, &owner.email).await;
    let page = page_text(&client, &app, "/w/acme/p/ONB/backlog").await;
    // The product's creator holds the PO role on it.
    assert!(
        page.contains("id=\"ordered-by\">ordered by Owner, PO</span>"),
        "{page}"
    );
}

/// A product page reads who asks and the product in one round trip, and still answers in the
/// order it did when they were two: signed out (or with an expired session) goes to the sign-in
/// page whatever the path names; signed in, a product that is not theirs is missing; a form
/// without its CSRF token learns nothing about the product; a token reads pages as its holder.
#[tokio::test]
async fn a_product_page_knows_who_asks_before_what_they_ask_for() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.story(&owner, "Sign up").await;
    let paths = [
        "/w/acme/p/ONB/backlog",
        "/w/acme/p/NOPE/backlog",
        "/w/acme/items/ONB-1",
        "/w/acme/items/NOPE-1",
        "/w/nope/items/ONB-1",
        "/w/acme/items/ONB-99",
        "/w/acme/items/ONB-x",
    ];
    let anon = support::session::cookie_client();
    for path in paths {
        let r = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
    let (client, csrf) = sign_in(&app, &owner.email).await;
    for (path, status) in paths.iter().zip([200, 404, 200, 404, 404, 404, 404]) {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), status, "{path}");
    }
    // A form: the CSRF token is checked before the product is looked at.
    for (product, token, status) in [("NOPE", "", 403), ("NOPE", csrf.as_str(), 404)] {
        let r = client
            .post(app.url(&format!("/w/acme/p/{product}/items")))
            .form(&[("csrf", token), ("title", "Forged")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{product} with csrf {token:?}");
    }
    // A bearer token reads the page as its holder; an unknown one is sent to sign in, product
    // or not.
    let r = app
        .client
        .get(app.url("/w/acme/items/ONB-1"))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Sign up"));
    for path in ["/w/acme/items/ONB-1", "/w/acme/p/NOPE/backlog"] {
        let r = app
            .client
            .get(app.url(path))
            .bearer_auth("tl_not_a_token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
    // A session past its time is signed out, on the product's pages too.
    throughline::exec!(&mut app.db.writer().await.unwrap().conn(), c =>
        sqlx::query("UPDATE sessions SET expires_at = $1").bind(throughline::db::now() - chrono::Duration::hours(1)))
    .unwrap();
    for path in paths {
        let r = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login", "{path}");
    }
}
