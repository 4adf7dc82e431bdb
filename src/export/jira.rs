//! A product's backlog as CSV with Jira's column names, in backlog order: Jira (and our own
//! `throughline import`) reads it back. Repeated columns (Sprint, Labels) carry one value each,
//! as Jira writes them; every cell is made safe for spreadsheets ([`crate::csv_safe`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::csv_safe::cell;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::on;
use crate::points::Points;

/// One backlog item with what the CSV shows of it.
#[derive(Clone, Debug, Default)]
pub struct Row {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    /// Written as Jira does: 3, 0.5.
    pub points: Option<Points>,
    pub description: String,
    pub parent_id: Option<i64>,
    pub labels: Vec<String>,
    pub sprints: Vec<String>,
    pub assignee: String,
    pub reporter: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
}

fn issue_type(kind: &str) -> &'static str {
    match kind {
        "story" => "Story",
        "bug" => "Bug",
        "spike" => "Spike",
        _ => "Task",
    }
}

/// Jira's status name and status category for ours.
fn status(s: &str) -> (&'static str, &'static str) {
    match s {
        "in_progress" => ("In Progress", "In Progress"),
        "in_review" => ("In Review", "In Progress"),
        "done" => ("Done", "Done"),
        _ => ("To Do", "To Do"),
    }
}

/// A time as Jira's importers take it without a date-format setting: UTC, to the second.
fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The CSV text of `rows`.
pub fn to_csv(rows: &[Row]) -> Result<String> {
    let sprints = rows
        .iter()
        .map(|r| r.sprints.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let labels = rows
        .iter()
        .map(|r| r.labels.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut header: Vec<&str> = vec![
        "Issue key",
        "Issue id",
        "Summary",
        "Issue Type",
        "Status",
        "Status Category",
        "Story Points",
    ];
    header.extend(std::iter::repeat_n("Sprint", sprints));
    header.extend(std::iter::repeat_n("Labels", labels));
    header.extend([
        "Parent",
        "Assignee",
        "Reporter",
        "Description",
        "Created",
        "Updated",
    ]);
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| Error::Internal(anyhow::anyhow!("writing CSV: {e}"));
    w.write_record(&header).map_err(fail)?;
    for r in rows {
        let (name, category) = status(&r.status);
        let mut rec: Vec<String> = vec![
            r.key.clone(),
            r.id.to_string(),
            cell(&r.title).into_owned(),
            issue_type(&r.kind).into(),
            name.into(),
            category.into(),
            r.points.map(|p| p.to_string()).unwrap_or_default(),
        ];
        let padded = |v: &[String], n: usize| -> Vec<String> {
            (0..n)
                .map(|i| v.get(i).map(|s| cell(s).into_owned()).unwrap_or_default())
                .collect()
        };
        rec.extend(padded(&r.sprints, sprints));
        rec.extend(padded(&r.labels, labels));
        rec.extend([
            r.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            cell(&r.assignee).into_owned(),
            cell(&r.reporter).into_owned(),
            cell(&crate::import::markup::markdown_to_wiki(&r.description)).into_owned(),
            when(&r.created),
            when(&r.updated),
        ]);
        w.write_record(&rec).map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| Error::Internal(anyhow::anyhow!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.into()))
}

type ItemRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<Points>,
    String,
    Option<i64>,
    Option<String>,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// The product's backlog, top first, with labels and the sprints each item has been in.
pub async fn rows(db: &Db, product_id: i64, product_key: &str) -> Result<Vec<Row>> {
    let items: Vec<ItemRow> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT i.id, i.number, i.title, i.kind, i.status, i.points, i.description, i.parent_id,
                a.name, c.name, i.created_at, i.updated_at
         FROM items i JOIN users c ON c.id = i.created_by LEFT JOIN users a ON a.id = i.assignee_id
         WHERE i.product_id = $1 ORDER BY i.rank")
        .bind(product_id).fetch_all(&mut **c).await)?;
    let labels: Vec<(i64, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT l.item_id, l.label FROM item_labels l JOIN items i ON i.id = l.item_id
         WHERE i.product_id = $1 ORDER BY l.item_id, l.label")
        .bind(product_id).fetch_all(&mut **c).await)?;
    let sprints: Vec<(i64, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT si.item_id, s.name FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id
         WHERE s.product_id = $1 GROUP BY si.item_id, s.id, s.name, s.start_date
         ORDER BY si.item_id, s.start_date NULLS FIRST, s.id")
        .bind(product_id).fetch_all(&mut **c).await)?;
    let mut by_item: HashMap<i64, (Vec<String>, Vec<String>)> = HashMap::new();
    for (id, l) in labels {
        by_item.entry(id).or_default().0.push(l);
    }
    for (id, s) in sprints {
        by_item.entry(id).or_default().1.push(s);
    }
    Ok(items
        .into_iter()
        .map(
            |(
                id,
                number,
                title,
                kind,
                status,
                points,
                description,
                parent_id,
                assignee,
                reporter,
                created,
                updated,
            )| {
                let (labels, sprints) = by_item.remove(&id).unwrap_or_default();
                Row {
                    id,
                    key: format!("{product_key}-{number}"),
                    title,
                    kind,
                    status,
                    points,
                    description,
                    parent_id,
                    labels,
                    sprints,
                    assignee: assignee.unwrap_or_default(),
                    reporter,
                    created,
                    updated,
                }
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::jira_csv;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn our_importer_reads_the_file_back() {
        let parent = Row {
            id: 7,
            key: "ONB-1".into(),
            title: "=HYPERLINK(\"x\")".into(),
            kind: "story".into(),
            status: "in_review".into(),
            points: Some(Points::whole(5)),
            description: "- first\n- second, with \"quotes\"".into(),
            labels: vec!["signup".into(), "ux".into()],
            sprints: vec!["Sprint 1".into(), "Sprint 2".into()],
            reporter: "Ann".into(),
            created: at("2026-01-05T09:00:00Z"),
            updated: at("2026-01-06T10:30:15Z"),
            ..Row::default()
        };
        let child = Row {
            id: 9,
            key: "ONB-2".into(),
            title: "Child".into(),
            kind: "spike".into(),
            status: "done".into(),
            points: Some("0.5".parse().unwrap()),
            parent_id: Some(7),
            created: at("2026-01-05T09:00:00Z"),
            updated: at("2026-01-05T09:00:00Z"),
            ..Row::default()
        };
        let text = to_csv(&[parent, child]).unwrap();
        assert!(text.contains(",\"'=HYPERLINK"), "{text}");
        assert!(jira_csv::detect(&text));
        let b = jira_csv::read(&text).unwrap();
        let p = &b.records[0];
        assert_eq!(
            (p.title.as_str(), p.kind, p.status),
            ("=HYPERLINK(\"x\")", "story", "in_review")
        );
        assert_eq!(p.description, "- first\n- second, with \"quotes\"");
        assert_eq!(p.points, Some(5.0));
        assert!(text.contains(",0.5,"), "{text}");
        assert_eq!(b.records[1].points, Some(0.5));
        assert!(p.labels.contains(&"signup".to_string()) && p.labels.contains(&"ux".to_string()));
        assert_eq!(p.created, Some(at("2026-01-05T09:00:00Z")));
        assert_eq!(p.updated, Some(at("2026-01-06T10:30:15Z")));
        let c = &b.records[1];
        assert_eq!(
            (c.kind, c.status, c.parent.as_deref()),
            ("spike", "done", Some("ONB-1"))
        );
    }
}
