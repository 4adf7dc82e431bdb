//! What the other formats' tests share: a corpus file by its path under the corpus folder, the
//! facts the database holds after an import, and one check that imports a file into an empty
//! product, compares with the facts an independent reading of the file gives, then imports it
//! again and finds nothing changed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;
use throughline::db::Db;
use throughline::with_pool;

use crate::support::cli::Cli;

/// A corpus file (see SOURCES.md there), read in place.
pub fn path(rel: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(rel);
    assert!(p.exists(), "corpus file {} is missing", p.display());
    p
}

pub fn text(rel: &str) -> String {
    let bytes = std::fs::read(path(rel)).unwrap();
    String::from_utf8_lossy(&bytes)
        .trim_start_matches('\u{feff}')
        .to_string()
}

pub fn json(rel: &str) -> Value {
    serde_json::from_str(&text(rel)).unwrap()
}

/// The rows of a CSV file as maps from header to cell (the first of repeated headers).
pub fn csv_rows(rel: &str, delimiter: u8, skip_lines: usize) -> Vec<BTreeMap<String, String>> {
    let t = text(rel);
    let body: String = t.splitn(skip_lines + 1, '\n').last().unwrap().to_string();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(body.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|row| {
            let row = row.unwrap();
            let mut m = BTreeMap::new();
            for (h, v) in header.iter().zip(row.iter()) {
                m.entry(h.clone()).or_insert_with(|| v.trim().to_string());
            }
            m
        })
        .filter(|m| m.values().any(|v| !v.is_empty()))
        .collect()
}

/// Points as stored: hundredths of a point, from 0 to 100 points (0.5 is 50, 18.5 is 1850),
/// else none.
pub fn stored_points(p: f64) -> i64 {
    let h = (p * 100.0).round();
    if (0.0..=10_000.0).contains(&h) {
        h as i64
    } else {
        0
    }
}

/// What product ONB holds, in terms a file can be compared with.
#[derive(Debug, Default, PartialEq)]
pub struct Facts {
    pub items: i64,
    pub by_kind: BTreeMap<String, i64>,
    pub by_status: BTreeMap<String, i64>,
    /// In hundredths of a point, as stored.
    pub points: i64,
    pub with_parent: i64,
    pub with_criteria: i64,
}

impl Facts {
    pub fn add(&mut self, kind: &str, status: &str, points: i64) {
        self.items += 1;
        *self.by_kind.entry(kind.into()).or_default() += 1;
        *self.by_status.entry(status.into()).or_default() += 1;
        self.points += points;
    }
}

/// kind, status, points, parent id, criteria.
type Row = (String, String, Option<i64>, Option<i64>, i64);

pub async fn facts(db: &Db) -> Facts {
    let rows: Vec<Row> = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT i.kind, i.status, i.points, i.parent_id,
                (SELECT COUNT(*) FROM criteria c WHERE c.item_id = i.id)
         FROM items i JOIN products p ON p.id = i.product_id WHERE p.key = 'ONB'")
        .fetch_all(p).await)
    .unwrap();
    let mut f = Facts::default();
    for (kind, status, points, parent, criteria) in rows {
        f.add(&kind, &status, points.unwrap_or(0));
        f.with_parent += i64::from(parent.is_some());
        f.with_criteria += i64::from(criteria > 0);
    }
    f
}

/// The sum of every item's version: unchanged when a re-import changes nothing.
pub async fn versions(db: &Db) -> i64 {
    with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(i.version), 0) AS BIGINT) FROM items i
         JOIN products p ON p.id = i.product_id WHERE p.key = 'ONB'")
        .fetch_one(p).await)
    .unwrap()
}

pub fn import(cli: &Cli, who: &str, rel: &str, extra: &[&str]) -> Value {
    import_path(cli, who, &path(rel), extra)
}

/// [`import`] of a file anywhere, such as one a test wrote.
pub fn import_path(cli: &Cli, who: &str, p: &std::path::Path, extra: &[&str]) -> Value {
    let args = [
        &[
            "import",
            p.to_str().unwrap(),
            "--as",
            who,
            "-w",
            "acme",
            "-p",
            "ONB",
            "--json",
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

/// Imports `rel` into an empty product: the database holds `expected`; a second import of the
/// same file creates and updates nothing and leaves every item as it was. Returns the first
/// import's report.
pub async fn lands(rel: &str, format: &str, expected: Facts) -> Value {
    lands_with(rel, format, expected, |_| async {}).await
}

/// [`lands`], and `more` looks at the database after the first import.
pub async fn lands_with<F, Fut>(rel: &str, format: &str, expected: Facts, more: F) -> Value
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let report = import(&cli, &ada, rel, &[]);
    assert_eq!(report["format"], format, "{rel}");
    assert_eq!(report["created"], expected.items, "{rel}: {report}");
    let db = super::db(&cli).await;
    assert_eq!(facts(&db).await, expected, "{rel}");
    more(db.clone()).await;
    let before = versions(&db).await;
    let again = import(&cli, &ada, rel, &[]);
    assert_eq!(
        (again["created"].clone(), again["updated"].clone()),
        (Value::from(0), Value::from(0)),
        "{rel}: a repeat changes nothing"
    );
    assert_eq!(again["unchanged"], expected.items, "{rel}");
    assert_eq!(facts(&db).await, expected, "{rel}: after the repeat");
    assert_eq!(
        versions(&db).await,
        before,
        "{rel}: versions after the repeat"
    );
    db.close().await;
    report
}

/// The external keys of product ONB's items in backlog order.
pub async fn keys_in_order(db: &Db) -> Vec<String> {
    with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT i.external_key FROM items i JOIN products p ON p.id = i.product_id
         WHERE p.key = 'ONB' ORDER BY i.rank")
        .fetch_all(p).await)
    .unwrap()
}

/// An item's labels by its external key.
pub async fn labels_of(db: &Db, key: &str) -> Vec<String> {
    with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT l.label FROM item_labels l JOIN items i ON i.id = l.item_id
         WHERE i.external_key = $1 ORDER BY l.label")
        .bind(key).fetch_all(p).await)
    .unwrap()
}
