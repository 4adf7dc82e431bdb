//! Imports from other tools (PRODUCT.md D2): the normalized record every reader produces, the
//! pure rules that map a source's types, statuses, points, labels and dates onto ours, and the
//! report an import answers with. `detect` names a file's format from its content, a reader per
//! format turns it into records, and `service` writes them through the backlog's own insert and
//! update paths.

pub mod asana;
pub mod datasets;
pub mod detect;
pub mod epics;
pub mod github;
pub mod history;
pub mod jira_csv;
pub mod jira_json;
pub mod jira_xml;
pub mod jobs;
pub mod markup;
pub mod people;
pub mod pivotal;
pub mod rules;
pub mod scrub;
pub mod service;
pub mod sprints;
pub mod store;
pub mod table;
pub mod tables;
pub mod taiga;
pub mod trello;
pub mod undo;
pub mod uploads;
pub mod xml;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::points::Points;

pub use rules::{label_slug, map_status, map_type, parse_date, parse_points};

/// One work item as read from a file, already in our terms; `source_*` keep the original words.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// The source's key (Jira's `ABC-12`), kept as the item's external key.
    pub key: String,
    pub kind: &'static str,
    pub source_type: String,
    pub status: &'static str,
    pub source_status: String,
    pub title: String,
    pub description: String,
    /// Points as written in the file (Jira allows 0.5); stored exactly to two decimals, see
    /// [`rules::round_points`].
    pub points: Option<f64>,
    /// Normalized labels, with the original status (and type when it is not ours) as labels.
    pub labels: Vec<String>,
    /// The parent's external key, when the file names one.
    pub parent: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// When the source finished it (Jira's Resolved, GitHub's closed_at): a done item's first
    /// status event.
    pub resolved: Option<DateTime<Utc>>,
    /// Acceptance criteria (a Trello checklist), added when the item is created.
    pub criteria: Vec<String>,
    /// The sprint (or iteration, cycle, milestone) by name: the last one the item was in, and
    /// the earlier ones it was carried over from (Jira repeats its Sprint field), oldest first.
    /// What the file says about each sprint is in [`Batch::sprints`].
    pub sprint: Option<String>,
    pub earlier_sprints: Vec<String>,
    /// Who the item is assigned to, and who reported it; they become members of the workspace.
    pub assignee: Option<Person>,
    pub reporter: Option<Person>,
    /// Who watches it: they become its watchers (notified of its changes, G7).
    pub watchers: Vec<Person>,
    /// The comments, oldest first, with their authors and dates where the file has them.
    pub comments: Vec<Note>,
    /// The source's rank (Jira's LexoRank): the backlog takes the file's items in its order.
    pub rank: Option<String>,
    /// Keys of the items this one blocks, and of those that block it.
    pub blocks: Vec<String>,
    pub blocked_by: Vec<String>,
}

/// Someone a file names: a display name, and an e-mail when the file has one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Person {
    pub name: String,
    pub email: Option<String>,
}

impl Person {
    /// Someone named in a cell: `Ada Lovelace`, `ada@example.com` or `Ada <ada@example.com>`;
    /// none when the cell names nobody (empty, or Jira's *Unassigned*).
    pub fn named(cell: &str) -> Option<Person> {
        let cell = cell.trim();
        if cell.is_empty() || NOBODY.iter().any(|n| cell.eq_ignore_ascii_case(n)) {
            return None;
        }
        if let Some((name, rest)) = cell.split_once('<') {
            let email = rest.trim_end_matches('>').trim();
            if email.contains('@') {
                return Person::with_email(name, email);
            }
        }
        if cell.contains('@') && !cell.contains(' ') {
            let name = cell.split('@').next().unwrap_or(cell);
            return Person::with_email(name, cell);
        }
        Some(Person {
            name: cell.chars().take(100).collect(),
            email: None,
        })
    }

    /// Who this is, as accounts are matched: the e-mail when there is one, else the name
    /// (ignoring case and extra spaces).
    pub fn key(&self) -> String {
        match &self.email {
            Some(e) => e.clone(),
            None => self
                .name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase(),
        }
    }

    /// Someone with a name and, when it is one, an e-mail address (kept in lower case).
    pub fn with_email(name: &str, email: &str) -> Option<Person> {
        let email = email.trim().to_lowercase();
        let email = (email.contains('@') && !email.contains(' ')).then_some(email);
        let name = name.trim();
        let name = match (name.is_empty(), &email) {
            (false, _) => name.chars().take(100).collect(),
            (true, Some(e)) => e.split('@').next().unwrap_or(e).to_string(),
            (true, None) => return None,
        };
        Some(Person { name, email })
    }
}

/// What a cell says when it names nobody.
const NOBODY: [&str; 4] = ["unassigned", "не назначено", "sin asignar", "none"];

/// One comment as read from a file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Note {
    /// None when the file does not say who wrote it.
    pub author: Option<Person>,
    /// None when the file does not say when.
    pub at: Option<DateTime<Utc>>,
    pub body: String,
}

impl Note {
    pub fn new(author: Option<Person>, at: Option<DateTime<Utc>>, body: &str) -> Option<Note> {
        let body = body.trim();
        (!body.is_empty()).then(|| Note {
            author,
            at,
            body: body.to_string(),
        })
    }
}

impl Record {
    /// A record with a key and a title, a task to do until the reader says more.
    pub fn new(key: impl Into<String>, title: impl Into<String>) -> Record {
        Record {
            key: key.into(),
            title: title.into(),
            kind: "task",
            status: "todo",
            ..Record::default()
        }
    }
}

/// A column of the file and what became of it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Column {
    pub name: String,
    /// How many columns carry this name (Jira repeats Sprint, Labels, Comment…).
    pub columns: usize,
    /// Rows with a value in any of them.
    pub filled: usize,
    /// The field it fills, or why it is not mapped.
    pub note: String,
}

/// What a file says about one sprint (iteration, cycle, milestone), beyond its name: each
/// field is None where the file does not say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SprintInfo {
    pub name: String,
    /// planned, active or closed, in our words.
    pub state: Option<&'static str>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// When it was closed (Jira's completeDate, GitHub's closed_at).
    pub completed: Option<DateTime<Utc>>,
}

impl SprintInfo {
    pub fn named(name: &str) -> SprintInfo {
        SprintInfo {
            name: name.trim().to_string(),
            ..SprintInfo::default()
        }
    }

    /// Keeps what `other` knows and this one does not.
    pub fn merge(&mut self, other: &SprintInfo) {
        self.state = self.state.or(other.state);
        self.start = self.start.or(other.start);
        self.end = self.end.or(other.end);
        self.completed = self.completed.or(other.completed);
    }
}

/// What a reader produced: the records and an account of every column.
#[derive(Debug, Default)]
pub struct Batch {
    pub format: &'static str,
    pub records: Vec<Record>,
    /// What the file says about the sprints its records name (names alone are in the records).
    pub sprints: Vec<SprintInfo>,
    pub columns_used: Vec<Column>,
    pub columns_not_mapped: Vec<Column>,
    pub notes: Vec<String>,
    /// The prefix of the labels that keep the source's own words (`jira` → `jira-status:…`).
    pub source: &'static str,
}

/// How one source word (a status or a type) was mapped, and how often it occurred.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Mapped {
    pub from: String,
    pub to: String,
    pub count: usize,
}

/// Points that are not whole numbers, stored rounded.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Rounded {
    pub key: String,
    pub from: f64,
    pub to: Points,
}

/// What an import did (or, in a dry run, would do).
/// (Read back from a job's stored report by the Import page; fields it lacks are empty.)
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Report {
    pub format: String,
    pub dry_run: bool,
    pub items_read: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub by_type: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
    pub types: Vec<Mapped>,
    pub statuses: Vec<Mapped>,
    pub with_parent: usize,
    pub points_total: Points,
    /// Points with more than two decimals, rounded to two; empty for 0.5, 18.5 and the like.
    pub points_rounded: Vec<Rounded>,
    pub columns_used: Vec<Column>,
    pub columns_not_mapped: Vec<Column>,
    pub notes: Vec<String>,
    /// Items that name a sprint (iteration, cycle, milestone), and the distinct names.
    pub with_sprint: usize,
    pub sprints: Vec<String>,
    /// Items in more than one sprint: carried over from the earlier ones to the last.
    pub carried_over: usize,
    /// Sprints created, updated (dates, or items added), and of those created or updated, how
    /// many are closed with their frozen figures (velocity and say/do history).
    pub sprints_created: usize,
    pub sprints_updated: usize,
    pub sprints_closed: usize,
    pub with_assignee: usize,
    pub with_reporter: usize,
    /// Distinct people the file names (assignees, reporters, comment authors).
    pub people: usize,
    /// Of them: accounts created as placeholders, and members or placeholders found again.
    pub people_created: usize,
    pub people_matched: usize,
    /// Comments in the file, and how many of them were added (the rest were there already).
    pub comments: usize,
    pub comments_added: usize,
    /// Epics in the file; as initiatives (the default): how many were created and updated, and
    /// how many items were put under them.
    pub epics: usize,
    pub initiatives_created: usize,
    pub initiatives_updated: usize,
    pub linked_to_initiatives: usize,
    /// "Blocks" links between the file's items, and the dependencies added for them (the rest
    /// were there already, or would have closed a loop: see the notes).
    pub blocking_links: usize,
    pub dependencies_added: usize,
    /// Watchers added to items (a repeat finds them there).
    pub watchers_added: usize,
    pub with_criteria: usize,
    pub seconds: f64,
    /// The audit entry of an import that changed something: `throughline import --undo ID`
    /// (or the Import page) reverts it while nothing has touched its items since.
    pub import_id: Option<i64>,
}

impl Report {
    /// The counts that depend only on the records (the writer adds created/updated/unchanged).
    pub fn from_batch(batch: &Batch) -> Report {
        let mut r = Report {
            format: batch.format.to_string(),
            items_read: batch.records.len(),
            columns_used: batch.columns_used.clone(),
            columns_not_mapped: batch.columns_not_mapped.clone(),
            notes: batch.notes.clone(),
            ..Report::default()
        };
        let mut sprints = std::collections::BTreeSet::new();
        let mut links = std::collections::HashSet::new();
        for rec in &batch.records {
            if let Some(s) = &rec.sprint {
                r.with_sprint += 1;
                sprints.insert(s.clone());
            }
            sprints.extend(rec.earlier_sprints.iter().cloned());
            r.carried_over += usize::from(!rec.earlier_sprints.is_empty());
            links.extend(rec.blocks.iter().map(|k| (rec.key.as_str(), k.as_str())));
            links.extend(
                rec.blocked_by
                    .iter()
                    .map(|k| (k.as_str(), rec.key.as_str())),
            );
            r.with_assignee += usize::from(rec.assignee.is_some());
            r.with_reporter += usize::from(rec.reporter.is_some());
            r.comments += rec.comments.len();
            r.with_criteria += usize::from(!rec.criteria.is_empty());
            r.epics += usize::from(rules::is_epic(&rec.source_type));
        }
        r.sprints = sprints.into_iter().collect();
        r.blocking_links = links.len();
        r.people = people_of(&batch.records)
            .iter()
            .map(|p| p.key())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let mut types: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut statuses: BTreeMap<(String, String), usize> = BTreeMap::new();
        for rec in &batch.records {
            *r.by_type.entry(rec.kind.to_string()).or_default() += 1;
            *r.by_status.entry(rec.status.to_string()).or_default() += 1;
            *types
                .entry((rec.source_type.clone(), rec.kind.to_string()))
                .or_default() += 1;
            *statuses
                .entry((rec.source_status.clone(), rec.status.to_string()))
                .or_default() += 1;
            if let Some(p) = rec.points.and_then(rules::round_points) {
                r.points_total += p;
                if rec.points.and_then(Points::from_f64) != Some(p) {
                    r.points_rounded.push(Rounded {
                        key: rec.key.clone(),
                        from: rec.points.unwrap_or_default(),
                        to: p,
                    });
                }
            }
        }
        let out = |m: BTreeMap<(String, String), usize>| {
            m.into_iter()
                .map(|((from, to), count)| Mapped { from, to, count })
                .collect()
        };
        r.types = out(types);
        r.statuses = out(statuses);
        r
    }
}

/// Everyone the records name, each once (comment authors the file does not name are left out).
pub fn people_of(records: &[Record]) -> std::collections::BTreeSet<&Person> {
    records
        .iter()
        .flat_map(|r| {
            r.assignee
                .iter()
                .chain(&r.reporter)
                .chain(&r.watchers)
                .chain(r.comments.iter().filter_map(|c| c.author.as_ref()))
        })
        .collect()
}

/// The sources whose words an import keeps as labels (`jira-status:…`, `trello-type:…`).
pub const SOURCES: [&str; 10] = [
    "jira", "trello", "github", "linear", "asana", "pivotal", "plane", "taiga", "tracker",
    "dataset",
];

/// What a source's own labels say after its name: `jira-status:…`, `jira-priority:…`.
const KEPT: [&str; 6] = [
    "-status",
    "-type",
    "-priority",
    "-component",
    "-version",
    "-affects",
];

/// A label an import owns (the source's status, type, priority, components, versions): replaced
/// on every import, where the item's other labels are only added to.
pub fn is_own_label(label: &str) -> bool {
    label.split_once(':').is_some_and(|(p, _)| {
        SOURCES
            .iter()
            .any(|s| p.strip_prefix(s).is_some_and(|rest| KEPT.contains(&rest)))
    })
}

/// Labels that keep what a source says and an item has no field for: its priority
/// (`jira-priority:high`; the backlog's order is our priority), components and versions
/// (`jira-component:api`, `jira-version:2.1`), so a filter still finds them.
pub fn kept_labels(source: &str, priority: &str, lists: &[(&str, Vec<String>)]) -> Vec<String> {
    // "No priority" (Linear), "none" (Plane) say there is none.
    let none = ["", "none", "no priority", "-"].contains(&priority.trim().to_lowercase().as_str());
    let mut out: Vec<String> = label_slug(&format!("{source}-priority:{priority}"))
        .filter(|_| !none)
        .into_iter()
        .collect();
    for (what, values) in lists {
        out.extend(
            values
                .iter()
                .filter(|v| !v.trim().is_empty())
                .filter_map(|v| label_slug(&format!("{source}-{what}:{v}"))),
        );
    }
    out
}

/// Puts the records in the source's rank order when it gives one (Jira's Rank orders its
/// backlog); records without a rank keep their order after the ranked ones.
pub fn order_by_rank(records: &mut [Record]) {
    if records.iter().any(|r| r.rank.is_some()) {
        records.sort_by(|a, b| match (&a.rank, &b.rank) {
            (Some(x), Some(y)) => match (x.parse::<f64>(), y.parse::<f64>()) {
                (Ok(a), Ok(b)) => a.total_cmp(&b),
                _ => x.cmp(y),
            },
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    }
}

/// The labels that keep a source's words: its status, and its type when the type is not one of
/// ours already; then the file's own labels, at most 20 in all.
pub fn source_labels(
    source: &str,
    status: &str,
    source_type: &str,
    type_is_ours: bool,
    own: &[String],
) -> Vec<String> {
    let mut labels = Vec::new();
    if !status.trim().is_empty() {
        labels.extend(label_slug(&format!("{source}-status:{status}")));
    }
    if !type_is_ours && !source_type.trim().is_empty() {
        labels.extend(label_slug(&format!("{source}-type:{source_type}")));
    }
    let mut rest: Vec<String> = own.iter().filter_map(|l| label_slug(l)).collect();
    rest.sort();
    rest.dedup();
    rest.retain(|l| !labels.contains(l));
    rest.truncate(20usize.saturating_sub(labels.len()));
    labels.extend(rest);
    labels
}

/// Fits every record into our limits (title 200, description 20,000 characters, criteria 50 of
/// 1,000), saying how many were changed.
pub fn tidy(records: &mut [Record]) -> Vec<String> {
    let (mut long_titles, mut long_texts, mut criteria, mut big) = (0, 0, 0, 0);
    for rec in records.iter_mut() {
        if rec.points.is_some_and(|p| rules::round_points(p).is_none()) {
            big += 1;
        }
        // Titles are one line; a tab or a line break in one (Taiga, GitHub) becomes a space.
        rec.title = if rec.title.contains(['\n', '\r', '\t']) {
            rec.title.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            rec.title.trim().to_string()
        };
        if rec.title.is_empty() {
            rec.title = rec.key.clone();
        }
        if rec.title.chars().count() > 200 {
            long_titles += 1;
            rec.description = format!("{}\n\n{}", rec.title, rec.description);
            rec.title = rec.title.chars().take(199).collect::<String>() + "…";
        }
        rec.description = rec.description.trim().to_string();
        if rec.description.chars().count() > 20_000 {
            long_texts += 1;
            rec.description =
                rec.description.chars().take(19_990).collect::<String>() + "\n\n[cut]";
        }
        let before = rec.criteria.len();
        rec.criteria.retain(|c| !c.trim().is_empty());
        for c in rec.criteria.iter_mut() {
            if c.chars().count() > 1000 {
                *c = c.chars().take(999).collect::<String>() + "…";
            }
        }
        rec.criteria.truncate(50);
        criteria += usize::from(rec.criteria.len() != before);
    }
    let mut notes = Vec::new();
    if big > 0 {
        notes.push(format!(
            "{big}: points above 100 were left out (points run from 0 to 100)"
        ));
    }
    if long_titles > 0 {
        notes.push(format!("{long_titles}: titles longer than 200 characters were shortened (the full title starts the description)"));
    }
    if long_texts > 0 {
        notes.push(format!(
            "{long_texts}: descriptions longer than 20,000 characters were cut"
        ));
    }
    if criteria > 0 {
        notes.push(format!(
            "{criteria}: items whose checklists were trimmed to 50 criteria"
        ));
    }
    notes
}

/// Drops parent links that would make a loop inside the file (A under B under A) or point at
/// the item itself; returns how many were dropped. Jira never writes such a file, but a
/// hand-edited one may.
pub fn drop_parent_cycles(records: &mut [Record]) -> usize {
    let index: std::collections::HashMap<String, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.clone(), i))
        .collect();
    let mut dropped = 0;
    for start in 0..records.len() {
        let mut at = start;
        for _ in 0..records.len() {
            let next = records[at].parent.as_ref().and_then(|p| index.get(p));
            match next {
                Some(&n) if n == start => {
                    records[start].parent = None;
                    dropped += 1;
                    break;
                }
                Some(&n) => at = n,
                None => break,
            }
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(key: &str, parent: Option<&str>, points: Option<f64>) -> Record {
        Record {
            key: key.into(),
            kind: "task",
            source_type: "Task".into(),
            status: "todo",
            source_status: "To Do".into(),
            title: key.into(),
            description: String::new(),
            points,
            labels: vec![],
            parent: parent.map(str::to_string),
            ..Record::default()
        }
    }

    #[test]
    fn parent_loops_are_cut_once() {
        let mut r = vec![
            rec("A-1", Some("A-2"), None),
            rec("A-2", Some("A-1"), None),
            rec("A-3", Some("A-1"), None),
            rec("A-4", Some("A-4"), None),
        ];
        assert_eq!(drop_parent_cycles(&mut r), 2);
        assert_eq!(r[0].parent, None);
        assert_eq!(r[1].parent.as_deref(), Some("A-1"));
        assert_eq!(r[2].parent.as_deref(), Some("A-1"));
        assert_eq!(r[3].parent, None);
    }

    #[test]
    fn report_counts_and_rounds() {
        let batch = Batch {
            format: "jira-csv",
            records: vec![
                rec("A-1", None, Some(0.5)),
                rec("A-2", None, Some(3.0)),
                rec("A-3", None, Some(2105.0)),
            ],
            ..Batch::default()
        };
        let r = Report::from_batch(&batch);
        assert_eq!((r.items_read, r.points_total), (3, "3.5".parse().unwrap()));
        assert_eq!(r.points_rounded, []);
        assert_eq!(r.by_status.get("todo"), Some(&3));
        assert_eq!(r.statuses[0].count, 3);
        let thirds = Batch {
            records: vec![rec("A-1", None, Some(1.0 / 3.0))],
            ..Batch::default()
        };
        let r = Report::from_batch(&thirds);
        assert_eq!(
            r.points_rounded,
            [Rounded {
                key: "A-1".into(),
                from: 1.0 / 3.0,
                to: "0.33".parse().unwrap()
            }]
        );
    }
}
