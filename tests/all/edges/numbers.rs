//! JSON has one number type: a whole number written with a fraction (`5.0`) is that integer, as
//! JSON Schema says, so an integer field takes it; a true fraction is still refused there.

use crate::support;

use serde_json::json;
use support::scrum::json_ok;
use support::spawn_app;

const P: &str = "/api/v1/workspaces/acme/products/ONB";

#[tokio::test]
async fn a_whole_float_fills_an_integer_field_and_a_fraction_does_not() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let source = json_ok(
        app.post(
            &owner,
            &format!("{P}/research/sources"),
            json!({"kind": "interview", "title": "Call", "happened_on": "2026-11-02"}),
        )
        .await,
        201,
    )
    .await;
    let body = |importance: f64| {
        json!({"source_id": source["id"].as_f64().unwrap(), "kind": "quote",
               "body": "Import took two weeks", "importance": importance})
    };
    let insight = json_ok(
        app.post(&owner, &format!("{P}/research/insights"), body(5.0))
            .await,
        201,
    )
    .await;
    assert_eq!(insight["importance"], 5);
    let e = json_ok(
        app.post(&owner, &format!("{P}/research/insights"), body(4.5))
            .await,
        422,
    )
    .await;
    assert_eq!(e["field"], "importance", "{e}");
}
