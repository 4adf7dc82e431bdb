//! Pivotal Tracker's CSV export: stories with their type, state, estimate, iteration, labels,
//! comments and tasks (as acceptance criteria).

use super::rules::parse_date;
use super::table::Table;
use super::tables::{batch, first_of_key, points, split_list, Counts, NOT_MAPPED};
use super::{source_labels, Batch, Note, Person, Record};

/// Pivotal Tracker's CSV export.
pub fn read(text: &str) -> Result<Batch, String> {
    let t = Table::read(text)?;
    let mut b = batch("pivotal", "pivotal");
    let mut counts = Counts::default();
    let c = |n: &str| t.col(&[n]);
    let (id, title, desc, labels, kind) = (
        c("Id"),
        c("Title"),
        c("Description"),
        c("Labels"),
        c("Type"),
    );
    let (est, state, iteration, owner) = (
        c("Estimate"),
        c("Current State"),
        c("Iteration"),
        c("Owned By"),
    );
    let requester = c("Requested By");
    let (iteration_start, iteration_end) = (c("Iteration Start"), c("Iteration End"));
    let (created, accepted) = (c("Created at"), c("Accepted at"));
    let comments = t.cols(&["Comment"]);
    let tasks = t.cols(&["Task"]);
    let mut seen = std::collections::HashSet::new();
    for row in &t.rows {
        let cell = |c| Table::cell(row, c);
        if !first_of_key(&mut seen, cell(id), &mut counts) {
            continue;
        }
        let st = cell(state);
        let ty = cell(kind);
        let (our_kind, ours) = match ty {
            "feature" => ("story", false),
            "bug" => ("bug", true),
            _ => ("task", false),
        };
        let label_list = split_list(cell(labels));
        let mut rec = Record::new(format!("pivotal-{}", cell(id)), cell(title));
        rec.kind = our_kind;
        rec.status = match st {
            "started" | "rejected" => "in_progress",
            "finished" | "delivered" => "in_review",
            "accepted" => "done",
            _ => "todo",
        };
        rec.source_status = st.into();
        rec.source_type = ty.into();
        rec.labels = source_labels("pivotal", st, ty, ours, &label_list);
        rec.description = cell(desc).to_string();
        rec.points = points(cell(est), &mut counts);
        rec.sprint = Some(cell(iteration).to_string())
            .filter(|i| !i.is_empty())
            .map(|i| format!("Iteration {i}"));
        if let Some(name) = &rec.sprint {
            super::tables::dated_sprint(&mut b, name, cell(iteration_start), cell(iteration_end));
        }
        rec.assignee = Person::named(cell(owner));
        rec.reporter = Person::named(cell(requester));
        rec.comments = comments
            .iter()
            .filter_map(|&c| comment(cell(Some(c))))
            .collect();
        rec.criteria = tasks
            .iter()
            .map(|&c| cell(Some(c)).to_string())
            .filter(|c| !c.is_empty())
            .collect();
        rec.created = parse_date(cell(created));
        rec.updated = parse_date(cell(accepted)).or(rec.created);
        b.records.push(rec);
    }
    t.account(
        &mut b,
        &[
            ("Id", "external key (pivotal-…)"),
            ("Title", "title"),
            ("Description", "description"),
            (
                "Type",
                "kind: feature is a story, bug a bug, chore and release tasks",
            ),
            ("Current State", "status (kept as a pivotal-status: label)"),
            ("Estimate", "points"),
            ("Labels", "labels"),
            ("Task", "acceptance criteria"),
            ("Iteration", "the sprint (Iteration N)"),
            ("Iteration Start", "the sprint's first day"),
            ("Iteration End", "the sprint's last day"),
            ("Created at", "created date"),
            (
                "Owned By",
                "assignee (a member of the workspace, or a placeholder)",
            ),
            (
                "Requested By",
                "reporter (a member of the workspace, or a placeholder)",
            ),
            ("Comment", "comments, with their authors and dates"),
            (
                "Accepted at",
                "source version (a newer export updates, an older one does not)",
            ),
        ],
        &[
            &NOT_MAPPED[..],
            &[
                ("Deadline", "due dates have no field on an item"),
                ("Task Status", "criteria are imported as not yet met"),
            ],
        ]
        .concat(),
    );
    counts.into_notes(&mut b);
    Ok(b)
}

/// A Pivotal comment cell, `text (Name - Mon D, YYYY)`: the author and the day when the cell
/// ends so, else the whole cell as the text.
fn comment(cell: &str) -> Option<Note> {
    let cell = cell.trim();
    let signed = cell.strip_suffix(')').and_then(|rest| {
        let open = rest.rfind('(')?;
        let (name, day) = rest[open + 1..].split_once(" - ")?;
        let at = parse_date(day.trim())?;
        Some((rest[..open].trim(), Person::named(name), at))
    });
    match signed {
        Some((body, author, at)) => Note::new(author, Some(at), body),
        None => Note::new(None, None, cell),
    }
}

#[cfg(test)]
mod comment_tests {
    #[test]
    fn a_signed_comment_names_its_author_and_day() {
        let n = super::comment("Looks good\n (Jeff Taggart - May 6, 2014)").unwrap();
        assert_eq!(n.body, "Looks good");
        assert_eq!(n.author.unwrap().name, "Jeff Taggart");
        assert_eq!(n.at.unwrap().to_rfc3339(), "2014-05-06T00:00:00+00:00");
        assert_eq!(super::comment("plain").unwrap().author, None);
    }
}
