//! Undoing an import as a whole: what it created goes, what it updated gets back what it had,
//! once; and not at all once anyone has touched one of its items since.

use serde_json::{json, Value};

use super::api::{finished, upload};
use super::corpus::{facts, import};
use crate::support::cli::Cli;
use crate::support::spawn_app;
use crate::support::{Caller, TestApp};

const UNDO: &str = "/api/v1/workspaces/acme/products/ONB/imports/undo";

pub(super) const V1: &str = "Summary,Issue key,Issue Type,Status,Updated\n\
    Sign up with e-mail,A-1,Story,To Do,2025-11-01 10:00\n\
    Reset a password,A-2,Story,In Progress,2025-11-01 10:00\n\
    Fix the login typo,A-3,Bug,Done,2025-11-01 10:00\n";

/// A later export of the same project: A-1 renamed and closed, A-4 new, the rest as before.
const V2: &str = "Summary,Issue key,Issue Type,Status,Updated\n\
    Sign up with an e-mail link,A-1,Story,Done,2025-11-20 10:00\n\
    Reset a password,A-2,Story,In Progress,2025-11-01 10:00\n\
    Fix the login typo,A-3,Bug,Done,2025-11-01 10:00\n\
    Invite a teammate,A-4,Story,To Do,2025-11-20 10:00\n";

pub(super) async fn imported(app: &TestApp, who: &Caller, csv: &str) -> Value {
    let r = upload(app, who, &[("file", Some("jira.csv"), csv.as_bytes())]).await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job = finished(app, who, &location).await;
    assert_eq!(job["status"], "done", "{job}");
    job["report"].clone()
}

async fn undo(app: &TestApp, who: &Caller, id: &Value) -> (u16, Value) {
    let r = app.post(who, UNDO, json!({ "import_id": id })).await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn title_and_status(app: &TestApp, who: &Caller, key: &str) -> (String, String) {
    let item = app.show(who, key).await;
    (
        item["title"].as_str().unwrap().to_string(),
        item["status"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn an_import_is_undone_as_a_whole_and_only_once() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let first = imported(&app, &owner, V1).await;
    assert_eq!(first["created"], 3);
    let second = imported(&app, &owner, V2).await;
    assert_eq!(
        (second["created"].clone(), second["updated"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        title_and_status(&app, &owner, "ONB-1").await,
        ("Sign up with an e-mail link".into(), "done".into())
    );
    let (code, undone) = undo(&app, &owner, &second["import_id"]).await;
    assert_eq!(code, 200, "{undone}");
    assert_eq!(
        (undone["deleted"].clone(), undone["restored"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(facts(&app.db).await.items, 3);
    assert_eq!(
        title_and_status(&app, &owner, "ONB-1").await,
        ("Sign up with e-mail".into(), "todo".into())
    );
    assert_eq!(
        app.get(&owner, "/api/v1/workspaces/acme/items/ONB-4")
            .await
            .status(),
        404
    );
    let (code, again) = undo(&app, &owner, &second["import_id"]).await;
    assert_eq!(code, 409);
    assert!(
        again["detail"].as_str().unwrap().contains("undone already"),
        "{again}"
    );
    // The first import goes as well, and the product is as it was before either.
    let (code, _) = undo(&app, &owner, &first["import_id"]).await;
    assert_eq!(code, 200);
    assert_eq!(facts(&app.db).await.items, 0);
    // After the undo, the file imports again from scratch.
    assert_eq!(imported(&app, &owner, V1).await["created"], 3);
}

#[tokio::test]
async fn an_undo_refuses_once_an_item_was_touched_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let report = imported(&app, &owner, V1).await;
    let r = app
        .patch(
            &owner,
            "/api/v1/workspaces/acme/items/ONB-2",
            1,
            json!({"title": "Reset it"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (code, problem) = undo(&app, &owner, &report["import_id"]).await;
    assert_eq!(code, 409, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("ONB-2") && !detail.contains("ONB-1"),
        "{detail}"
    );
    assert_eq!(facts(&app.db).await.items, 3);
    // An import of another product, or one that never was, is not found.
    let (code, _) = undo(&app, &owner, &json!(99_999)).await;
    assert_eq!(code, 404);
    // Someone without the import role may not undo.
    let dev = app.member(&owner, "Dee", &["dev"]).await;
    let (code, _) = undo(&app, &dev, &report["import_id"]).await;
    assert_eq!(code, 403);
}

#[tokio::test]
async fn the_cli_undoes_an_import_by_its_id() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let report = import(&cli, &ada, "linear/linear_export_test_workspace.csv", &[]);
    let id = report["import_id"].as_i64().expect("an import id");
    let undone = cli.json(&[
        "import",
        "--undo",
        &id.to_string(),
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--json",
    ]);
    assert_eq!(undone["deleted"], report["created"]);
    let db = super::db(&cli).await;
    assert_eq!(facts(&db).await.items, 0);
    db.close().await;
    let e = cli.fails(&[
        "import",
        "--undo",
        &id.to_string(),
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
    ]);
    assert!(e.contains("undone already"), "{e}");
    // A dry run has no id: nothing was written that could be undone.
    let dry = import(
        &cli,
        &ada,
        "linear/linear_export_test_workspace.csv",
        &["--dry-run"],
    );
    assert!(dry["import_id"].is_null(), "{dry}");
}

#[tokio::test]
async fn the_job_page_undoes_its_import() {
    use crate::support::session::{page_text, sign_in};
    let app = spawn_app().await;
    let owner = app.workspace().await;
    imported(&app, &owner, V1).await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let job = "/w/acme/p/ONB/import/jobs/1";
    let page = page_text(&client, &app, job).await;
    assert!(page.contains("id=\"undo-import\""), "{page}");
    let undo = app.url(&format!("{job}/undo"));
    let r = client.post(&undo).form(&[("x", "y")]).send().await.unwrap();
    assert_eq!(r.status(), 403, "an undo without the CSRF token");
    assert_eq!(facts(&app.db).await.items, 3);
    let r = client
        .post(&undo)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("undone: 3 items deleted"), "{html}");
    assert_eq!(facts(&app.db).await.items, 0);
    let r = client
        .post(&undo)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    assert!(
        html.contains("alert-error") && html.contains("undone already"),
        "{html}"
    );
}
