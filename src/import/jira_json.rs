//! Jira's REST JSON: a search page (`/rest/api/2/search`, `/rest/agile/1.0/…/issue`: `issues[]`
//! with `fields`) or one issue. Custom fields are found by name through the `names` map the
//! search gives with `expand=names`; without it, points and epic links in custom fields cannot
//! be told apart and the report says so.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::markup::wiki_to_markdown;
use super::rules::{map_status, map_type, parse_date, parse_points};
use super::{source_labels, Batch, Column, Note, Person, Record, SprintInfo};

fn s<'a>(v: &'a Value, path: &str) -> &'a str {
    v.pointer(path).and_then(Value::as_str).unwrap_or("")
}

/// A Jira user object: its display name (else its user name) and its e-mail when shown.
fn person(v: Option<&Value>) -> Option<Person> {
    let v = v.filter(|v| v.is_object())?;
    let name = [s(v, "/displayName"), s(v, "/name")]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("");
    Person::with_email(name, s(v, "/emailAddress"))
}

/// The text of an Atlassian Document Format value (API v3), paragraphs on their own lines.
fn adf_text(v: &Value, out: &mut String) {
    if let Some(t) = v.get("text").and_then(Value::as_str) {
        out.push_str(t);
    }
    if let Some(children) = v.get("content").and_then(Value::as_array) {
        for c in children {
            adf_text(c, out);
        }
        if matches!(s(v, "/type"), "paragraph" | "heading" | "listItem") {
            out.push('\n');
        }
    }
}

fn description(v: &Value) -> String {
    match v {
        Value::String(text) => wiki_to_markdown(text),
        Value::Object(_) => {
            let mut out = String::new();
            adf_text(v, &mut out);
            out.trim().to_string()
        }
        _ => String::new(),
    }
}

/// A sprint field's value, every sprint the issue was in: objects (Cloud: name, state,
/// startDate, endDate, completeDate) or Jira Server's strings
/// `com.atlassian.greenhopper.service.sprint.Sprint@…[id=1,state=CLOSED,name=Sprint 1,…]`.
/// Oldest first: by start date where both have one, else in the file's order.
pub fn sprints_of(v: &Value) -> Vec<SprintInfo> {
    let list: Vec<&Value> = match v {
        Value::Array(list) => list.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    let mut out: Vec<SprintInfo> = list
        .into_iter()
        .filter_map(|one| match one {
            Value::Object(_) => Some(sprint_info(&|k| {
                one.get(k).and_then(Value::as_str).map(str::to_string)
            })),
            Value::String(text) => {
                let fields = server_fields(text);
                Some(sprint_info(&|k| fields.get(k).cloned()))
            }
            _ => None,
        })
        .filter(|s| !s.name.is_empty())
        .collect();
    out.sort_by(|a, b| match (a.start, b.start) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => std::cmp::Ordering::Equal,
    });
    out
}

fn sprint_info(get: &dyn Fn(&str) -> Option<String>) -> SprintInfo {
    let date = |k: &str| get(k).and_then(|d| super::rules::local_date(&d));
    let mut info = SprintInfo::named(&get("name").unwrap_or_default());
    info.state = get("state").and_then(|s| match s.to_lowercase().as_str() {
        "closed" => Some("closed"),
        "active" => Some("active"),
        "future" => Some("planned"),
        _ => None,
    });
    info.start = date("startDate");
    info.end = date("endDate");
    info.completed = get("completeDate").and_then(|d| parse_date(&d));
    info
}

/// The `key=value` pairs of Jira Server's sprint string; a value may hold commas (a name
/// like "Sprint 3, part 2"), so a piece without a known key continues the value before it.
fn server_fields(text: &str) -> HashMap<String, String> {
    const KEYS: [&str; 10] = [
        "id",
        "rapidViewId",
        "state",
        "name",
        "goal",
        "startDate",
        "endDate",
        "completeDate",
        "activatedDate",
        "sequence",
    ];
    let inner = text.split_once('[').map_or(text, |(_, rest)| rest);
    let inner = inner.strip_suffix(']').unwrap_or(inner);
    let mut out: Vec<(String, String)> = Vec::new();
    for piece in inner.split(',') {
        match piece.split_once('=') {
            Some((k, v)) if KEYS.contains(&k) => out.push((k.to_string(), v.to_string())),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.1.push(',');
                    last.1.push_str(piece);
                }
            }
        }
    }
    out.into_iter()
        .filter(|(_, v)| v != "<null>" && !v.is_empty())
        .collect()
}

/// Reads every issue of the page (or the one issue).
pub fn read(text: &str) -> Result<Batch, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let issues: Vec<&Value> = match root.get("issues").and_then(Value::as_array) {
        Some(list) => list.iter().collect(),
        None => vec![&root],
    };
    // Field id → its name, from `expand=names`.
    let names: HashMap<&str, &str> = root
        .get("names")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    let field_id = |wanted: &[&str]| -> Option<&str> {
        names
            .iter()
            .find(|(_, n)| wanted.iter().any(|w| n.eq_ignore_ascii_case(w)))
            .map(|(id, _)| *id)
    };
    let points_id = field_id(&["Story Points", "Story point estimate"]);
    let epic_id = field_id(&["Epic Link"]);
    let sprint_id = field_id(&["Sprint"]);
    let rank_id = field_id(&["Rank"]);
    let mut batch = Batch {
        format: "jira-json",
        source: "jira",
        ..Batch::default()
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    for issue in &issues {
        let key = s(issue, "/key").to_string();
        let Some(f) = issue.get("fields").filter(|f| f.is_object()) else {
            *counts
                .entry("issues without fields were skipped".into())
                .or_default() += 1;
            continue;
        };
        if key.is_empty() {
            *counts
                .entry("issues without a key were skipped".into())
                .or_default() += 1;
            continue;
        }
        let source_type = s(f, "/issuetype/name").to_string();
        let (kind, ours) = map_type(&source_type);
        let source_status = s(f, "/status/name").to_string();
        let category = s(f, "/status/statusCategory/name");
        let resolved = f.get("resolution").is_some_and(|r| !r.is_null());
        let labels: Vec<String> = f
            .get("labels")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let points = points_id.and_then(|id| match f.get(id) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(t)) => parse_points(t),
            _ => None,
        });
        let parent = [s(f, "/parent/key"), s(f, "/epic/key")]
            .into_iter()
            .find(|k| !k.is_empty())
            .map(str::to_string)
            .or_else(|| epic_id.and_then(|id| f.get(id)?.as_str().map(str::to_string)));
        for (id, v) in f.as_object().into_iter().flatten() {
            if id.starts_with("customfield_")
                && !v.is_null()
                && Some(id.as_str()) != points_id
                && Some(id.as_str()) != epic_id
                && Some(id.as_str()) != sprint_id
                && Some(id.as_str()) != rank_id
            {
                let name = names
                    .get(id.as_str())
                    .map_or(id.clone(), |n| format!("{n} ({id})"));
                *unmapped.entry(name).or_default() += 1;
            }
        }
        let names_of = |field: &str| -> Vec<String> {
            f.get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|v| s(v, "/name").to_string())
                .collect()
        };
        let mut labels = labels;
        labels.extend(super::kept_labels(
            "jira",
            s(f, "/priority/name"),
            &[
                ("component", names_of("components")),
                ("version", names_of("fixVersions")),
                ("affects", names_of("versions")),
            ],
        ));
        let mut rec = Record::new(key, s(f, "/summary"));
        rec.kind = kind;
        rec.status = map_status(
            &source_status,
            Some(category).filter(|c| !c.is_empty()),
            resolved,
        );
        rec.labels = source_labels("jira", &source_status, &source_type, ours, &labels);
        rec.source_type = source_type;
        rec.source_status = source_status;
        rec.description = f.get("description").map(description).unwrap_or_default();
        rec.points = points;
        rec.parent = parent;
        rec.rank = rank_id
            .and_then(|id| f.get(id)?.as_str())
            .map(str::to_string);
        for link in f
            .get("issuelinks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if s(link, "/type/name").eq_ignore_ascii_case("blocks") {
                let (out, inward) = (s(link, "/outwardIssue/key"), s(link, "/inwardIssue/key"));
                if !out.is_empty() {
                    rec.blocks.push(out.to_string());
                }
                if !inward.is_empty() {
                    rec.blocked_by.push(inward.to_string());
                }
            }
        }
        rec.created = parse_date(s(f, "/created"));
        rec.updated = parse_date(s(f, "/updated"));
        rec.resolved = parse_date(s(f, "/resolutiondate"));
        // The agile API's `sprint` is the current one; the Sprint field lists them all.
        let mut sprints = sprint_id
            .and_then(|id| f.get(id))
            .map(sprints_of)
            .unwrap_or_default();
        if let Some(current) = f.get("sprint").filter(|v| !v.is_null()).map(sprints_of) {
            for c in current {
                sprints.retain(|s| s.name != c.name);
                sprints.push(c);
            }
        }
        for info in &sprints {
            match batch.sprints.iter_mut().find(|s| s.name == info.name) {
                Some(known) => known.merge(info),
                None => batch.sprints.push(info.clone()),
            }
        }
        let mut names: Vec<String> = sprints.into_iter().map(|s| s.name).collect();
        rec.sprint = names.pop();
        rec.earlier_sprints = names;
        rec.assignee = person(f.get("assignee"));
        rec.reporter = person(f.get("reporter"));
        rec.comments = f
            .pointer("/comment/comments")
            .and_then(Value::as_array)
            .map(|c| {
                c.iter()
                    .filter_map(|c| {
                        let body = match c.get("body") {
                            Some(Value::String(b)) => wiki_to_markdown(b),
                            Some(adf) => {
                                let mut out = String::new();
                                adf_text(adf, &mut out);
                                out
                            }
                            None => String::new(),
                        };
                        let at = parse_date(s(c, "/created"));
                        Note::new(person(c.get("author")), at, &body)
                    })
                    .collect()
            })
            .unwrap_or_default();
        batch.records.push(rec);
    }
    // Subtasks named by their parent.
    let index: HashMap<String, usize> = batch
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.clone(), i))
        .collect();
    for issue in &issues {
        let parent = s(issue, "/key");
        for sub in issue
            .pointer("/fields/subtasks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(&i) = index.get(s(sub, "/key")) {
                if batch.records[i].parent.is_none() {
                    batch.records[i].parent = Some(parent.to_string());
                }
            }
        }
    }
    if names.is_empty() && !unmapped.is_empty() {
        batch.notes.push(
            "the file has no field names (search with expand=names): story points, epic links \
             and sprints kept in custom fields were not read"
                .into(),
        );
    }
    let total = root.get("total").and_then(Value::as_u64).unwrap_or(0);
    let start = root.get("startAt").and_then(Value::as_u64).unwrap_or(0);
    if total > start + issues.len() as u64 || start > 0 {
        batch.notes.push(format!(
            "this page holds issues {}–{} of {total}: import the other pages as well",
            start + 1,
            start + issues.len() as u64
        ));
    }
    account(&mut batch, &unmapped);
    for (note, n) in counts {
        batch.notes.push(format!("{n}: {note}"));
    }
    Ok(batch)
}

fn account(batch: &mut Batch, unmapped: &BTreeMap<String, usize>) {
    let n = batch.records.len();
    let filled = |f: &dyn Fn(&Record) -> bool| batch.records.iter().filter(|r| f(r)).count();
    let used = [
        ("key", n, "external key"),
        ("summary", n, "title"),
        ("issuetype", n, "kind (original kept as a jira-type: label)"),
        (
            "status",
            n,
            "status, by its category (original kept as a jira-status: label)",
        ),
        (
            "description",
            filled(&|r| !r.description.is_empty()),
            "description (wiki markup as Markdown)",
        ),
        ("labels", n, "labels"),
        (
            "Story Points",
            filled(&|r| r.points.is_some()),
            "points (found through the names map)",
        ),
        (
            "parent, epic, subtasks",
            filled(&|r| r.parent.is_some()),
            "parent",
        ),
        ("created", n, "created date"),
        (
            "assignee, reporter",
            filled(&|r| r.assignee.is_some() || r.reporter.is_some()),
            "assignee and reporter (members of the workspace, or placeholders)",
        ),
        (
            "comment",
            filled(&|r| !r.comments.is_empty()),
            "comments, with their authors and dates",
        ),
        (
            "updated",
            n,
            "source version (a newer export updates, an older one does not)",
        ),
    ];
    let later = [(
        "sprint",
        filled(&|r| r.sprint.is_some()),
        "sprints, with their state and dates",
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
    for (name, filled) in unmapped {
        batch.columns_not_mapped.push(Column {
            name: name.clone(),
            columns: 1,
            filled: *filled,
            note: "a custom field with no matching field in Throughline".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_page_with_names() {
        let page = r#"{"startAt":0,"total":2,"names":{"customfield_1":"Story Points","customfield_2":"Sprint"},
          "issues":[{"key":"AB-1","fields":{"summary":"Epic","issuetype":{"name":"Epic"},"status":{"name":"Done","statusCategory":{"name":"Done"}},
             "labels":["ux"],"description":"h2. Why\n*now*","subtasks":[{"key":"AB-2"}],"customfield_1":0.5,"customfield_2":["com.atlassian…[id=1,name=Sprint 1,state=ACTIVE]"]}},
            {"key":"AB-2","fields":{"summary":"Sub","issuetype":{"name":"Sub-task"},"status":{"name":"Open"},"created":"2015-01-14T10:36:43.000-0800"}}]}"#;
        let b = read(page).expect("reads");
        assert_eq!(b.records.len(), 2);
        let epic = &b.records[0];
        assert_eq!(
            (epic.kind, epic.status, epic.points),
            ("story", "done", Some(0.5))
        );
        assert_eq!(epic.description, "## Why\n**now**");
        assert_eq!(epic.sprint.as_deref(), Some("Sprint 1"));
        assert_eq!(b.records[1].parent.as_deref(), Some("AB-1"));
        assert!(b.records[1].created.is_some());
    }
}
