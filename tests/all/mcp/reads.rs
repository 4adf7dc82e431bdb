//! Reading through MCP: the token gate, the tool list, arguments refused by name, and the
//! read tools answering what the API answers.

use serde_json::{json, Value};

use super::client::Mcp;
use crate::support::scrum::{json_ok, ready_story, P};
use crate::support::spawn_app;

#[tokio::test]
async fn without_a_valid_token_the_endpoint_answers_401() {
    let app = spawn_app().await;
    let none = app
        .client
        .post(app.url("/mcp"))
        .header("Accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 401);
    assert!(none.headers().contains_key("www-authenticate"));
    let (status, _) = Mcp::with_token(&app, "tl_not-a-token")
        .rpc("tools/list", json!({}))
        .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn tools_are_listed_with_flat_inputs_that_refuse_unknown_arguments() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let tools = Mcp::new(&app, &owner).result("tools/list", json!({})).await;
    let tools = tools["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for expected in [
        "list_products",
        "get_strategy",
        "list_priorities",
        "get_initiative",
        "search_items",
        "get_item",
        "next_ready_item",
        "get_sprint",
        "get_alignment",
        "search_evidence",
        "get_document",
        "get_handoff_kit",
        "save_item",
        "set_item_status",
        "rank_item",
        "check_criterion",
        "ask_question",
        "answer_question",
        "add_comment",
        "add_insight",
        "record_decision",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    for t in tools {
        let schema = &t["inputSchema"];
        assert_eq!(schema["type"], "object", "{}", t["name"]);
        assert_eq!(schema["additionalProperties"], false, "{}", t["name"]);
        assert!(!schema.to_string().contains("anyOf"), "{}", t["name"]);
    }
    let save = tools.iter().find(|t| t["name"] == "save_item").unwrap();
    assert_eq!(save["annotations"]["readOnlyHint"], false);
    let get = tools.iter().find(|t| t["name"] == "get_item").unwrap();
    assert_eq!(get["annotations"]["readOnlyHint"], true);
}

#[tokio::test]
async fn an_unknown_argument_is_refused_by_name_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mcp = Mcp::new(&app, &owner);
    let e = mcp
        .refused(
            "save_item",
            json!({"product": "ONB", "title": "Export", "titel": "typo"}),
        )
        .await;
    assert_eq!(e["status"], 422);
    assert_eq!(e["field"], "arguments");
    let detail = e["detail"].as_str().unwrap();
    assert!(detail.contains("unknown field `titel`"), "{detail}");
    assert!(app.order(&owner).await.is_empty(), "no item was created");
    let e = mcp.refused("get_item", json!({})).await;
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("missing field `key`"),
        "{e}"
    );
}

#[tokio::test]
async fn reads_answer_what_the_api_answers() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let key = ready_story(
        &app,
        &owner,
        "import a CSV",
        3,
        &["a file of 1,000 rows imports"],
    )
    .await;
    let other = app.story(&owner, "dark mode").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let mcp = Mcp::new(&app, &owner);

    let products = mcp.ok("list_products", json!({})).await;
    assert_eq!(products["products"][0]["key"], "ONB");
    assert_eq!(products["products"][0]["workspace"], "acme");
    assert_eq!(products["read_only"], false);

    let got = mcp.ok("get_item", json!({"key": key})).await;
    let api = json_ok(
        app.get(&owner, &format!("/api/v1/workspaces/acme/items/{key}"))
            .await,
        200,
    )
    .await;
    assert_eq!(got["item"], api);

    let found = mcp
        .ok(
            "search_items",
            json!({"product": "ONB", "query": "is:ready"}),
        )
        .await;
    let keys: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec![key.as_str()]);
    let e = mcp
        .refused(
            "search_items",
            json!({"product": "ONB", "query": "status:"}),
        )
        .await;
    assert_eq!(e["field"], "query");

    // The next ready item: the unready story is never offered.
    let next = mcp.ok("next_ready_item", json!({"product": "ONB"})).await;
    assert_eq!(next["item"]["key"], key.as_str());
    assert_eq!(next["candidates"], 1);
    assert_ne!(next["item"]["key"], other.as_str());

    let e = mcp.refused("get_item", json!({"key": "NOPE-1"})).await;
    assert_eq!(e["field"], "product");
}

#[tokio::test]
async fn next_ready_item_follows_the_tiers_not_only_the_rank() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let q = super::writes::this_quarter();
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
    let mut prios = Vec::new();
    for t in ["Activation", "Imports"] {
        prios.push(
            json_ok(
                app.post(
                    &owner,
                    &format!("{P}/priorities"),
                    json!({"quarter": q, "title": t, "objectives": [o], "reason": "planning"}),
                )
                .await,
                201,
            )
            .await["id"]
                .clone(),
        );
    }
    let init =
        |title: &str, p: &Value| json!({"title": title, "status": "planned", "priorities": [p]});
    let i1 = json_ok(
        app.post(
            &owner,
            &format!("{P}/initiatives"),
            init("Setup", &prios[0]),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let i2 = json_ok(
        app.post(
            &owner,
            &format!("{P}/initiatives"),
            init("Import", &prios[1]),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    // Ranked first but of tier 2; the tier-1 story below it is the one to build next.
    let low = ready_story(&app, &owner, "map fields", 2, &["fields map"]).await;
    app.link_initiative(&owner, &low, &i2).await;
    let high = ready_story(&app, &owner, "guided setup", 2, &["setup guides"]).await;
    app.link_initiative(&owner, &high, &i1).await;
    let next = Mcp::new(&app, &owner)
        .ok("next_ready_item", json!({"product": "ONB"}))
        .await;
    assert_eq!(next["item"]["key"], high.as_str(), "{next}");
    assert_eq!(next["tier"], 1);
    assert_eq!(next["candidates"], 2);
}
