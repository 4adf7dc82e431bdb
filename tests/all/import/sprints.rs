//! Imports create sprints (D2): names, dates and states where the file has them, their items,
//! and closed sprints closed with frozen figures, so the reports' velocity and say/do show the
//! history. Every expectation comes from the test's own reading of the file; a repeat changes
//! no sprint; an undo removes them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::api::{finished, upload};
use super::corpus::{json as corpus_json, text};
use crate::support::scrum::{json_ok, team};
use crate::support::{spawn_app, Caller, TestApp};
use throughline::with_pool;

const P: &str = "/api/v1/workspaces/acme/products/ONB";

/// One sprint as the test reads it from the file.
#[derive(Debug, Default, Clone, PartialEq)]
struct Expected {
    state: String,
    items: BTreeSet<String>,
    /// Points (hundredths) of the items done in it (their last sprint).
    completed: i64,
    /// Points (hundredths) of all its items: committed at the start.
    committed: i64,
}

/// A workspace whose product ONB has a team (Core), and its Scrum Master (also PO).
async fn with_team() -> (TestApp, Caller, Caller) {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm", "po"]).await;
    team(&app, &owner, &sm).await;
    (app, owner, sm)
}

async fn imported(app: &TestApp, who: &Caller, name: &str, bytes: &[u8], dry: bool) -> Value {
    let dry = if dry { "true" } else { "false" };
    let r = upload(
        app,
        who,
        &[
            ("file", Some(name), bytes),
            ("dry_run", None, dry.as_bytes()),
        ],
    )
    .await;
    assert_eq!(r.status(), 202);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job = finished(app, who, &location).await;
    assert_eq!(job["status"], "done", "{job}");
    job["report"].clone()
}

/// A sprint as the database holds it: state, item keys in scope, version, start date.
type Here = (String, BTreeSet<String>, i64, Option<String>);

/// name, state, version, start date, an item's key (one row per item in scope).
type HereRow = (String, String, i64, Option<String>, Option<String>);

/// The product's sprints by name.
async fn sprints_here(app: &TestApp) -> BTreeMap<String, Here> {
    let rows: Vec<HereRow> = with_pool!(&app.db.read, p => sqlx::query_as(
        "SELECT s.name, s.state, s.version, s.start_date, i.external_key FROM sprints s
         LEFT JOIN sprint_items si ON si.sprint_id = s.id AND si.removed_at IS NULL
         LEFT JOIN items i ON i.id = si.item_id
         JOIN products p ON p.id = s.product_id WHERE p.key = 'ONB' ORDER BY s.id")
        .fetch_all(p).await)
    .unwrap();
    let mut out: BTreeMap<String, Here> = BTreeMap::new();
    for (name, state, version, start, key) in rows {
        let e = out
            .entry(name)
            .or_insert_with(|| (state, BTreeSet::new(), version, start));
        e.1.extend(key);
    }
    out
}

/// Velocity (mean completed points of the last three closed sprints, oldest first as
/// `closed` lists them) and say/do (Σ done ÷ Σ committed), as PRODUCT.md defines them.
fn figures(closed: &[&Expected]) -> (Option<f64>, Option<f64>) {
    let last: Vec<&&Expected> = closed.iter().rev().take(3).collect();
    let velocity = (!last.is_empty())
        .then(|| last.iter().map(|e| e.completed).sum::<i64>() as f64 / 100.0 / last.len() as f64);
    let committed: i64 = closed.iter().map(|e| e.committed).sum();
    let done: i64 = closed.iter().map(|e| e.completed).sum();
    let say_do = (committed > 0).then(|| done as f64 / committed as f64);
    (velocity, say_do)
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    }
}

async fn reports(app: &TestApp, who: &Caller) -> Value {
    json_ok(app.get(who, &format!("{P}/reports")).await, 200).await
}

async fn undo(app: &TestApp, who: &Caller, id: &Value) -> (u16, Value) {
    let r = app
        .post(
            who,
            &format!("{P}/imports/undo"),
            json!({ "import_id": id }),
        )
        .await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// A Jira search page whose issues were in the sprints of the corpus's agile board
/// (`gojira_agile_board_sprints.json`: three closed, one active, two future, as Jira Cloud
/// writes them): in each closed sprint two issues are done and one is carried over to the
/// next sprint; the active sprint's issue names it in Jira Server's string form.
fn jira_page() -> (String, Vec<Value>) {
    let board = corpus_json("jira_json/gojira_agile_board_sprints.json");
    page_of(board["values"].as_array().unwrap().clone())
}

/// The same issues in a later export: the active sprint has closed and the next one runs.
fn later_page() -> String {
    let board = corpus_json("jira_json/gojira_agile_board_sprints.json");
    let mut sprints = board["values"].as_array().unwrap().clone();
    sprints[3]["state"] = json!("closed");
    sprints[3]["completeDate"] = json!("2016-06-29T08:00:00.000-07:00");
    sprints[4]["state"] = json!("active");
    sprints[4]["startDate"] = json!("2016-06-29T09:00:00.000-07:00");
    sprints[4]["endDate"] = json!("2016-07-12T17:00:00.000-07:00");
    page_of(sprints).0
}

fn page_of(sprints: Vec<Value>) -> (String, Vec<Value>) {
    let mut issues = Vec::new();
    let mut n = 0;
    for (k, s) in sprints.iter().enumerate() {
        let closed = s["state"] == "closed";
        for j in 0..3 {
            n += 1;
            let carried = closed && j == 2;
            let mut list = vec![s.clone()];
            if carried {
                list.push(sprints[k + 1].clone());
            }
            let points = (k + j + 1) as f64 + if j == 1 { 0.5 } else { 0.0 };
            let status = if closed && !carried {
                "Done"
            } else {
                "In Progress"
            };
            let sprint_field = if s["state"] == "active" && j == 0 {
                json!([format!(
                    "com.atlassian.greenhopper.service.sprint.Sprint@1f2e[id={},rapidViewId=734,state=ACTIVE,name={},startDate={},endDate={},completeDate=<null>,sequence={}]",
                    s["id"], s["name"].as_str().unwrap(), s["startDate"].as_str().unwrap(),
                    s["endDate"].as_str().unwrap(), s["id"]
                )])
            } else {
                Value::Array(list)
            };
            issues.push(json!({"key": format!("IT-{n}"), "fields": {
                "summary": format!("Issue {n}"), "issuetype": {"name": "Story"},
                "status": {"name": status, "statusCategory": {"key": if status == "Done" {"done"} else {"indeterminate"}}},
                "customfield_10016": points, "customfield_10020": sprint_field,
                "created": "2016-04-01T10:00:00.000-0700", "updated": "2016-07-01T10:00:00.000-0700"}}));
        }
    }
    let page = json!({"startAt": 0, "maxResults": 50, "total": issues.len(),
        "names": {"customfield_10016": "Story Points", "customfield_10020": "Sprint"},
        "issues": issues});
    (page.to_string(), issues)
}

/// The test's own reading of the page: each sprint's state, items and points.
fn expected_of_page(issues: &[Value]) -> BTreeMap<String, Expected> {
    let board = corpus_json("jira_json/gojira_agile_board_sprints.json");
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    for s in board["values"].as_array().unwrap() {
        let state = match s["state"].as_str().unwrap() {
            "future" => "planned",
            other => other,
        };
        out.insert(
            s["name"].as_str().unwrap().to_string(),
            Expected {
                state: state.into(),
                ..Expected::default()
            },
        );
    }
    for i in issues {
        let f = &i["fields"];
        let names: Vec<String> = f["customfield_10020"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| match s {
                Value::String(t) => t
                    .split("name=")
                    .nth(1)
                    .unwrap()
                    .split(',')
                    .next()
                    .unwrap()
                    .to_string(),
                o => o["name"].as_str().unwrap().to_string(),
            })
            .collect();
        let points = (f["customfield_10016"].as_f64().unwrap() * 100.0).round() as i64;
        let done = f["status"]["name"] == "Done";
        for (pos, name) in names.iter().enumerate() {
            let e = out.get_mut(name).unwrap();
            e.items.insert(i["key"].as_str().unwrap().to_string());
            e.committed += points;
            if done && pos == names.len() - 1 {
                e.completed += points;
            }
        }
    }
    out
}

#[tokio::test]
async fn jira_sprints_arrive_closed_with_their_velocity_and_say_do_and_go_with_an_undo() {
    let (app, owner, _sm) = with_team().await;
    let (page, issues) = jira_page();
    let want = expected_of_page(&issues);

    let dry = imported(&app, &owner, "search.json", page.as_bytes(), true).await;
    assert_eq!(dry["sprints_created"], want.len(), "{dry}");
    assert!(
        sprints_here(&app).await.is_empty(),
        "a dry run creates nothing"
    );

    let report = imported(&app, &owner, "search.json", page.as_bytes(), false).await;
    let closed_n = want.values().filter(|e| e.state == "closed").count();
    assert_eq!(
        (
            report["sprints_created"].clone(),
            report["sprints_closed"].clone()
        ),
        (json!(want.len()), json!(closed_n)),
        "{report}"
    );
    let here = sprints_here(&app).await;
    assert_eq!(here.len(), want.len());
    for (name, e) in &want {
        let (state, items, _, _) = &here[name];
        assert_eq!((state, items), (&e.state, &e.items), "{name}");
    }
    // The dates are the file's own days (its time zone), the first one 2016-04-11.
    assert_eq!(here["Iteration-10"].3.as_deref(), Some("2016-04-11"));
    assert_eq!(here["Minimal Example Sprint"].3, None);

    // Closed sprints in start order, as the reports list them.
    let board = corpus_json("jira_json/gojira_agile_board_sprints.json");
    let closed: Vec<&Expected> = board["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "closed")
        .map(|s| &want[s["name"].as_str().unwrap()])
        .collect();
    let (velocity, say_do) = figures(&closed);
    let r = reports(&app, &owner).await;
    assert_eq!(r["sprints"].as_array().unwrap().len(), closed.len(), "{r}");
    assert!(
        close(r["velocity"].as_f64(), velocity),
        "{r} vs {velocity:?}"
    );
    assert!(close(r["say_do"].as_f64(), say_do), "{r} vs {say_do:?}");
    assert!(velocity.unwrap() > 0.0 && say_do.unwrap() < 1.0);

    // A repeat finds every sprint by name: nothing new, nothing changed.
    let again = imported(&app, &owner, "search.json", page.as_bytes(), false).await;
    assert_eq!(
        (
            again["sprints_created"].clone(),
            again["sprints_updated"].clone()
        ),
        (json!(0), json!(0)),
        "{again}"
    );
    assert_eq!(sprints_here(&app).await, here);

    // A later export moves the sprints on: the active one closed, the next one running; its
    // undo puts them back as they were.
    let later = imported(&app, &owner, "search.json", later_page().as_bytes(), false).await;
    assert_eq!(
        (
            later["sprints_updated"].clone(),
            later["sprints_closed"].clone()
        ),
        (json!(2), json!(1)),
        "{later}"
    );
    let moved = sprints_here(&app).await;
    assert_eq!(moved["Iteration-13-2"].0, "closed");
    assert_eq!(moved["Minimal Example Sprint"].0, "active");
    assert_eq!(
        moved["Minimal Example Sprint"].3.as_deref(),
        Some("2016-06-29")
    );
    let r = reports(&app, &owner).await;
    assert_eq!(
        r["sprints"].as_array().unwrap().len(),
        closed.len() + 1,
        "{r}"
    );
    let (status, body) = undo(&app, &owner, &later["import_id"]).await;
    assert_eq!(status, 200, "{body}");
    let back = sprints_here(&app).await;
    for (name, (state, items, _, start)) in &here {
        assert_eq!(
            (&back[name].0, &back[name].1, &back[name].3),
            (state, items, start),
            "{name}"
        );
    }
    assert_eq!(
        reports(&app, &owner).await["sprints"]
            .as_array()
            .unwrap()
            .len(),
        closed.len()
    );

    let (status, body) = undo(&app, &owner, &report["import_id"]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sprints_deleted"], want.len());
    assert!(sprints_here(&app).await.is_empty());
    assert_eq!(reports(&app, &owner).await["sprints"], json!([]));
}

#[tokio::test]
async fn an_undo_refuses_once_an_imported_sprint_was_touched() {
    let (app, owner, _sm) = with_team().await;
    let (page, _) = jira_page();
    let report = imported(&app, &owner, "search.json", page.as_bytes(), false).await;
    let id: i64 = with_pool!(&app.db.read, p => sqlx::query_scalar(
        "SELECT id FROM sprints WHERE name = 'Minimal Example Sprint'").fetch_one(p).await)
    .unwrap();
    let s = json_ok(app.get(&owner, &format!("{P}/sprints/{id}")).await, 200).await;
    let r = app
        .patch(
            &_sm,
            &format!("{P}/sprints/{id}"),
            s["version"].as_i64().unwrap(),
            json!({"goal": "Ship it"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (status, body) = undo(&app, &owner, &report["import_id"]).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body.to_string().contains("Minimal Example Sprint"),
        "{body}"
    );
    assert_eq!(sprints_here(&app).await.len(), 6);
}

/// The test's own reading of a Jira CSV: the Sprint columns of each row, oldest first, the last
/// one current; a sprint named before another in any row was completed (closed).
fn expected_of_csv(rel: &str) -> BTreeMap<String, Expected> {
    let t = text(rel);
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(t.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let sprint_cols: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].eq_ignore_ascii_case("sprint"))
        .collect();
    let (key, points_col) = (col("Issue key"), col("Custom field (Story point estimate)"));
    let status_cat = col("Status Category");
    let mut out: BTreeMap<String, Expected> = BTreeMap::new();
    for row in r.records() {
        let row = row.unwrap();
        let names: Vec<String> = sprint_cols
            .iter()
            .filter_map(|&c| row.get(c))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect();
        let points = row
            .get(points_col)
            .and_then(|p| p.trim().parse::<f64>().ok())
            .map_or(0, |p| (p * 100.0).round() as i64);
        let done = row.get(status_cat) == Some("Done");
        for (pos, name) in names.iter().enumerate() {
            let e = out.entry(name.clone()).or_default();
            e.items.insert(row[key].to_string());
            e.committed += points;
            let last = pos == names.len() - 1;
            if !last {
                e.state = "closed".into();
            }
            if done && last {
                e.completed += points;
            }
        }
    }
    for e in out.values_mut() {
        if e.state.is_empty() {
            e.state = "planned".into();
        }
    }
    out
}

#[tokio::test]
async fn a_jira_csv_with_repeated_sprint_columns_brings_its_sprints_without_dates() {
    let rel = "jira_csv/peris25_support_Jira_311rows_379cols.csv";
    let want = expected_of_csv(rel);
    assert_eq!(want.len(), 14, "the file names 14 sprints");
    let (app, owner, _sm) = with_team().await;
    let bytes = std::fs::read(super::corpus::path(rel)).unwrap();
    let report = imported(&app, &owner, "jira.csv", &bytes, false).await;
    let closed_n = want.values().filter(|e| e.state == "closed").count();
    assert!(closed_n > 0);
    assert_eq!(
        (
            report["sprints_created"].clone(),
            report["sprints_closed"].clone()
        ),
        (json!(want.len()), json!(closed_n)),
        "{report}"
    );
    let here = sprints_here(&app).await;
    for (name, e) in &want {
        let (state, items, _, start) = &here[name];
        assert_eq!((state, items, start), (&e.state, &e.items, &None), "{name}");
    }
    // Without dates, the reports list the closed sprints in the order the file passes through
    // them; the test compares the sums, which do not depend on it.
    let r = reports(&app, &owner).await;
    let listed = r["sprints"].as_array().unwrap();
    assert_eq!(listed.len(), closed_n, "{r}");
    let closed: Vec<&Expected> = listed
        .iter()
        .map(|s| &want[s["name"].as_str().unwrap()])
        .collect();
    let (velocity, say_do) = figures(&closed);
    assert!(
        close(r["velocity"].as_f64(), velocity),
        "{r} vs {velocity:?}"
    );
    assert!(close(r["say_do"].as_f64(), say_do), "{r} vs {say_do:?}");
    for s in listed {
        assert_eq!(s["start_date"], Value::Null);
    }
    // The sprint page says the file had no dates.
    let again = imported(&app, &owner, "jira.csv", &bytes, false).await;
    assert_eq!(
        (
            again["sprints_created"].clone(),
            again["sprints_updated"].clone()
        ),
        (json!(0), json!(0)),
        "{again}"
    );
    assert_eq!(sprints_here(&app).await, here);
    let (status, body) = undo(&app, &owner, &report["import_id"]).await;
    assert_eq!(status, 200, "{body}");
    assert!(sprints_here(&app).await.is_empty());
}

#[tokio::test]
async fn without_a_team_the_import_makes_one_for_the_sprints_and_its_undo_removes_it() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (page, _) = jira_page();
    let teams = || async {
        with_pool!(&app.db.read, p => sqlx::query_scalar::<_, String>(
            "SELECT t.name FROM teams t JOIN team_products tp ON tp.team_id = t.id ORDER BY t.id")
            .fetch_all(p).await)
        .unwrap()
    };
    assert!(teams().await.is_empty());
    let report = imported(&app, &owner, "search.json", page.as_bytes(), false).await;
    assert!(report["sprints_created"].as_u64().unwrap() > 0, "{report}");
    assert!(
        report["notes"]
            .to_string()
            .contains("the team \\\"Onboarding team\\\" was created"),
        "{report}"
    );
    assert_eq!(teams().await, ["Onboarding team"]);
    let (status, body) = undo(&app, &owner, &report["import_id"]).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        teams().await.is_empty(),
        "the undo removes the team it made"
    );
}
