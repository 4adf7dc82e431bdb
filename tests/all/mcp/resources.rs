//! Resources (stories, initiatives, documents by URI) and prompts.

use serde_json::json;

use super::client::Mcp;
use crate::support::scrum::ready_story;
use crate::support::spawn_app;

#[tokio::test]
async fn stories_and_documents_are_resources() {
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
    let mcp = Mcp::new(&app, &owner);

    let templates = mcp.result("resources/templates/list", json!({})).await;
    let uris: Vec<&str> = templates["resourceTemplates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["uriTemplate"].as_str().unwrap())
        .collect();
    assert!(
        uris.contains(&"throughline://{product}/items/{key}"),
        "{uris:?}"
    );

    let listed = mcp.result("resources/list", json!({})).await;
    let uris: Vec<&str> = listed["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    let item_uri = format!("throughline://ONB/items/{key}?workspace=acme");
    assert!(uris.contains(&item_uri.as_str()), "{uris:?}");
    assert!(
        uris.contains(&"throughline://ONB/documents/brief?workspace=acme"),
        "{uris:?}"
    );

    let read = mcp
        .result(
            "resources/read",
            json!({"uri": format!("throughline://ONB/items/{key}")}),
        )
        .await;
    let text = read["contents"][0]["text"].as_str().unwrap();
    assert!(text.starts_with(&format!("# {key} import a CSV")), "{text}");
    assert!(text.contains("1. a file of 1,000 rows imports"), "{text}");
    assert_eq!(read["contents"][0]["mimeType"], "text/markdown");

    let brief = mcp
        .result(
            "resources/read",
            json!({"uri": "throughline://ONB/documents/brief"}),
        )
        .await;
    let doc = mcp
        .ok("get_document", json!({"product": "ONB", "kind": "brief"}))
        .await;
    assert_eq!(brief["contents"][0]["text"], doc["markdown"]);
    assert!(doc["markdown"].as_str().unwrap().contains("## Sources"));

    let (_, missing) = mcp
        .rpc(
            "resources/read",
            json!({"uri": "throughline://ONB/items/ONB-999"}),
        )
        .await;
    assert!(missing.get("error").is_some(), "{missing}");
    let (_, foreign) = mcp
        .rpc(
            "resources/read",
            json!({"uri": "throughline://XYZ/items/XYZ-1"}),
        )
        .await;
    assert!(foreign.get("error").is_some(), "{foreign}");
}

#[tokio::test]
async fn prompts_carry_the_story_and_name_the_tools() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let key = ready_story(&app, &owner, "import a CSV", 3, &["rows import"]).await;
    let mcp = Mcp::new(&app, &owner);
    let listed = mcp.result("prompts/list", json!({})).await;
    let names: Vec<&str> = listed["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "implement_story",
            "refine_story",
            "sprint_review_summary",
            "draft_from_idea"
        ]
    );
    let p = mcp
        .result(
            "prompts/get",
            json!({"name": "implement_story", "arguments": {"key": key}}),
        )
        .await;
    let text = p["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("# {key} import a CSV")) && text.contains("check_criterion"),
        "{text}"
    );
    let p = mcp.result("prompts/get", json!({"name": "draft_from_idea", "arguments": {"product": "ONB", "idea": "Self-serve SSO setup"}})).await;
    let text = p["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(
        text.contains("Self-serve SSO setup")
            && text.contains("save_initiative")
            && text.contains("add_persona"),
        "{text}"
    );
    let (_, e) = mcp
        .rpc(
            "prompts/get",
            json!({"name": "implement_story", "arguments": {}}),
        )
        .await;
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("key"),
        "{e}"
    );
}

#[tokio::test]
async fn an_agent_reads_the_handoff_kit_of_an_initiative() {
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
    let i = crate::support::scrum::json_ok(
        app.post(
            &owner,
            &format!("{}/initiatives", crate::support::scrum::P),
            json!({"title": "Imports"}),
        )
        .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.link_initiative(&owner, &key, &json!(i)).await;
    let mcp = Mcp::new(&app, &owner);
    let kit = mcp
        .ok(
            "get_handoff_kit",
            json!({"product": "ONB", "initiative": i, "base_url": "https://pm.example.com"}),
        )
        .await;
    assert_eq!(kit["manifest"]["items"][0]["key"], key.as_str());
    let files = kit["files"].as_array().unwrap();
    let story = files
        .iter()
        .find(|f| f["path"] == format!("stories/{key}.md"))
        .unwrap();
    assert!(story["text"]
        .as_str()
        .unwrap()
        .contains(&format!("- [ ] **{key}.1** a file of 1,000 rows imports")));
    let mcp_json = files.iter().find(|f| f["path"] == ".mcp.json").unwrap();
    assert!(mcp_json["text"]
        .as_str()
        .unwrap()
        .contains("https://pm.example.com/mcp"));
    let (_, refused) = mcp
        .rpc(
            "tools/call",
            json!({"name": "get_handoff_kit", "arguments": {"product": "ONB"}}),
        )
        .await;
    assert!(refused.to_string().contains("initiative"), "{refused}");
}
