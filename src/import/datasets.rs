//! Tables that are not one tool's export but hold work items all the same: a tracker's entity
//! dump (`entity_id;type;status;ticket_number;name;…`, Russian words, parents by entity id) and
//! research data sets of issues with story points (Deep-SE, NEO: `issuekey,title,…,storypoint`).

use std::collections::{HashMap, HashSet};

use super::markup::wiki_to_markdown;
use super::rules::{map_status, map_type, parse_date};
use super::table::Table;
use super::tables::{first_of_key, points, Counts, NOT_MAPPED};
use super::{source_labels, Batch, Person, Record};

/// A tracker's entity dump.
pub fn tracker(text: &str) -> Result<Batch, String> {
    let t = Table::read(text)?;
    let mut b = Batch {
        format: "tracker-csv",
        source: "tracker",
        ..Batch::default()
    };
    let mut counts = Counts::default();
    let c = |n: &str| t.col(&[n]);
    let (entity, key, name, kind, status) = (
        c("entity_id"),
        c("ticket_number"),
        c("name"),
        c("type"),
        c("status"),
    );
    let (parent, created, updated, who, resolution, area) = (
        c("parent_ticket_id"),
        c("create_date"),
        c("update_date"),
        c("assignee"),
        c("resolution"),
        c("area"),
    );
    let (reporter, priority, rank) = (c("created_by"), c("priority"), c("rank"));
    let key_of: HashMap<&str, &str> = t
        .rows
        .iter()
        .map(|r| (Table::cell(r, entity), Table::cell(r, key)))
        .filter(|(e, k)| !e.is_empty() && !k.is_empty())
        .collect();
    let mut seen = HashSet::new();
    let mut outside = 0;
    for row in &t.rows {
        let cell = |c| Table::cell(row, c);
        if !first_of_key(&mut seen, cell(key), &mut counts) {
            continue;
        }
        let (ty, st) = (cell(kind), cell(status));
        let (our_kind, ours) = map_type(ty);
        let mut rec = Record::new(cell(key), cell(name));
        rec.kind = our_kind;
        rec.status = map_status(st, None, !cell(resolution).is_empty());
        rec.source_status = st.into();
        rec.source_type = ty.into();
        let mut own: Vec<String> = [cell(area)]
            .into_iter()
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();
        own.extend(super::kept_labels("tracker", cell(priority), &[]));
        rec.labels = source_labels("tracker", st, ty, ours, &own);
        rec.rank = Some(cell(rank).to_string()).filter(|r| !r.is_empty());
        let p = cell(parent);
        rec.parent = match key_of.get(p) {
            Some(k) => Some(k.to_string()),
            None if !p.is_empty() => {
                outside += 1;
                None
            }
            None => None,
        };
        rec.assignee = Person::named(cell(who));
        rec.reporter = Person::named(cell(reporter));
        rec.created = parse_date(cell(created));
        rec.updated = parse_date(cell(updated));
        b.records.push(rec);
    }
    if outside > 0 {
        b.notes.push(format!(
            "{outside}: parents named by an entity id that is not in the file were left out"
        ));
    }
    t.account(
        &mut b,
        &[
            ("ticket_number", "external key"),
            ("entity_id", "parent links (the tracker's numeric id)"),
            ("name", "title"),
            ("type", "kind (original kept as a tracker-type: label)"),
            (
                "status",
                "status (original kept as a tracker-status: label)",
            ),
            (
                "resolution",
                "status done when the status is not recognized",
            ),
            ("parent_ticket_id", "parent"),
            ("area", "label"),
            (
                "priority",
                "a tracker-priority: label (the backlog's order is the priority)",
            ),
            ("rank", "the backlog's order"),
            ("create_date", "created date"),
            (
                "assignee",
                "assignee (a member of the workspace, or a placeholder)",
            ),
            (
                "created_by",
                "reporter (a member of the workspace, or a placeholder)",
            ),
            (
                "update_date",
                "source version (a newer export updates, an older one does not)",
            ),
        ],
        &[
            ("state", "no matching field in Throughline"),
            ("updated_by", "who changed an item last is not kept"),
            ("owner", "the assignee is imported; the owner is not kept"),
            ("due_date", "due dates have no field on an item"),
            (
                "estimation",
                "time estimates (seconds) have no field; points are not time",
            ),
            ("spent", "time tracking has no field in Throughline"),
            ("workgroup", "no matching field in Throughline"),
        ],
    );
    counts.into_notes(&mut b);
    Ok(b)
}

/// A research data set of issues with story points: Deep-SE (`issuekey,title,description,
/// storypoint`, descriptions in Jira wiki markup or `{html}`) and NEO (GitLab issues with their
/// weight, `issuekey,created,title,description,storypoints`, Markdown).
pub fn story_points(text: &str) -> Result<Batch, String> {
    let t = Table::read(text)?;
    let mut b = Batch {
        format: "story-points-csv",
        source: "dataset",
        ..Batch::default()
    };
    let mut counts = Counts::default();
    let c = |n: &[&str]| t.col(n);
    let (key, title, desc) = (c(&["issuekey"]), c(&["title"]), c(&["description"]));
    let (pts, created) = (c(&["storypoint", "storypoints"]), c(&["created"]));
    // Deep-SE's descriptions come from Jira (wiki markup, `{html}` blocks); NEO's from GitLab
    // (Markdown already).
    let from_jira = t.col(&["storypoint"]).is_some();
    let mut seen = HashSet::new();
    for row in &t.rows {
        let cell = |c| Table::cell(row, c);
        if !first_of_key(&mut seen, cell(key), &mut counts) {
            continue;
        }
        let d = cell(desc);
        let description = if d == "NULL" {
            String::new()
        } else if from_jira {
            wiki_to_markdown(d)
        } else {
            d.to_string()
        };
        let mut rec = Record::new(cell(key), cell(title));
        rec.description = description;
        rec.points = points(cell(pts), &mut counts);
        rec.created = parse_date(cell(created));
        rec.labels = Vec::new();
        b.records.push(rec);
    }
    b.notes
        .push("a data set has no types nor statuses: every item is a task to do".into());
    t.account(
        &mut b,
        &[
            ("issuekey", "external key"),
            ("title", "title"),
            (
                "description",
                "description (Jira markup and HTML as Markdown)",
            ),
            ("storypoint", "points"),
            ("storypoints", "points"),
            ("created", "created date"),
        ],
        &NOT_MAPPED,
    );
    counts.into_notes(&mut b);
    Ok(b)
}
