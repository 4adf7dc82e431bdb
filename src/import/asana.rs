//! Asana's CSV export: tasks with their completion, tags, notes and parent task (named by its
//! name). Its Task IDs are often rounded by a spreadsheet, which the key works around.

use std::collections::HashMap;

use super::rules::parse_date_month_first;
use super::table::Table;
use super::tables::{batch, first_of_key, kind_from_labels, split_list, Counts};
use super::{source_labels, Batch, Person, Record};

/// Asana's CSV export. Its Task IDs are often rounded by a spreadsheet (`7.18656E+14`), so a
/// task is keyed by its ID with its name, creation date and assignee when the ID is rounded.
pub fn read(text: &str) -> Result<Batch, String> {
    use sha2::{Digest, Sha256};
    let t = Table::read(text)?;
    let mut b = batch("asana", "asana");
    let mut counts = Counts::default();
    let c = |n: &str| t.col(&[n]);
    let (id, name, notes, tags) = (c("Task ID"), c("Name"), c("Notes"), c("Tags"));
    let (created, done, modified, parent, who, project) = (
        c("Created At"),
        c("Completed At"),
        c("Last Modified"),
        c("Parent Task"),
        c("Assignee"),
        c("Projects"),
    );
    let mut rounded = 0;
    let mut keys: Vec<String> = Vec::new();
    let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for row in &t.rows {
        let cell = |c| Table::cell(row, c);
        let raw = cell(id);
        let key = if raw.contains(['E', 'e']) || raw.contains('.') {
            rounded += 1;
            let mut h = Sha256::new();
            for part in [
                raw,
                cell(name),
                cell(created),
                cell(who),
                cell(parent),
                cell(project),
            ] {
                h.update(part.as_bytes());
                h.update([0]);
            }
            format!("asana-{}", &hex::encode(h.finalize())[..12])
        } else {
            format!("asana-{raw}")
        };
        if !first_of_key(
            &mut seen,
            if raw.is_empty() { "" } else { &key },
            &mut counts,
        ) {
            continue;
        }
        let completed = !cell(done).is_empty();
        let status_word = if completed { "completed" } else { "open" };
        let tag_list = split_list(cell(tags));
        let mut rec = Record::new(key.clone(), cell(name));
        rec.kind = kind_from_labels(&tag_list);
        rec.status = if completed { "done" } else { "todo" };
        rec.source_status = status_word.into();
        // An Asana project is a standing list of work, not a time-boxed sprint: it becomes a
        // label (`project:…`), so no sprint is invented from it.
        let mut own = tag_list.clone();
        own.extend(
            split_list(cell(project))
                .into_iter()
                .map(|p| format!("project:{p}")),
        );
        rec.labels = source_labels("asana", status_word, "", true, &own);
        rec.description = cell(notes).to_string();
        rec.assignee = Person::named(cell(who));
        rec.created = parse_date_month_first(cell(created));
        rec.updated = parse_date_month_first(cell(modified));
        rec.parent = Some(cell(parent).to_string()).filter(|p| !p.is_empty());
        by_name
            .entry(cell(name).to_string())
            .or_default()
            .push(b.records.len());
        keys.push(key);
        b.records.push(rec);
    }
    // The parent is named by its task's name: linked when exactly one task has that name.
    let (mut linked, mut ambiguous) = (0, 0);
    for rec in &mut b.records {
        let Some(p) = rec.parent.take() else { continue };
        match by_name.get(&p).map(Vec::as_slice) {
            Some([one]) => {
                rec.parent = Some(keys[*one].clone());
                linked += 1;
            }
            _ => ambiguous += 1,
        }
    }
    if rounded > 0 {
        b.notes.push(format!(
            "{rounded}: Task IDs were rounded by a spreadsheet (like 7.18656E+14); those tasks are \
             keyed by ID, name, creation date, assignee, parent and project, so a re-import \
             matches them only while these stay the same"
        ));
    }
    if ambiguous > 0 {
        b.notes.push(format!(
            "{ambiguous}: parent tasks named by a name that no task or several tasks have were left out"
        ));
    }
    let _ = linked;
    t.account(
        &mut b,
        &[
            ("Task ID", "external key"),
            ("Name", "title"),
            ("Notes", "description"),
            ("Completed At", "status: completed is done, else to do"),
            ("Tags", "labels"),
            (
                "Projects",
                "labels (project:…): an Asana project is not a sprint",
            ),
            ("Parent Task", "parent (by the parent's name)"),
            ("Created At", "created date"),
            (
                "Assignee",
                "assignee (a member of the workspace, or a placeholder)",
            ),
            (
                "Last Modified",
                "source version (a newer export updates, an older one does not)",
            ),
        ],
        &[("Due Date", "due dates have no field on an item")],
    );
    counts.into_notes(&mut b);
    Ok(b)
}
