//! CSV exports of Linear and Plane, and what every table reader shares (notes by count, lists
//! in a cell, the first row of a key, the usual columns left out). Archived rows are left out
//! and counted, as for Trello.

use std::collections::BTreeMap;

use super::rules::{map_status, map_type, parse_date, parse_points};
use super::table::Table;
use super::{source_labels, Batch, Note, Person, Record};

/// What a table reader gathers besides the records: notes by count.
#[derive(Default)]
pub(super) struct Counts(BTreeMap<&'static str, usize>);

impl Counts {
    pub(super) fn add(&mut self, note: &'static str) {
        *self.0.entry(note).or_default() += 1;
    }
    pub(super) fn into_notes(self, batch: &mut Batch) {
        for (note, n) in self.0 {
            batch.notes.push(format!("{n}: {note}"));
        }
    }
}

/// Labels written as `a, b` or as a JSON list `["a", "b"]` (Plane).
pub(super) fn split_list(cell: &str) -> Vec<String> {
    if cell.trim_start().starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<serde_json::Value>>(cell) {
            return list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .filter(|s| !s.trim().is_empty())
                .collect();
        }
    }
    cell.split([',', ';'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Marks points that are not a number.
pub(super) fn points(cell: &str, counts: &mut Counts) -> Option<f64> {
    let p = parse_points(cell);
    if !cell.trim().is_empty() && p.is_none() {
        counts.add("points that are not a number were left out");
    }
    p
}

pub(super) fn batch(format: &'static str, source: &'static str) -> Batch {
    Batch {
        format,
        source,
        ..Batch::default()
    }
}

/// Notes a sprint's dates the first time a row gives them (Linear's cycles, Pivotal's
/// iterations repeat them on every row of the sprint).
pub(super) fn dated_sprint(b: &mut Batch, name: &str, start: &str, end: &str) {
    let day = |s: &str| parse_date(s).map(|d| d.date_naive());
    let (start, end) = (day(start), day(end));
    if b.sprints.iter().any(|s| s.name == name) || start.is_none() || end.is_none() {
        return;
    }
    let mut info = super::SprintInfo::named(name);
    (info.start, info.end) = (start, end.max(start));
    b.sprints.push(info);
}

/// Keeps the first row of a key; counts the repeats.
pub(super) fn first_of_key(
    seen: &mut std::collections::HashSet<String>,
    key: &str,
    counts: &mut Counts,
) -> bool {
    if key.is_empty() {
        counts.add("rows without a key were skipped");
        return false;
    }
    if !seen.insert(key.to_string()) {
        counts.add("rows repeating a key were skipped (the first one is kept)");
        return false;
    }
    true
}

/// Linear's CSV export.
pub fn linear(text: &str) -> Result<Batch, String> {
    let t = Table::read(text)?;
    let mut b = batch("linear", "linear");
    let mut counts = Counts::default();
    let c = |n: &str| t.col(&[n]);
    let (id, title, desc, status, est) = (
        c("ID"),
        c("Title"),
        c("Description"),
        c("Status"),
        c("Estimate"),
    );
    let (labels, parent, cycle, who) = (
        c("Labels"),
        c("Parent issue"),
        c("Cycle Name"),
        c("Assignee"),
    );
    let (creator, priority) = (c("Creator"), c("Priority"));
    let (cycle_start, cycle_end) = (c("Cycle Start"), c("Cycle End"));
    let (created, updated, archived) = (c("Created"), c("Updated"), c("Archived"));
    let (completed, canceled) = (c("Completed"), c("Canceled"));
    let mut seen = std::collections::HashSet::new();
    for row in &t.rows {
        let cell = |c| Table::cell(row, c);
        if !first_of_key(&mut seen, cell(id), &mut counts) {
            continue;
        }
        if !cell(archived).is_empty() {
            counts.add("archived issues were left out");
            continue;
        }
        let mut label_list = split_list(cell(labels));
        let kind = kind_from_labels(&label_list);
        label_list.extend(super::kept_labels("linear", cell(priority), &[]));
        let st = cell(status);
        let closed = !cell(completed).is_empty() || !cell(canceled).is_empty();
        let mut rec = Record::new(cell(id), cell(title));
        rec.kind = kind;
        rec.status = map_status(st, None, closed);
        rec.source_status = st.to_string();
        rec.labels = source_labels("linear", st, "", true, &label_list);
        rec.description = cell(desc).to_string();
        rec.points = points(cell(est), &mut counts);
        rec.parent = Some(cell(parent).to_string()).filter(|p| !p.is_empty());
        rec.sprint = Some(cell(cycle).to_string()).filter(|p| !p.is_empty());
        if let Some(name) = &rec.sprint {
            dated_sprint(&mut b, name, cell(cycle_start), cell(cycle_end));
        }
        rec.assignee = Person::named(cell(who));
        rec.reporter = Person::named(cell(creator));
        rec.created = parse_date(cell(created));
        rec.updated = parse_date(cell(updated));
        b.records.push(rec);
    }
    t.account(
        &mut b,
        &[
            ("ID", "external key"),
            ("Title", "title"),
            ("Description", "description (Markdown)"),
            ("Status", "status (kept as a linear-status: label)"),
            ("Estimate", "points"),
            (
                "Labels",
                "labels; Bug, Feature or Improvement give the kind",
            ),
            ("Parent issue", "parent"),
            (
                "Priority",
                "a linear-priority: label (the backlog's order is the priority)",
            ),
            ("Cycle Name", "the sprint"),
            ("Cycle Start", "the sprint's first day"),
            ("Cycle End", "the sprint's last day"),
            ("Assignee", PEOPLE[0].1),
            ("Creator", PEOPLE[1].1),
            ("Created", "created date"),
            (
                "Updated",
                "source version (a newer export updates, an older one does not)",
            ),
            ("Completed", "status done when the status is not recognized"),
            ("Canceled", "status done when the status is not recognized"),
            ("Archived", "archived issues are left out"),
        ],
        &NOT_MAPPED,
    );
    counts.into_notes(&mut b);
    Ok(b)
}

/// Why the usual columns of these exports are left out.
pub(super) const NOT_MAPPED: [(&str, &str); 16] = [
    ("Team", "the product is the one given with -p"),
    ("Project", "the product is the one given with -p"),
    ("Projects", "the product is the one given with -p"),
    ("Project Name", "the product is the one given with -p"),
    ("Project Identifier", "the product is the one given with -p"),
    (
        "Priority",
        "priority has no field; the backlog's order is its priority",
    ),
    ("Subscribers", "watchers are not imported"),
    (
        "Cycle Number",
        "the cycle name is the sprint; its number is not kept",
    ),
    ("Cycle Name", "the sprint"),
    ("Cycles", "the last cycle is the sprint"),
    ("Iteration", "the sprint"),
    (
        "Cycle Start",
        "cycle dates are not read yet: sprints from cycles have no dates",
    ),
    (
        "Cycle End",
        "cycle dates are not read yet: sprints from cycles have no dates",
    ),
    ("Due Date", "due dates have no field on an item"),
    (
        "Milestone",
        "milestones are imported with the roadmap in a later step",
    ),
    ("URL", "the external key identifies the item"),
];

/// What the people columns fill: the assignee, and the reporter.
pub(super) const PEOPLE: [(&str, &str); 2] = [
    (
        "Assignee",
        "assignee (a member of the workspace, or a placeholder)",
    ),
    (
        "Creator",
        "reporter (a member of the workspace, or a placeholder)",
    ),
];

/// A kind from the labels: Bug, Feature, Improvement, Spike.
pub(super) fn kind_from_labels(labels: &[String]) -> &'static str {
    labels
        .iter()
        .map(|l| map_type(l).0)
        .find(|k| *k != "task")
        .unwrap_or("task")
}

/// Plane's CSV export (both its layouts: `Identifier … State Name` and `ID … State`).
pub fn plane(text: &str) -> Result<Batch, String> {
    let t = Table::read(text)?;
    let mut b = batch("plane", "plane");
    let mut counts = Counts::default();
    let c = |n: &[&str]| t.col(n);
    let (id, name, desc) = (c(&["Identifier", "ID"]), c(&["Name"]), c(&["Description"]));
    let (state, est, labels) = (
        c(&["State Name", "State"]),
        c(&["Estimate"]),
        c(&["Labels"]),
    );
    let (parent, cycle, who) = (
        c(&["Parent"]),
        c(&["Cycles", "Cycle Name"]),
        c(&["Assignees", "Assignee"]),
    );
    let creator = c(&["Created By Name", "Created By"]);
    let priority = c(&["Priority"]);
    let (created, updated, archived) =
        (c(&["Created At"]), c(&["Updated At"]), c(&["Archived At"]));
    let (completed, comments) = (c(&["Completed At"]), c(&["Comments"]));
    let mut seen = std::collections::HashSet::new();
    for row in &t.rows {
        let cell = |c| Table::cell(row, c);
        if !first_of_key(&mut seen, cell(id), &mut counts) {
            continue;
        }
        if !cell(archived).is_empty() {
            counts.add("archived issues were left out");
            continue;
        }
        let mut label_list = split_list(cell(labels));
        let kind = kind_from_labels(&label_list);
        label_list.extend(super::kept_labels("plane", cell(priority), &[]));
        let st = cell(state);
        let mut rec = Record::new(cell(id), cell(name));
        rec.kind = kind;
        rec.status = map_status(st, None, !cell(completed).is_empty());
        rec.source_status = st.to_string();
        rec.labels = source_labels("plane", st, "", true, &label_list);
        rec.description = cell(desc).to_string();
        rec.points = points(cell(est), &mut counts);
        rec.parent = Some(cell(parent).to_string()).filter(|p| !p.is_empty());
        rec.sprint = split_list(cell(cycle)).pop();
        rec.assignee = split_list(cell(who)).first().and_then(|p| Person::named(p));
        rec.reporter = Person::named(cell(creator));
        rec.comments = serde_json::from_str::<Vec<serde_json::Value>>(cell(comments))
            .map(|c| {
                c.iter()
                    .filter_map(|c| {
                        let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or("");
                        let author = Person::named(text("created_by"));
                        Note::new(author, parse_date(text("created_at")), text("comment"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        rec.created = parse_date(cell(created));
        rec.updated = parse_date(cell(updated));
        b.records.push(rec);
    }
    t.account(
        &mut b,
        &[
            ("Identifier", "external key"),
            ("ID", "external key"),
            ("Name", "title"),
            ("Description", "description"),
            ("State Name", "status (kept as a plane-status: label)"),
            ("State", "status (kept as a plane-status: label)"),
            ("Estimate", "points"),
            ("Labels", "labels; bug gives the kind"),
            ("Parent", "parent"),
            (
                "Priority",
                "a plane-priority: label (the backlog's order is the priority)",
            ),
            ("Cycles", "the last cycle is the sprint"),
            ("Cycle Name", "the sprint"),
            ("Assignees", PEOPLE[0].1),
            ("Assignee", PEOPLE[0].1),
            ("Created By Name", PEOPLE[1].1),
            ("Created By", PEOPLE[1].1),
            ("Comments", "comments, with their authors and dates"),
            ("Created At", "created date"),
            (
                "Updated At",
                "source version (a newer export updates, an older one does not)",
            ),
            (
                "Completed At",
                "status done when the state is not recognized",
            ),
            ("Archived At", "archived issues are left out"),
        ],
        &[
            &NOT_MAPPED[..],
            &[
                ("Modules", "modules have no field; use labels"),
                ("Module Name", "modules have no field; use labels"),
                ("Links", "links are not imported"),
                (
                    "Relations",
                    "links between items are imported in a later step",
                ),
                ("Sequence Id", "the identifier is the external key"),
            ],
        ]
        .concat(),
    );
    counts.into_notes(&mut b);
    Ok(b)
}
