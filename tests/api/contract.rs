//! The API's contract as clients see it: the OpenAPI document describes what the server does,
//! and every answer a client or a person can reach has the product's shape.

use serde_json::Value;

use crate::support::spawn_app;

#[tokio::test]
async fn a_method_an_address_does_not_take_gets_405_in_the_right_face() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let page = app.get(&owner, "/w/acme/p/ONB/objectives").await;
    assert_eq!(page.status(), 405);
    assert_eq!(page.headers()["allow"], "POST");
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("Method Not Allowed"), "{html}");
    assert!(html.contains("does not take a GET request"), "{html}");

    let api = app
        .get(&owner, "/api/v1/workspaces/acme/items/ONB-1/move")
        .await;
    assert_eq!(api.status(), 405);
    assert_eq!(api.headers()["allow"], "POST");
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["status"], 405);
}

#[tokio::test]
async fn a_bad_id_in_a_path_is_a_missing_page_or_problem_details() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let api = app
        .get(&owner, "/api/v1/workspaces/acme/products/ONB/sprints/abc")
        .await;
    assert_eq!(api.status(), 404);
    assert_eq!(api.headers()["content-type"], "application/problem+json");
    let body: Value = api.json().await.unwrap();
    assert_eq!(body["status"], 404);

    let page = app.get(&owner, "/w/acme/p/ONB/sprints/abc/plan").await;
    assert_eq!(page.status(), 404);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("Not Found"));
}
