//! The Import page: only admins, PMs and POs reach it; an upload is previewed (counts, mapping,
//! first items) with nothing written, a confirmation imports it as a background job whose page
//! reports it; a refused file re-renders the form with the reader's sentence (422); every post
//! needs the session's CSRF token.

use std::time::Duration;

use reqwest::Client;

use super::api::multipart;
use super::boards::trello;
use super::corpus::{facts, path, Facts};
use crate::support::session::{between, page_text, sign_in};
use crate::support::spawn_app;
use crate::support::TestApp;
use throughline::with_pool;

const PAGE: &str = "/w/acme/p/ONB/import";
const BOARD: &str = "trello/clipkit_board.json";

/// Posts the upload form as a browser does (multipart), with `csrf` when given.
async fn upload(
    client: &Client,
    app: &TestApp,
    csrf: Option<&str>,
    file: &[u8],
    extra: &[(&str, Option<&str>, &[u8])],
) -> reqwest::Response {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = Vec::new();
    if let Some(c) = csrf {
        parts.push(("csrf", None, c.as_bytes()));
    }
    parts.push(("file", Some("export.json"), file));
    parts.extend_from_slice(extra);
    let (content_type, body) = multipart(&parts);
    client
        .post(app.url(PAGE))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    with_pool!(&app.db.read, p => sqlx::query_scalar::<_, i64>(&sql).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn only_admins_pms_and_pos_reach_the_import_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.member(&owner, "Dev", &["dev"]).await;
    app.member(&owner, "Sh", &["stakeholder"]).await;
    app.member(&owner, "Po", &["po"]).await;
    let (client, _) = sign_in(&app, &owner.email).await;
    let r = client.get(app.url(PAGE)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    let backlog = page_text(&client, &app, "/w/acme/p/ONB/backlog").await;
    assert!(backlog.contains("id=\"import-link\""));
    let (po, _) = sign_in(&app, "po@example.com").await;
    assert_eq!(po.get(app.url(PAGE)).send().await.unwrap().status(), 200);
    for who in ["dev@example.com", "sh@example.com"] {
        let (client, _) = sign_in(&app, who).await;
        assert_eq!(
            client.get(app.url(PAGE)).send().await.unwrap().status(),
            403,
            "{who}"
        );
        let jobs = app.url("/w/acme/p/ONB/import/jobs/1");
        assert_eq!(
            client.get(jobs).send().await.unwrap().status(),
            403,
            "{who}"
        );
        let backlog = page_text(&client, &app, "/w/acme/p/ONB/backlog").await;
        assert!(!backlog.contains("id=\"import-link\""), "{who}");
    }
}

#[tokio::test]
async fn a_preview_writes_nothing_and_its_confirmation_imports() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let expected = trello(BOARD);
    let bytes = std::fs::read(path(BOARD)).unwrap();
    let r = upload(&client, &app, Some(&csrf), &bytes, &[]).await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("{} items read as trello", expected.items)),
        "{html}"
    );
    for (kind, n) in &expected.by_kind {
        assert!(
            html.contains(&format!("<td>{kind}</td><td class=\"num\">{n}</td>")),
            "{kind} {n}"
        );
    }
    assert!(html.contains("id=\"sample\""));
    let team = super::history::trello(BOARD);
    let people = team.people.len();
    assert!(
        html.contains(&format!("id=\"preview-people\">{people}<")),
        "{html}"
    );
    assert!(html.contains("id=\"preview-epics\">0<"), "{html}");
    let comments = team.comments;
    assert!(
        html.contains(&format!("id=\"preview-comments\">{comments}<")),
        "{html}"
    );
    assert!(html.contains(&format!("Import {} items", expected.items)));
    assert_eq!(facts(&app.db).await, Facts::default());
    assert_eq!(count(&app, "import_jobs").await, 0);
    let token = between(&html, "name=\"token\" value=\"", "\"")
        .unwrap()
        .to_string();

    let confirm = app.url("/w/acme/p/ONB/import/confirm");
    let r = client
        .post(&confirm)
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a confirmation without the CSRF token");
    let r = client
        .post(&confirm)
        .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let job = r.headers()["location"].to_str().unwrap().to_string();
    let page = page_text(&client, &app, &job).await;
    assert!(page.contains("<progress"), "{page}");
    let mut fragment = String::new();
    for _ in 0..600 {
        fragment = page_text(&client, &app, &format!("{job}/progress")).await;
        if !fragment.contains("hx-trigger") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(fragment.contains("id=\"import-done\""), "{fragment}");
    assert!(
        fragment.contains(&format!("id=\"created\">{}<", expected.items)),
        "{fragment}"
    );
    assert!(fragment.contains("href=\"/w/acme/p/ONB/backlog\""));
    let placeholders = team.accounts();
    assert!(
        fragment.contains(&format!("id=\"people-created\">{placeholders}<")),
        "{fragment}"
    );
    assert_eq!(facts(&app.db).await, expected);
    let done = page_text(&client, &app, &job).await;
    assert!(
        !done.contains("http-equiv=\"refresh\""),
        "a finished job stops refreshing"
    );
    // The upload was taken: the same token again imports nothing twice.
    let r = client
        .post(&confirm)
        .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("upload the file again"));
    assert_eq!(count(&app, "import_jobs").await, 1);
}

#[tokio::test]
async fn a_refused_file_gets_the_readers_sentence_and_posts_need_the_csrf_token() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let sprints = std::fs::read(path("jira_json/gojira_agile_board_sprints.json")).unwrap();
    let r = upload(&client, &app, Some(&csrf), &sprints, &[]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    let error = between(&html, "id=\"file-error\">", "</p>").unwrap();
    assert!(error.contains("Jira sprints"), "{error}");
    let r = upload(
        &client,
        &app,
        Some(&csrf),
        b"<rss><channel><item>",
        &[("format", None, b"jira-xml")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        !between(&html, "id=\"file-error\">", "</p>")
            .unwrap()
            .is_empty(),
        "{html}"
    );
    let bytes = std::fs::read(path(BOARD)).unwrap();
    assert_eq!(upload(&client, &app, None, &bytes, &[]).await.status(), 403);
    assert_eq!(
        upload(&client, &app, Some("forged"), &bytes, &[])
            .await
            .status(),
        403
    );
    assert_eq!(count(&app, "import_uploads").await, 0);
    assert_eq!(facts(&app.db).await, Facts::default());
}
