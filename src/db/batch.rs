//! Several reads in one round trip.
//!
//! On SQLite every query is handed to its connection's worker thread and its rows handed back:
//! two thread switches per query, which the profile of the item page (12 queries) showed as
//! half of its CPU time. A [`Read`] is one or more statements and the function that turns their
//! rows into a value, written once in the store of its room. Reads joined with [`Read::and`]
//! run as one command on SQLite (the worker runs the statements back to back and streams all
//! their rows at once, inside one read transaction when on a read connection) and as one
//! message of prepared statements on one connection on PostgreSQL ([`message`]).

use std::borrow::Cow;

use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Either, Executor, FromRow};

use super::{Conn, Db};

mod alike;
mod message;

/// A value bound to a statement's `$n`.
#[derive(Clone, Debug)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Bool(bool),
    Time(chrono::DateTime<chrono::Utc>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}

impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}

impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}

impl From<chrono::DateTime<chrono::Utc>> for Arg {
    fn from(v: chrono::DateTime<chrono::Utc>) -> Arg {
        Arg::Time(v)
    }
}

impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(v)
    }
}

/// One statement and its arguments, numbered `$1…` as in any other query.
struct Statement {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
}

/// The rows one statement answered.
pub enum Rows {
    Sqlite(Vec<SqliteRow>),
    Postgres(Vec<PgRow>),
}

/// A row type both databases decode (a tuple or a `sqlx::FromRow` struct).
pub trait Decode: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}
impl<T> Decode for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> {}

impl Rows {
    pub fn all<T: Decode>(&self) -> Result<Vec<T>, sqlx::Error> {
        match self {
            Rows::Sqlite(rows) => rows.iter().map(T::from_row).collect(),
            Rows::Postgres(rows) => rows.iter().map(T::from_row).collect(),
        }
    }

    pub fn first<T: Decode>(&self) -> Result<Option<T>, sqlx::Error> {
        match self {
            Rows::Sqlite(rows) => rows.first().map(T::from_row).transpose(),
            Rows::Postgres(rows) => rows.first().map(T::from_row).transpose(),
        }
    }

    pub fn one<T: Decode>(&self) -> Result<T, sqlx::Error> {
        self.first()?.ok_or(sqlx::Error::RowNotFound)
    }
}

/// The rows of a run's statements, in order, for the reads' decoders to take.
pub struct Results(std::vec::IntoIter<Rows>);

impl Results {
    fn take(&mut self) -> Result<Rows, sqlx::Error> {
        self.0.next().ok_or_else(|| {
            sqlx::Error::Protocol("a batch answered fewer results than statements".into())
        })
    }
}

/// How many connections [`Read::each_on`] takes at once on PostgreSQL. One each (the workspace
/// home's 20 products' reads) took every connection of the pool: with every page asked for at
/// once, each waited for the home page's reads, and all of them together answered a quarter of
/// what they did without it.
const SIDE_BY_SIDE: usize = 4;

type Decoder<T> = Box<dyn FnOnce(&mut Results) -> Result<T, sqlx::Error> + Send>;

/// Statements and what their rows mean; run alone with [`Read::on`] or [`Read::run`], or
/// joined to others with [`Read::and`] into one round trip.
pub struct Read<T> {
    statements: Vec<Statement>,
    decode: Decoder<T>,
}

impl Read<()> {
    /// A statement whose rows, if any, are not needed (an insert or an update inside a
    /// transaction): joined to others, a write's side rows cost one round trip, not one each.
    pub fn exec(sql: impl Into<Cow<'static, str>>, args: Vec<Arg>) -> Read<()> {
        Read::query(sql, args, |_| Ok(()))
    }

    /// `head` (`INSERT INTO t (a, b) VALUES`) for each row, as multi-row inserts of at most
    /// `per_statement` rows each, all in one round trip; nothing for no rows.
    pub fn insert_rows<const N: usize>(
        head: &str,
        rows: Vec<[Arg; N]>,
        per_statement: usize,
    ) -> Read<()> {
        let mut out = Read::ready(());
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<[Arg; N]> = rows.by_ref().take(per_statement.max(1)).collect();
            let sql = format!("{head} {}", super::row_marks(false, chunk.len(), N));
            out = out.then(Read::exec(sql, chunk.into_iter().flatten().collect()));
        }
        out
    }
}

impl<T: Send + 'static> Read<T> {
    /// One statement and the value its rows make.
    pub fn query(
        sql: impl Into<Cow<'static, str>>,
        args: Vec<Arg>,
        decode: impl FnOnce(Rows) -> Result<T, sqlx::Error> + Send + 'static,
    ) -> Read<T> {
        Read {
            statements: vec![Statement {
                sql: sql.into(),
                args,
            }],
            decode: Box::new(move |r| decode(r.take()?)),
        }
    }

    /// A value known without asking the database (an empty list's answer).
    pub fn ready(value: T) -> Read<T> {
        Read {
            statements: Vec::new(),
            decode: Box::new(move |_| Ok(value)),
        }
    }

    /// The same statements, their value turned into another.
    pub fn map<U: Send + 'static>(
        self,
        f: impl FnOnce(T) -> Result<U, sqlx::Error> + Send + 'static,
    ) -> Read<U> {
        let decode = self.decode;
        Read {
            statements: self.statements,
            decode: Box::new(move |r| f(decode(r)?)),
        }
    }

    /// Each read's value, in order, in one round trip.
    pub fn all(reads: Vec<Read<T>>) -> Read<Vec<T>> {
        let mut statements = Vec::new();
        let mut decoders = Vec::with_capacity(reads.len());
        for r in reads {
            statements.extend(r.statements);
            decoders.push(r.decode);
        }
        Read {
            statements,
            decode: Box::new(move |res| decoders.into_iter().map(|d| d(res)).collect()),
        }
    }

    /// Independent reads: in one round trip on SQLite, where each round trip is a hand-off to a
    /// connection's worker thread and back; on PostgreSQL the statements alike across the
    /// reads as one ([`alike`]), and those in [`SIDE_BY_SIDE`] groups side by side, each group
    /// one message on one connection.
    pub async fn each_on(reads: Vec<Read<T>>, db: &Db) -> Result<Vec<T>, sqlx::Error> {
        if db.is_sqlite() {
            return Read::all(reads).on(db).await;
        }
        let Read { statements, decode } = Read::all(reads);
        let n = statements.len();
        let jobs = alike::jobs(statements);
        let per_group = jobs.len().div_ceil(SIDE_BY_SIDE).max(1);
        let mut jobs = jobs.into_iter().peekable();
        let mut groups = Vec::with_capacity(SIDE_BY_SIDE);
        while jobs.peek().is_some() {
            groups.push(jobs.by_ref().take(per_group).collect::<Vec<_>>());
        }
        let answers = futures_util::future::try_join_all(groups.into_iter().map(|g| async move {
            let mut pooled = db.reader().await?;
            match pooled.conn() {
                Conn::Postgres(c) => run_jobs(c, g).await,
                Conn::Sqlite(_) => Err(sqlx::Error::Protocol(
                    "a PostgreSQL database lent a SQLite connection".into(),
                )),
            }
        }));
        let rows = alike::in_order(n, answers.await?.into_iter().flatten())?;
        decode(&mut Results(rows.into_iter()))
    }

    /// Both reads in one round trip.
    pub fn and<U: Send + 'static>(mut self, other: Read<U>) -> Read<(T, U)> {
        self.statements.extend(other.statements);
        let (first, second) = (self.decode, other.decode);
        Read {
            statements: self.statements,
            decode: Box::new(move |r| Ok((first(r)?, second(r)?))),
        }
    }

    /// Both in one round trip, answering the second's value (the first is a write).
    pub fn then<U: Send + 'static>(self, next: Read<U>) -> Read<U> {
        self.and(next).map(|(_, u)| Ok(u))
    }

    /// Runs on a read connection of `db`.
    pub async fn on(self, db: &Db) -> Result<T, sqlx::Error> {
        if self.statements.is_empty() {
            return (self.decode)(&mut Results(Vec::new().into_iter()));
        }
        let mut pooled = db.reader().await?;
        match pooled {
            super::Pooled::SqliteRead(c) if self.statements.len() > 1 => self.snapshot(c).await,
            // On PostgreSQL the statements alike go as one ([`alike`]): a backlog page sorted
            // otherwise than by rank asks the tier flags of each of its hundred items.
            super::Pooled::Postgres(ref mut c) if self.statements.len() > 1 => {
                let n = self.statements.len();
                let rows = run_jobs(c, alike::jobs(self.statements)).await?;
                (self.decode)(&mut Results(alike::in_order(n, rows)?.into_iter()))
            }
            _ => self.run(&mut pooled.conn()).await,
        }
    }

    /// The statements in one read transaction on a read connection of SQLite: one snapshot
    /// for all of them (as on PostgreSQL's one connection, rows of one moment), and SQLite's
    /// locks and checks of the database file taken once instead of once per statement. A
    /// connection whose run failed or was abandoned midway may still hold the transaction, so
    /// it is closed instead of going back to the pool.
    async fn snapshot(self, c: super::lent::Lent) -> Result<T, sqlx::Error> {
        let mut guard = Abandoned(Some(c));
        let mut statements = Vec::with_capacity(self.statements.len() + 2);
        statements.push(Statement {
            sql: Cow::Borrowed("BEGIN"),
            args: Vec::new(),
        });
        statements.extend(self.statements);
        statements.push(Statement {
            sql: Cow::Borrowed("COMMIT"),
            args: Vec::new(),
        });
        let conn = guard.0.as_mut().expect("held until the end");
        let mut rows = sqlite(conn, statements).await?.into_iter();
        drop(guard.0.take());
        // BEGIN's and COMMIT's (empty) answers.
        rows.next();
        rows.next_back();
        (self.decode)(&mut Results(rows))
    }

    /// Runs on `c` (a read connection or a transaction's).
    pub async fn run(self, c: &mut Conn<'_>) -> Result<T, sqlx::Error> {
        let rows = match c {
            Conn::Sqlite(c) => sqlite(c, self.statements).await?,
            Conn::Postgres(c) => postgres(c, self.statements).await?,
        };
        (self.decode)(&mut Results(rows.into_iter()))
    }
}

/// A read connection that has not finished its transaction: closed when dropped, not pooled.
struct Abandoned(Option<super::lent::Lent>);

impl Drop for Abandoned {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            drop(deadpool::managed::Object::take(c));
        }
    }
}

async fn sqlite(
    c: &mut sqlx::SqliteConnection,
    statements: Vec<Statement>,
) -> Result<Vec<Rows>, sqlx::Error> {
    let n = statements.len();
    // SQLite finds a named mark's number by a linear search through all the statement's names
    // (quadratic in a multi-row insert), and sqlx binds anonymous `?` in order from where the
    // previous statement's left off. So a statement whose marks are `$1…$k` in order is sent
    // with `?` and its arguments first, in statement order; the others keep named marks,
    // raised past every argument before them.
    let sequential: Vec<bool> = statements.iter().map(in_order).collect();
    let anonymous: usize = statements
        .iter()
        .zip(&sequential)
        .filter(|(_, seq)| **seq)
        .map(|(s, _)| s.args.len())
        .sum();
    let mut sql = String::new();
    let (mut first, mut named) = (Vec::with_capacity(anonymous), Vec::new());
    for (s, seq) in statements.into_iter().zip(sequential) {
        if !sql.is_empty() {
            sql.push_str(";\n");
        }
        if seq {
            rewrite_marks(&mut sql, &s.sql, |_| None);
            first.extend(s.args);
        } else {
            let offset = anonymous + named.len();
            rewrite_marks(&mut sql, &s.sql, |n| Some(n + offset));
            named.extend(s.args);
        }
    }
    first.extend(named);
    let q = first.into_iter().fold(sqlx::query(&sql), bind);
    let mut out = Vec::with_capacity(n);
    let mut rows = Vec::new();
    let mut stream = c.fetch_many(q);
    // Each statement's rows end with its result; a statement that answers nothing still ends.
    while let Some(step) = stream.try_next().await? {
        match step {
            Either::Left(_) => out.push(Rows::Sqlite(std::mem::take(&mut rows))),
            Either::Right(row) => rows.push(row),
        }
    }
    if out.len() != n {
        return Err(sqlx::Error::Protocol(format!(
            "a batch of {n} statements answered {} results",
            out.len()
        )));
    }
    Ok(out)
}

/// The jobs on `c`: each statement's rows with its place. Several plain reads go as one
/// message ([`message`]); anything else one after another ([`alike::run`]).
async fn run_jobs(
    c: &mut sqlx::PgConnection,
    jobs: Vec<alike::Job>,
) -> Result<Vec<(usize, Rows)>, sqlx::Error> {
    let jobs = if jobs.len() > 1 && jobs.iter().all(alike::Job::plain) {
        match message::Message::of(jobs) {
            Ok(message) => return message.run(c).await,
            Err(jobs) => jobs,
        }
    } else {
        jobs
    };
    alike::run(c, jobs).await
}

/// The statements in order on `c`; in a transaction, several as one message
/// ([`message`]), where they were a round trip each.
async fn postgres(
    c: &mut sqlx::PgConnection,
    statements: Vec<Statement>,
) -> Result<Vec<Rows>, sqlx::Error> {
    let statements = if statements.len() > 1 && sqlx::Connection::is_in_transaction(&*c) {
        let n = statements.len();
        let jobs = statements.into_iter().enumerate();
        match message::Message::of(jobs.map(|(at, s)| alike::Job::Alone(at, s)).collect()) {
            Ok(m) => return alike::in_order(n, m.run(c).await?),
            Err(jobs) => jobs.into_iter().filter_map(alike::Job::alone).collect(),
        }
    } else {
        statements
    };
    let mut out = Vec::with_capacity(statements.len());
    for s in statements {
        let q = s.args.into_iter().fold(sqlx::query(&s.sql), bind);
        out.push(Rows::Postgres(q.fetch_all(&mut *c).await?));
    }
    Ok(out)
}

type Query<'q, D> = sqlx::query::Query<'q, D, <D as sqlx::Database>::Arguments<'q>>;

/// Binds one argument, on either database.
fn bind<'q, D: sqlx::Database>(q: Query<'q, D>, a: Arg) -> Query<'q, D>
where
    Option<i64>: sqlx::Encode<'q, D> + sqlx::Type<D>,
    Option<String>: sqlx::Encode<'q, D> + sqlx::Type<D>,
    bool: sqlx::Encode<'q, D> + sqlx::Type<D>,
    chrono::DateTime<chrono::Utc>: sqlx::Encode<'q, D> + sqlx::Type<D>,
{
    match a {
        Arg::Int(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
        Arg::Bool(v) => q.bind(v),
        Arg::Time(v) => q.bind(v),
    }
}

/// Each `$n` outside quotes in `sql`: where it starts and ends, and its number. Every batch's
/// text is scanned on every request, so only the two bytes that matter are looked for.
fn marks(sql: &str) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let bytes = sql.as_bytes();
    let mut quoted = false;
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(found) = memchr::memchr2(b'$', b'\'', &bytes[i..]) {
            let at = i + found;
            i = at + 1;
            if bytes[at] == b'\'' {
                quoted = !quoted;
            } else if !quoted {
                let digits = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
                if let Ok(n) = sql[i..i + digits].parse::<usize>() {
                    i += digits;
                    return Some((at, i, n));
                }
            }
        }
        i = bytes.len();
        None
    })
}

/// Whether the statement's marks are `$1…$k` in order, each once, for its k arguments.
fn in_order(s: &Statement) -> bool {
    let mut count = 0;
    for (k, (_, _, n)) in marks(&s.sql).enumerate() {
        if n != k + 1 {
            return false;
        }
        count += 1;
    }
    count == s.args.len()
}

/// Appends `sql` with each mark `$n` outside quotes written as `$m` for `to(n) = Some(m)`, or
/// as an anonymous `?` for `None`.
fn rewrite_marks(out: &mut String, sql: &str, to: impl Fn(usize) -> Option<usize>) {
    replace_marks(out, sql, |out, n| match to(n) {
        Some(m) => {
            out.push('$');
            out.push_str(&m.to_string());
        }
        None => out.push('?'),
    });
}

/// Appends `sql` with each mark `$n` outside quotes replaced by what `write` appends for `n`.
fn replace_marks(out: &mut String, sql: &str, write: impl Fn(&mut String, usize)) {
    let mut copied = 0;
    for (start, end, n) in marks(sql) {
        out.push_str(&sql[copied..start]);
        write(out, n);
        copied = end;
    }
    out.push_str(&sql[copied..]);
}

#[cfg(test)]
mod tests {
    use super::{in_order, rewrite_marks, Arg, Read, Statement};

    fn renumber(sql: &str, offset: usize) -> String {
        let mut out = String::new();
        rewrite_marks(&mut out, sql, |n| Some(n + offset));
        out
    }

    #[test]
    fn renumbering_raises_marks_outside_quotes_only() {
        assert_eq!(
            renumber("SELECT $1, $12 FROM t WHERE a = $2", 3),
            "SELECT $4, $15 FROM t WHERE a = $5"
        );
        assert_eq!(
            renumber("SELECT 'costs $1', $1 || '$2' FROM t", 10),
            "SELECT 'costs $1', $11 || '$2' FROM t"
        );
        assert_eq!(renumber("SELECT $1", 0), "SELECT $1");
        assert_eq!(renumber("SELECT 'é', $ FROM t", 2), "SELECT 'é', $ FROM t");
    }

    #[test]
    fn only_marks_in_order_become_anonymous() {
        let s = |sql: &str, n: usize| Statement {
            sql: sql.to_string().into(),
            args: (0..n as i64).map(Into::into).collect(),
        };
        assert!(in_order(&s("INSERT INTO t VALUES ($1,$2),($3,$4)", 4)));
        assert!(in_order(&s("SELECT 'a $2' FROM t", 0)));
        assert!(!in_order(&s("SELECT $1 WHERE a = $1", 1)));
        assert!(!in_order(&s("SELECT $2, $1", 2)));
        assert!(!in_order(&s("SELECT $1", 2)));
        let mut out = String::new();
        rewrite_marks(&mut out, "SELECT '$1', $1, $2", |_| None);
        assert_eq!(out, "SELECT '$1', ?, ?");
    }

    #[test]
    fn rows_to_insert_split_into_statements_of_at_most_so_many() {
        let rows: Vec<[Arg; 2]> = (0..5i64).map(|i| [i.into(), "x".into()]).collect();
        let read = Read::insert_rows("INSERT INTO t (a, b) VALUES", rows, 2);
        let sql: Vec<&str> = read.statements.iter().map(|s| s.sql.as_ref()).collect();
        assert_eq!(
            sql,
            [
                "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)",
                "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4)",
                "INSERT INTO t (a, b) VALUES ($1,$2)",
            ]
        );
        let args: Vec<usize> = read.statements.iter().map(|s| s.args.len()).collect();
        assert_eq!(args, [4, 4, 2]);
        assert!(read.statements.iter().all(in_order));
        let none = Read::insert_rows::<2>("INSERT INTO t (a, b) VALUES", Vec::new(), 2);
        assert!(none.statements.is_empty());
    }
}
