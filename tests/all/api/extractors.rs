//! The product-scoped extractors answer as the hand-written code did: the product a route names
//! (`InProduct`), the version a write sends (`IfMatch`) and the ETag a record comes back with
//! (`Etagged`).

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::spawn_app;

const P: &str = "/api/v1/workspaces/acme/products/ONB";

/// The body of a refusal, which must be problem details.
async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

/// A GET of `path` with a bearer token that no one holds.
async fn unknown_token_get(app: &crate::support::TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .bearer_auth("tl_not_a_token")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_write_without_if_match_is_428() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let item = app.story(&owner, "Sign up").await;
    let key = item["key"].as_str().unwrap();
    let r = app
        .req(
            &owner,
            Method::PATCH,
            &format!("/api/v1/workspaces/acme/items/{key}"),
        )
        .json(&json!({"title": "Sign in"}))
        .send()
        .await
        .unwrap();
    problem(r, 428).await;
}

/// A body is an object: an array is refused naming the body and writes nothing, even where
/// every field has a default (a share link's label).
#[tokio::test]
async fn an_array_body_is_refused_and_makes_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let shares = format!("{P}/roadmap/shares");
    let r = app.post(&owner, &shares, json!([])).await;
    let body = problem(r, 422).await;
    assert!(body.to_string().contains("body"), "{body}");
    let list: Value = app.get(&owner, &shares).await.json().await.unwrap();
    assert_eq!(list, json!([]), "no share link was made");
    let r = app.post(&owner, &shares, json!({})).await;
    assert_eq!(r.status(), 201, "an object with the defaults is fine");
}

#[tokio::test]
async fn an_if_match_that_is_no_version_names_the_header() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let item = app.story(&owner, "Sign up").await;
    let key = item["key"].as_str().unwrap();
    let r = app
        .req(
            &owner,
            Method::PATCH,
            &format!("/api/v1/workspaces/acme/items/{key}"),
        )
        .header("If-Match", "\"latest\"")
        .json(&json!({"title": "Sign in"}))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(r, 422).await["field"], "If-Match");
}

#[tokio::test]
async fn an_unknown_product_is_404() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let r = app
        .get(&owner, "/api/v1/workspaces/acme/products/NOPE/objectives")
        .await;
    problem(r, 404).await;
}

#[tokio::test]
async fn no_token_is_401_before_the_product_is_looked_up() {
    let app = spawn_app().await;
    app.workspace().await;
    let r = app
        .client
        .get(app.url(&format!("{P}/objectives")))
        .send()
        .await
        .unwrap();
    problem(r, 401).await;
}

#[tokio::test]
async fn an_item_key_of_another_workspace_is_404() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let other = app.user("Other").await;
    let r = app
        .post(
            &other,
            "/api/v1/workspaces",
            json!({"slug": "beta", "name": "Beta"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .post(
            &other,
            "/api/v1/workspaces/beta/products",
            json!({"key": "OTH", "name": "Other"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    app.req(
        &other,
        Method::PUT,
        &format!("/api/v1/workspaces/beta/products/OTH/roles/{}", other.id),
    )
    .json(&json!({"roles": ["po"]}))
    .send()
    .await
    .unwrap();
    let r = app
        .post(
            &other,
            "/api/v1/workspaces/beta/products/OTH/items",
            json!({"title": "Theirs"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let key = r.json::<Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    // Neither under the caller's own workspace nor under the one they are no member of.
    for ws in ["acme", "beta"] {
        let r = app
            .get(&owner, &format!("/api/v1/workspaces/{ws}/items/{key}"))
            .await;
        problem(r, 404).await;
    }
    // A key that is no item key at all names nothing either.
    let r = app.get(&owner, "/api/v1/workspaces/acme/items/nokey").await;
    problem(r, 404).await;
}

#[tokio::test]
async fn a_record_comes_back_with_its_version_as_etag() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let r = app
        .post(
            &owner,
            &format!("{P}/objectives"),
            json!({"quarter": "2026-Q1", "title": "Grow"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["etag"], "\"1\"");
    let o: Value = r.json().await.unwrap();
    let url = format!("{P}/objectives/{}", o["id"]);
    let r = app
        .patch(&owner, &url, 1, json!({"title": "Grow more"}))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["etag"], "\"2\"");
    assert_eq!(r.json::<Value>().await.unwrap()["version"], 2);
    let r = app.get(&owner, &url).await;
    assert_eq!(r.headers()["etag"], "\"2\"");
}

/// The token and the product are read in one round trip: the token still decides first (an
/// unknown token is 401 whatever the path names), a read-only token reads the product and is
/// refused a change to it, and the roles are the token holder's.
#[tokio::test]
async fn the_token_decides_before_the_product_and_a_read_only_token_only_reads() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let item = app.story(&owner, "Sign up").await;
    let key = item["key"].as_str().unwrap().to_string();
    for path in [
        format!("{P}/objectives"),
        "/api/v1/workspaces/acme/products/NOPE/objectives".to_string(),
        format!("/api/v1/workspaces/acme/items/{key}"),
        "/api/v1/workspaces/acme/items/nokey".to_string(),
    ] {
        let r = unknown_token_get(&app, &path).await;
        problem(r, 401).await;
    }
    let r = app
        .post(
            &owner,
            "/api/v1/me/tokens",
            json!({"name": "reader", "read_only": true}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let reader = crate::support::Caller {
        token: r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string(),
        ..owner.clone()
    };
    let path = format!("/api/v1/workspaces/acme/items/{key}");
    let r = app.get(&reader, &path).await;
    assert_eq!(r.status(), 200);
    let r = app
        .req(&reader, Method::PATCH, &path)
        .header("If-Match", "\"1\"")
        .json(&json!({"title": "Changed"}))
        .send()
        .await
        .unwrap();
    problem(r, 403).await;
    // A read-only token is refused a change even on a path that names nothing.
    let r = app
        .post(
            &reader,
            "/api/v1/workspaces/acme/products/NOPE/items",
            json!({"title": "x"}),
        )
        .await;
    problem(r, 403).await;
    let now: Value = app.get(&owner, &path).await.json().await.unwrap();
    assert_eq!(now["title"], "Sign up");
    // The owner's own token changes it: its roles came with the product.
    let r = app
        .req(&owner, Method::PATCH, &path)
        .header("If-Match", format!("\"{}\"", now["version"]))
        .json(&json!({"title": "Changed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// A workspace's routes find who asks and the membership in one statement, and still answer
/// in that order: an unknown token is 401 (on a page, the sign-in page) whatever the workspace,
/// a valid token of someone outside the workspace is 404 as for a workspace that does not
/// exist, and a member reads.
#[tokio::test]
async fn a_workspace_route_knows_who_asks_before_the_membership() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let outsider = app.user("Olga").await;
    for ws in ["acme", "nope"] {
        let api = format!("/api/v1/workspaces/{ws}/members");
        let page = format!("/w/{ws}/roadmap");
        let r = unknown_token_get(&app, &api).await;
        problem(r, 401).await;
        let r = unknown_token_get(&app, &page).await;
        assert_eq!(r.headers()["location"], "/login", "{page}");
        problem(app.get(&outsider, &api).await, 404).await;
        assert_eq!(app.get(&outsider, &page).await.status(), 404, "{page}");
    }
    let r = app.get(&owner, "/api/v1/workspaces/acme/members").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains(&owner.email));
    let r = app.get(&owner, "/w/acme/roadmap").await;
    assert_eq!(r.status(), 200);
    problem(
        app.get(&owner, "/api/v1/workspaces/nope/members").await,
        404,
    )
    .await;
}

#[tokio::test]
async fn an_item_is_read_with_the_prologue_by_its_key_in_any_case() {
    // The token, the product and the item's row are one statement: the item a key names is
    // found whatever its case, and a number of no item is 404, on the API and the page.
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.story(&owner, "First story").await;
    let r = app.get(&owner, "/api/v1/workspaces/acme/items/onb-1").await;
    assert_eq!(r.status(), 200);
    let item: Value = r.json().await.unwrap();
    assert_eq!(
        (item["key"].as_str(), item["title"].as_str()),
        (Some("ONB-1"), Some("First story"))
    );
    for missing in ["ONB-2", "ONB-0", "ONB-x"] {
        let r = app
            .get(&owner, &format!("/api/v1/workspaces/acme/items/{missing}"))
            .await;
        problem(r, 404).await;
    }
    let r = app.get(&owner, "/w/acme/items/onb-1").await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("First story"));
    let r = app.get(&owner, "/w/acme/items/ONB-2").await;
    assert_eq!(r.status(), 404);
}
