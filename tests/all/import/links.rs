//! What a Jira export says beyond the fields an item has: its Blocks links become dependencies,
//! its Rank orders the backlog, and its priority, components and versions stay as labels a
//! filter finds. Checked against a reading of the corpus files here (the csv crate, not the
//! importer), on both databases.

use std::collections::BTreeSet;

use throughline::with_pool;

use super::corpus::{import, text};
use crate::support::cli::Cli;

/// The Jira CSV files of the corpus with Blocks links.
const WITH_LINKS: [&str; 3] = [
    "jira_csv/harshal08_sprint1_Jira.csv",
    "jira_csv/kirtipatekar_Jira.csv",
    "jira_csv/rohan019_ugv_Jira.csv",
];

/// A Jira CSV file as rows of (header, cell), every repeated column kept.
fn rows(rel: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let t = text(rel);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(t.trim_start_matches('\u{feff}').as_bytes());
    let mut all = r.records().map(|row| {
        row.unwrap()
            .iter()
            .map(|c| c.trim().to_string())
            .collect::<Vec<_>>()
    });
    let header = all.next().unwrap();
    (
        header,
        all.filter(|r| r.iter().any(|c| !c.is_empty())).collect(),
    )
}

fn cells<'a>(header: &[String], row: &'a [String], name: &str) -> Vec<&'a str> {
    header
        .iter()
        .zip(row)
        .filter(|(h, c)| h.eq_ignore_ascii_case(name) && !c.is_empty())
        .map(|(_, c)| c.as_str())
        .collect()
}

/// What the file says: its distinct (blocker, blocked) pairs between its own keys, its keys in
/// Rank order, and the rows with a priority.
struct Said {
    pairs: BTreeSet<(String, String)>,
    ranked: Vec<String>,
    with_priority: i64,
}

fn said(rel: &str) -> Said {
    let (header, rows) = rows(rel);
    let key = |row: &[String]| cells(&header, row, "Issue key")[0].to_string();
    let keys: BTreeSet<String> = rows.iter().map(|r| key(r)).collect();
    let mut pairs = BTreeSet::new();
    for row in &rows {
        for other in cells(&header, row, "Outward issue link (Blocks)") {
            pairs.insert((key(row), other.to_string()));
        }
        for other in cells(&header, row, "Inward issue link (Blocks)") {
            pairs.insert((other.to_string(), key(row)));
        }
    }
    pairs.retain(|(a, b)| keys.contains(a) && keys.contains(b) && a != b);
    let mut ranked: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            let rank = cells(&header, r, "Custom field (Rank)");
            (rank.first().unwrap_or(&"").to_string(), key(r))
        })
        .collect();
    ranked.sort_by(|a, b| a.0.cmp(&b.0));
    let with_priority = rows
        .iter()
        .filter(|r| !cells(&header, r, "Priority").is_empty())
        .count() as i64;
    Said {
        pairs,
        ranked: ranked.into_iter().map(|(_, k)| k).collect(),
        with_priority,
    }
}

#[tokio::test]
async fn blocks_links_rank_and_priority_arrive_from_jira_csv() {
    for rel in WITH_LINKS {
        let cli = Cli::new().await;
        let ada = super::acme(&cli);
        let want = said(rel);
        assert!(!want.pairs.is_empty(), "{rel}: the file has Blocks links");
        let report = import(&cli, &ada, rel, &["--epics-as", "items"]);
        assert_eq!(
            report["dependencies_added"],
            want.pairs.len(),
            "{rel}: {report}"
        );
        let db = super::db(&cli).await;
        let got: Vec<(String, String)> = with_pool!(&db.read, p => sqlx::query_as(
            "SELECT a.external_key, b.external_key FROM item_dependencies d
             JOIN items a ON a.id = d.blocker_id JOIN items b ON b.id = d.blocked_id")
            .fetch_all(p).await)
        .unwrap();
        assert_eq!(
            got.into_iter().collect::<BTreeSet<_>>(),
            want.pairs,
            "{rel}"
        );
        let mut order: Vec<(String, String)> = with_pool!(&db.read, p => sqlx::query_as(
            "SELECT rank, external_key FROM items").fetch_all(p).await)
        .unwrap();
        order.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let order: Vec<String> = order.into_iter().map(|(_, k)| k).collect();
        assert_eq!(
            order, want.ranked,
            "{rel}: the backlog is in Jira's rank order"
        );
        let labelled: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
            "SELECT COUNT(DISTINCT item_id) FROM item_labels WHERE label LIKE 'jira-priority:%'")
            .fetch_one(p).await)
        .unwrap();
        assert_eq!(labelled, want.with_priority, "{rel}");
        // A repeat adds nothing, and the undo takes the dependencies away with the items.
        let again = import(&cli, &ada, rel, &["--epics-as", "items"]);
        assert_eq!(again["dependencies_added"], 0, "{rel}: {again}");
        db.close().await;
    }
}

#[tokio::test]
async fn links_between_items_already_there_are_undone_with_their_import() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let head = "Summary,Issue key,Issue Type,Status,Updated,Priority,Component/s,Fix version/s,Outward issue link (Blocks)\n";
    let v1 = write(
        "v1.csv",
        &format!("{head}Log in,K-1,Story,To Do,2025-11-01 10:00,High,Auth,1.0,\nLog out,K-2,Story,To Do,2025-11-01 10:00,,,,\n"),
    );
    let v2 = write(
        "v2.csv",
        &format!("{head}Log in,K-1,Story,To Do,2025-11-02 10:00,High,Auth,1.0,K-2\nLog out,K-2,Story,To Do,2025-11-02 10:00,,,,K-1\n"),
    );
    let run = |file: &str| {
        cli.json(&[
            "import", file, "--as", &ada, "-w", "acme", "-p", "ONB", "--json",
        ])
    };
    run(&v1);
    let item = cli.json(&[
        "item", "show", "ONB-1", "--as", &ada, "-w", "acme", "--json",
    ]);
    let labels: Vec<&str> = item["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    for want in [
        "jira-priority:high",
        "jira-component:auth",
        "jira-version:1.0",
    ] {
        assert!(labels.contains(&want), "{want} in {labels:?}");
    }
    let second = run(&v2);
    assert_eq!(second["dependencies_added"], 1, "{second}");
    assert!(
        second["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("would make a loop")),
        "{second}"
    );
    let db = super::db(&cli).await;
    let count = || async {
        with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM item_dependencies").fetch_one(p).await)
        .unwrap()
    };
    assert_eq!(count().await, 1);
    let id = second["import_id"].as_i64().unwrap().to_string();
    cli.json(&[
        "import", "--undo", &id, "--as", &ada, "-w", "acme", "-p", "ONB", "--json",
    ]);
    assert_eq!(count().await, 0, "the undo removes the dependency it added");
    db.close().await;
}

/// A done item's history starts the day the file says it was resolved, so reports count it
/// then, not on the day of the import.
#[tokio::test]
async fn a_done_item_keeps_the_day_it_was_resolved() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("resolved.csv");
    std::fs::write(
        &file,
        "Summary,Issue key,Issue Type,Status,Resolved\n\
         Ship it,R-1,Story,Done,2025-03-14 16:30\n\
         Plan it,R-2,Story,To Do,\n",
    )
    .unwrap();
    cli.json(&[
        "import",
        file.to_str().unwrap(),
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--json",
    ]);
    let db = super::db(&cli).await;
    let events: Vec<(String, String, chrono::DateTime<chrono::Utc>)> = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT i.external_key, e.status, e.at FROM item_status_events e JOIN items i ON i.id = e.item_id
         ORDER BY i.external_key").fetch_all(p).await)
    .unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(
        (events[0].0.as_str(), events[0].1.as_str()),
        ("R-1", "done")
    );
    assert_eq!(events[0].2.format("%Y-%m-%d").to_string(), "2025-03-14");
    assert!(
        events[1].2 > chrono::Utc::now() - chrono::TimeDelta::minutes(5),
        "an open item's history starts at the import"
    );
    db.close().await;
}
