//! GitHub issues as the REST API gives them (a JSON array, or JSON Lines): issues become items
//! keyed `owner/repo#N`, open is to do and closed is done, labels carry over (bug, enhancement
//! give the kind), the milestone is kept as the sprint; pull requests are told apart and left
//! out, counted in the report.

use std::collections::BTreeMap;

use serde_json::Value;

use super::rules::{map_type, parse_date};
use super::{source_labels, Batch, Column, Person, Record};

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

/// The issues of a JSON array, a single issue, or JSON Lines (one issue a line).
fn issues(text: &str) -> Result<Vec<Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(list)) => Ok(list),
        Ok(one @ Value::Object(_)) => Ok(vec![one]),
        Ok(_) => Err("a JSON value that is not a list of issues".into()),
        Err(_) => text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| format!("line {}: not JSON: {e}", i + 1))
            })
            .collect(),
    }
}

/// `https://api.github.com/repos/rails/rails` → `rails/rails`.
fn repo_of(issue: &Value) -> String {
    let url = s(issue, "repository_url");
    let url = if url.is_empty() {
        s(issue, "html_url")
    } else {
        url
    };
    let path = url.split("/repos/").nth(1).unwrap_or_else(|| {
        url.trim_start_matches("https://github.com/")
            .split("/issues/")
            .next()
            .unwrap_or("")
    });
    path.split('/').take(2).collect::<Vec<_>>().join("/")
}

/// A kind from the labels: `bug` → bug, `enhancement`/`feature` → story, else a task.
fn kind_of(labels: &[String]) -> &'static str {
    labels
        .iter()
        .map(|l| {
            let l = l.to_lowercase();
            let word = l.rsplit([':', '/']).next().unwrap_or(&l).trim().to_string();
            match word.as_str() {
                "enhancement" | "feature request" | "feature" => "story",
                _ => map_type(&word).0,
            }
        })
        .find(|k| *k != "task")
        .unwrap_or("task")
}

/// Reads every issue; pull requests are counted and left out.
pub fn read(text: &str) -> Result<Batch, String> {
    let all = issues(text)?;
    let mut batch = Batch {
        format: "github",
        source: "github",
        ..Batch::default()
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut with_comments = 0;
    let mut seen = std::collections::HashSet::new();
    for issue in &all {
        if issue.get("pull_request").is_some_and(|p| !p.is_null()) {
            *counts
                .entry("pull requests were left out (issues only)")
                .or_default() += 1;
            continue;
        }
        let Some(number) = issue.get("number").and_then(Value::as_i64) else {
            *counts
                .entry("entries without an issue number were skipped")
                .or_default() += 1;
            continue;
        };
        let key = format!("{}#{number}", repo_of(issue));
        if !seen.insert(key.clone()) {
            *counts
                .entry("entries repeating an issue were skipped (the first one is kept)")
                .or_default() += 1;
            continue;
        }
        let labels: Vec<String> = issue
            .get("labels")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .map(|x| x.as_str().unwrap_or_else(|| s(x, "name")).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let state = s(issue, "state");
        let mut rec = Record::new(key, s(issue, "title"));
        rec.kind = kind_of(&labels);
        rec.status = if state == "closed" { "done" } else { "todo" };
        rec.source_status = state.to_string();
        rec.labels = source_labels("github", state, "", true, &labels);
        rec.description = s(issue, "body").to_string();
        // The milestone is the sprint: closed ones are closed (with when), an open one's state
        // is not known (running or to come), and its due date is its last day.
        if let Some(m) = issue.get("milestone").filter(|m| m.is_object()) {
            let mut info = super::SprintInfo::named(s(m, "title"));
            info.state = (s(m, "state") == "closed").then_some("closed");
            info.end = super::rules::local_date(s(m, "due_on"));
            info.completed = super::parse_date(s(m, "closed_at"));
            if !info.name.is_empty() {
                rec.sprint = Some(info.name.clone());
                match batch.sprints.iter_mut().find(|k| k.name == info.name) {
                    Some(known) => known.merge(&info),
                    None => batch.sprints.push(info),
                }
            }
        }
        rec.assignee = issue
            .get("assignee")
            .filter(|a| !a.is_null())
            .and_then(|a| Person::named(s(a, "login")));
        rec.reporter = issue
            .get("user")
            .filter(|a| !a.is_null())
            .and_then(|a| Person::named(s(a, "login")));
        rec.created = parse_date(s(issue, "created_at"));
        rec.updated = parse_date(s(issue, "updated_at"));
        rec.resolved = parse_date(s(issue, "closed_at"));
        with_comments +=
            usize::from(issue.get("comments").and_then(Value::as_i64).unwrap_or(0) > 0);
        batch.records.push(rec);
    }
    let n = batch.records.len();
    let pulls = counts
        .get("pull requests were left out (issues only)")
        .copied()
        .unwrap_or(0);
    if n == 0 && pulls > 0 {
        return Err(format!(
            "the file holds {pulls} pull request(s) and no issues: pull requests are not imported"
        ));
    }
    let filled = |f: &dyn Fn(&Record) -> bool| batch.records.iter().filter(|r| f(r)).count();
    let used = [
        (
            "milestone",
            filled(&|r| r.sprint.is_some()),
            "milestones become sprints (with their state and due date)",
        ),
        ("repository_url, number", n, "external key (owner/repo#N)"),
        ("title", n, "title"),
        (
            "state",
            n,
            "status: open is to do, closed is done (kept as a github-status: label)",
        ),
        (
            "body",
            filled(&|r| !r.description.is_empty()),
            "description (Markdown)",
        ),
        (
            "labels",
            filled(&|r| r.labels.len() > 1),
            "labels; bug and enhancement give the kind",
        ),
        ("created_at", n, "created date"),
        (
            "assignee",
            filled(&|r| r.assignee.is_some()),
            "assignee (a member of the workspace, or a placeholder)",
        ),
        (
            "user",
            filled(&|r| r.reporter.is_some()),
            "reporter (a member of the workspace, or a placeholder)",
        ),
        (
            "updated_at",
            n,
            "source version (a newer export updates, an older one does not)",
        ),
    ];
    let not_mapped = [(
        "comments",
        with_comments,
        "the export holds only how many comments an issue has, not their text",
    )];
    for (name, filled, note) in used {
        batch.columns_used.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    for (name, filled, note) in not_mapped {
        batch.columns_not_mapped.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    for (note, n) in counts {
        batch.notes.push(format!("{n}: {note}"));
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_and_pull_requests() {
        let lines = concat!(
            r#"{"repository_url":"https://api.github.com/repos/o/r","number":1,"title":"Crash","state":"closed","labels":[{"name":"bug"}],"milestone":{"title":"1.0"}}"#,
            "\n",
            r#"{"repository_url":"https://api.github.com/repos/o/r","number":2,"title":"Fix","state":"open","pull_request":{"url":"x"}}"#,
            "\n",
            r#"{"repository_url":"https://api.github.com/repos/o/r","number":3,"title":"Idea","state":"open","labels":["type: enhancement"]}"#,
        );
        let b = read(lines).expect("reads");
        assert_eq!(b.records.len(), 2);
        assert_eq!(
            (
                b.records[0].key.as_str(),
                b.records[0].kind,
                b.records[0].status
            ),
            ("o/r#1", "bug", "done")
        );
        assert_eq!(b.records[0].sprint.as_deref(), Some("1.0"));
        assert_eq!((b.records[1].kind, b.records[1].status), ("story", "todo"));
        assert_eq!(b.notes, ["1: pull requests were left out (issues only)"]);
    }
}
