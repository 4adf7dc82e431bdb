//! Another tool's epics: by default they become initiatives of the product (S6), with their
//! children linked to them, rather than items; `--epics-as items` keeps them as parent items,
//! as the backlog had them before.

use std::collections::HashSet;

use super::{rules, Batch, Record};

/// The epics taken out of a batch, and which items were their children.
#[derive(Debug, Default)]
pub struct Epics {
    pub records: Vec<Record>,
    /// (child's key, epic's key) for every item whose parent was an epic of the file.
    pub children: Vec<(String, String)>,
}

/// `initiatives` (the default) or `items`: whether epics are kept as items.
pub fn parse_as(s: &str) -> Result<bool, String> {
    match s {
        "" | "initiatives" => Ok(false),
        "items" => Ok(true),
        other => Err(format!("epics become initiatives or items, not {other:?}")),
    }
}

/// Takes the epics out of `batch` (unless they stay items): their children lose the parent
/// link, which becomes a link to the epic's initiative once it is written.
pub fn split(batch: &mut Batch, as_items: bool) -> Epics {
    if as_items || !batch.records.iter().any(|r| rules::is_epic(&r.source_type)) {
        return Epics::default();
    }
    let (records, mut rest): (Vec<Record>, Vec<Record>) = std::mem::take(&mut batch.records)
        .into_iter()
        .partition(|r| rules::is_epic(&r.source_type));
    let keys: HashSet<&str> = records.iter().map(|r| r.key.as_str()).collect();
    let mut children = Vec::new();
    for rec in &mut rest {
        if let Some(p) = rec.parent.take_if(|p| keys.contains(p.as_str())) {
            children.push((rec.key.clone(), p));
        }
    }
    batch.records = rest;
    let comments: usize = records.iter().map(|r| r.comments.len()).sum();
    if comments > 0 {
        batch.notes.push(format!(
            "{comments}: comments on epics were left out: an initiative has no comments \
             (import with epics as items to keep them)"
        ));
    }
    Epics { records, children }
}

/// An epic's status, from its status as an item, as an initiative's.
pub fn status_of(item_status: &str) -> &'static str {
    match item_status {
        "done" => "shipped",
        "in_progress" | "in_review" => "in_progress",
        _ => "planned",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epics_leave_the_items_and_their_children_remember_them() {
        let rec = |key: &str, ty: &str, parent: Option<&str>| Record {
            source_type: ty.into(),
            parent: parent.map(str::to_string),
            ..Record::new(key, key)
        };
        let mut b = Batch {
            records: vec![
                rec("A-1", "Epic", None),
                rec("A-2", "Story", Some("A-1")),
                rec("A-3", "Sub-task", Some("A-2")),
                rec("A-4", "Épica", None),
            ],
            ..Batch::default()
        };
        let e = split(&mut b, false);
        assert_eq!(e.records.len(), 2);
        assert_eq!(e.children, [("A-2".to_string(), "A-1".to_string())]);
        let keys: Vec<_> = b
            .records
            .iter()
            .map(|r| (r.key.as_str(), r.parent.as_deref()))
            .collect();
        assert_eq!(keys, [("A-2", None), ("A-3", Some("A-2"))]);
        assert_eq!(split(&mut b, true).records.len(), 0);
        assert_eq!(parse_as("items"), Ok(true));
        assert!(parse_as("epics").is_err());
    }
}
