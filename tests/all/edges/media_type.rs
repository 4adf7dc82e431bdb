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
