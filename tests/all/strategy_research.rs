//! Research, personas and vision through the API (SQLite or PostgreSQL): evidence links and
//! counts, full-text search, bad input, authority.

use crate::support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{spawn_app, Caller, TestApp};

const P: &str = "/api/v1/workspaces/acme/products/ONB";

async fn created(app: &TestApp, who: &Caller, path: &str, body: Value) -> Value {
    let r = app.post(who, &format!("{P}{path}"), body.clone()).await;
    assert_eq!(
        r.status(),
        201,
        "{path} {body}: {}",
        r.text().await.unwrap_or_default()
    );
    r.json().await.unwrap()
}

async fn get(app: &TestApp, who: &Caller, path: &str) -> Value {
    let r = app.get(who, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

async fn field_of(r: reqwest::Response, status: u16) -> String {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let p: Value = r.json().await.unwrap();
    p["field"].as_str().unwrap_or_default().to_string()
}

/// ONB with persona Agency owner, the interview "Call with Northwind" and one insight from it:
/// a quote about importing a Jira backlog by hand, tagged Jira and import.
struct Research {
    app: TestApp,
    pm: Caller,
    /// The source's id.
    sid: Value,
    /// The insight as created.
    ins: Value,
    /// The insight's id.
    iid: Value,
}

async fn an_insight() -> Research {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let persona = created(&app, &pm, "/personas", json!({"name": "Agency owner", "segment": "agencies", "goals": "bill clients", "pains": "manual setup"})).await;
    let src = created(
        &app,
        &pm,
        "/research/sources",
        json!({"kind": "interview", "title": "Call with Northwind",
        "happened_on": "2026-11-02", "customer": "Northwind Traders", "segment": "mid-size"}),
    )
    .await;
    let sid = src["id"].clone();
    let ins = created(&app, &pm, "/research/insights", json!({"source_id": sid, "kind": "quote",
        "body": "We spent two weeks importing our Jira backlog by hand", "importance": 5, "persona_id": persona["id"], "tags": ["Jira", "import"]})).await;
    let iid = ins["id"].clone();
    Research {
        app,
        pm,
        sid,
        ins,
        iid,
    }
}

impl Research {
    /// Initiatives Jira import (RICE 5) and Dark mode (RICE 500), and story ONB-1; Jira import.
    async fn initiatives_and_a_story(&self) -> Value {
        let (app, pm) = (&self.app, &self.pm);
        let init = created(app, pm, "/initiatives", json!({"title": "Jira import", "scores": {"reach": 10, "impact": 1, "confidence": 50, "effort": 1}})).await;
        created(app, pm, "/initiatives", json!({"title": "Dark mode", "scores": {"reach": 1000, "impact": 1, "confidence": 50, "effort": 1}})).await;
        app.story(pm, "Import Jira CSV").await;
        init
    }

    /// The insight linked as evidence for Jira import and for ONB-1; Jira import.
    async fn evidence_for_an_initiative_and_an_item(&self) -> Value {
        let init = self.initiatives_and_a_story().await;
        self.link(json!({"initiative": init["id"]})).await;
        self.link(json!({"item": "onb-1"})).await;
        init
    }

    fn evidence(&self) -> String {
        format!("{P}/research/insights/{}/evidence", self.iid)
    }

    /// The insight as evidence for `body` (an initiative or an item); must succeed.
    async fn link(&self, body: Value) {
        let r = self.app.post(&self.pm, &self.evidence(), body).await;
        assert_eq!(r.status(), 200);
    }

    async fn search(&self, q: &str) -> Value {
        get(&self.app, &self.pm, &format!("{P}/research/search?q={q}")).await
    }
}

#[tokio::test]
async fn an_insight_names_its_persona_and_keeps_its_tags_in_lower_case() {
    let r = an_insight().await;
    assert_eq!(r.ins["persona"], "Agency owner");
    assert_eq!(r.ins["tags"], json!(["import", "jira"]));
}

#[tokio::test]
async fn bad_research_input_names_the_field_and_writes_nothing() {
    let Research { app, pm, sid, .. } = an_insight().await;
    // Bad input names the field and writes nothing.
    for (body, field) in [
        (
            json!({"source_id": sid, "body": "x", "importance": 6}),
            "importance",
        ),
        (
            json!({"source_id": sid, "body": "x", "kind": "rumour"}),
            "kind",
        ),
        (json!({"source_id": sid, "body": "   "}), "body"),
        (json!({"source_id": 9999, "body": "x"}), "source_id"),
        (
            json!({"source_id": sid, "body": "x", "persona_id": 9999}),
            "persona_id",
        ),
        (
            json!({"source_id": sid, "body": "x", "tags": ["has space"]}),
            "tags",
        ),
    ] {
        assert_eq!(
            field_of(
                app.post(&pm, &format!("{P}/research/insights"), body.clone())
                    .await,
                422
            )
            .await,
            field,
            "{body}"
        );
    }
    for (body, field) in [
        (
            json!({"kind": "gossip", "title": "x", "happened_on": "2026-11-02"}),
            "kind",
        ),
        (
            json!({"kind": "survey", "title": "x", "happened_on": "November 2"}),
            "happened_on",
        ),
    ] {
        assert_eq!(
            field_of(
                app.post(&pm, &format!("{P}/research/sources"), body).await,
                422
            )
            .await,
            field
        );
    }
    assert_eq!(
        get(&app, &pm, &format!("{P}/research/insights"))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get(&app, &pm, &format!("{P}/research/sources"))
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn an_insight_is_evidence_for_an_initiative_or_an_item_once_each() {
    let r = an_insight().await;
    let (app, pm, ev) = (&r.app, &r.pm, r.evidence());
    let init = r.initiatives_and_a_story().await;
    r.link(json!({"initiative": init["id"]})).await;
    let linked: Value = app
        .post(pm, &ev, json!({"item": "onb-1"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(linked["initiatives"], json!([init["id"]]));
    assert_eq!(linked["items"], json!(["ONB-1"]));
    assert_eq!(
        app.post(pm, &ev, json!({"initiative": init["id"]}))
            .await
            .status(),
        409
    );
    assert_eq!(
        field_of(app.post(pm, &ev, json!({"item": "ONB-77"})).await, 422).await,
        "item"
    );
    assert_eq!(
        field_of(
            app.post(pm, &ev, json!({"initiative": init["id"], "item": "ONB-1"}))
                .await,
            422
        )
        .await,
        "initiative"
    );
}

#[tokio::test]
async fn evidence_is_counted_where_initiatives_and_items_are_listed_until_unlinked() {
    let r = an_insight().await;
    let (app, pm, ev) = (&r.app, &r.pm, r.evidence());
    let init = r.evidence_for_an_initiative_and_an_item().await;
    // Evidence for an initiative and a backlog item, counted where they are listed.
    let by_evidence = get(app, pm, &format!("{P}/initiatives?sort=evidence")).await;
    assert_eq!(by_evidence[0]["title"], "Jira import");
    assert_eq!(by_evidence[0]["evidence"], 1);
    assert_eq!(
        get(app, pm, &format!("{P}/initiatives?sort=rice")).await[0]["title"],
        "Dark mode"
    );
    assert_eq!(app.show(pm, "ONB-1").await["evidence"], 1);
    let backlog = get(app, pm, &format!("{P}/items")).await;
    assert_eq!(backlog["items"][0]["evidence"], 1);
    let e = get(app, pm, &format!("{P}/initiatives/{}/evidence", init["id"])).await;
    assert_eq!(e[0]["id"], r.iid);
    let unlink = app
        .req(pm, Method::DELETE, &format!("{ev}?item=ONB-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(unlink.status(), 200);
    assert_eq!(app.show(pm, "ONB-1").await["evidence"], 0);
    assert_eq!(
        app.req(pm, Method::DELETE, &format!("{ev}?item=ONB-1"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn research_search_finds_stemmed_words_in_insights_and_sources_by_customer() {
    let r = an_insight().await;
    // Full-text search: stemmed words in insights, and sources by their customer.
    let hits = r.search("imported%20jira").await;
    assert_eq!(hits[0]["kind"], "insight", "{hits}");
    assert_eq!(hits[0]["id"], r.iid);
    let hits = r.search("northwind").await;
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "source" && h["id"] == r.sid),
        "{hits}"
    );
    assert_eq!(r.search("salesforce").await, json!([]));
    let hits = r.search("%22jira%22%20import*%20(").await;
    assert_eq!(
        hits.as_array().unwrap().len(),
        1,
        "operators are plain words: {hits}"
    );
    assert_eq!(
        field_of(
            r.app
                .get(&r.pm, &format!("{P}/research/search?q=%20--"))
                .await,
            422
        )
        .await,
        "q"
    );
}

#[tokio::test]
async fn an_edited_insight_is_searchable_at_once_and_a_deleted_one_is_gone() {
    let r = an_insight().await;
    let (app, pm, iid) = (&r.app, &r.pm, &r.iid);
    r.evidence_for_an_initiative_and_an_item().await;
    // An edit is searchable at once; a deleted insight is gone from the index.
    let edit = app
        .patch(
            pm,
            &format!("{P}/research/insights/{iid}"),
            1,
            json!({"body": "Onboarding checklists confuse new admins"}),
        )
        .await;
    assert_eq!(edit.status(), 200);
    assert_eq!(r.search("weeks").await, json!([]));
    assert_eq!(r.search("checklist").await[0]["id"], *iid);
    let delete = app
        .req(pm, Method::DELETE, &format!("{P}/research/insights/{iid}"))
        .header("If-Match", "\"2\"")
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
    assert_eq!(r.search("checklist").await, json!([]));
}

#[tokio::test]
async fn vision_and_personas_are_versioned_and_stories_name_their_persona() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let v = get(&app, &pm, &format!("{P}/vision")).await;
    assert_eq!(v["vision"], "");
    let version = v["version"].as_i64().unwrap();
    let put = |ver: i64, body: Value| {
        app.req(&pm, Method::PUT, &format!("{P}/vision"))
            .header("If-Match", format!("\"{ver}\""))
            .json(&body)
            .send()
    };
    let r = put(
        version,
        json!({"vision": "Every sprint traces back to a why", "positioning": "The PM/PO tool"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], format!("\"{}\"", version + 1));
    let r = put(version, json!({"vision": "stale"})).await.unwrap();
    assert_eq!(r.status(), 412);
    assert_eq!(
        get(&app, &pm, &format!("{P}/vision")).await["vision"],
        "Every sprint traces back to a why"
    );
    let r = put(version + 1, json!({"positioning": "x".repeat(501)}))
        .await
        .unwrap();
    assert_eq!(field_of(r, 422).await, "positioning");

    let p = created(&app, &pm, "/personas", json!({"name": "New admin"})).await;
    assert_eq!(
        field_of(
            app.post(&pm, &format!("{P}/personas"), json!({"name": "New admin"}))
                .await,
            422
        )
        .await,
        "name"
    );
    app.story(&pm, "Welcome tour").await;
    let r = app
        .req(
            &pm,
            Method::PUT,
            "/api/v1/workspaces/acme/items/ONB-1/persona",
        )
        .json(&json!({"persona": p["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.show(&pm, "ONB-1").await["persona_id"], p["id"]);
    assert_eq!(
        get(&app, &pm, &format!("{P}/personas")).await[0]["items"],
        1
    );
    let r = app
        .req(
            &pm,
            Method::PUT,
            "/api/v1/workspaces/acme/items/ONB-1/persona",
        )
        .json(&json!({"persona": 4242}))
        .send()
        .await
        .unwrap();
    assert_eq!(field_of(r, 422).await, "persona");
}

#[tokio::test]
async fn research_authority_matrix() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mut callers = Vec::new();
    for role in ["pm", "po", "sm", "dev", "stakeholder"] {
        callers.push((role, app.member(&owner, &format!("R{role}"), &[role]).await));
    }
    callers.push(("member", app.member(&owner, "Plain", &[]).await));
    callers.push(("outsider", app.user("Outsider").await));
    let src = created(
        &app,
        &owner,
        "/research/sources",
        json!({"kind": "survey", "title": "NPS", "happened_on": "2026-10-01"}),
    )
    .await;
    let ins = created(
        &app,
        &owner,
        "/research/insights",
        json!({"source_id": src["id"], "body": "Setup is slow"}),
    )
    .await;
    let persona = created(&app, &owner, "/personas", json!({"name": "Admin"})).await;
    let table: &[(&str, &[&str])] = &[
        ("read", &["pm", "po", "sm", "dev", "stakeholder", "member"]),
        ("source", &["pm"]),
        ("insight", &["pm"]),
        ("evidence", &["pm"]),
        ("vision", &["pm"]),
        ("item_persona", &["pm", "po"]),
    ];
    for (action, allowed) in table {
        for (role, who) in &callers {
            let key = app.story(&owner, &format!("{action} {role}")).await["key"]
                .as_str()
                .unwrap()
                .to_string();
            let r = match *action {
                "read" => app.get(who, &format!("{P}/research/search?q=setup")).await,
                "source" => {
                    app.post(
                        who,
                        &format!("{P}/research/sources"),
                        json!({"kind": "survey", "title": "x", "happened_on": "2026-10-02"}),
                    )
                    .await
                }
                "insight" => {
                    app.post(
                        who,
                        &format!("{P}/research/insights"),
                        json!({"source_id": src["id"], "body": "x"}),
                    )
                    .await
                }
                "evidence" => {
                    app.post(
                        who,
                        &format!("{P}/research/insights/{}/evidence", ins["id"]),
                        json!({"item": key}),
                    )
                    .await
                }
                "vision" => {
                    let v = get(&app, &owner, &format!("{P}/vision")).await["version"]
                        .as_i64()
                        .unwrap();
                    app.req(who, Method::PUT, &format!("{P}/vision"))
                        .header("If-Match", format!("\"{v}\""))
                        .json(&json!({"vision": "x"}))
                        .send()
                        .await
                        .unwrap()
                }
                "item_persona" => app
                    .req(
                        who,
                        Method::PUT,
                        &format!("/api/v1/workspaces/acme/items/{key}/persona"),
                    )
                    .json(&json!({"persona": persona["id"]}))
                    .send()
                    .await
                    .unwrap(),
                _ => unreachable!(),
            };
            let status = r.status().as_u16();
            if allowed.contains(role) {
                assert!(
                    (200..300).contains(&status),
                    "{role} should {action}: {status} {}",
                    r.text().await.unwrap_or_default()
                );
            } else if *role == "outsider" {
                assert_eq!(status, 404, "outsiders see nothing ({action})");
            } else {
                assert_eq!(status, 403, "{role} should not {action}");
            }
        }
    }
}
