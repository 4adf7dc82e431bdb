//! Control characters in another tool's export (a NUL from a broken integration, an escape
//! sequence pasted from a terminal) are replaced rather than refused: one bad cell should not
//! fail an import of thousands of rows. Each is replaced by U+FFFD (line endings become LF,
//! tabs stay) and the report counts them, so the text a person sees shows where one was.

use super::{Batch, Note, Person, Record};
use crate::text;

/// Cleans every text the batch will store; returns how many characters were replaced.
pub fn scrub_batch(batch: &mut Batch) -> usize {
    let mut n = 0;
    for rec in &mut batch.records {
        n += scrub_record(rec);
    }
    for s in &mut batch.sprints {
        n += one(&mut s.name);
    }
    n
}

fn scrub_record(r: &mut Record) -> usize {
    let mut n = 0;
    for s in [
        &mut r.key,
        &mut r.source_type,
        &mut r.source_status,
        &mut r.title,
        &mut r.description,
    ] {
        n += one(s);
    }
    for s in [&mut r.parent, &mut r.sprint, &mut r.rank]
        .into_iter()
        .flatten()
    {
        n += one(s);
    }
    for list in [
        &mut r.labels,
        &mut r.criteria,
        &mut r.earlier_sprints,
        &mut r.blocks,
        &mut r.blocked_by,
    ] {
        n += list.iter_mut().map(one).sum::<usize>();
    }
    for p in [&mut r.assignee, &mut r.reporter].into_iter().flatten() {
        n += person(p);
    }
    n += r.watchers.iter_mut().map(person).sum::<usize>();
    n += r.comments.iter_mut().map(note).sum::<usize>();
    n
}

fn person(p: &mut Person) -> usize {
    one(&mut p.name) + p.email.as_mut().map_or(0, one)
}

fn note(c: &mut Note) -> usize {
    one(&mut c.body) + c.author.as_mut().map_or(0, person)
}

fn one(s: &mut String) -> usize {
    if s.chars().all(text::allowed) {
        return 0;
    }
    let (clean, n) = text::scrub(s);
    *s = clean;
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_of_a_record_is_cleaned_and_counted() {
        let mut r = Record::new("A-1", "ti\u{0}tle");
        r.description = "line\r\none\u{1b}[0m".into();
        r.labels = vec!["l\u{7}".into()];
        r.comments = vec![Note {
            author: Some(Person {
                name: "Ada\u{0}".into(),
                email: None,
            }),
            at: None,
            body: "ok".into(),
        }];
        let mut batch = Batch {
            records: vec![r],
            ..Batch::default()
        };
        assert_eq!(scrub_batch(&mut batch), 4);
        let r = &batch.records[0];
        assert_eq!(r.title, "ti\u{fffd}tle");
        assert_eq!(r.description, "line\none\u{fffd}[0m");
        assert_eq!(r.comments[0].author.as_ref().unwrap().name, "Ada\u{fffd}");
    }
}
