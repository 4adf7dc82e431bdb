//! Jira's XML export (an RSS feed, one `<item>` per issue): key, type, status and its category,
//! parent, labels, points and sprint from the custom fields, the epic link, comments, and the
//! description's HTML as Markdown. A file that is not well-formed gets the line and column of
//! the fault and how to fix it, never a panic.

use std::collections::{BTreeMap, HashMap};

use super::markup::html_to_markdown;
use super::rules::{map_status, map_type, parse_date, parse_points};
use super::xml::{parse, Node};
use super::{source_labels, Batch, Column, Note, Person, Record};

/// Jira's status category keys, in the words `map_status` knows.
fn category(key: &str) -> Option<&'static str> {
    match key {
        "new" => Some("To Do"),
        "indeterminate" => Some("In Progress"),
        "done" => Some("Done"),
        _ => None,
    }
}

/// Reads every `<item>` of the feed.
pub fn read(text: &str) -> Result<Batch, String> {
    let root = parse(text)?;
    let channel = root
        .child("rss")
        .and_then(|r| r.child("channel"))
        .ok_or("an XML file without <rss><channel>: not a Jira XML export")?;
    let items: Vec<&Node> = channel
        .children
        .iter()
        .filter(|c| c.name == "item")
        .collect();
    let mut batch = Batch {
        format: "jira-xml",
        source: "jira",
        ..Batch::default()
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let epics: HashMap<String, String> = items
        .iter()
        .map(|i| (i.text_of("summary"), i.text_of("key")))
        .collect();
    // Comments name their authors by account id; assignees and reporters say whose id is whose.
    let mut accounts: HashMap<String, String> = HashMap::new();
    for item in &items {
        for who in ["assignee", "reporter"]
            .iter()
            .filter_map(|w| item.child(w))
        {
            let id = who.attr("accountid").or(who.attr("username")).unwrap_or("");
            if !id.is_empty() && id != "-1" && !who.text.trim().is_empty() {
                accounts
                    .entry(id.to_string())
                    .or_insert_with(|| who.text.trim().to_string());
            }
        }
    }
    for item in &items {
        let key = item.text_of("key");
        if key.is_empty() {
            *counts
                .entry("items without a key were skipped".into())
                .or_default() += 1;
            continue;
        }
        let source_type = item.text_of("type");
        let (kind, ours) = map_type(&source_type);
        let source_status = item.text_of("status");
        let cat = item
            .child("statusCategory")
            .and_then(|c| c.attr("key"))
            .and_then(category);
        let resolved = !item.text_of("resolved").is_empty()
            || item
                .child("resolution")
                .and_then(|r| r.attr("id"))
                .is_some_and(|id| id != "-1");
        let labels: Vec<String> = item
            .child("labels")
            .map(|l| {
                l.children
                    .iter()
                    .map(|c| c.text.trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let points_text = ["Story Points", "Story point estimate"]
            .iter()
            .find_map(|n| item.custom(n).into_iter().next());
        let mut parent = Some(item.text_of("parent")).filter(|p| !p.is_empty());
        if parent.is_none() {
            if let Some(epic) = item.custom("Epic Link").into_iter().next() {
                parent = epics.get(&epic).cloned().or(Some(epic.clone()));
                if !epics.contains_key(&epic) && crate::backlog::parse_key(&epic).is_none() {
                    *counts
                        .entry(
                            "epic links naming an epic that is not in the file were left out"
                                .into(),
                        )
                        .or_default() += 1;
                    parent = None;
                }
            }
        }
        let person = |w: &str| {
            let node = item.child(w)?;
            (node.attr("accountid") != Some("-1"))
                .then(|| Person::named(&node.text))
                .flatten()
        };
        let mut comments: Vec<Note> = Vec::new();
        for c in item.child("comments").map_or(&[][..], |c| &c.children[..]) {
            let author = c.attr("author").unwrap_or("").trim();
            let name = accounts
                .get(author)
                .cloned()
                .unwrap_or_else(|| format!("Jira user {author}"));
            let author = (!author.is_empty()).then(|| Person::named(&name));
            let at = c.attr("created").and_then(parse_date);
            match Note::new(author.flatten(), at, &html_to_markdown(&c.text)) {
                Some(n) => comments.push(n),
                None => {
                    *counts
                        .entry(
                            "comments with no text (only images or attachments) were left out"
                                .into(),
                        )
                        .or_default() += 1
                }
            }
        }
        if let Some(fields) = item.child("customfields") {
            for f in &fields.children {
                let name = f.text_of("customfieldname");
                let filled = f
                    .child("customfieldvalues")
                    .is_some_and(|v| v.children.iter().any(|c| !c.text.trim().is_empty()));
                let used = [
                    "Story Points",
                    "Story point estimate",
                    "Epic Link",
                    "Sprint",
                    "Rank",
                ];
                if filled && !used.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
                    *unmapped.entry(name).or_default() += 1;
                }
            }
        }
        let texts = |name: &str| -> Vec<String> {
            item.children
                .iter()
                .filter(|c| c.name == name)
                .map(|c| c.text.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect()
        };
        let mut labels = labels;
        labels.extend(super::kept_labels(
            "jira",
            &item.text_of("priority"),
            &[
                ("component", texts("component")),
                ("version", texts("fixVersion")),
                ("affects", texts("version")),
            ],
        ));
        let mut rec = Record::new(key, item.text_of("summary"));
        rec.kind = kind;
        rec.status = map_status(&source_status, cat, resolved);
        rec.labels = source_labels("jira", &source_status, &source_type, ours, &labels);
        rec.rank = item.custom("Rank").into_iter().next();
        (rec.blocks, rec.blocked_by) = blocking(item);
        rec.source_type = source_type;
        rec.source_status = source_status;
        rec.description = html_to_markdown(&item.text_of("description"));
        rec.points = points_text.as_deref().and_then(parse_points);
        rec.parent = parent;
        rec.created = parse_date(&item.text_of("created"));
        rec.updated = parse_date(&item.text_of("updated"));
        rec.resolved = parse_date(&item.text_of("resolved"));
        let mut sprints = item.custom("Sprint");
        rec.sprint = sprints.pop();
        rec.earlier_sprints = sprints;
        rec.assignee = person("assignee");
        rec.reporter = person("reporter");
        rec.comments = comments;
        batch.records.push(rec);
    }
    // Subtasks named by their parent.
    let index: HashMap<String, usize> = batch
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.clone(), i))
        .collect();
    for item in &items {
        let parent = item.text_of("key");
        for sub in item.child("subtasks").map_or(&[][..], |s| &s.children[..]) {
            if let Some(&i) = index.get(sub.text.trim()) {
                if batch.records[i].parent.is_none() {
                    batch.records[i].parent = Some(parent.clone());
                }
            }
        }
    }
    account(&mut batch, items.len(), &unmapped);
    for (note, n) in counts {
        batch.notes.push(format!("{n}: {note}"));
    }
    Ok(batch)
}

/// The keys an item blocks and is blocked by, from its "Blocks" issue links.
fn blocking(item: &super::xml::Node) -> (Vec<String>, Vec<String>) {
    let (mut out, mut inward) = (Vec::new(), Vec::new());
    let links = item
        .child("issuelinks")
        .map_or(&[][..], |l| &l.children[..]);
    for kind in links
        .iter()
        .filter(|t| t.text_of("name").eq_ignore_ascii_case("blocks"))
    {
        for (side, keys) in [("outwardlinks", &mut out), ("inwardlinks", &mut inward)] {
            for dir in kind.children.iter().filter(|c| c.name == side) {
                for link in &dir.children {
                    let key = link.text_of("issuekey");
                    if !key.is_empty() {
                        keys.push(key);
                    }
                }
            }
        }
    }
    (out, inward)
}

/// The fields the report lists: ours, and the custom fields with values we leave out.
fn account(batch: &mut Batch, items: usize, unmapped: &BTreeMap<String, usize>) {
    let filled = |f: &dyn Fn(&Record) -> bool| batch.records.iter().filter(|r| f(r)).count();
    let used = [
        ("key", items, "external key"),
        ("summary", items, "title"),
        ("type", items, "kind (original kept as a jira-type: label)"),
        (
            "status, statusCategory",
            items,
            "status (original kept as a jira-status: label)",
        ),
        (
            "description",
            filled(&|r| !r.description.is_empty()),
            "description (HTML as Markdown)",
        ),
        (
            "labels",
            filled(&|r| r.labels.iter().any(|l| !l.starts_with("jira-"))),
            "labels",
        ),
        (
            "Story Points, Story point estimate",
            filled(&|r| r.points.is_some()),
            "points",
        ),
        (
            "parent, subtasks, Epic Link",
            filled(&|r| r.parent.is_some()),
            "parent",
        ),
        ("created", items, "created date"),
        (
            "assignee",
            filled(&|r| r.assignee.is_some()),
            "assignee (a member of the workspace, or a placeholder)",
        ),
        (
            "reporter",
            filled(&|r| r.reporter.is_some()),
            "reporter (a member of the workspace, or a placeholder)",
        ),
        (
            "comments",
            filled(&|r| !r.comments.is_empty()),
            "comments, with their authors and dates",
        ),
        (
            "updated",
            items,
            "source version (a newer export updates, an older one does not)",
        ),
        (
            "priority, component, fixVersion, version",
            filled(&|r| r.labels.iter().any(|l| l.starts_with("jira-priority:"))),
            "jira-priority:, jira-component:, jira-version: and jira-affects: labels",
        ),
        ("Rank", filled(&|r| r.rank.is_some()), "the backlog's order"),
        (
            "issuelinks (Blocks)",
            filled(&|r| !r.blocks.is_empty() || !r.blocked_by.is_empty()),
            "dependencies (blocks / blocked by)",
        ),
    ];
    for (name, filled, note) in used {
        batch.columns_used.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    let later = [(
        "Sprint",
        filled(&|r| r.sprint.is_some()),
        "sprints by name (the file gives no dates or states)",
    )];
    for (name, filled, note) in later {
        batch.columns_used.push(Column {
            name: name.into(),
            columns: 1,
            filled,
            note: note.into(),
        });
    }
    for (name, n) in unmapped {
        batch.columns_not_mapped.push(Column {
            name: name.clone(),
            columns: 1,
            filled: *n,
            note: "a custom field with no matching field in Throughline".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"<?xml version="1.0"?>
<rss version="0.92"><channel><title>Jira</title>
<item><key id="1">AB-1</key><summary>Epic &amp; co</summary><type>Epic</type><status>Done</status>
<statusCategory key="done"/><labels><label>ux</label></labels>
<created>Mon, 15 Sep 2025 18:42:35 +0100</created><subtasks><subtask id="2">AB-2</subtask></subtasks>
<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item>
<item><key id="2">AB-2</key><summary>Child</summary><type>Subtarea</type><status>En curso</status>
<statusCategory key="indeterminate"/><customfields><customfield id="c1"><customfieldname>Story Points</customfieldname>
<customfieldvalues><customfieldvalue>0.5</customfieldvalue></customfieldvalues></customfield>
<customfield id="c2"><customfieldname>Sprint</customfieldname><customfieldvalues><customfieldvalue>S1</customfieldvalue></customfieldvalues></customfield>
</customfields></item>
</channel></rss>"#;

    #[test]
    fn items_become_records() {
        let b = read(FEED).expect("reads");
        assert_eq!(b.records.len(), 2);
        let (epic, child) = (&b.records[0], &b.records[1]);
        assert_eq!(
            (epic.kind, epic.status, epic.title.as_str()),
            ("story", "done", "Epic & co")
        );
        assert_eq!(epic.description, "Hello **world**");
        assert_eq!(epic.labels, ["jira-status:done", "jira-type:epic", "ux"]);
        assert_eq!((child.status, child.points), ("in_progress", Some(0.5)));
        assert_eq!(child.parent.as_deref(), Some("AB-1"));
        assert_eq!(child.sprint.as_deref(), Some("S1"));
    }

    #[test]
    fn faults_name_their_place_and_fix() {
        let banner = "This XML file does not appear to have any style information associated with it.\n<rss/>";
        let e = read(banner).expect_err("refused");
        assert!(
            e.contains("line 1, column 1") && e.contains("delete that first line"),
            "{e}"
        );
        let e = read("<rss>\n<channel>\n<item></channel></rss>").expect_err("refused");
        assert!(e.contains("line 3"), "{e}");
        let e = read("<rss><channel>").expect_err("refused");
        assert!(e.contains("ends inside"), "{e}");
    }
}
