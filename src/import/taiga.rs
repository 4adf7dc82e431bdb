//! A Taiga project export (JSON): epics and user stories become stories, tasks become tasks
//! under their story, issues become bugs or tasks. A story's points are the sum over its roles
//! (UX 1/2 + Back 5 = 5.5), a status is done when Taiga marks it closed, the milestone is kept
//! as the sprint.

use std::collections::HashMap;

use serde_json::Value;

use super::rules::parse_date;
use super::trello::list_status;
use super::{source_labels, Batch, Column, Note, Person, Record};

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn list<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Status name → closed?, for one kind of entity (`us_statuses`, `task_statuses`…).
fn closed_by_name(project: &Value, k: &str) -> HashMap<String, bool> {
    list(project, k)
        .iter()
        .map(|st| {
            (
                s(st, "name").to_string(),
                st.get("is_closed").and_then(Value::as_bool) == Some(true),
            )
        })
        .collect()
}

/// Tags are names, or `[name, colour]` pairs in older exports.
fn tags(v: &Value) -> Vec<String> {
    list(v, "tags")
        .iter()
        .filter_map(|t| match t {
            Value::String(n) => Some(n.clone()),
            Value::Array(pair) => pair.first().and_then(Value::as_str).map(str::to_string),
            _ => None,
        })
        .collect()
}

/// Taiga names a user as `[email, full name]` (history) or by e-mail alone (owner, assignee).
fn person(v: Option<&Value>) -> Option<Person> {
    match v? {
        Value::String(email) => Person::named(email),
        Value::Array(pair) => {
            let at = |i: usize| pair.get(i).and_then(Value::as_str).unwrap_or("");
            Person::with_email(at(1), at(0))
        }
        _ => None,
    }
}

fn comments(v: &Value) -> Vec<Note> {
    list(v, "history")
        .iter()
        .filter_map(|h| {
            let at = parse_date(s(h, "created_at"));
            Note::new(person(h.get("user")), at, s(h, "comment"))
        })
        .collect()
}

/// Reads the project's epics, user stories, tasks and issues.
pub fn read(text: &str) -> Result<Batch, String> {
    let p: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let slug = match s(&p, "slug") {
        "" => "taiga",
        slug => slug,
    };
    let point_values: HashMap<&str, Option<f64>> = list(&p, "points")
        .iter()
        .map(|pt| (s(pt, "name"), pt.get("value").and_then(Value::as_f64)))
        .collect();
    // Milestones are the sprints: their estimated dates, and closed or not (an open one may
    // be running or to come, so its state is left unsaid).
    let sprints = list(&p, "milestones")
        .iter()
        .map(|m| super::SprintInfo {
            name: s(m, "name").trim().to_string(),
            state: (m.get("closed").and_then(Value::as_bool) == Some(true)).then_some("closed"),
            start: super::rules::local_date(s(m, "estimated_start")),
            end: super::rules::local_date(s(m, "estimated_finish")),
            completed: None,
        })
        .filter(|m| !m.name.is_empty())
        .collect();
    let mut batch = Batch {
        format: "taiga",
        source: "taiga",
        sprints,
        ..Batch::default()
    };
    let key = |r: &Value| {
        format!(
            "{slug}#{}",
            r.get("ref").and_then(Value::as_i64).unwrap_or(0)
        )
    };
    let make =
        |v: &Value, kind: &'static str, kind_word: &str, statuses: &HashMap<String, bool>| {
            let status = s(v, "status");
            let mut rec = Record::new(key(v), s(v, "subject"));
            rec.kind = kind;
            rec.status = if statuses.get(status).copied().unwrap_or(false) {
                "done"
            } else {
                list_status(status)
            };
            rec.source_status = status.to_string();
            rec.source_type = kind_word.to_string();
            rec.labels = source_labels("taiga", status, kind_word, kind_word == kind, &tags(v));
            rec.description = s(v, "description").to_string();
            rec.created = parse_date(s(v, "created_date"));
            rec.updated = parse_date(s(v, "modified_date"));
            rec.sprint = Some(s(v, "milestone").to_string()).filter(|m| !m.is_empty());
            rec.assignee = person(v.get("assigned_to"));
            rec.reporter = person(v.get("owner"));
            rec.comments = comments(v);
            rec
        };
    let (us_st, task_st) = (
        closed_by_name(&p, "us_statuses"),
        closed_by_name(&p, "task_statuses"),
    );
    let (epic_st, issue_st) = (
        closed_by_name(&p, "epic_statuses"),
        closed_by_name(&p, "issue_statuses"),
    );
    let mut parent_of: HashMap<String, String> = HashMap::new();
    for epic in list(&p, "epics") {
        batch.records.push(make(epic, "story", "epic", &epic_st));
        for rel in list(epic, "related_user_stories") {
            let child = format!(
                "{slug}#{}",
                rel.get("user_story").and_then(Value::as_i64).unwrap_or(0)
            );
            parent_of.entry(child).or_insert_with(|| key(epic));
        }
    }
    let mut unknown_points = 0;
    for us in list(&p, "user_stories") {
        let mut rec = make(us, "story", "story", &us_st);
        let mut sum = None;
        for rp in list(us, "role_points") {
            match point_values.get(s(rp, "points")) {
                Some(Some(v)) => *sum.get_or_insert(0.0) += v,
                Some(None) => {}
                None => unknown_points += 1,
            }
        }
        rec.points = sum;
        rec.parent = parent_of.get(&rec.key).cloned();
        batch.records.push(rec);
    }
    for task in list(&p, "tasks") {
        let mut rec = make(task, "task", "task", &task_st);
        rec.parent = task
            .get("user_story")
            .and_then(Value::as_i64)
            .map(|r| format!("{slug}#{r}"));
        batch.records.push(rec);
    }
    for issue in list(&p, "issues") {
        let kind_word = s(issue, "type");
        let kind = if kind_word.to_lowercase().contains("bug") {
            "bug"
        } else {
            "task"
        };
        let mut rec = make(issue, kind, &kind_word.to_lowercase(), &issue_st);
        rec.source_type = kind_word.to_string();
        batch.records.push(rec);
    }
    if unknown_points > 0 {
        batch.notes.push(format!(
            "{unknown_points}: role points naming a value not in the project's scale were left out"
        ));
    }
    let n = batch.records.len();
    let filled = |f: &dyn Fn(&Record) -> bool| batch.records.iter().filter(|r| f(r)).count();
    let used = [
        (
            "milestone",
            filled(&|r| r.sprint.is_some()),
            "sprints, with the milestones' dates and whether they are closed",
        ),
        ("ref", n, "external key (project#ref)"),
        ("subject", n, "title"),
        (
            "epics, user_stories, tasks, issues",
            n,
            "kind: epics and stories are stories, issues of type Bug are bugs",
        ),
        (
            "status",
            n,
            "status: closed in Taiga is done (kept as a taiga-status: label)",
        ),
        (
            "description",
            filled(&|r| !r.description.is_empty()),
            "description (Markdown)",
        ),
        ("tags", filled(&|r| r.labels.len() > 1), "labels"),
        (
            "role_points",
            filled(&|r| r.points.is_some()),
            "points: the sum over the roles",
        ),
        (
            "user_story, related_user_stories",
            filled(&|r| r.parent.is_some()),
            "parent",
        ),
        ("created_date", n, "created date"),
        (
            "assigned_to",
            filled(&|r| r.assignee.is_some()),
            "assignee (a member of the workspace, or a placeholder)",
        ),
        (
            "owner",
            filled(&|r| r.reporter.is_some()),
            "reporter (a member of the workspace, or a placeholder)",
        ),
        (
            "history (comments)",
            filled(&|r| !r.comments.is_empty()),
            "comments, with their authors and dates",
        ),
        (
            "modified_date",
            n,
            "source version (a newer export updates, an older one does not)",
        ),
    ];
    let later = [(
        "wiki_pages",
        list(&p, "wiki_pages").len(),
        "wiki pages are not imported",
    )];
    for (name, filled, note) in used {
        batch.columns_used.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    for (name, filled, note) in later {
        batch.columns_not_mapped.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stories_sum_their_role_points() {
        let project = r##"{"slug":"p","points":[{"name":"?","value":null},{"name":"1/2","value":0.5},{"name":"5","value":5.0}],
          "us_statuses":[{"name":"New","is_closed":false},{"name":"Done","is_closed":true}],
          "task_statuses":[{"name":"Closed","is_closed":true}],
          "user_stories":[{"ref":1,"subject":"Story","status":"Done","role_points":[{"points":"1/2"},{"points":"5"},{"points":"?"}],"tags":[["a","#fff"]]}],
          "tasks":[{"ref":2,"subject":"\t Task","status":"Closed","user_story":1}],
          "epics":[{"ref":3,"subject":"Epic","status":"New","related_user_stories":[{"user_story":1}]}],
          "issues":[{"ref":4,"subject":"Crash","status":"New","type":"Bug"}]}"##;
        let b = read(project).expect("reads");
        let keys: Vec<&str> = b.records.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["p#3", "p#1", "p#2", "p#4"]);
        assert_eq!(
            (b.records[1].points, b.records[1].status),
            (Some(5.5), "done")
        );
        assert_eq!(b.records[1].parent.as_deref(), Some("p#3"));
        assert_eq!(b.records[2].parent.as_deref(), Some("p#1"));
        assert_eq!(b.records[3].kind, "bug");
    }
}
