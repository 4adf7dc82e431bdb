//! Import (D2) through the real binary: every Jira CSV file of the shared corpus lands with the
//! counts an independent reading of the file gives; a repeat changes nothing; a dry run writes
//! nothing. Each test has its own database (SQLite, or PostgreSQL with TEST_DATABASE_URL).

mod api;
mod boards;
mod corpus;
mod epics;
mod history;
mod jira_other;
mod links;
mod page;
mod pair;
mod refused;
mod robust;
mod sprints;
mod tables;
mod undo;
mod undo_history;

use crate::support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use serde_json::{json, Value};
use support::cli::Cli;
use throughline::db::{Db, Target};
use throughline::points::Points;
use throughline::with_pool;

const CORPUS: &str = "../shared/corpus/jira_csv";

/// The corpus sits next to the project (see SOURCES.md there); tests read it in place.
fn corpus(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(CORPUS)
        .join(name);
    assert!(path.exists(), "corpus file {} is missing", path.display());
    path
}

/// Ada's workspace `acme` with product ONB (she is its PM and PO); returns her e-mail.
fn acme(cli: &Cli) -> String {
    cli.ok(&["migrate"]);
    let ada = "ada@example.com".to_string();
    cli.ok(&[
        "user",
        "add",
        "--email",
        &ada,
        "--name",
        "Ada",
        "--password",
        "long enough pw",
    ]);
    cli.ok(&[
        "workspace",
        "create",
        "--as",
        &ada,
        "--slug",
        "acme",
        "--name",
        "Acme",
    ]);
    cli.ok(&[
        "product", "create", "--as", &ada, "-w", "acme", "--key", "ONB", "--name", "Onb",
    ]);
    ada
}

fn import(cli: &Cli, who: &str, file: &str, extra: &[&str]) -> Value {
    let path = corpus(file);
    let path = path.to_str().unwrap();
    let args = [
        &[
            "import", path, "--as", who, "-w", "acme", "-p", "ONB", "--json",
        ][..],
        extra,
        // Epics as parent items, as these tests count the backlog; epics.rs covers initiatives.
        if extra.contains(&"--epics-as") {
            &[]
        } else {
            &["--epics-as", "items"]
        },
    ]
    .concat();
    cli.json(&args)
}

async fn db(cli: &Cli) -> Db {
    let target = match &cli.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::Sqlite(cli.dir.path().join("throughline.db")),
    };
    Db::connect(&target, false).await.unwrap()
}

/// What the database holds for product ONB, in terms a file can be compared with.
#[derive(Debug, PartialEq)]
struct Stored {
    items: i64,
    by_kind: BTreeMap<String, i64>,
    by_status: BTreeMap<String, i64>,
    by_source_status: BTreeMap<String, i64>,
    /// In hundredths of a point, as stored.
    points: i64,
    with_parent: i64,
    versions: i64,
    audit_rows: i64,
    next_number: i64,
}

/// kind, status, points, parent id, version.
type ItemFacts = (String, String, Option<i64>, Option<i64>, i64);

async fn stored(db: &Db) -> Stored {
    let rows: Vec<ItemFacts> = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT i.kind, i.status, i.points, i.parent_id, i.version FROM items i
         JOIN products p ON p.id = i.product_id WHERE p.key = 'ONB'")
        .fetch_all(p).await)
    .unwrap();
    let labels: Vec<String> = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT l.label FROM item_labels l JOIN items i ON i.id = l.item_id
         JOIN products p ON p.id = i.product_id WHERE p.key = 'ONB' AND l.label LIKE 'jira-status:%'")
        .fetch_all(p).await)
    .unwrap();
    let audit_rows: i64 =
        with_pool!(&db.read, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(p).await)
        .unwrap();
    let next_number: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT next_number FROM products WHERE key = 'ONB'").fetch_one(p).await)
    .unwrap();
    let mut s = Stored {
        items: rows.len() as i64,
        by_kind: BTreeMap::new(),
        by_status: BTreeMap::new(),
        by_source_status: BTreeMap::new(),
        points: 0,
        with_parent: 0,
        versions: 0,
        audit_rows,
        next_number,
    };
    for (kind, status, points, parent, version) in rows {
        *s.by_kind.entry(kind).or_default() += 1;
        *s.by_status.entry(status).or_default() += 1;
        s.points += points.unwrap_or(0);
        s.with_parent += i64::from(parent.is_some());
        s.versions += version;
    }
    for l in labels {
        *s.by_source_status.entry(l).or_default() += 1;
    }
    s
}

/// The file read on its own, with the csv crate and the mapping written out for the corpus's
/// words: what the import must produce.
struct Expected {
    items: i64,
    by_kind: BTreeMap<String, i64>,
    by_status: BTreeMap<String, i64>,
    by_source_status: BTreeMap<String, i64>,
    points: i64,
    with_parent: i64,
}

fn kind_of(jira_type: &str) -> &'static str {
    match jira_type {
        "Story" | "Historia" | "Epic" => "story",
        "Bug" | "Recurring bug" => "bug",
        "Task" | "Sub-task" | "Subtask" | "Subtarea" | "Test" | "" => "task",
        other => panic!("a type this test does not know: {other:?}"),
    }
}

fn status_of(status: &str, category: &str) -> &'static str {
    let review = ["verif", "staging", "test"]
        .iter()
        .any(|w| status.to_lowercase().contains(w));
    match category {
        "Done" => "done",
        "To Do" | "Por hacer" => "todo",
        "In Progress" | "En curso" if review => "in_review",
        "In Progress" | "En curso" => "in_progress",
        "" => match status {
            "Closed" | "Resolved" | "ACABADO" => "done",
            "Test" => "in_review",
            "Fabricación" => "in_progress",
            "A EMPEZAR" | "A RECIBIR" => "todo",
            other => panic!("a status this test does not know: {other:?}"),
        },
        other => panic!("a status category this test does not know: {other:?}"),
    }
}

fn expected(file: &str) -> Expected {
    let bytes = std::fs::read(corpus(file)).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = r.records().map(|r| r.unwrap());
    let header: Vec<String> = rows.next().unwrap().iter().map(str::to_string).collect();
    let rows: Vec<Vec<String>> = rows
        .map(|r| r.iter().map(|c| c.trim().to_string()).collect())
        .collect();
    let col = |names: &[&str]| -> Vec<usize> {
        names
            .iter()
            .flat_map(|n| header.iter().enumerate().filter(move |(_, h)| h == n))
            .map(|(i, _)| i)
            .collect()
    };
    let first = |row: &[String], names: &[&str]| -> String {
        col(names)
            .into_iter()
            .map(|i| row[i].clone())
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    };
    let key_cols = ["Issue key", "Key", "Clave de incidencia"];
    let keys: HashSet<String> = rows.iter().map(|r| first(r, &key_cols)).collect();
    let ids: HashMap<String, String> = rows
        .iter()
        .map(|r| {
            let id = first(r, &["Issue id", "ID de la incidencia"]);
            (id, first(r, &key_cols))
        })
        .collect();
    let mut e = Expected {
        items: rows.len() as i64,
        by_kind: BTreeMap::new(),
        by_status: BTreeMap::new(),
        by_source_status: BTreeMap::new(),
        points: 0,
        with_parent: 0,
    };
    for row in &rows {
        let kind = kind_of(&first(row, &["Issue Type", "Tipo de Incidencia"]));
        *e.by_kind.entry(kind.into()).or_default() += 1;
        let status = first(row, &["Status", "Estado"]);
        let category = first(row, &["Status Category", "Categoría de estado"]);
        *e.by_status
            .entry(status_of(&status, &category).into())
            .or_default() += 1;
        let label = format!("jira-status:{}", status.to_lowercase().replace(' ', "-"));
        *e.by_source_status.entry(label).or_default() += 1;
        let points = first(
            row,
            &[
                "Story Points",
                "Custom field (Story Points)",
                "Campo personalizado (Story Points)",
                "Story point estimate",
                "Custom field (Story point estimate)",
                "Campo personalizado (Story point estimate)",
            ],
        );
        // Hundredths of a point, as stored: 0.5 is kept exactly.
        if let Ok(p) = points.parse::<f64>() {
            if (p * 100.0).round() <= 10_000.0 {
                e.points += (p * 100.0).round() as i64;
            }
        }
        let by_key = first(row, &["Parent key", "Clave principal"]);
        let by_id = first(row, &["Parent", "Parent id", "Principal"]);
        let epic = first(row, &["Custom field (Epic Link)"]);
        let parent = if !by_key.is_empty() {
            by_key
        } else if let Some(k) = ids.get(&by_id).filter(|_| !by_id.is_empty()) {
            k.clone()
        } else {
            epic
        };
        e.with_parent += i64::from(keys.contains(&parent));
    }
    e
}

/// Imports one corpus file into an empty product and compares with the independent reading.
async fn lands_whole(file: &str) {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let report = import(&cli, &ada, file, &[]);
    let e = expected(file);
    assert_eq!(report["format"], "jira-csv", "{file}");
    assert_eq!(report["items_read"], e.items, "{file}");
    assert_eq!(report["created"], e.items, "{file}");
    let db = db(&cli).await;
    let s = stored(&db).await;
    assert_eq!(s.items, e.items, "{file}: items");
    assert_eq!(s.by_kind, e.by_kind, "{file}: per type");
    assert_eq!(s.by_status, e.by_status, "{file}: per status");
    assert_eq!(
        s.by_source_status, e.by_source_status,
        "{file}: Jira statuses"
    );
    assert_eq!(s.points, e.points, "{file}: points");
    assert_eq!(
        report["points_total"],
        json!(Points::from_hundredths(e.points)),
        "{file}: reported points"
    );
    assert_eq!(s.with_parent, e.with_parent, "{file}: parents");
    // One audit row for the whole import (besides the set-up's own).
    let imports: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'import'").fetch_one(p).await)
    .unwrap();
    assert_eq!(imports, 1, "{file}");
    db.close().await;
}

#[tokio::test]
async fn apache_hive_current_fields() {
    lands_whole("apache_hive_current_fields_2164rows.csv").await;
}

#[tokio::test]
async fn bellali_agile_delivery() {
    lands_whole("bellali_agile_delivery_Jira.csv").await;
}

#[tokio::test]
async fn bsfse2025_team9() {
    lands_whole("bsfse2025_team9_Jira.csv").await;
}

#[tokio::test]
async fn doit_spanish_current_fields() {
    lands_whole("doit_spanish_current_fields_2443rows.csv").await;
}

#[tokio::test]
async fn ericmedlock_planeso_migration() {
    lands_whole("ericmedlock_planeso_migration_Jira.csv").await;
}

#[tokio::test]
async fn fleetbase_spanish_all_fields() {
    lands_whole("fleetbase_spanish_all_fields_Jira.csv").await;
}

#[tokio::test]
async fn harshal08_sprint1() {
    lands_whole("harshal08_sprint1_Jira.csv").await;
}

#[tokio::test]
async fn ishaanbhugra() {
    lands_whole("ishaanbhugra_Jira.csv").await;
}

#[tokio::test]
async fn kirtipatekar() {
    lands_whole("kirtipatekar_Jira.csv").await;
}

#[tokio::test]
async fn mitsusarkar() {
    lands_whole("mitsusarkar_Jira.csv").await;
}

#[tokio::test]
async fn peris25_support_379_columns() {
    lands_whole("peris25_support_Jira_311rows_379cols.csv").await;
}

#[tokio::test]
async fn rohan019_ugv() {
    lands_whole("rohan019_ugv_Jira.csv").await;
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let file = "peris25_support_Jira_311rows_379cols.csv";
    import(&cli, &ada, file, &[]);
    let db = db(&cli).await;
    let before = stored(&db).await;
    let again = import(&cli, &ada, file, &[]);
    assert_eq!(
        (&again["created"], &again["updated"], &again["unchanged"]),
        (&Value::from(0), &Value::from(0), &Value::from(311))
    );
    assert_eq!(stored(&db).await, before);
    // A file without an Updated column is compared field by field.
    let spanish = "doit_spanish_current_fields_2443rows.csv";
    import(&cli, &ada, spanish, &[]);
    let before = stored(&db).await;
    let again = import(&cli, &ada, spanish, &[]);
    assert_eq!(again["unchanged"], 2443);
    assert_eq!(stored(&db).await, before);
    db.close().await;
}

#[tokio::test]
async fn a_dry_run_writes_nothing() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let db = db(&cli).await;
    let before = stored(&db).await;
    let file = "fleetbase_spanish_all_fields_Jira.csv";
    let report_file = cli.dir.path().join("report.json");
    let report = import(
        &cli,
        &ada,
        file,
        &["--dry-run", "--report", report_file.to_str().unwrap()],
    );
    assert_eq!(
        (report["dry_run"].clone(), report["created"].clone()),
        (Value::from(true), Value::from(106))
    );
    assert_eq!(stored(&db).await, before);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
    assert_eq!(written["created"], 106);
    let used = written["columns_used"].as_array().unwrap();
    let sprint = used.iter().find(|c| c["name"] == "Sprint").unwrap();
    assert!(
        sprint["note"]
            .as_str()
            .unwrap()
            .starts_with("sprints, by name"),
        "{sprint}"
    );
    db.close().await;
}

#[tokio::test]
async fn a_newer_export_updates_and_an_older_one_does_not() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let v1 = "Summary,Issue key,Issue id,Issue Type,Status,Custom field (Story Points),Updated\n\
              Sign up,AB-1,1,Story,To Do,0.5,01/Jan/26 9:00 AM\n\
              Log in,AB-2,2,Story,To Do,,01/Jan/26 9:00 AM\n";
    let v2 = "Summary,Issue key,Issue id,Issue Type,Status,Custom field (Story Points),Updated\n\
              Sign up,AB-1,1,Story,Done,0.5,02/Jan/26 9:00 AM\n\
              Log in,AB-2,2,Story,To Do,,01/Jan/26 9:00 AM\n\
              Log out,AB-3,3,Bug,To Do,,02/Jan/26 9:00 AM\n";
    let write = |name: &str, text: &str| {
        let path = cli.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (f1, f2) = (write("v1.csv", v1), write("v2.csv", v2));
    let run = |f: &str| {
        cli.json(&[
            "import", f, "--as", &ada, "-w", "acme", "-p", "ONB", "--json",
        ])
    };
    let r = run(&f1);
    assert_eq!(r["created"], 2);
    assert_eq!(r["points_rounded"], json!([]), "0.5 is kept, not rounded");
    assert_eq!(r["points_total"], 0.5);
    let r = run(&f2);
    assert_eq!(
        (
            r["created"].clone(),
            r["updated"].clone(),
            r["unchanged"].clone()
        ),
        (1.into(), 1.into(), 1.into())
    );
    let r = run(&f1);
    assert_eq!(r["unchanged"], 2, "an older export changes nothing: {r}");
    let shown = cli.json(&[
        "item", "show", "ONB-1", "--as", &ada, "-w", "acme", "--json",
    ]);
    assert_eq!(shown["status"], "done");
    assert_eq!(shown["points"], 0.5);
    let labels = shown["labels"].as_array().unwrap();
    assert!(labels.contains(&Value::from("jira-status:done")), "{shown}");
    assert!(
        !labels.contains(&Value::from("jira-status:to-do")),
        "{shown}"
    );
}

#[tokio::test]
async fn other_files_and_other_roles_are_refused() {
    let cli = Cli::new().await;
    let ada = acme(&cli);
    let not_jira = cli.dir.path().join("cards.json");
    std::fs::write(&not_jira, "{\"cards\": []}").unwrap();
    let err = cli.fails(&[
        "import",
        not_jira.to_str().unwrap(),
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
    ]);
    assert!(err.contains("does not read"), "{err}");
    cli.ok(&[
        "user",
        "add",
        "--email",
        "bob@example.com",
        "--name",
        "Bob",
        "--password",
        "long enough pw",
    ]);
    cli.ok(&[
        "member",
        "add",
        "--as",
        &ada,
        "-w",
        "acme",
        "--email",
        "bob@example.com",
    ]);
    cli.ok(&[
        "member",
        "roles",
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--email",
        "bob@example.com",
        "--role",
        "dev",
    ]);
    let path = corpus("mitsusarkar_Jira.csv");
    let err = cli.fails(&[
        "import",
        path.to_str().unwrap(),
        "--as",
        "bob@example.com",
        "-w",
        "acme",
        "-p",
        "ONB",
    ]);
    assert!(
        err.contains("only workspace admins, pm, po may import"),
        "{err}"
    );
}
