//! An id from another product is not found, never an empty answer.

use crate::support;

use serde_json::json;
use support::scrum::json_ok;
use support::spawn_app;

#[tokio::test]
async fn evidence_of_another_products_initiative_is_not_found() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products",
            json!({"key": "TWO", "name": "Two"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let onb = "/api/v1/workspaces/acme/products/ONB";
    let init = json_ok(
        app.post(
            &owner,
            &format!("{onb}/initiatives"),
            json!({"title": "Guided setup"}),
        )
        .await,
        201,
    )
    .await;
    let id = &init["id"];
    let own = app
        .get(&owner, &format!("{onb}/initiatives/{id}/evidence"))
        .await;
    assert_eq!(json_ok(own, 200).await, json!([]));
    let two = "/api/v1/workspaces/acme/products/TWO";
    for path in [
        format!("{two}/initiatives/{id}/evidence"),
        format!("{onb}/initiatives/987654/evidence"),
    ] {
        assert_eq!(app.get(&owner, &path).await.status(), 404, "{path}");
    }
}
