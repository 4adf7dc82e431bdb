//! `.taskmaster/tasks/tasks.json`: the stories as Task Master tasks in its tagged layout (the
//! `master` tag), a task per story with its criteria as subtasks, dependencies as task ids.

use serde_json::{json, Value};

use super::{Ctx, KitFile};
use crate::docs::rules::{line, sentence};

pub fn file(k: &Ctx) -> KitFile {
    let id_of = |key: &str| {
        k.built
            .iter()
            .position(|s| s.item.key == key)
            .map(|i| i + 1)
    };
    let tasks: Vec<Value> = k
        .built
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let it = &s.item;
            let deps: Vec<usize> = it.blocked_by.iter().filter_map(|b| id_of(b)).collect();
            let priority = match k.tier(s) {
                Some(1) => "high",
                Some(2) => "medium",
                _ => "low",
            };
            let subtasks: Vec<Value> = it
                .criteria
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    json!({
                        "id": i + 1,
                        "title": format!("{}.{}", it.key, c.position),
                        "description": line(&c.text),
                        "dependencies": [],
                        "details": format!("Write a test named after {}.{} first, then make it pass.", it.key, c.position),
                        "status": "pending",
                        "testStrategy": format!("The test for {}.{} passes; report it with check_criterion.", it.key, c.position),
                    })
                })
                .collect();
            let mut details = format!("Brief: stories/{}.md. Throughline: {}.", it.key, k.item_url(&it.key));
            if !it.description.trim().is_empty() {
                details = format!("{} {details}", sentence(&it.description));
            }
            json!({
                "id": n + 1,
                "title": format!("{} {}", it.key, line(&it.title)),
                "description": if it.goal.trim().is_empty() { line(&it.title) } else { format!("I want {}, so that {}.", line(&it.goal), line(&it.benefit)) },
                "details": details,
                "testStrategy": if it.criteria.is_empty() { "No acceptance criterion yet: ask the Product Owner.".to_string() } else { format!("Every acceptance criterion {}.1–{}.{} has a passing test.", it.key, it.key, it.criteria.len()) },
                "priority": priority,
                "dependencies": deps,
                "status": "pending",
                "subtasks": subtasks,
            })
        })
        .collect();
    // Task Master stamps its files when it writes them; a kit carries no time (the same
    // data gives the same bytes), so it says the epoch and Task Master restamps on its
    // first write.
    let stamp = "1970-01-01T00:00:00.000Z";
    let doc = json!({
        "master": {
            "tasks": tasks,
            "metadata": {
                "created": stamp,
                "updated": stamp,
                "description": format!("{} ({} {} of {}), from Throughline", line(&k.title), k.scope.kind(), k.scope.id(), k.product.key),
            }
        }
    });
    KitFile {
        path: ".taskmaster/tasks/tasks.json".into(),
        text: serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n",
    }
}
