//! A body that is not JSON gets 415, and the OpenAPI document says so, as it says 422 for
//! every operation that reads a query string.

use crate::support;

use serde_json::Value;
use support::spawn_app;

#[tokio::test]
async fn a_body_without_json_content_type_is_415_and_documented() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let items = "/api/v1/workspaces/acme/products/ONB/items";
    for ct in [None, Some("text/plain")] {
        let mut r = app
            .req(&owner, reqwest::Method::POST, items)
            .body(r#"{"title": "x"}"#);
        if let Some(ct) = ct {
            r = r.header("Content-Type", ct);
        }
        let r = r.send().await.unwrap();
        assert_eq!(r.status(), 415, "{ct:?}");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
    }
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let path = &doc["paths"]["/api/v1/workspaces/{ws}/products/{product}/items"];
    assert!(
        path["post"]["responses"]["415"].is_object(),
        "{}",
        path["post"]
    );
    assert!(
        path["get"]["responses"]["422"].is_object(),
        "{}",
        path["get"]
    );
    let search = &doc["paths"]["/api/v1/workspaces/{ws}/products/{product}/research/search"];
    assert!(search["get"]["responses"]["422"].is_object());
}

#[tokio::test]
async fn the_document_states_the_text_rule_and_the_real_constraints() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    let name = &schemas["NewWorkspace"]["properties"]["name"];
    assert!(
        name["pattern"].as_str().unwrap().contains("\\u0000"),
        "{name}"
    );
    let slug = schemas["NewWorkspace"]["properties"]["slug"]["pattern"]
        .as_str()
        .unwrap();
    assert!(slug.contains("{1,39}"), "{slug}");
    assert_eq!(schemas["NewToken"]["properties"]["name"]["minLength"], 1);
    let patch = &doc["paths"]["/api/v1/workspaces/{ws}/items/{key}"]["patch"];
    let if_match = patch["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "If-Match")
        .unwrap();
    assert!(if_match["schema"]["pattern"]
        .as_str()
        .unwrap()
        .contains("[0-9]"));
}

#[tokio::test]
async fn an_upload_that_is_not_multipart_is_415() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let r = app
        .req(
            &owner,
            reqwest::Method::POST,
            "/api/v1/workspaces/acme/products/ONB/imports",
        )
        .json(&serde_json::json!({"file": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}
