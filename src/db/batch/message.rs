//! A batch's statements sent to PostgreSQL as one message.
//!
//! Each statement sent on its own is a round trip: the server's process wakes, answers, and
//! sleeps again, and this one's task waits for it. With a page's 5 to 11 statements on 2 cores,
//! those hand-offs cost PostgreSQL more than running the statements: the backlog page's 6
//! statements went 10,000 times a second one by one from PostgreSQL's own benchmark client, and
//! 19,000 times as one message of `EXECUTE`s. So a batch of plain reads, and a transaction's
//! batch of writes, goes as one simple-protocol message, each statement an `EXECUTE` of a
//! statement the connection has prepared, its arguments written as literals of the types the
//! statement was prepared with (those sqlx would bind). Prepared once per connection, a
//! statement is not parsed or planned again, as with sqlx's own statements.
//!
//! What a connection has prepared is not kept here: a connection that lacks one of the
//! batch's statements answers "prepared statement does not exist", and only then is it asked
//! which it has and given the others, with the batch sent again. Reads outside a transaction
//! can be sent twice; inside one, the batch runs under a savepoint and is rolled back to it
//! first. Past [`KEPT`] statements, the connection's are dropped before the next are
//! prepared, so that statements whose text varies (a list of as many marks as values) do not
//! pile up in the server.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt::Write;
use std::hash::{Hash, Hasher};

use futures_util::TryStreamExt;
use sqlx::{Either, Executor};

use super::alike::{split, Column, Job};
use super::{Arg, Rows};

/// How many statements of its own a connection keeps prepared.
const KEPT: usize = 100;

/// The names of the statements prepared here; no other statement of the connection's has it.
const PREFIX: &str = "batch_stmt_";

/// A statement to `EXECUTE`, with what its rows answer.
struct Sent {
    name: String,
    sql: Cow<'static, str>,
    types: Vec<&'static str>,
    answers: Answers,
}

enum Answers {
    One(usize),
    Split(Vec<usize>),
}

/// The batch's statements and the one message that executes them all.
pub(super) struct Message {
    sent: Vec<Sent>,
    execute: String,
}

impl Message {
    /// The jobs as one message, or the jobs back when an argument cannot be written as a
    /// literal (a text holding a NUL, a time past year 9999): those go one by one, bound, and
    /// fail or not there as they always have.
    pub(super) fn of(jobs: Vec<Job>) -> Result<Message, Vec<Job>> {
        let mut execute = String::new();
        let mut names = Vec::with_capacity(jobs.len());
        for job in &jobs {
            if !execute.is_empty() {
                execute.push_str(";\n");
            }
            let name = match job {
                Job::Alone(_, s) => name_of(&s.sql, s.args.iter().map(arg_type)),
                Job::Together { sql, columns, .. } => {
                    name_of(sql, columns.iter().map(Column::array_type))
                }
            };
            let _ = write!(execute, "EXECUTE {name}");
            let written = match job {
                Job::Alone(_, s) => write_list(&mut execute, s.args.len(), |out, i| {
                    literal(out, &s.args[i])
                }),
                Job::Together { columns, .. } => {
                    write_list(&mut execute, columns.len(), |out, i| {
                        array_literal(out, &columns[i])
                    })
                }
            };
            if !written {
                return Err(jobs);
            }
            names.push(name);
        }
        let sent = jobs
            .into_iter()
            .zip(names)
            .map(|(job, name)| match job {
                Job::Alone(at, s) => Sent {
                    name,
                    types: s.args.iter().map(arg_type).collect(),
                    sql: s.sql,
                    answers: Answers::One(at),
                },
                Job::Together { at, sql, columns } => Sent {
                    name,
                    types: columns.iter().map(Column::array_type).collect(),
                    sql: Cow::Owned(sql),
                    answers: Answers::Split(at),
                },
            })
            .collect();
        Ok(Message { sent, execute })
    }

    /// Sends the batch on `c`: each statement's rows with its place. Inside a transaction the
    /// batch runs under a savepoint: a connection that lacks a statement is then given it and
    /// sent the batch again without undoing what the transaction wrote before.
    pub(super) async fn run(
        self,
        c: &mut sqlx::PgConnection,
    ) -> Result<Vec<(usize, Rows)>, sqlx::Error> {
        let guarded = sqlx::Connection::is_in_transaction(&*c);
        let (begin, end) = match guarded {
            true => ("SAVEPOINT batch_;\n", ";\nRELEASE SAVEPOINT batch_"),
            false => ("", ""),
        };
        let around = usize::from(guarded);
        let first = format!("{begin}{}{end}", self.execute);
        let answered = match send(c, &first, around, around).await {
            Err(e) if lacks_a_statement(&e) => {
                if guarded {
                    c.execute(sqlx::raw_sql("ROLLBACK TO SAVEPOINT batch_"))
                        .await?;
                }
                let (set_up, steps) = self.set_up(c).await?;
                let again = format!("{set_up}{}{end}", self.execute);
                send(c, &again, steps, around).await?
            }
            answered => answered?,
        };
        if answered.len() != self.sent.len() {
            return Err(sqlx::Error::Protocol(format!(
                "a message of {} statements answered {} results",
                self.sent.len(),
                answered.len()
            )));
        }
        let mut out = Vec::with_capacity(answered.len());
        for (s, rows) in self.sent.into_iter().zip(answered) {
            match s.answers {
                Answers::One(at) => out.push((at, Rows::Postgres(rows))),
                Answers::Split(at) => {
                    let each = split(rows, at.len())?;
                    out.extend(at.into_iter().zip(each));
                }
            }
        }
        Ok(out)
    }

    /// What prepares this batch's statements on `c`, and how many results it answers: the
    /// statements `c` lacks, after dropping those it has when that would make too many.
    async fn set_up(&self, c: &mut sqlx::PgConnection) -> Result<(String, usize), sqlx::Error> {
        let had: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM pg_prepared_statements WHERE starts_with(name, $1)",
        )
        .bind(PREFIX)
        .fetch_all(&mut *c)
        .await?;
        let mut has: HashSet<&str> = had.iter().map(String::as_str).collect();
        let needed: HashSet<&str> = self.sent.iter().map(|s| s.name.as_str()).collect();
        let mut sql = String::new();
        let mut steps = 0;
        if has.len() + needed.len() > KEPT {
            for name in has.iter().filter(|n| !needed.contains(*n)) {
                let _ = writeln!(sql, "DEALLOCATE {name};");
                steps += 1;
            }
            has.retain(|n| needed.contains(n));
        }
        for s in &self.sent {
            if has.insert(&s.name) {
                let _ = write!(sql, "PREPARE {}", s.name);
                if !s.types.is_empty() {
                    let _ = write!(sql, " ({})", s.types.join(", "));
                }
                // The `;` on a line of its own: a statement may end with a `--` comment.
                let _ = writeln!(sql, " AS {}\n;", trimmed(&s.sql));
                steps += 1;
            }
        }
        Ok((sql, steps))
    }
}

/// A statement's text without the semicolon that may end it.
fn trimmed(sql: &str) -> &str {
    sql.trim_end().trim_end_matches(';')
}

/// The name a statement is prepared under: one per text and parameter types.
fn name_of<'a>(sql: &str, types: impl Iterator<Item = &'a str>) -> String {
    let mut h = std::hash::DefaultHasher::new();
    trimmed(sql).hash(&mut h);
    for t in types {
        t.hash(&mut h);
    }
    format!("{PREFIX}{:016x}", h.finish())
}

/// Whether PostgreSQL refused an `EXECUTE` of a statement the connection has not prepared.
fn lacks_a_statement(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("26000"))
}

/// Sends `sql` and gathers each statement's rows, but for the first `front` (those that set
/// up) and the last `back`.
async fn send(
    c: &mut sqlx::PgConnection,
    sql: &str,
    front: usize,
    back: usize,
) -> Result<Vec<Vec<sqlx::postgres::PgRow>>, sqlx::Error> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    let mut stream = c.fetch_many(sqlx::raw_sql(sql));
    // Each statement's rows end with its result; a statement that answers nothing still ends.
    while let Some(step) = stream.try_next().await? {
        match step {
            Either::Left(_) => out.push(std::mem::take(&mut rows)),
            Either::Right(row) => rows.push(row),
        }
    }
    if out.len() < front + back {
        return Err(sqlx::Error::Protocol(
            "a batch's message answered fewer results than it sent statements".into(),
        ));
    }
    out.truncate(out.len() - back);
    out.drain(..front);
    Ok(out)
}

/// The type an argument is bound as, as sqlx binds it.
fn arg_type(a: &Arg) -> &'static str {
    match a {
        Arg::Int(_) => "int8",
        Arg::Text(_) => "text",
        Arg::Bool(_) => "bool",
        Arg::Time(_) => "timestamptz",
    }
}

fn write_list(
    out: &mut String,
    n: usize,
    mut each: impl FnMut(&mut String, usize) -> bool,
) -> bool {
    if n == 0 {
        return true;
    }
    out.push_str(" (");
    for i in 0..n {
        if i > 0 {
            out.push_str(", ");
        }
        if !each(out, i) {
            return false;
        }
    }
    out.push(')');
    true
}

/// Appends `a` as a literal that `EXECUTE` turns into the statement's parameter type.
fn literal(out: &mut String, a: &Arg) -> bool {
    let mut text = String::new();
    if !element(&mut text, a, false) {
        return false;
    }
    match a {
        Arg::Int(None) | Arg::Text(None) => out.push_str("NULL"),
        _ => quoted(out, &text),
    }
    true
}

/// Appends an array's values as an array literal (`{1,NULL}`, `{"a\"b"}`), quoted.
fn array_literal(out: &mut String, c: &Column) -> bool {
    let mut text = String::from("{");
    let ok = match c {
        Column::Int(v) => elements(&mut text, v.iter().map(|v| Arg::Int(*v))),
        Column::Text(v) => elements(&mut text, v.iter().map(|v| Arg::Text(v.clone()))),
        Column::Bool(v) => elements(&mut text, v.iter().map(|v| Arg::Bool(*v))),
        Column::Time(v) => elements(&mut text, v.iter().map(|v| Arg::Time(*v))),
    };
    text.push('}');
    if ok {
        quoted(out, &text);
    }
    ok
}

fn elements(out: &mut String, values: impl Iterator<Item = Arg>) -> bool {
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if !element(out, &v, true) {
            return false;
        }
    }
    true
}

/// Appends a value's text: as PostgreSQL reads it in a literal, or, `in_array`, as an
/// element of an array literal (texts and times in double quotes, NULL bare). False for what
/// no literal can hold.
fn element(out: &mut String, a: &Arg, in_array: bool) -> bool {
    match a {
        Arg::Int(None) | Arg::Text(None) => out.push_str("NULL"),
        Arg::Int(Some(v)) => {
            let _ = write!(out, "{v}");
        }
        Arg::Bool(b) => out.push_str(if *b { "t" } else { "f" }),
        Arg::Text(Some(s)) => {
            if s.contains('\0') {
                return false;
            }
            if in_array {
                out.push('"');
                for ch in s.chars() {
                    if ch == '"' || ch == '\\' {
                        out.push('\\');
                    }
                    out.push(ch);
                }
                out.push('"');
            } else {
                out.push_str(s);
            }
        }
        Arg::Time(t) => {
            // Microseconds as sqlx sends them: counted from 2000-01-01, the rest cut off.
            let epoch = chrono::DateTime::<chrono::Utc>::from_timestamp(946_684_800, 0)
                .expect("2000-01-01 is a time");
            let Some(us) = t.signed_duration_since(epoch).num_microseconds() else {
                return false;
            };
            let t = epoch + chrono::Duration::microseconds(us);
            if !(1..=9999).contains(&chrono::Datelike::year(&t)) {
                return false;
            }
            let text = t.format("%Y-%m-%dT%H:%M:%S%.6fZ");
            if in_array {
                let _ = write!(out, "\"{text}\"");
            } else {
                let _ = write!(out, "{text}");
            }
        }
    }
    true
}

/// Appends `text` as an escape-string constant, which reads the same whatever the server's
/// `standard_conforming_strings`.
fn quoted(out: &mut String, text: &str) {
    out.push_str("E'");
    for ch in text.chars() {
        match ch {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            _ => out.push(ch),
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::{literal, Arg};

    fn lit(a: Arg) -> Option<String> {
        let mut out = String::new();
        literal(&mut out, &a).then_some(out)
    }

    #[test]
    fn arguments_become_literals_that_read_back_as_given() {
        assert_eq!(lit(Arg::Int(Some(-42))).unwrap(), "E'-42'");
        assert_eq!(lit(i64::MIN.into()).unwrap(), "E'-9223372036854775808'");
        assert_eq!(lit(Arg::Int(None)).unwrap(), "NULL");
        assert_eq!(lit(Arg::Text(None)).unwrap(), "NULL");
        assert_eq!(lit("NULL".into()).unwrap(), "E'NULL'");
        assert_eq!(lit(true.into()).unwrap(), "E't'");
        assert_eq!(
            lit("it's a \\'; DROP TABLE users; --".into()).unwrap(),
            "E'it''s a \\\\''; DROP TABLE users; --'"
        );
        assert_eq!(lit("$1 é\n".into()).unwrap(), "E'$1 é\n'");
        assert_eq!(lit("nul\0".into()), None);
        let at = chrono::Utc
            .with_ymd_and_hms(1999, 12, 31, 23, 59, 59)
            .unwrap()
            + chrono::Duration::nanoseconds(1_500);
        assert_eq!(lit(at.into()).unwrap(), "E'1999-12-31T23:59:59.000002Z'");
        let later = chrono::Utc.with_ymd_and_hms(2026, 2, 28, 1, 2, 3).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(lit(later.into()).unwrap(), "E'2026-02-28T01:02:03.123456Z'");
    }
}
