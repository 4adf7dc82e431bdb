//! Imports over the API: an uploaded export is queued (202 and a job at its Location), imported
//! in the background, and its job reports progress and the final report; a file that is not
//! work items is refused with 422 and no job; jobs stay in their product and need the import
//! role; a job a restart cut short is marked failed, and on PostgreSQL a job another live
//! process runs shows that process's progress until it stops beating.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::boards::trello;
use super::corpus::{facts, path, Facts};
use crate::support::{spawn_app, Caller, TestApp};

const IMPORTS: &str = "/api/v1/workspaces/acme/products/ONB/imports";

/// A multipart/form-data body: its content type and bytes.
pub(super) fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----throughline-import-test";
    let mut body = Vec::new();
    for (name, file, data) in parts {
        let file = file
            .map(|f| format!("; filename=\"{f}\""))
            .unwrap_or_default();
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(super) async fn upload(
    app: &TestApp,
    who: &Caller,
    parts: &[(&str, Option<&str>, &[u8])],
) -> reqwest::Response {
    let (content_type, body) = multipart(parts);
    app.req(who, Method::POST, IMPORTS)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Polls the job until it is done or failed (at most 60 s).
pub(super) async fn finished(app: &TestApp, who: &Caller, location: &str) -> Value {
    for _ in 0..600 {
        let job: Value = app.get(who, location).await.json().await.unwrap();
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the job at {location} did not finish");
}

#[tokio::test]
async fn an_upload_is_imported_in_the_background_and_its_job_reports() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let rel = "trello/sidelinehd_apps_board_682cards.json";
    let bytes = std::fs::read(path(rel)).unwrap();
    let r = upload(&app, &owner, &[("file", Some("board.json"), &bytes)]).await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job: Value = r.json().await.unwrap();
    assert_eq!(location, format!("{IMPORTS}/{}", job["id"]));
    assert_eq!(
        (job["format"].clone(), job["file_name"].clone()),
        ("trello".into(), "board.json".into())
    );
    let expected = trello(rel);
    assert_eq!(job["progress"]["total"], expected.items);
    let done = finished(&app, &owner, &location).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress"]["done"], expected.items);
    assert_eq!(done["report"]["created"], expected.items);
    assert!(done["finished_at"].is_string());
    assert_eq!(facts(&app.db).await, expected);
    // The same file again, as a dry run: a job that finds everything unchanged.
    let r = upload(
        &app,
        &owner,
        &[
            ("file", Some("board.json"), &bytes),
            ("dry_run", None, b"true"),
        ],
    )
    .await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let again = finished(&app, &owner, &location).await;
    assert_eq!(
        (
            again["dry_run"].clone(),
            again["report"]["unchanged"].clone()
        ),
        (Value::from(true), Value::from(expected.items))
    );
}

#[tokio::test]
async fn a_file_that_is_not_work_items_is_refused_and_no_job_kept() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let bytes = std::fs::read(path("jira_json/gojira_agile_board_sprints.json")).unwrap();
    let r = upload(&app, &owner, &[("file", Some("sprints.json"), &bytes)]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["field"], "file", "{problem}");
    assert!(
        problem["detail"].as_str().unwrap().contains("Jira sprints"),
        "{problem}"
    );
    let r = upload(
        &app,
        &owner,
        &[("file", Some("a.csv"), b"x"), ("format", None, b"excel")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "format");
    let r = upload(
        &app,
        &owner,
        &[("file", Some("a.csv"), b"x"), ("epics_as", None, b"themes")],
    )
    .await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "epics_as");
    let r = upload(&app, &owner, &[("dry_run", None, b"true")]).await;
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["field"], "file");
    assert_eq!(app.get(&owner, &format!("{IMPORTS}/1")).await.status(), 404);
    assert_eq!(facts(&app.db).await, Facts::default());
}

#[tokio::test]
async fn jobs_stay_in_their_product_and_need_the_import_role() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let bytes = std::fs::read(path("linear/linear_export_test_workspace.csv")).unwrap();
    let r = upload(&app, &dev, &[("file", Some("linear.csv"), &bytes)]).await;
    assert_eq!(r.status(), 403);
    let r = upload(&app, &owner, &[("file", Some("linear.csv"), &bytes)]).await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    finished(&app, &owner, &location).await;
    assert_eq!(app.get(&dev, &location).await.status(), 403);
    let elsewhere = location.replace("/products/ONB/", "/products/NOPE/");
    assert_eq!(app.get(&owner, &elsewhere).await.status(), 404);
    let stranger = app.user("Stranger").await;
    assert_eq!(app.get(&stranger, &location).await.status(), 404);
}

#[tokio::test]
async fn a_job_a_restart_cut_short_is_marked_failed() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let bytes = std::fs::read(path("pivotal/trackerhub_stories.csv")).unwrap();
    let r = upload(&app, &owner, &[("file", Some("stories.csv"), &bytes)]).await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let done = finished(&app, &owner, &location).await;
    // As a crash would leave it: still running in the database, with nobody running it, and
    // silent for a minute.
    let minute_ago = chrono::Utc::now() - chrono::TimeDelta::seconds(60);
    throughline::with_pool!(&app.db.write, p => sqlx::query(
        "UPDATE import_jobs SET status = 'running', finished_at = NULL, heartbeat_at = $2 WHERE id = $1")
        .bind(done["id"].as_i64().unwrap()).bind(minute_ago).execute(p).await.map(|_| ()))
    .unwrap();
    assert_eq!(
        throughline::import::jobs::interrupted(&app.db)
            .await
            .unwrap(),
        1
    );
    let job: Value = app.get(&owner, &location).await.json().await.unwrap();
    assert_eq!(job["status"], "failed");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("upload the file again"),
        "{job}"
    );
    assert_eq!(
        throughline::import::jobs::interrupted(&app.db)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_job_another_process_runs_shows_its_progress_until_it_falls_silent() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let bytes = std::fs::read(path("pivotal/trackerhub_stories.csv")).unwrap();
    let r = upload(&app, &owner, &[("file", Some("stories.csv"), &bytes)]).await;
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let done = finished(&app, &owner, &location).await;
    let id = done["id"].as_i64().unwrap();
    // As another server process would leave it mid-import: running, 3 records in, beating now.
    let beat = |at: chrono::DateTime<chrono::Utc>| {
        let db = app.db.clone();
        async move {
            throughline::with_pool!(&db.write, p => sqlx::query(
                "UPDATE import_jobs SET status = 'running', finished_at = NULL, items_done = 3,
                        heartbeat_at = $2 WHERE id = $1")
                .bind(id).bind(at).execute(p).await.map(|_| ()))
            .unwrap();
        }
    };
    beat(chrono::Utc::now()).await;
    let cut = throughline::import::jobs::interrupted(&app.db)
        .await
        .unwrap();
    if app.db.is_sqlite() {
        // One server process per SQLite file: at its start, nothing else can be importing.
        assert_eq!(cut, 1);
        return;
    }
    assert_eq!(cut, 0, "a live process's job is left to it");
    let job: Value = app.get(&owner, &location).await.json().await.unwrap();
    assert_eq!(job["status"], "running", "{job}");
    assert_eq!(job["progress"]["done"], 3, "{job}");
    // Its process dies: after 30 s of silence the job reads as failed, for every process.
    beat(chrono::Utc::now() - chrono::TimeDelta::seconds(31)).await;
    let job: Value = app.get(&owner, &location).await.json().await.unwrap();
    assert_eq!(job["status"], "failed", "{job}");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("upload the file again"),
        "{job}"
    );
}

/// A change of the Definition of Ready assesses every item again, more of them than one round
/// trip reads (1,000): an imported backlog of 1,100 stories without criteria is told to add one
/// until no criterion is asked for, and again when one is.
#[tokio::test]
async fn a_rules_change_assesses_a_large_backlog_again() {
    let app = spawn_app().await;
    let po = app.workspace().await;
    let mut csv = String::from("Summary,Issue key,Issue Type\n");
    for i in 1..=1_100 {
        csv.push_str(&format!("Read page {i},R-{i},Story\n"));
    }
    let report = super::undo::imported(&app, &po, &csv).await;
    assert_eq!(report["created"], 1_100, "{report}");
    let rules_at = "/api/v1/workspaces/acme/products/ONB/ready-rules";
    let unready_for = |reason: &'static str| {
        let db = app.db.clone();
        async move {
            throughline::with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM items WHERE readiness LIKE $1")
                .bind(format!("%\"{reason}\"%")).fetch_one(p).await)
            .unwrap()
        }
    };
    assert_eq!(unready_for("no_criteria").await, 1_100);
    let set = |min: i64| {
        let (app, po) = (&app, &po);
        async move {
            let r = app.get(po, rules_at).await;
            let etag = r.headers()["etag"].to_str().unwrap().to_string();
            let mut rules: Value = r.json().await.unwrap();
            rules["min_criteria"] = min.into();
            let r = app
                .req(po, Method::PUT, rules_at)
                .header("If-Match", &etag)
                .json(&rules)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
    };
    set(0).await;
    assert_eq!(unready_for("no_criteria").await, 0);
    set(1).await;
    assert_eq!(unready_for("no_criteria").await, 1_100);
}
