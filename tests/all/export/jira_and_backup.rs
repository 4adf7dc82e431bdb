//! The demo backlog as Jira CSV reads back through `throughline import` to the same items; and
//! `backup --verify` checks the copy it made.

use throughline::db::{Db, Target};
use throughline::with_pool;

use crate::support::cli::Cli;

const DEMO: &str = "demo@throughline.local";

/// What the CSV carries of an item, by its (source) key: title, kind, status, points,
/// description, parent key, labels (the importer's own `jira-*` provenance labels left out),
/// created time.
type Seen = (
    String,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Vec<String>,
    String,
);

async fn items(db: &Db, product: &str, key_sql: &str) -> Vec<(String, Seen)> {
    let sql = format!(
        "SELECT {key_sql}, i.title, i.kind, i.status, i.points, i.description,
                (SELECT {parent} FROM items p WHERE p.id = i.parent_id), i.id
         FROM items i JOIN products pr ON pr.id = i.product_id WHERE pr.key = $1 ORDER BY i.rank",
        parent = key_sql.replace("i.", "p.")
    );
    type Row = (
        String,
        String,
        String,
        String,
        Option<i64>,
        String,
        Option<String>,
        i64,
    );
    let rows: Vec<Row> =
        with_pool!(&db.read, p => sqlx::query_as(&sql).bind(product).fetch_all(p).await).unwrap();
    let mut out = Vec::new();
    for (key, title, kind, status, points, description, parent, id) in rows {
        let labels: Vec<String> = with_pool!(&db.read, p => sqlx::query_scalar(
            "SELECT label FROM item_labels WHERE item_id = $1 ORDER BY label").bind(id).fetch_all(p).await).unwrap();
        let labels = labels
            .into_iter()
            .filter(|l| !l.starts_with("jira-"))
            .collect();
        let created: chrono::DateTime<chrono::Utc> = with_pool!(&db.read, p => sqlx::query_scalar(
            "SELECT created_at FROM items WHERE id = $1").bind(id).fetch_one(p).await)
        .unwrap();
        out.push((
            key,
            (
                title,
                kind,
                status,
                points,
                description,
                parent,
                labels,
                created.to_rfc3339(),
            ),
        ));
    }
    out
}

#[tokio::test]
async fn the_backlog_csv_reads_back_to_the_same_items() {
    let cli = Cli::demo().await;
    let csv = cli.dir.path().join("onb.csv");
    let said = cli.ok(&[
        "export",
        "-w",
        "demo",
        "-p",
        "ONB",
        "--format",
        "jira-csv",
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert!(said.starts_with("exported the ONB backlog to "), "{said}");
    cli.ok(&[
        "product", "create", "--as", DEMO, "-w", "demo", "--key", "CPY", "--name", "Copy",
    ]);
    cli.ok(&[
        "import",
        csv.to_str().unwrap(),
        "--as",
        DEMO,
        "-w",
        "demo",
        "-p",
        "CPY",
    ]);

    let target = match &cli.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::Sqlite(cli.dir.path().join("throughline.db")),
    };
    let db = Db::connect(&target, false).await.unwrap();
    let original = items(&db, "ONB", "'ONB-' || i.number").await;
    let copy = items(&db, "CPY", "i.external_key").await;
    assert_eq!(original.len(), 39);
    assert_eq!(copy, original);
    // Sprint repeats as Jira writes it: one sprint a cell, on every item that was in one.
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let sprint_cols: Vec<usize> = (0..header.len())
        .filter(|&i| &header[i] == "Sprint")
        .collect();
    let in_a_sprint = reader
        .records()
        .filter(|r| {
            sprint_cols
                .iter()
                .any(|&i| !r.as_ref().unwrap()[i].is_empty())
        })
        .count();
    let expected: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT si.item_id) FROM sprint_items si JOIN items i ON i.id = si.item_id
         JOIN products pr ON pr.id = i.product_id WHERE pr.key = 'ONB'").fetch_one(p).await)
    .unwrap();
    assert!(expected > 0);
    assert_eq!(in_a_sprint as i64, expected);
    db.close().await;
}

#[tokio::test]
async fn backup_verify_checks_the_copy() {
    let cli = Cli::demo().await;
    let out = cli.dir.path().join("copy.db");
    if cli.database_url.is_some() {
        let err = cli.fails(&["backup", "--out", out.to_str().unwrap(), "--verify"]);
        assert!(err.contains("--verify checks an SQLite copy"), "{err}");
        return;
    }
    let said = cli.ok(&["backup", "--out", out.to_str().unwrap(), "--verify"]);
    assert!(
        said.contains(&format!(
            "and verified: integrity ok, schema version {}",
            throughline::db::migration_versions()
                .0
                .into_iter()
                .max()
                .unwrap()
        )),
        "{said}"
    );
    // The copy is a database of its own: the demo exports from it as from the source.
    let copy = Cli {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
        today: None,
    };
    std::fs::copy(&out, copy.dir.path().join("throughline.db")).unwrap();
    let a = super::round_trip::export(&cli, "a.json").1;
    let b = super::round_trip::export(&copy, "b.json").1;
    assert!(a == b);
}
