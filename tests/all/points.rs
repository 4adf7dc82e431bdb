//! Fractional story points end to end: 0.5 and 18.5 are stored, summed, compared and shown
//! exactly through the API, the query language, sprints and reports, and the CLI.

use crate::support;

use serde_json::{json, Value};
use support::cli::Cli;
use support::scrum::*;
use support::{spawn_app, Caller, TestApp};
use throughline::db::{Db, Target};
use throughline::with_pool;

const ITEMS: &str = "/api/v1/workspaces/acme/products/ONB/items";

async fn estimated(app: &TestApp, who: &Caller, title: &str, points: Value) -> String {
    let v = app
        .item(
            who,
            json!({"title": title, "persona": "new user", "goal": format!("to {title}"),
                   "benefit": "I get started", "criteria": ["Given a When b Then c"],
                   "points": points}),
        )
        .await;
    assert_eq!(v["points"], points, "{v}");
    v["key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_item_keeps_half_and_eighteen_and_a_half_points_exactly() {
    let app = spawn_app().await;
    let po = app.workspace().await;
    let half = app.item(&po, json!({"title": "Half", "points": 0.5})).await;
    assert_eq!(half["points"], json!(0.5));
    let key = half["key"].as_str().unwrap();
    let v = half["version"].as_i64().unwrap();
    let r = app
        .patch(
            &po,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            v,
            json!({"points": 18.5}),
        )
        .await;
    let updated = json_ok(r, 200).await;
    assert_eq!(updated["points"], json!(18.5));
    let shown = app.show(&po, key).await;
    assert_eq!(shown["points"], json!(18.5));
    // Whole points still read as integers, so every client sees what it saw before.
    let whole = app.item(&po, json!({"title": "Whole", "points": 3})).await;
    assert_eq!(serde_json::to_string(&whole["points"]).unwrap(), "3");
    let tiny = app
        .item(&po, json!({"title": "Tiny", "points": 0.25}))
        .await;
    assert_eq!(tiny["points"], json!(0.25));
    // Children roll up exactly: 0.5 + 0.25 under a parent make 0.75.
    let parent = app.item(&po, json!({"title": "Parent"})).await;
    let p = parent["key"].as_str().unwrap();
    app.item(&po, json!({"title": "A", "points": 0.5, "parent": p}))
        .await;
    app.item(&po, json!({"title": "B", "points": 0.25, "parent": p}))
        .await;
    assert_eq!(app.show(&po, p).await["children_points"], json!(0.75));
    let list = json_ok(app.get(&po, &format!("{ITEMS}?q=key:{p}")).await, 200).await;
    assert_eq!(list["items"][0]["children_points"], json!(0.75), "{list}");
}

#[tokio::test]
async fn points_out_of_range_or_too_precise_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let po = app.workspace().await;
    for bad in [
        json!(0.555),
        json!(100.01),
        json!(101),
        json!(-1),
        json!(-0.5),
        json!("3"),
    ] {
        let r = app
            .post(&po, ITEMS, json!({"title": "Bad", "points": bad}))
            .await;
        let e = json_ok(r, 422).await;
        assert_eq!(e["field"], "points", "{bad}: {e}");
        assert!(
            e["detail"].as_str().unwrap().contains("points"),
            "{bad}: {e}"
        );
    }
    let item = app.item(&po, json!({"title": "Good", "points": 100})).await;
    let key = item["key"].as_str().unwrap();
    let r = app
        .patch(
            &po,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            item["version"].as_i64().unwrap(),
            json!({"points": 1.005}),
        )
        .await;
    assert_eq!(json_ok(r, 422).await["field"], "points");
    assert_eq!(app.show(&po, key).await["points"], 100);
}

#[tokio::test]
async fn the_query_language_compares_fractional_points() {
    let app = spawn_app().await;
    let po = app.workspace().await;
    for (title, points) in [
        ("half", json!(0.5)),
        ("quarter", json!(0.25)),
        ("three", json!(3)),
        ("none", Value::Null),
        ("eighteen and a half", json!(18.5)),
    ] {
        app.item(&po, json!({"title": title, "points": points}))
            .await;
    }
    let keys = |q: &'static str| {
        let app = &app;
        let po = po.clone();
        async move {
            let q: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
            let v = json_ok(app.get(&po, &format!("{ITEMS}?q={q}")).await, 200).await;
            v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["key"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(keys("points>=0.5").await, ["ONB-1", "ONB-3", "ONB-5"]);
    assert_eq!(keys("points<0.5").await, ["ONB-2"]);
    assert_eq!(keys("points:0.25").await, ["ONB-2"]);
    assert_eq!(keys("points>3").await, ["ONB-5"]);
    assert_eq!(keys("points>18.49").await, ["ONB-5"]);
    assert_eq!(
        keys("points>=0 sort:-points").await,
        ["ONB-5", "ONB-3", "ONB-1", "ONB-2"]
    );
    let r = app.get(&po, &format!("{ITEMS}?q=points%3E%3D0.555")).await;
    let e = json_ok(r, 422).await;
    assert_eq!(e["field"], "q");
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("at most two decimals"),
        "{e}"
    );
}

/// Commits, starts, accepts `accept` and closes sprint `name`; returns the closed sprint.
async fn closed_sprint(
    app: &TestApp,
    owner: &Caller,
    team: i64,
    name: &str,
    start: &str,
    points: &[Value],
    accept: &[usize],
) -> Value {
    let end =
        (start.parse::<chrono::NaiveDate>().unwrap() + chrono::Duration::days(13)).to_string();
    let s = sprint(app, owner, team, name, start, &end).await;
    let id = s["id"].as_i64().unwrap();
    let mut keys = Vec::new();
    for (n, p) in points.iter().enumerate() {
        keys.push(estimated(app, owner, &format!("{name} story {n}"), p.clone()).await);
    }
    let accepted: Vec<String> = accept.iter().map(|i| keys[*i].clone()).collect();
    run_sprint(app, owner, id, &keys, &accepted).await
}

#[tokio::test]
async fn velocity_and_say_do_over_fractional_points_add_up_by_hand() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "sm", "dev"])
        .await;
    let team = team(&app, &owner, &sm).await;
    // S1 completes 0.5; S2 completes 1.25 + 0.25 = 1.5; S3 commits 2.5 + 0.5 = 3 and
    // completes only the 0.5.
    let s1 = closed_sprint(&app, &owner, team, "S1", "2027-01-04", &[json!(0.5)], &[0]).await;
    let s2 = closed_sprint(
        &app,
        &owner,
        team,
        "S2",
        "2027-01-18",
        &[json!(1.25), json!(0.25)],
        &[0, 1],
    )
    .await;
    let s3 = closed_sprint(
        &app,
        &owner,
        team,
        "S3",
        "2027-02-01",
        &[json!(2.5), json!(0.5)],
        &[1],
    )
    .await;
    assert_eq!(s1["figures"]["completed"], json!(0.5), "{s1}");
    assert_eq!(s2["figures"]["committed"], json!(1.5), "{s2}");
    assert_eq!(s2["figures"]["completed"], json!(1.5), "{s2}");
    let f = &s3["figures"];
    assert_eq!(
        (&f["committed"], &f["completed"], &f["say_do_points"]),
        (&json!(3), &json!(0.5), &json!(0.5)),
        "{s3}"
    );
    // Velocity for the next sprint: (0.5 + 1.5 + 0.5) ÷ 3 = 0.8333…, exact in JSON.
    let next = sprint(&app, &owner, team, "S4", "2027-02-15", "2027-02-28").await;
    let id = next["id"].as_i64().unwrap();
    let plan = json_ok(
        app.get(&owner, &format!("{P}/sprints/{id}/planning")).await,
        200,
    )
    .await;
    let velocity = plan["velocity"]["points"].as_f64().unwrap();
    assert!((velocity - 2.5 / 3.0).abs() < 1e-12, "{}", plan["velocity"]);
    let completed: Vec<Value> = plan["velocity"]["sprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["completed"].clone())
        .collect();
    assert_eq!(completed, [json!(0.5), json!(1.5), json!(0.5)]);
    // Reports: the same velocity; say/do over all sprints (0.5 + 1.5 + 0.5) ÷ (0.5 + 1.5 + 3)
    // = 0.5, and S3's own 0.5 ÷ 3.
    let r = json_ok(app.get(&owner, &format!("{P}/reports")).await, 200).await;
    assert!(
        (r["velocity"].as_f64().unwrap() - 2.5 / 3.0).abs() < 1e-12,
        "{r}"
    );
    assert!((r["say_do"].as_f64().unwrap() - 0.5).abs() < 1e-12, "{r}");
    let last = &r["sprints"][2];
    assert_eq!(
        (&last["committed"], &last["completed"]),
        (&json!(3), &json!(0.5))
    );
    assert!(
        (last["say_do"].as_f64().unwrap() - 0.5 / 3.0).abs() < 1e-12,
        "{last}"
    );
}

#[test]
fn the_cli_takes_and_prints_fractional_points() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cli = rt.block_on(Cli::new());
    cli.ok(&["migrate"]);
    let ada = "ada@example.com";
    cli.ok(&[
        "user",
        "add",
        "--email",
        ada,
        "--name",
        "Ada",
        "--password",
        "long enough pw",
    ]);
    cli.ok(&[
        "workspace",
        "create",
        "--as",
        ada,
        "--slug",
        "acme",
        "--name",
        "Acme",
    ]);
    cli.ok(&[
        "product", "create", "--as", ada, "-w", "acme", "--key", "ONB", "--name", "Onb",
    ]);
    cli.ok(&[
        "member", "roles", "--as", ada, "-w", "acme", "-p", "ONB", "--email", ada, "--role", "po",
        "--role", "dev",
    ]);
    let who = ["--as", ada, "-w", "acme"];
    let add = |points: &'static str| {
        [
            &[
                "item", "add", "-p", "ONB", "--title", "Half", "--points", points,
            ][..],
            &who,
        ]
        .concat()
    };
    let item = cli.json(&[&add("0.5")[..], &["--json"]].concat());
    assert_eq!(item["points"], json!(0.5));
    let text = cli.ok(&[&["item", "show", "ONB-1"][..], &who].concat());
    assert!(text.contains("0.5 pts"), "{text}");
    let edited = cli.json(
        &[
            &["item", "edit", "ONB-1", "--points", "18.5", "--json"][..],
            &who,
        ]
        .concat(),
    );
    assert_eq!(edited["points"], json!(18.5));
    let err = cli.fails(&add("0.555"));
    assert!(err.contains("at most two decimals"), "{err}");
    let err = cli.fails(&add("101"));
    assert!(err.contains("points run from 0 to 100"), "{err}");
}

/// Puts a migrated database back as it was before migration 13 (whole points, 13 not yet run).
async fn as_before_migration_13(db: &Db) {
    for sql in [
        "UPDATE items SET points = points / 100 WHERE points IS NOT NULL",
        "UPDATE sprint_items SET points = points / 100",
        "UPDATE sprints SET baseline_points = baseline_points / 100, added_points = added_points / 100,
            removed_points = removed_points / 100, completed_points = completed_points / 100,
            say_do_points = say_do_points / 100",
        "UPDATE initiatives SET
            points_total = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id), 0),
            points_done = COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = initiatives.id AND i.status = 'done'), 0)",
        "DELETE FROM _sqlx_migrations WHERE version = 13",
    ] {
        with_pool!(&db.write, p => sqlx::query(sql).execute(p).await.map(|_| ())).unwrap();
    }
}

#[tokio::test]
async fn migration_13_keeps_every_whole_estimate_and_figure() {
    let cli = Cli::demo().await;
    let export = |name: &str| {
        let out = cli.dir.path().join(name);
        cli.ok(&["export", "-w", "demo", "--out", out.to_str().unwrap()]);
        std::fs::read_to_string(out).unwrap()
    };
    let target = match &cli.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::Sqlite(cli.dir.path().join("throughline.db")),
    };
    let db = Db::connect(&target, false).await.unwrap();
    // Before migration 13 every estimate was whole: the demo's half-point spike becomes 1
    // (the roll-up triggers follow).
    with_pool!(&db.write, p => sqlx::query("UPDATE items SET points = 100 WHERE points = 50")
        .execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    let before = export("before.json");
    as_before_migration_13(&db).await;
    let (most,): (Option<i64>,) = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT MAX(completed_points) FROM sprints").fetch_one(p).await)
    .unwrap();
    assert!(
        most.is_some_and(|m| m > 0 && m < 100),
        "whole points again: {most:?}"
    );
    db.close().await;
    let said = cli.ok(&["migrate"]);
    assert!(said.starts_with("applied 1 migration;"), "{said}");
    // The demo's estimates, sprint figures and roll-ups read exactly as before.
    assert!(
        before == export("after.json"),
        "the migration changed the data"
    );
}

#[tokio::test]
async fn the_openapi_document_describes_points_as_a_number() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    let points = &schemas["Points"];
    assert_eq!(points["type"], "number", "{points}");
    assert!(
        points["description"]
            .as_str()
            .unwrap()
            .contains("two decimals"),
        "{points}"
    );
    let item = serde_json::to_string(&schemas["Item"]["properties"]["points"]).unwrap();
    assert!(item.contains("#/components/schemas/Points"), "{item}");
    let patch = serde_json::to_string(&schemas["ItemPatch"]["properties"]["points"]).unwrap();
    assert!(patch.contains("#/components/schemas/Points"), "{patch}");
}

#[tokio::test]
async fn the_demo_exports_its_half_point_spike_as_written() {
    let cli = Cli::demo().await;
    let csv = cli.dir.path().join("onb.csv");
    let csv = csv.to_str().unwrap();
    cli.ok(&[
        "export", "-w", "demo", "-p", "ONB", "--format", "jira-csv", "--out", csv,
    ]);
    let text = std::fs::read_to_string(csv).unwrap();
    let spike = text
        .lines()
        .find(|l| l.contains("ONB-7,"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(spike.contains(",0.5,"), "{spike}");
    let json = cli.dir.path().join("demo.json");
    cli.ok(&["export", "-w", "demo", "--out", json.to_str().unwrap()]);
    let doc = std::fs::read_to_string(json).unwrap();
    assert!(doc.contains("\"points\":0.5,"), "the export writes 0.5");
    assert!(
        doc.contains("\"points\":8,"),
        "and whole points as integers"
    );
}

#[tokio::test]
async fn the_item_form_takes_half_a_point_and_refuses_three_decimals_beside_the_field() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    app.item(&owner, json!({"title": "Estimate me"})).await;
    let (client, csrf) = support::session::sign_in(&app, &dev.email).await;
    let form = |version: &'static str, points: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("version", version.into()),
            ("title", "Estimate me".into()),
            ("kind", "story".into()),
            ("status", "todo".into()),
            ("points", points.into()),
            ("persona", String::new()),
            ("goal", String::new()),
            ("benefit", String::new()),
            ("description", String::new()),
            ("labels", String::new()),
            ("parent", String::new()),
        ]
    };
    let post = |f: [(&'static str, String); 12]| {
        client.post(app.url("/w/acme/items/ONB-1")).form(&f).send()
    };
    let r = post(form("1", "0.5")).await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.show(&owner, "ONB-1").await["points"], json!(0.5));
    let page = support::session::page_text(&client, &app, "/w/acme/items/ONB-1").await;
    assert!(
        page.contains("name=\"points\" inputmode=\"decimal\" value=\"0.5\""),
        "the properties panel holds the estimate: {page}"
    );
    assert!(
        page.contains("points none → 0.5"),
        "the history says it: {page}"
    );
    let r = post(form("2", "0.555")).await.unwrap();
    assert_ne!(r.status(), 303);
    let page = r.text().await.unwrap();
    assert!(page.contains("at most two decimals"), "{page}");
    assert_eq!(app.show(&owner, "ONB-1").await["points"], json!(0.5));
}
