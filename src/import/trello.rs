//! A Trello board's JSON export: cards become items in the order of the board (list by list,
//! top to bottom), a card's list gives its status, `(8) Title` gives its points (the Scrum for
//! Trello convention), labels carry over, checklists become acceptance criteria, and archived
//! cards and lists are left out and counted.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::rules::{map_status, map_type, parse_date};
use super::{source_labels, Batch, Column, Note, Person, Record};

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn pos(v: &Value) -> f64 {
    v.get("pos").and_then(Value::as_f64).unwrap_or(0.0)
}

/// A list's name → our status: the usual names in any case, with emoji and dates around them
/// (`Done 🎉`, `Done [WEEK 3/6-12]`, `Testing/Review`), and Japanese boards' words.
pub fn list_status(name: &str) -> &'static str {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&[
        "done",
        "closed",
        "complete",
        "finished",
        "shipped",
        "released",
        "クローズ",
        "完了",
        "済",
    ]) {
        "done"
    } else if has(&[
        "review",
        "test",
        "qa",
        "verif",
        "ready to merge",
        "レビュー",
    ]) {
        "in_review"
    } else if has(&[
        "doing",
        "progress",
        "wip",
        "working",
        "started",
        "作業中",
        "進行中",
    ]) {
        "in_progress"
    } else {
        map_status(name, None, false)
    }
}

/// `(8) Sign up` → 8 points and the title without them; `(½)`-like junk is left as it is.
pub fn title_points(title: &str) -> (Option<f64>, String) {
    let t = title.trim_start();
    if let Some(rest) = t.strip_prefix('(') {
        if let Some((num, after)) = rest.split_once(')') {
            if let Ok(p) = num.trim().parse::<f64>() {
                if p.is_finite() && p >= 0.0 {
                    return (Some(p), after.trim().to_string());
                }
            }
        }
    }
    (None, title.trim().to_string())
}

/// A Trello id is a MongoDB object id: its first 8 hex digits are the creation time.
fn created_of(id: &str) -> Option<DateTime<Utc>> {
    let secs = i64::from_str_radix(id.get(..8)?, 16).ok()?;
    DateTime::from_timestamp(secs, 0)
}

/// Reads every open card of the board.
pub fn read(text: &str) -> Result<Batch, String> {
    let board: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let empty = vec![];
    let arr = |k: &str| board.get(k).and_then(Value::as_array).unwrap_or(&empty);
    let lists: HashMap<&str, &Value> = arr("lists").iter().map(|l| (s(l, "id"), l)).collect();
    let members: HashMap<&str, &str> = arr("members")
        .iter()
        .map(|m| (s(m, "id"), s(m, "fullName")))
        .collect();
    let mut checklists: HashMap<&str, Vec<&Value>> = HashMap::new();
    for c in arr("checklists") {
        checklists.entry(s(c, "idCard")).or_default().push(c);
    }
    let mut comments: HashMap<&str, Vec<Note>> = HashMap::new();
    for a in arr("actions")
        .iter()
        .filter(|a| s(a, "type") == "commentCard")
    {
        let card = a
            .pointer("/data/card/id")
            .and_then(Value::as_str)
            .unwrap_or("");
        let text = a
            .pointer("/data/text")
            .and_then(Value::as_str)
            .unwrap_or("");
        let author = a
            .get("memberCreator")
            .map(|m| s(m, "fullName"))
            .filter(|n| !n.is_empty())
            .or_else(|| members.get(s(a, "idMemberCreator")).copied())
            .and_then(Person::named);
        let at = parse_date(s(a, "date"));
        comments
            .entry(card)
            .or_default()
            .extend(Note::new(author, at, text));
    }
    let mut cards: Vec<&Value> = arr("cards").iter().collect();
    let list_pos = |c: &Value| lists.get(s(c, "idList")).map_or(f64::MAX, |l| pos(l));
    cards.sort_by(|a, b| {
        list_pos(a)
            .total_cmp(&list_pos(b))
            .then(pos(a).total_cmp(&pos(b)))
    });
    let mut batch = Batch {
        format: "trello",
        source: "trello",
        ..Batch::default()
    };
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for card in cards {
        let list = lists.get(s(card, "idList"));
        if card.get("closed").and_then(Value::as_bool) == Some(true) {
            *counts.entry("archived cards were left out").or_default() += 1;
            continue;
        }
        if list.is_some_and(|l| l.get("closed").and_then(Value::as_bool) == Some(true)) {
            *counts
                .entry("cards in archived lists were left out")
                .or_default() += 1;
            continue;
        }
        let key = match s(card, "shortLink") {
            "" => s(card, "id"),
            short => short,
        };
        if key.is_empty() {
            *counts
                .entry("cards without an id were skipped")
                .or_default() += 1;
            continue;
        }
        let (points, title) = title_points(s(card, "name"));
        let list_name = list.map_or("", |l| s(l, "name"));
        let label_names: Vec<String> = card
            .get("labels")
            .and_then(Value::as_array)
            .unwrap_or(&empty)
            .iter()
            .map(|l| match s(l, "name") {
                "" => s(l, "color").to_string(),
                n => n.to_string(),
            })
            .filter(|n| !n.is_empty())
            .collect();
        // A label that names one of our kinds (Bug, Story, Spike) gives the kind.
        let kind = label_names
            .iter()
            .map(|l| map_type(l).0)
            .find(|k| *k != "task")
            .unwrap_or("task");
        let mut lists_of_card = checklists.remove(s(card, "id")).unwrap_or_default();
        lists_of_card.sort_by(|a, b| pos(a).total_cmp(&pos(b)));
        let criteria: Vec<String> = lists_of_card
            .iter()
            .flat_map(|c| {
                let mut items: Vec<&Value> = c
                    .get("checkItems")
                    .and_then(Value::as_array)
                    .unwrap_or(&empty)
                    .iter()
                    .collect();
                items.sort_by(|a, b| pos(a).total_cmp(&pos(b)));
                items.into_iter().map(|i| s(i, "name").trim().to_string())
            })
            .filter(|c| !c.is_empty())
            .collect();
        let mut rec = Record::new(format!("trello-{key}"), title);
        rec.kind = kind;
        rec.status = list_status(list_name);
        rec.source_status = list_name.to_string();
        rec.labels = source_labels("trello", list_name, "", true, &label_names);
        rec.description = s(card, "desc").to_string();
        rec.points = points;
        rec.criteria = criteria;
        rec.created = created_of(s(card, "id"));
        rec.updated = parse_date(s(card, "dateLastActivity"));
        rec.assignee = card
            .get("idMembers")
            .and_then(Value::as_array)
            .and_then(|m| m.first())
            .and_then(Value::as_str)
            .and_then(|id| members.get(id))
            .and_then(|n| Person::named(n));
        rec.comments = comments.remove(s(card, "id")).unwrap_or_default();
        batch.records.push(rec);
    }
    account(&mut batch, arr("cards"));
    for (note, n) in counts {
        batch.notes.push(format!("{n}: {note}"));
    }
    Ok(batch)
}

fn account(batch: &mut Batch, cards: &[Value]) {
    let n = batch.records.len();
    let filled = |f: &dyn Fn(&Record) -> bool| batch.records.iter().filter(|r| f(r)).count();
    let used = [
        ("shortLink", n, "external key (trello-…)"),
        ("name", n, "title; a leading (N) gives the points"),
        (
            "idList",
            n,
            "status from the list's name (kept as a trello-status: label)",
        ),
        ("pos", n, "the backlog's order, list by list"),
        (
            "desc",
            filled(&|r| !r.description.is_empty()),
            "description (Markdown)",
        ),
        (
            "labels",
            filled(&|r| r.labels.len() > 1),
            "labels; Bug, Story or Spike give the kind",
        ),
        (
            "checklists",
            filled(&|r| !r.criteria.is_empty()),
            "acceptance criteria",
        ),
        (
            "dateLastActivity",
            n,
            "source version (a newer export updates, an older one does not)",
        ),
    ];
    let people = [
        (
            "idMembers",
            filled(&|r| r.assignee.is_some()),
            "assignee: the card's first member (a member of the workspace, or a placeholder)",
        ),
        (
            "actions (comments)",
            filled(&|r| !r.comments.is_empty()),
            "comments, with their authors and dates",
        ),
    ];
    let open = |k: &str| {
        cards
            .iter()
            .filter(|c| {
                c.get(k)
                    .is_some_and(|v| !v.is_null() && v != &Value::Array(vec![]) && v != "")
            })
            .count()
    };
    let other = [
        ("due", open("due"), "due dates have no field on an item"),
        (
            "attachments",
            open("attachments"),
            "attachments are not imported",
        ),
        (
            "customFieldItems",
            open("customFieldItems"),
            "a custom field with no matching field in Throughline",
        ),
    ];
    for (name, filled, note) in used.into_iter().chain(people) {
        batch.columns_used.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    for (name, filled, note) in other {
        batch.columns_not_mapped.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_points_and_checklists() {
        assert_eq!(list_status("Done 🎉"), "done");
        assert_eq!(list_status("Done [WEEK 3/6-12]"), "done");
        assert_eq!(list_status("Testing/Review"), "in_review");
        assert_eq!(list_status("作業中"), "in_progress");
        assert_eq!(list_status("Current Sprint 1 Backlog"), "todo");
        assert_eq!(
            title_points("(8) As a user"),
            (Some(8.0), "As a user".into())
        );
        assert_eq!(title_points("(soon) x"), (None, "(soon) x".into()));
        let board = r#"{"lists":[{"id":"l2","name":"Done","pos":2},{"id":"l1","name":"To Do","pos":1},{"id":"l3","name":"Old","closed":true,"pos":3}],
            "cards":[{"id":"5e4422fcdf81d26e37800293","shortLink":"b","name":"(3) Second","idList":"l2","pos":1,"labels":[{"name":"Bug"}]},
                     {"id":"5e4422fcdf81d26e37800294","shortLink":"a","name":"First","idList":"l1","pos":5,"labels":[]},
                     {"id":"x","shortLink":"c","name":"Gone","idList":"l1","closed":true},
                     {"id":"y","shortLink":"d","name":"Old","idList":"l3"}],
            "checklists":[{"idCard":"5e4422fcdf81d26e37800294","pos":1,"checkItems":[{"name":"B","pos":2},{"name":"A","pos":1}]}]}"#;
        let b = read(board).expect("reads");
        let keys: Vec<&str> = b.records.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["trello-a", "trello-b"]);
        assert_eq!(b.records[0].criteria, ["A", "B"]);
        assert_eq!(
            (b.records[1].kind, b.records[1].status, b.records[1].points),
            ("bug", "done", Some(3.0))
        );
        assert_eq!(
            b.notes,
            [
                "1: archived cards were left out",
                "1: cards in archived lists were left out"
            ]
        );
        assert!(b.records[0].created.is_some());
    }
}
