//! CSV exports of Linear, Plane, Asana, Pivotal Tracker, a tracker's semicolon dump and the
//! story-point data sets land whole: each file is read here with the csv crate and the mapping
//! of the corpus's words written out.

use std::collections::{HashMap, HashSet};

use super::corpus::{csv_rows, lands, stored_points, Facts};

fn points(cell: &str) -> i64 {
    cell.parse::<f64>().map_or(0, stored_points)
}

fn kind_of_labels(labels: &[&str]) -> &'static str {
    labels
        .iter()
        .find_map(|l| match l.to_lowercase().as_str() {
            "bug" => Some("bug"),
            "feature" | "improvement" => Some("story"),
            "research" => Some("spike"),
            _ => None,
        })
        .unwrap_or("task")
}

#[tokio::test]
async fn linear_test_workspace() {
    let rel = "linear/linear_export_test_workspace.csv";
    let rows = csv_rows(rel, b',', 0);
    let kept: Vec<_> = rows.iter().filter(|r| r["Archived"].is_empty()).collect();
    let ids: HashSet<&str> = kept.iter().map(|r| r["ID"].as_str()).collect();
    let mut f = Facts::default();
    for r in &kept {
        let status = match r["Status"].as_str() {
            "Backlog" | "Todo" | "Triage" => "todo",
            "In Progress" => "in_progress",
            "Done" | "Canceled" => "done",
            other => panic!("a status this test does not know: {other:?}"),
        };
        let labels: Vec<&str> = r["Labels"].split(',').map(str::trim).collect();
        f.add(kind_of_labels(&labels), status, points(&r["Estimate"]));
        f.with_parent += i64::from(ids.contains(r["Parent issue"].as_str()));
    }
    lands(rel, "linear", f).await;
}

fn plane(rel: &str) -> Facts {
    let rows = csv_rows(rel, b',', 0);
    let id = |r: &std::collections::BTreeMap<String, String>| {
        r.get("Identifier")
            .or(r.get("ID"))
            .cloned()
            .unwrap_or_default()
    };
    let kept: Vec<_> = rows
        .iter()
        .filter(|r| r["Archived At"].is_empty())
        .collect();
    let ids: HashSet<String> = kept.iter().map(|r| id(r)).collect();
    let mut f = Facts::default();
    for r in &kept {
        let state = r.get("State Name").or(r.get("State")).unwrap();
        let status = match state.as_str() {
            "Backlog" | "Todo" => "todo",
            "In Progress" => "in_progress",
            "Done" | "Cancelled" => "done",
            other => panic!("a state this test does not know: {other:?}"),
        };
        let labels: Vec<String> = match serde_json::from_str::<Vec<String>>(&r["Labels"]) {
            Ok(list) => list,
            Err(_) => vec![r["Labels"].clone()],
        };
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        f.add(
            kind_of_labels(&labels),
            status,
            points(r.get("Estimate").map_or("", |e| e)),
        );
        f.with_parent += i64::from(r.get("Parent").is_some_and(|p| ids.contains(p)));
    }
    f
}

#[tokio::test]
async fn plane_sample_and_one_row() {
    for rel in [
        "plane/linear_importer_plane_sample.csv",
        "plane/plane_export_1row.csv",
    ] {
        lands(rel, "plane", plane(rel)).await;
    }
}

#[tokio::test]
async fn asana_2016_rounded_task_ids() {
    let rel = "asana/asana_export_2016.csv";
    let rows = csv_rows(rel, b',', 0);
    let mut names: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *names.entry(r["Name"].as_str()).or_default() += 1;
    }
    let mut f = Facts::default();
    for r in &rows {
        let status = if r["Completed At"].is_empty() {
            "todo"
        } else {
            "done"
        };
        f.add("task", status, 0);
        let parent = r["Parent Task"].as_str();
        f.with_parent += i64::from(!parent.is_empty() && names.get(parent) == Some(&1));
    }
    lands(rel, "asana", f).await;
}

fn pivotal(rel: &str) -> Facts {
    let rows = csv_rows(rel, b',', 0);
    let mut f = Facts::default();
    for r in &rows {
        let kind = match r["Type"].as_str() {
            "feature" => "story",
            "bug" => "bug",
            "chore" | "release" => "task",
            other => panic!("a type this test does not know: {other:?}"),
        };
        let status = match r["Current State"].as_str() {
            "unstarted" | "unscheduled" => "todo",
            "started" | "rejected" => "in_progress",
            "finished" | "delivered" => "in_review",
            "accepted" => "done",
            other => panic!("a state this test does not know: {other:?}"),
        };
        f.add(kind, status, points(&r["Estimate"]));
        f.with_criteria += i64::from(r.get("Task").is_some_and(|t| !t.is_empty()));
    }
    f
}

#[tokio::test]
async fn pivotal_fish_with_sinatra() {
    let rel = "pivotal/gschool_fish_with_sinatra_stories.csv";
    lands(rel, "pivotal", pivotal(rel)).await;
}

#[tokio::test]
async fn pivotal_trackerhub() {
    let rel = "pivotal/trackerhub_stories.csv";
    lands(rel, "pivotal", pivotal(rel)).await;
}

#[tokio::test]
async fn russian_tracker_semicolon_dump() {
    let rel = "other_trackers/ru_tasktracker_entities_semicolon.csv";
    let rows = csv_rows(rel, b';', 1);
    let mut seen = HashSet::new();
    let kept: Vec<_> = rows
        .iter()
        .filter(|r| seen.insert(r["ticket_number"].clone()))
        .collect();
    let entity_ids: HashSet<&str> = rows.iter().map(|r| r["entity_id"].as_str()).collect();
    let mut f = Facts::default();
    for r in &kept {
        let kind = match r["type"].as_str() {
            "Задача" | "Подзадача" => "task",
            "Дефект" => "bug",
            "История" => "story",
            other => panic!("a type this test does not know: {other:?}"),
        };
        let status = match r["status"].as_str() {
            "Закрыто" | "Выполнено" | "Отклонен исполнителем" | "СТ Завершено" => {
                "done"
            }
            "Создано" | "Отложен" | "В ожидании" | "Готово к разработке" => {
                "todo"
            }
            "В работе" | "Анализ" | "Исправление" | "Разработка" | "Локализация" => {
                "in_progress"
            }
            "Тестирование" | "Подтверждение исправления" | "Подтверждение" | "СТ" => {
                "in_review"
            }
            other if !r["resolution"].is_empty() => panic!("unknown resolved status {other:?}"),
            other => panic!("a status this test does not know: {other:?}"),
        };
        f.add(kind, status, 0);
        f.with_parent += i64::from(entity_ids.contains(r["parent_ticket_id"].as_str()));
    }
    lands(rel, "tracker-csv", f).await;
}

fn story_points(rel: &str) -> Facts {
    let rows = csv_rows(rel, b',', 0);
    let mut seen = HashSet::new();
    let mut f = Facts::default();
    for r in &rows {
        if !seen.insert(r["issuekey"].clone()) {
            continue;
        }
        let p = r.get("storypoint").or(r.get("storypoints")).unwrap();
        f.add("task", "todo", points(p));
    }
    f
}

#[tokio::test]
async fn deep_se_story_point_sets() {
    for name in [
        "appceleratorstudio",
        "jirasoftware",
        "mesos",
        "moodle",
        "talendesb",
        "usergrid",
    ] {
        let rel = format!("datasets/deep-se_storypoints/{name}.csv");
        lands(&rel, "story-points-csv", story_points(&rel)).await;
    }
}

#[tokio::test]
async fn neo_gitlab_story_point_sets() {
    for name in ["1304532", "7764"] {
        let rel = format!("datasets/neodataset_gitlab_storypoints/{name}.csv");
        lands(&rel, "story-points-csv", story_points(&rel)).await;
    }
}
