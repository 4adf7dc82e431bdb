//! Control characters other than tab and newline are refused with 422 naming the field, on
//! SQLite and PostgreSQL alike (PostgreSQL cannot store a NUL, SQLite could); forms get LF line
//! endings.

use crate::support;

use serde_json::{json, Value};
use support::scrum::json_ok;
use support::session::{page_text, sign_in};
use support::spawn_app;

const ITEMS: &str = "/api/v1/workspaces/acme/products/ONB/items";

#[tokio::test]
async fn a_nul_in_a_json_field_is_refused_naming_it() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    for (body, field) in [
        (json!({"title": "a\u{0}b"}), "title"),
        (
            json!({"title": "ok", "description": "bell \u{7}"}),
            "description",
        ),
        (
            json!({"title": "ok", "criteria": ["fine", "esc \u{1b}[31m"]}),
            "criteria[1]",
        ),
        (json!({"title": "carriage\r\nreturn"}), "title"),
    ] {
        let e = json_ok(app.post(&owner, ITEMS, body.clone()).await, 422).await;
        assert_eq!(e["field"], field, "{body} → {e}");
    }
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces",
            json!({"slug": "beta", "name": "Be\u{0}ta"}),
        )
        .await;
    assert_eq!(json_ok(r, 422).await["field"], "name");
    // Nothing was stored, and tab and newline are plain text.
    let page: Value = json_ok(app.get(&owner, ITEMS).await, 200).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(0), "{page}");
    let item = app
        .item(
            &owner,
            json!({"title": "tab\there", "description": "two\nlines"}),
        )
        .await;
    assert_eq!(item["description"], "two\nlines");
}

#[tokio::test]
async fn a_nul_in_the_query_string_is_refused_naming_the_parameter() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    for (query, field) in [
        ("q=a%00b", "q"),
        ("cursor=%00", "cursor"),
        ("q=x&cursor=%1F", "cursor"),
    ] {
        let e = json_ok(app.get(&owner, &format!("{ITEMS}?{query}")).await, 422).await;
        assert_eq!(e["field"], field, "{query}");
    }
    let search = "/api/v1/workspaces/acme/products/ONB/research/search?q=a%00b";
    assert_eq!(
        json_ok(app.get(&owner, search).await, 422).await["field"],
        "q"
    );
    // A control character in the path names nothing.
    let r = app.get(&owner, "/api/v1/workspaces/ac%00me/products").await;
    assert_eq!(r.status(), 404);
    assert_eq!(
        app.get(&owner, &format!("{ITEMS}?q=plain")).await.status(),
        200
    );
}

#[tokio::test]
async fn forms_store_lf_line_endings_and_refuse_other_controls() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let post = |title: &'static str, description: &'static str| {
        client
            .post(app.url("/w/acme/p/ONB/items"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("kind", "story"),
                ("title", title),
                ("description", description),
            ])
            .send()
    };
    let r = post("typed in a browser", "first\r\nsecond\rthird")
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = post("a\u{0}b", "").await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("title"));
    let page: Value = json_ok(app.get(&owner, ITEMS).await, 200).await;
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    let key = items[0]["key"].as_str().unwrap();
    assert_eq!(
        app.show(&owner, key).await["description"],
        "first\nsecond\nthird"
    );
    let backlog = page_text(&client, &app, "/w/acme/p/ONB/backlog?q=%00").await;
    assert!(backlog.contains("Unprocessable"), "{backlog}");
}

#[tokio::test]
async fn an_answer_quotes_a_bad_parameter_name_escaped() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let e = json_ok(
        app.get(&owner, &format!("{ITEMS}?a%01b%C2%88=1")).await,
        422,
    )
    .await;
    assert_eq!(e["field"], "a\\u{1}b\\u{88}", "{e}");
    let detail = e["detail"].as_str().unwrap();
    assert!(detail.starts_with("a\\u{1}b\\u{88}: "), "{detail}");
    assert!(!detail.chars().any(|c| c.is_control()), "{detail}");
}
