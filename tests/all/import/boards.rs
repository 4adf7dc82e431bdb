//! Trello boards, GitHub issues and the Taiga project export land whole: each file is read here
//! on its own with serde_json, with the mapping written out for the corpus's words.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use throughline::with_pool;

use super::corpus::{
    json, keys_in_order, labels_of, lands, lands_with, stored_points, text, Facts,
};

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn trello_status(list: &str) -> &'static str {
    match list {
        "やりたいこと"
        | "やること"
        | "Backlog/Future Work/Ideas"
        | "To Do"
        | "Backlog"
        | "Deferred"
        | "Obsolete"
        | "Product Backlog: User Story"
        | "Product Backlog"
        | "Current Sprint 1 Backlog"
        | "To-Do"
        | "Issues" => "todo",
        "作業中" | "In Progress" | "Doing" => "in_progress",
        "Ready to merge" | "Ready for QA" | "Testing" | "Testing/Review" => "in_review",
        "クローズ" | "Done" | "Done 🎉" => "done",
        other => panic!("a list this test does not know: {other:?}"),
    }
}

fn kind_of_label(label: &str) -> &'static str {
    match label.to_lowercase().as_str() {
        "bug" | "defect" => "bug",
        "story" | "user story" | "feature" | "improvement" | "epic" => "story",
        "spike" | "research" | "investigation" => "spike",
        _ => "task",
    }
}

pub(super) fn trello(rel: &str) -> Facts {
    let board = json(rel);
    let lists: HashMap<&str, (&str, bool)> = arr(&board, "lists")
        .iter()
        .map(|l| (s(l, "id"), (s(l, "name"), l["closed"] == true)))
        .collect();
    let with_checklist: HashSet<&str> = arr(&board, "checklists")
        .iter()
        .filter(|c| {
            arr(c, "checkItems")
                .iter()
                .any(|i| !s(i, "name").trim().is_empty())
        })
        .map(|c| s(c, "idCard"))
        .collect();
    let mut f = Facts::default();
    for card in arr(&board, "cards") {
        let (list, list_closed) = lists[s(card, "idList")];
        if card["closed"] == true || list_closed {
            continue;
        }
        let name = s(card, "name").trim_start();
        let points = name
            .strip_prefix('(')
            .and_then(|r| r.split_once(')'))
            .and_then(|(n, _)| n.trim().parse::<f64>().ok())
            .map_or(0, stored_points);
        let kind = arr(card, "labels")
            .iter()
            .map(|l| kind_of_label(s(l, "name")))
            .find(|k| *k != "task")
            .unwrap_or("task");
        f.add(kind, trello_status(list), points);
        f.with_criteria += i64::from(with_checklist.contains(s(card, "id")));
    }
    f
}

#[tokio::test]
async fn trello_clipkit() {
    let rel = "trello/clipkit_board.json";
    lands(rel, "trello", trello(rel)).await;
}

#[tokio::test]
async fn trello_gocd_test_drive() {
    let rel = "trello/gocd_test_drive_board.json";
    lands(rel, "trello", trello(rel)).await;
}

#[tokio::test]
async fn trello_sidelinehd_682_cards() {
    let rel = "trello/sidelinehd_apps_board_682cards.json";
    lands(rel, "trello", trello(rel)).await;
}

/// The open cards' keys in the board's order: list by list (by the list's position), top to
/// bottom in each.
fn board_order(rel: &str) -> Vec<String> {
    let board = json(rel);
    let lists: HashMap<&str, (f64, bool)> = arr(&board, "lists")
        .iter()
        .map(|l| {
            (
                s(l, "id"),
                (l["pos"].as_f64().unwrap(), l["closed"] == true),
            )
        })
        .collect();
    let mut cards: Vec<(f64, f64, String)> = arr(&board, "cards")
        .iter()
        .filter(|c| c["closed"] != true && !lists[s(c, "idList")].1)
        .map(|c| {
            let list = lists[s(c, "idList")].0;
            (
                list,
                c["pos"].as_f64().unwrap(),
                format!("trello-{}", s(c, "shortLink")),
            )
        })
        .collect();
    cards.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    cards.into_iter().map(|c| c.2).collect()
}

#[tokio::test]
async fn trello_volunteerbridge_points_checklists_order_and_labels() {
    let rel = "trello/volunteerbridge_scrum_board.json";
    let f = trello(rel);
    assert!(
        f.points > 0 && f.with_criteria > 0,
        "the board has (N) points and checklists"
    );
    let order = board_order(rel);
    let board = json(rel);
    let labelled = arr(&board, "cards")
        .iter()
        .find(|c| c["closed"] != true && !arr(c, "labels").is_empty())
        .unwrap();
    let key = format!("trello-{}", s(labelled, "shortLink"));
    let label = s(&arr(labelled, "labels")[0], "name").to_lowercase();
    lands_with(rel, "trello", f, |db| async move {
        assert_eq!(keys_in_order(&db).await, order, "the board's order");
        let labels = labels_of(&db, &key).await;
        assert!(labels.contains(&label), "{key}: {labels:?} has {label}");
        assert!(
            labels.iter().any(|l| l.starts_with("trello-status:")),
            "{labels:?}"
        );
    })
    .await;
}

fn github(rel: &str) -> Facts {
    let t = text(rel);
    let all: Vec<Value> = match serde_json::from_str::<Value>(&t) {
        Ok(Value::Array(list)) => list,
        _ => t
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    };
    let mut seen = HashSet::new();
    let mut f = Facts::default();
    for issue in &all {
        if !issue["pull_request"].is_null() || !seen.insert(issue["number"].as_i64().unwrap()) {
            continue;
        }
        let kind = arr(issue, "labels")
            .iter()
            .find_map(|l| match s(l, "name") {
                "bug" => Some("bug"),
                "enhancement" => Some("story"),
                _ => None,
            })
            .unwrap_or("task");
        let status = if s(issue, "state") == "closed" {
            "done"
        } else {
            "todo"
        };
        f.add(kind, status, 0);
    }
    f
}

#[tokio::test]
async fn github_huggingface_jsonl() {
    let rel = "github_issues/huggingface_datasets_issues_1000.jsonl";
    lands(rel, "github", github(rel)).await;
}

#[tokio::test]
async fn github_rails_500() {
    let rel = "github_issues/rails_issues_500.json";
    let report = lands(rel, "github", github(rel)).await;
    // Milestones become sprints (no team here, so none is made): the report counts them.
    let issues: Vec<Value> = serde_json::from_str(&text(rel)).unwrap();
    let mut seen = HashSet::new();
    let with_milestone = issues
        .iter()
        .filter(|i| i["pull_request"].is_null() && seen.insert(i["number"].as_i64().unwrap()))
        .filter(|i| !i["milestone"].is_null())
        .count();
    assert_eq!(report["with_sprint"], with_milestone);
}

#[tokio::test]
async fn taiga_project_export() {
    let rel = "taiga/taiga_io_project_export_2016.json";
    let p = json(rel);
    let values: HashMap<&str, f64> = arr(&p, "points")
        .iter()
        .filter_map(|pt| Some((s(pt, "name"), pt["value"].as_f64()?)))
        .collect();
    let closed = |statuses: &str, name: &str| {
        arr(&p, statuses)
            .iter()
            .any(|st| s(st, "name") == name && st["is_closed"] == true)
    };
    let status = |statuses: &str, v: &Value| match s(v, "status") {
        n if closed(statuses, n) => "done",
        "New" | "Needs Info" => "todo",
        "In progress" => "in_progress",
        other => panic!("a status this test does not know: {other:?}"),
    };
    let mut f = Facts::default();
    let us_refs: HashSet<i64> = arr(&p, "user_stories")
        .iter()
        .map(|u| u["ref"].as_i64().unwrap())
        .collect();
    for e in arr(&p, "epics") {
        f.add("story", status("epic_statuses", e), 0);
        let children: HashSet<i64> = arr(e, "related_user_stories")
            .iter()
            .filter_map(|r| r["user_story"].as_i64())
            .filter(|r| us_refs.contains(r))
            .collect();
        f.with_parent += children.len() as i64;
    }
    for us in arr(&p, "user_stories") {
        let sum: f64 = arr(us, "role_points")
            .iter()
            .filter_map(|rp| values.get(s(rp, "points")))
            .sum();
        f.add("story", status("us_statuses", us), stored_points(sum));
    }
    for t in arr(&p, "tasks") {
        f.add("task", status("task_statuses", t), 0);
        f.with_parent += i64::from(
            t["user_story"]
                .as_i64()
                .is_some_and(|r| us_refs.contains(&r)),
        );
    }
    for i in arr(&p, "issues") {
        let kind = if s(i, "type") == "Bug" { "bug" } else { "task" };
        f.add(kind, status("issue_statuses", i), 0);
    }
    // "Download data files" is estimated ½ (Taiga's "1/2", value 0.5): kept exactly, and the
    // project's 18.5 points in all are not rounded either.
    let report = lands_with(rel, "taiga", f, |db| async move {
        let half: Option<i64> = with_pool!(&db.read, p => sqlx::query_scalar(
            "SELECT points FROM items WHERE title = 'Download data files'")
            .fetch_one(p).await)
        .unwrap();
        assert_eq!(half, Some(50), "0.5 is stored as 50 hundredths");
    })
    .await;
    assert_eq!(report["points_total"], 18.5, "{report}");
    assert_eq!(report["points_rounded"], serde_json::json!([]), "{report}");
}
