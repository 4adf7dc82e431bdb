//! Changing things through MCP: the same services, authority table, version checks, tier rules
//! and audit log as the API, and a read-only scope that refuses every change on both.

use serde_json::{json, Value};

use super::client::Mcp;
use crate::support::scrum::{json_ok, ready_story, P};
use crate::support::{spawn_app, TestApp};

pub fn this_quarter() -> String {
    use chrono::Datelike;
    let d = chrono::Utc::now().date_naive();
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

#[tokio::test]
async fn save_item_creates_changes_and_refuses_a_stale_version() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mcp = Mcp::new(&app, &owner);
    let made = mcp
        .ok("save_item", json!({"product": "ONB", "title": "Export to CSV", "criteria": ["a file downloads"], "points": 2}))
        .await;
    let key = made["item"]["key"].as_str().unwrap().to_string();
    assert_eq!(made["item"]["version"], 1);
    assert_eq!(app.show(&owner, &key).await["title"], "Export to CSV");

    let changed = mcp
        .ok(
            "save_item",
            json!({"key": key, "version": 1, "title": "Export the backlog to CSV"}),
        )
        .await;
    assert_eq!(changed["item"]["version"], 2);

    // Someone read version 1 and saves over it: refused with the current item, nothing lost.
    let e = mcp
        .refused(
            "save_item",
            json!({"key": key, "version": 1, "title": "Stale title"}),
        )
        .await;
    assert_eq!(e["status"], 412);
    assert_eq!(e["current"]["version"], 2);
    assert_eq!(e["current"]["title"], "Export the backlog to CSV");
    assert_eq!(
        app.show(&owner, &key).await["title"],
        "Export the backlog to CSV"
    );

    let e = mcp
        .refused("save_item", json!({"key": key, "title": "no version"}))
        .await;
    assert_eq!(e["field"], "version");

    // The audit log holds the MCP changes like any other.
    let audit = json_ok(
        app.get(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{key}/audit"),
        )
        .await,
        200,
    )
    .await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"item.create") && actions.contains(&"item.update"),
        "{actions:?}"
    );

    let status = mcp
        .ok(
            "set_item_status",
            json!({"key": key, "status": "in_progress"}),
        )
        .await;
    assert_eq!(status["item"]["status"], "in_progress");
    let e = mcp
        .refused("set_item_status", json!({"key": key, "status": "shipped"}))
        .await;
    assert_eq!(e["status"], 422);
}

#[tokio::test]
async fn a_stakeholder_reads_but_is_refused_a_write() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let key = app.story(&owner, "share the roadmap").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let sh = app.member(&owner, "Sam", &["stakeholder"]).await;
    let mcp = Mcp::new(&app, &sh);
    assert_eq!(
        mcp.ok("get_item", json!({"key": key})).await["item"]["key"],
        key.as_str()
    );
    let e = mcp
        .refused(
            "save_item",
            json!({"key": key, "version": 1, "title": "mine now"}),
        )
        .await;
    assert_eq!(e["status"], 403);
    let e = mcp
        .refused("rank_item", json!({"key": key, "to": "top"}))
        .await;
    assert_eq!(e["status"], 403);
    assert_eq!(app.show(&owner, &key).await["title"], "share the roadmap");
}

async fn read_only_token(app: &TestApp, who: &crate::support::Caller) -> String {
    let made = json_ok(
        app.post(
            who,
            "/api/v1/me/tokens",
            json!({"name": "agent", "read_only": true}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(made["read_only"], true);
    made["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_read_only_token_reads_everything_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let key = ready_story(&app, &owner, "import a CSV", 3, &["rows import"]).await;
    let token = read_only_token(&app, &owner).await;
    let mcp = Mcp::with_token(&app, &token);
    assert_eq!(
        mcp.ok("get_item", json!({"key": key})).await["item"]["key"],
        key.as_str()
    );
    assert_eq!(mcp.ok("list_products", json!({})).await["read_only"], true);
    let writes: Vec<(&str, Value)> = vec![
        ("save_item", json!({"product": "ONB", "title": "new"})),
        (
            "save_item",
            json!({"key": key, "version": 1, "title": "changed"}),
        ),
        ("set_item_status", json!({"key": key, "status": "done"})),
        ("rank_item", json!({"key": key, "to": "top"})),
        (
            "check_criterion",
            json!({"key": key, "position": 1, "pass": true, "note": "tested"}),
        ),
        (
            "ask_question",
            json!({"key": key, "body": "which encoding?"}),
        ),
        (
            "answer_question",
            json!({"key": key, "question": 1, "answer": "UTF-8"}),
        ),
        ("add_comment", json!({"key": key, "body": "looks good"})),
        (
            "add_insight",
            json!({"product": "ONB", "source_id": 1, "body": "users hate CSV"}),
        ),
        (
            "record_decision",
            json!({"product": "ONB", "question": "CSV?", "decision": "yes"}),
        ),
        (
            "set_vision",
            json!({"product": "ONB", "version": 1, "vision": "v"}),
        ),
        ("add_persona", json!({"product": "ONB", "name": "Ada"})),
        (
            "save_initiative",
            json!({"product": "ONB", "title": "Imports"}),
        ),
        (
            "start_from_idea",
            json!({"product": "ONB", "title": "Imports", "problem": "p", "who": ["Ada"], "first_steps": ["import"]}),
        ),
    ];
    let tools = mcp.result("tools/list", json!({})).await;
    let listed_writes = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["annotations"]["readOnlyHint"] == false)
        .count();
    assert_eq!(listed_writes, 13, "every write tool is tried below");
    for (tool, args) in writes {
        let e = mcp.refused(tool, args).await;
        assert_eq!(e["status"], 403, "{tool}: {e}");
        assert!(
            e["detail"].as_str().unwrap().contains("read-only"),
            "{tool}: {e}"
        );
    }
    let item = app.show(&owner, &key).await;
    assert_eq!(
        (item["version"].as_i64(), item["open_questions"].as_i64()),
        (Some(1), Some(0))
    );

    // The REST API refuses the same token every change, with a clear problem, and reads on.
    let ro = crate::support::Caller {
        id: owner.id,
        email: owner.email.clone(),
        token,
    };
    assert_eq!(
        app.get(&ro, &format!("/api/v1/workspaces/acme/items/{key}"))
            .await
            .status(),
        200
    );
    let r = app
        .patch(
            &ro,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            1,
            json!({"title": "x"}),
        )
        .await;
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let e = json_ok(r, 403).await;
    assert!(e["detail"].as_str().unwrap().contains("read-only"), "{e}");
    let r = app
        .post(&ro, "/api/v1/me/tokens", json!({"name": "escalate"}))
        .await;
    assert_eq!(
        r.status(),
        403,
        "a read-only token cannot mint a writing one"
    );
    assert_eq!(app.show(&owner, &key).await["title"], "import a CSV");
}

#[tokio::test]
async fn the_read_only_flag_is_listed_with_the_tokens() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    read_only_token(&app, &owner).await;
    let mine = json_ok(app.get(&owner, "/api/v1/me/tokens").await, 200).await;
    let flags: Vec<bool> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["read_only"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, vec![false, true]);
    let e = json_ok(
        app.post(
            &owner,
            "/api/v1/me/tokens",
            json!({"name": "", "read_only": true}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(e["field"], "name");
}

#[tokio::test]
async fn strict_mode_refuses_a_tier_breaking_rank_and_says_how_to_ask_for_an_exemption() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olive", &["po"]).await;
    let q = this_quarter();
    let o = json_ok(
        app.post(
            &owner,
            &format!("{P}/objectives"),
            json!({"quarter": q, "title": "Grow"}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let p1 = json_ok(
        app.post(
            &owner,
            &format!("{P}/priorities"),
            json!({"quarter": q, "title": "Activation", "objectives": [o], "reason": "planning"}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let i1 = json_ok(
        app.post(
            &owner,
            &format!("{P}/initiatives"),
            json!({"title": "Setup", "status": "planned", "priorities": [p1]}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let aligned = app.story_in(&owner, "guided setup", &i1).await;
    let loose = app.story(&owner, "dark mode").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);

    let mcp = Mcp::new(&app, &po);
    let e = mcp
        .refused("rank_item", json!({"key": loose, "to": "top"}))
        .await;
    assert_eq!(e["status"], 409);
    let detail = e["detail"].as_str().unwrap();
    assert!(
        detail.contains("strict tier order") && detail.contains(&aligned),
        "{detail}"
    );
    assert!(
        detail.contains("call rank_item again with `exemption`"),
        "{detail}"
    );
    assert_eq!(
        app.order(&po).await,
        vec![aligned.clone(), loose.clone()],
        "nothing moved"
    );

    let moved = mcp
        .ok(
            "rank_item",
            json!({"key": loose, "to": "top", "exemption": "the accessibility audit is due"}),
        )
        .await;
    assert_eq!(moved["item"]["key"], loose.as_str());
    assert_eq!(app.order(&po).await[0], loose);
    let ex = json_ok(app.get(&po, &format!("{P}/exemptions")).await, 200).await;
    assert_eq!(ex[0]["key"], loose.as_str());
}

#[tokio::test]
async fn conversation_and_proposed_verdicts_land_on_the_item() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let key = ready_story(
        &app,
        &owner,
        "import a CSV",
        3,
        &["a file of 1,000 rows imports", "errors name the row"],
    )
    .await;
    let mcp = Mcp::new(&app, &dev);

    let verdict = mcp
        .ok("check_criterion", json!({"key": key, "position": 2, "pass": false, "note": "row numbers are off by one", "link": "https://ci.example/run/7"}))
        .await;
    assert_eq!(verdict["recorded_as"], "comment");
    let body = verdict["comment"]["body"].as_str().unwrap();
    assert!(
        body.contains("criterion 2 (\"errors name the row\"): FAIL"),
        "{body}"
    );
    assert!(body.contains("https://ci.example/run/7"), "{body}");
    let e = mcp
        .refused(
            "check_criterion",
            json!({"key": key, "position": 3, "pass": true, "note": "x"}),
        )
        .await;
    assert_eq!(e["field"], "position");
    let e = mcp
        .refused(
            "check_criterion",
            json!({"key": key, "position": 1, "pass": true}),
        )
        .await;
    assert_eq!(e["field"], "note");

    let q = mcp
        .ok(
            "ask_question",
            json!({"key": key, "body": "Which encodings?"}),
        )
        .await;
    let qid = q["question"]["id"].as_i64().unwrap();
    assert_eq!(
        app.show(&owner, &key).await["ready"],
        false,
        "a team question holds readiness"
    );
    let e = mcp
        .refused(
            "answer_question",
            json!({"key": key, "question": qid, "answer": "UTF-8"}),
        )
        .await;
    assert_eq!(e["status"], 403, "only the PO answers");
    let answered = Mcp::new(&app, &owner)
        .ok(
            "answer_question",
            json!({"key": key, "question": qid, "answer": "UTF-8 only"}),
        )
        .await;
    assert_eq!(answered["question"]["answer"], "UTF-8 only");
    let c = mcp
        .ok("add_comment", json!({"key": key, "body": "on it"}))
        .await;
    assert_eq!(c["comment"]["body"], "on it");

    let thread = mcp.ok("get_item", json!({"key": key})).await;
    assert_eq!(thread["comments"].as_array().unwrap().len(), 2);
    assert_eq!(thread["questions"][0]["answer"], "UTF-8 only");
    let comments = json_ok(
        app.get(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{key}/comments"),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(comments.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn strategy_writes_go_through_the_strategy_services() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let pm = Mcp::new(&app, &owner);
    let strategy = pm.ok("get_strategy", json!({"product": "ONB"})).await;
    let v = strategy["vision"]["version"].as_i64().unwrap();
    pm.ok(
        "set_vision",
        json!({"product": "ONB", "version": v, "vision": "Onboarding in minutes"}),
    )
    .await;
    let persona = pm
        .ok(
            "add_persona",
            json!({"product": "ONB", "name": "Ada", "segment": "SMB admins"}),
        )
        .await;
    assert_eq!(persona["persona"]["name"], "Ada");
    let i = pm
        .ok("save_initiative", json!({"product": "ONB", "title": "Guided setup", "problem": "New admins stall", "assumptions": "Admins want a checklist"}))
        .await;
    let id = i["initiative"]["id"].as_i64().unwrap();
    let story = pm
        .ok(
            "save_item",
            json!({"product": "ONB", "title": "Checklist", "persona": "Ada", "initiative": id}),
        )
        .await;
    assert_eq!(story["item"]["initiative_id"], id);
    let got = pm
        .ok("get_initiative", json!({"product": "ONB", "id": id}))
        .await;
    assert_eq!(got["initiative"]["problem"], "New admins stall");
    let source =
        json!({"kind": "interview", "title": "Contoso admin", "happened_on": "2026-11-01"});
    let source = json_ok(
        app.post(&owner, &format!("{P}/research/sources"), source)
            .await,
        201,
    )
    .await;
    let insight = pm
        .ok(
            "add_insight",
            json!({"product": "ONB", "source_id": source["id"], "body": "Admins give up at the SSO step", "importance": 4}),
        )
        .await;
    assert_eq!(insight["insight"]["importance"], 4);
    assert_eq!(insight["insight"]["source_id"], source["id"]);
    let d = pm
        .ok("record_decision", json!({"product": "ONB", "question": "SMB or enterprise first?", "options": ["SMB", "Enterprise"], "decision": "SMB", "rationale": "faster feedback"}))
        .await;
    assert_eq!(d["decision"]["decision"], "SMB");
    let after = pm.ok("get_strategy", json!({"product": "ONB"})).await;
    assert_eq!(after["vision"]["vision"], "Onboarding in minutes");
    // The idea intake in one call: the same records as the page, Ada reused, drafts linked.
    let drafts = pm
        .ok("start_from_idea", json!({"product": "ONB", "title": "Bulk import", "problem": "Moving a backlog in is slow", "who": ["ada"], "first_steps": ["upload a CSV", "map its columns"]}))
        .await;
    let drafts = &drafts["drafts"];
    assert_eq!(drafts["vision"], Value::Null, "the product has a vision");
    assert_eq!(drafts["new_personas"], json!([]));
    assert_eq!(drafts["stories"][1]["title"], "Map its columns");
    assert_eq!(drafts["stories"][1]["labels"], json!(["draft"]));
    assert_eq!(
        drafts["stories"][1]["initiative_id"],
        drafts["initiative"]["id"]
    );
    let e = pm
        .refused("start_from_idea", json!({"product": "ONB", "title": "x", "problem": "p", "who": ["Ada"], "first_steps": []}))
        .await;
    assert_eq!(e["status"], 422, "{e}");
    // A developer may not change the strategy (the authority table says the PM).
    let e = Mcp::new(&app, &dev)
        .refused("add_persona", json!({"product": "ONB", "name": "Bob"}))
        .await;
    assert_eq!(e["status"], 403);
}
