//! The API's contract as clients see it: the OpenAPI document describes what the server does,
//! and every answer a client or a person can reach has the product's shape.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{spawn_app, TestApp};

async fn openapi(app: &TestApp) -> Value {
    let r = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Every operation in the document as (method, path template, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn path_parameters_are_in_the_path_and_the_rest_in_the_query() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let mut queries = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        for p in op["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap();
            match p["in"].as_str().unwrap() {
                "path" => assert!(
                    path.contains(&format!("{{{name}}}")),
                    "{method} {path}: `{name}` is declared in the path but is not in it"
                ),
                "query" => {
                    queries.insert(name.to_string());
                }
                _ => {}
            }
        }
        for name in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
            let declared = op["parameters"].as_array().into_iter().flatten();
            assert!(
                declared
                    .filter(|p| p["in"] == "path")
                    .any(|p| p["name"] == name),
                "{method} {path}: `{name}` is in the path but not declared"
            );
        }
    }
    for name in [
        "q", "cursor", "limit", "sprint", "quarter", "before", "format", "unread",
    ] {
        assert!(queries.contains(name), "no query parameter `{name}`");
    }
}

#[tokio::test]
async fn every_operation_has_a_summary_and_its_own_operation_id() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let mut seen = BTreeMap::new();
    for (method, path, op) in operations(&doc) {
        let summary = op["summary"].as_str().unwrap_or_default();
        assert!(!summary.trim().is_empty(), "{method} {path} has no summary");
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
            panic!("operationId {id} serves both {other} and {method} {path}");
        }
    }
}

#[tokio::test]
async fn links_lead_from_each_create_to_read_update_and_delete() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let ops = operations(&doc);
    let by_id: BTreeMap<String, (String, String)> = ops
        .iter()
        .map(|(m, p, op)| {
            (
                op["operationId"].as_str().unwrap().to_string(),
                (m.clone(), p.clone()),
            )
        })
        .collect();
    let links_of = |id: &str, status: &str| -> Value {
        let (m, p) = &by_id[id];
        doc["paths"][p][m]["responses"][status]["links"].clone()
    };
    for (create, read, key) in [
        ("createItem", "getItem", "key"),
        ("createSprint", "getSprint", "id"),
        ("createInitiative", "getInitiative", "id"),
    ] {
        let links = links_of(create, "201");
        let read_link = &links[read];
        assert_eq!(
            read_link["operationId"], read,
            "{create} links to {read}: {links}"
        );
        assert_eq!(
            read_link["parameters"][key],
            format!("$response.body#/{key}")
        );
        assert_eq!(read_link["parameters"]["ws"], "$request.path.ws");
    }
    assert_eq!(
        links_of("getItem", "200")["updateItem"]["parameters"]["header.If-Match"],
        "$response.header.ETag"
    );
    assert_eq!(
        links_of("createItem", "201")["deleteItem"]["operationId"],
        "deleteItem"
    );
    assert_eq!(
        links_of("updateInitiative", "200")["getInitiative"]["operationId"],
        "getInitiative"
    );
    // Every link names an operation of the document and only path parameters it takes.
    for (_, path, op) in &ops {
        for response in op["responses"].as_object().unwrap().values() {
            for link in response["links"]
                .as_object()
                .into_iter()
                .flat_map(|l| l.values())
            {
                let target = link["operationId"].as_str().unwrap();
                let (_, target_path) = by_id
                    .get(target)
                    .unwrap_or_else(|| panic!("{path}: no {target}"));
                for name in link["parameters"].as_object().unwrap().keys() {
                    if !name.starts_with("header.") {
                        assert!(
                            target_path.contains(&format!("{{{name}}}")),
                            "{target} takes no {name}"
                        );
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn error_responses_are_problem_details_and_413_is_documented() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let problem = &doc["components"]["schemas"]["Problem"];
    for field in ["type", "title", "status", "detail", "field", "current"] {
        assert!(
            problem["properties"].get(field).is_some(),
            "Problem lacks {field}"
        );
    }
    let mut too_large = 0;
    for (method, path, op) in operations(&doc) {
        for (code, response) in op["responses"].as_object().unwrap() {
            if !code.starts_with('4') && !code.starts_with('5') {
                continue;
            }
            assert_eq!(
                response["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {path} {code}"
            );
            assert!(
                !response["description"].as_str().unwrap().is_empty(),
                "{method} {path} {code} has no description"
            );
        }
        if op.get("requestBody").is_some() {
            assert!(
                op["responses"].get("413").is_some(),
                "{method} {path} takes a body but does not document 413"
            );
            too_large += 1;
        }
    }
    assert!(too_large > 50, "only {too_large} operations take a body");
}

#[tokio::test]
async fn each_schema_name_is_one_body() {
    let app = spawn_app().await;
    let doc = openapi(&app).await;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for (name, fields) in [
        ("AuditEntry", "action"),
        ("RoadmapEntry", "horizon"),
        ("RetroEntry", "votes"),
        ("QuestionAnswerInput", "answer"),
        ("SignoffAnswerInput", "comment"),
    ] {
        let props = &schemas[name]["properties"];
        assert!(props.get(fields).is_some(), "{name}: {props}");
    }
    assert!(!schemas.contains_key("Entry") && !schemas.contains_key("AnswerInput"));

    // utoipa keeps one schema per name and drops the others silently, so the names are
    // checked where they are given: every ToSchema type must have a name of its own.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        for name in schema_names(&text) {
            let here = file.display().to_string();
            if let Some(there) = names.insert(name.clone(), here.clone()) {
                panic!("schema {name} is both in {there} and in {here}; rename one with #[schema(as = ...)]");
            }
        }
    }
    assert!(names.len() > 100, "found only {} schemas", names.len());
}

fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The `struct …` or `enum …` a line declares, without its visibility.
fn declared(line: &str) -> Option<&str> {
    let decl = line
        .trim_start_matches("pub(crate) ")
        .trim_start_matches("pub ");
    (decl.starts_with("struct ") || decl.starts_with("enum ")).then_some(decl)
}

/// The OpenAPI names of the types deriving `ToSchema` in one file: `#[schema(as = X)]` or the
/// type's own name.
fn schema_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = false;
    let mut renamed = None;
    let mut derive = String::new();
    for line in text.lines().map(str::trim) {
        // A derive list may span lines; read it whole.
        if line.starts_with("#[derive(") || !derive.is_empty() {
            derive.push_str(line);
            if !line.ends_with(")]") {
                continue;
            }
        }
        let line = if derive.is_empty() {
            line.to_string()
        } else {
            std::mem::take(&mut derive)
        };
        let line = line.as_str();
        if line.starts_with("#[derive(") && line.contains("ToSchema") {
            pending = true;
            renamed = None;
        } else if pending && line.starts_with("#[schema(as = ") {
            renamed = line
                .trim_start_matches("#[schema(as = ")
                .split([')', ','])
                .next()
                .map(str::to_string);
        } else if let Some(decl) = pending.then(|| declared(line)).flatten() {
            let own = decl
                .split_whitespace()
                .nth(1)
                .unwrap()
                .split(['{', '(', ';', '<'])
                .next()
                .unwrap()
                .to_string();
            out.push(renamed.take().unwrap_or(own));
            pending = false;
        }
    }
    out
}

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

#[tokio::test]
async fn an_accepted_member_is_shown_and_roles_take_an_email() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let mia = app.user("Mia").await;
    app.invite_and_accept(&owner, &mia, json!({"email": mia.email}))
        .await;
    let location = format!("/api/v1/workspaces/acme/members/{}", mia.id);
    let member: Value = app.get(&owner, &location).await.json().await.unwrap();
    assert_eq!(member["email"], mia.email.as_str());
    assert_eq!(member["user_id"], mia.id);

    let roles = |who: String, roles: Value| {
        app.req(
            &owner,
            Method::PUT,
            &format!("/api/v1/workspaces/acme/products/ONB/roles/{who}"),
        )
        .json(&json!({ "roles": roles }))
        .send()
    };
    assert_eq!(
        roles(mia.email.clone(), json!(["po"]))
            .await
            .unwrap()
            .status(),
        204
    );
    let by_email = app
        .get(
            &owner,
            &format!("/api/v1/workspaces/acme/members/{}", mia.email),
        )
        .await;
    let shown: Value = by_email.json().await.unwrap();
    assert_eq!(shown["roles"], json!([{"product": "ONB", "roles": ["po"]}]));
    assert_eq!(
        roles(mia.id.to_string(), json!(["dev"]))
            .await
            .unwrap()
            .status(),
        204
    );
    let r = roles("nobody@example.com".into(), json!(["dev"]))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}
