//! Reads on PostgreSQL ([`super::Read::each_on`], [`super::Read::on`]), where PostgreSQL's
//! work per statement (binding, executor set-up) is most of what a small read costs. The workspace home asks each of its products the same
//! questions: 16 statements a product, 327 for the 20 of the *large* set. So statements of
//! one text asked with other arguments go as one: each argument's values as an array,
//! unnested into one row per asker, and the statement joined to each row as a lateral
//! subquery. Every row comes back marked with its asker's place, and an asker's rows keep
//! the order its statement gives them (a lateral subquery runs once per row it is joined
//! to, in that row's turn).
//!
//! The text stays the same whatever the number of askers, so PostgreSQL prepares it once per
//! connection like any other statement.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;

use sqlx::postgres::PgRow;
use sqlx::Row;

use super::{bind, replace_marks, Arg, Rows, Statement};

/// What goes to the database: a statement asked once, or one asked with several sets of
/// arguments (`at`: the askers' places among all the statements, in order).
pub(super) enum Job {
    Alone(usize, Statement),
    Together {
        at: Vec<usize>,
        sql: String,
        columns: Vec<Column>,
    },
}

/// One argument's values across the askers of a statement, bound as one array.
pub(super) enum Column {
    Int(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
    Bool(Vec<bool>),
    Time(Vec<chrono::DateTime<chrono::Utc>>),
}

impl Column {
    fn of(first: &Arg, capacity: usize) -> Column {
        match first {
            Arg::Int(_) => Column::Int(Vec::with_capacity(capacity)),
            Arg::Text(_) => Column::Text(Vec::with_capacity(capacity)),
            Arg::Bool(_) => Column::Bool(Vec::with_capacity(capacity)),
            Arg::Time(_) => Column::Time(Vec::with_capacity(capacity)),
        }
    }

    fn push(&mut self, a: Arg) {
        match (self, a) {
            (Column::Int(v), Arg::Int(a)) => v.push(a),
            (Column::Text(v), Arg::Text(a)) => v.push(a),
            (Column::Bool(v), Arg::Bool(a)) => v.push(a),
            (Column::Time(v), Arg::Time(a)) => v.push(a),
            _ => unreachable!("statements are put together only when their arguments' kinds match"),
        }
    }

    /// The array's type, as the statement casts it (`unnest` needs it named).
    pub(super) fn array_type(&self) -> &'static str {
        match self {
            Column::Int(_) => "int8[]",
            Column::Text(_) => "text[]",
            Column::Bool(_) => "bool[]",
            Column::Time(_) => "timestamptz[]",
        }
    }
}

fn kind(a: &Arg) -> u8 {
    match a {
        Arg::Int(_) => 0,
        Arg::Text(_) => 1,
        Arg::Bool(_) => 2,
        Arg::Time(_) => 3,
    }
}

/// The statements as jobs, those of one text and one kind of argument in each place put
/// together, in the order first asked. A statement without arguments answers the same to
/// every asker; it goes alone. So does every statement of a batch that is not only plain
/// reads: putting statements together runs them out of their order, which a write or a lock
/// may not allow.
pub(super) fn jobs(statements: Vec<Statement>) -> Vec<Job> {
    if !statements.iter().all(plain_read) {
        return statements
            .into_iter()
            .enumerate()
            .map(|(at, s)| Job::Alone(at, s))
            .collect();
    }
    // Keyed by the text as the store wrote it: a borrowed constant is not copied.
    let mut place: HashMap<(Cow<'static, str>, Vec<u8>), usize> = HashMap::new();
    let mut groups: Vec<(Vec<usize>, Vec<Statement>)> = Vec::new();
    for (at, s) in statements.into_iter().enumerate() {
        if s.args.is_empty() {
            groups.push((vec![at], vec![s]));
            continue;
        }
        let key = (s.sql.clone(), s.args.iter().map(kind).collect());
        match place.get(&key) {
            Some(&g) => {
                groups[g].0.push(at);
                groups[g].1.push(s);
            }
            None => {
                place.insert(key, groups.len());
                groups.push((vec![at], vec![s]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(at, mut statements)| match statements.len() {
            1 => Job::Alone(at[0], statements.remove(0)),
            _ => together(at, statements),
        })
        .collect()
}

impl Job {
    /// The statement of a job that went alone.
    pub(super) fn alone(self) -> Option<Statement> {
        match self {
            Job::Alone(_, s) => Some(s),
            Job::Together { .. } => None,
        }
    }

    /// Whether the job only reads: a statement put together always does.
    pub(super) fn plain(&self) -> bool {
        match self {
            Job::Alone(_, s) => plain_read(s),
            Job::Together { .. } => true,
        }
    }
}

/// A `SELECT` that takes no lock (the stores write SQL's words in capitals).
fn plain_read(s: &Statement) -> bool {
    let sql = s.sql.trim_start();
    sql.get(..6)
        .is_some_and(|w| w.eq_ignore_ascii_case("SELECT"))
        && !sql.contains("FOR UPDATE")
        && !sql.contains("FOR SHARE")
        && !sql.contains("FOR NO KEY")
}

/// The rows of `n` statements answered by their jobs, put back in the statements' order.
pub(super) fn in_order(
    n: usize,
    answered: impl IntoIterator<Item = (usize, Rows)>,
) -> Result<Vec<Rows>, sqlx::Error> {
    let mut rows: Vec<Option<Rows>> = (0..n).map(|_| None).collect();
    for (at, r) in answered {
        if let Some(place) = rows.get_mut(at) {
            *place = Some(r);
        }
    }
    rows.into_iter()
        .collect::<Option<Vec<Rows>>>()
        .ok_or_else(|| sqlx::Error::Protocol("a statement of a batch went unanswered".into()))
}

/// One statement for several askers of `statements[0]`'s text.
fn together(at: Vec<usize>, statements: Vec<Statement>) -> Job {
    let mut columns: Vec<Column> = statements[0]
        .args
        .iter()
        .map(|a| Column::of(a, statements.len()))
        .collect();
    let text = statements[0]
        .sql
        .trim_end()
        .trim_end_matches(';')
        .to_string();
    for s in statements {
        for (c, a) in columns.iter_mut().zip(s.args) {
            c.push(a);
        }
    }
    // The aliases are long and odd so that no name in the statement means them.
    let mut sql = String::from("SELECT batch_rows_.*, batch_args_.batch_asker_ FROM unnest(");
    for (n, c) in columns.iter().enumerate() {
        let comma = if n == 0 { "" } else { ", " };
        let _ = write!(sql, "{comma}${}::{}", n + 1, c.array_type());
    }
    sql.push_str(") WITH ORDINALITY AS batch_args_(");
    for n in 1..=columns.len() {
        let _ = write!(sql, "a{n}, ");
    }
    sql.push_str("batch_asker_) CROSS JOIN LATERAL (");
    replace_marks(&mut sql, &text, |out, n| {
        let _ = write!(out, "batch_args_.a{n}");
    });
    sql.push_str(") AS batch_rows_");
    Job::Together { at, sql, columns }
}

/// The jobs one after another on `c`: each statement's rows with its place.
pub(super) async fn run(
    c: &mut sqlx::PgConnection,
    jobs: Vec<Job>,
) -> Result<Vec<(usize, Rows)>, sqlx::Error> {
    let mut out = Vec::new();
    for job in jobs {
        match job {
            Job::Alone(at, s) => {
                let q = s.args.into_iter().fold(sqlx::query(&s.sql), bind);
                out.push((at, Rows::Postgres(q.fetch_all(&mut *c).await?)));
            }
            Job::Together { at, sql, columns } => {
                let q = columns.into_iter().fold(sqlx::query(&sql), |q, c| match c {
                    Column::Int(v) => q.bind(v),
                    Column::Text(v) => q.bind(v),
                    Column::Bool(v) => q.bind(v),
                    Column::Time(v) => q.bind(v),
                });
                let rows = split(q.fetch_all(&mut *c).await?, at.len())?;
                out.extend(at.into_iter().zip(rows));
            }
        }
    }
    Ok(out)
}

/// The rows of a statement put together, each of its `askers`' apart, by the place each row
/// ends with (1 for the first asker). An asker its statement answered nothing has no rows.
pub(super) fn split(rows: Vec<PgRow>, askers: usize) -> Result<Vec<Rows>, sqlx::Error> {
    let mut each: Vec<Vec<PgRow>> = (0..askers).map(|_| Vec::new()).collect();
    for row in rows {
        let asker: i64 = row.try_get(row.len() - 1)?;
        let rows = usize::try_from(asker - 1)
            .ok()
            .and_then(|i| each.get_mut(i))
            .ok_or_else(|| sqlx::Error::Protocol(format!("a row of asker {asker} of {askers}")))?;
        rows.push(row);
    }
    Ok(each.into_iter().map(Rows::Postgres).collect())
}
