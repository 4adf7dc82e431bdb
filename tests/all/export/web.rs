//! Export over the API and on the Export page: admins take the whole workspace, the PM a
//! backlog CSV, others are refused; the document matches its published JSON Schema.

use reqwest::header::CONTENT_DISPOSITION;
use serde_json::{json, Value};

use crate::support::session::{page_text, sign_in};
use crate::support::spawn_app;

const EXPORT: &str = "/api/v1/workspaces/acme/export";
const CSV: &str = "/api/v1/workspaces/acme/products/ONB/export.csv";

#[tokio::test]
async fn admins_export_the_workspace_and_others_are_refused() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let pm = app.member(&owner, "Pat", &["pm"]).await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    app.story(&owner, "=1+1 looks like a formula").await;
    app.story(&owner, "A plain story").await;

    let r = app.get(&owner, EXPORT).await;
    assert_eq!(r.status(), 200);
    let disposition = r.headers()[CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(disposition, "attachment; filename=\"acme-export.json\"");
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["workspace"], "acme");
    assert_eq!(doc["tables"]["items"].as_array().unwrap().len(), 2);
    assert_eq!(doc["tables"]["users"].as_array().unwrap().len(), 3);

    let summary: Value = app
        .get(&owner, &format!("{EXPORT}/summary"))
        .await
        .json()
        .await
        .unwrap();
    let items = summary["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "items")
        .unwrap();
    assert_eq!(items["rows"], 2);

    for who in [&pm, &dev] {
        let r = app.get(who, EXPORT).await;
        assert_eq!(r.status(), 403);
        let problem: Value = r.json().await.unwrap();
        assert_eq!(
            problem["detail"],
            "only workspace admins may export the whole workspace"
        );
    }

    let csv = app.get(&pm, CSV).await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("Issue key,Issue id,Summary,Issue Type,Status,Status Category,Story Points,Sprint,Labels,Parent,"), "{text}");
    assert!(text.contains(",'=1+1 looks like a formula,"), "{text}");
    assert_eq!(app.get(&owner, CSV).await.status(), 200);
    assert_eq!(app.get(&dev, CSV).await.status(), 403);
}

#[tokio::test]
async fn the_document_follows_its_published_schema() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.item(&owner, json!({"title": "Pointed", "points": 3}))
        .await;
    let doc: Value = app.get(&owner, EXPORT).await.json().await.unwrap();
    // Public, like the OpenAPI document beside it.
    let r = app
        .client
        .get(app.url("/api/export.schema.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let schema: Value = r.json().await.unwrap();
    assert_eq!(schema["properties"]["schema"]["const"], doc["schema"]);
    let tables = schema["properties"]["tables"]["properties"]
        .as_object()
        .unwrap();
    let in_doc = doc["tables"].as_object().unwrap();
    assert_eq!(tables.keys().collect::<Vec<_>>().len(), in_doc.len());
    for (name, rows) in in_doc {
        let item = &tables[name]["items"];
        let required: Vec<&str> = item["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        for row in rows.as_array().unwrap() {
            let keys: Vec<&str> = row
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut sorted = required.clone();
            sorted.sort();
            assert_eq!(
                keys, sorted,
                "{name}: a row's keys are the schema's columns, sorted"
            );
            for (k, v) in row.as_object().unwrap() {
                let ty = &item["properties"][k]["type"];
                let name_of = match v {
                    Value::Null => "null",
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.is_i64() => "integer",
                    Value::Number(_) => "number",
                    Value::String(_) => "string",
                    _ => "other",
                };
                // JSON Schema's "number" takes integers too (whole story points are 3).
                let fits = |t: &Value| t == name_of || (t == "number" && name_of == "integer");
                let allowed = match ty {
                    Value::Array(a) => a.iter().any(fits),
                    t => fits(t),
                };
                assert!(allowed, "{name}.{k}: {v} is not {ty}");
            }
        }
    }
}

#[tokio::test]
async fn the_export_page_lists_sizes_for_admins_and_backlogs_for_the_pm() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let pm = app.member(&owner, "Pat", &["pm"]).await;
    app.member(&owner, "Dev", &["dev"]).await;
    app.story(&owner, "One story").await;

    let (admin, _) = sign_in(&app, &owner.email).await;
    let html = page_text(&admin, &app, "/w/acme/export").await;
    assert!(html.contains("<h2>Whole workspace</h2>"), "{html}");
    assert!(
        html.contains("<tr><td>items</td><td class=\"num\">1</td>"),
        "{html}"
    );
    assert!(html.contains("href=\"/w/acme/export.json\""));
    assert!(html.contains("href=\"/w/acme/p/ONB/export.csv\""));
    let file = admin
        .get(app.url("/w/acme/export.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let api = app.get(&owner, EXPORT).await.bytes().await.unwrap();
    assert_eq!(file, api, "the page's download is the API's document");

    let (pm_client, _) = sign_in(&app, &pm.email).await;
    let html = page_text(&pm_client, &app, "/w/acme/export").await;
    assert!(
        !html.contains("Whole workspace") && html.contains("/w/acme/p/ONB/export.csv"),
        "{html}"
    );
    let r = pm_client
        .get(app.url("/w/acme/export.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let (dev_client, _) = sign_in(&app, "dev@example.com").await;
    let r = dev_client
        .get(app.url("/w/acme/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn an_export_holds_its_workspace_and_nothing_of_another() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.story(&owner, "Ours").await;
    let stranger = app.user("Stranger").await;
    let r = app
        .post(
            &stranger,
            "/api/v1/workspaces",
            json!({"slug": "other", "name": "Other"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .post(
            &stranger,
            "/api/v1/workspaces/other/products",
            json!({"key": "OTH", "name": "Theirs"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r = app
        .post(
            &stranger,
            "/api/v1/workspaces/other/products/OTH/items",
            json!({"title": "Theirs"}),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    let doc: Value = app.get(&owner, EXPORT).await.json().await.unwrap();
    let t = &doc["tables"];
    let emails: Vec<&str> = t["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["owner@example.com"]);
    assert_eq!(t["workspaces"].as_array().unwrap().len(), 1);
    let keys: Vec<&str> = t["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["ONB"]);
    let titles: Vec<&str> = t["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Ours"]);
    let acme = t["workspaces"][0]["id"].clone();
    assert!(t["audit_log"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["workspace_id"] == acme));
    // The stranger is no member of acme: their workspace stays out of reach.
    assert_eq!(app.get(&stranger, EXPORT).await.status(), 404);
}
