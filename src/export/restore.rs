//! Restoring an export document into an empty, freshly migrated database, in one transaction:
//! ids are kept, so history, audit and links still point at the right rows.

use chrono::{DateTime, Utc};
use sqlx::{Database, Encode, Type};

use super::tables::TABLES;
use super::{read, store, Cell, Kind, Table};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::on;

/// What a restore wrote.
#[derive(Debug, serde::Serialize)]
pub struct Restored {
    pub workspace: String,
    pub schema: i64,
    pub rows: u64,
}

fn bad(message: impl Into<String>) -> Error {
    Error::invalid("file", message)
}

fn bind<'q, DB: Database>(
    q: sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>,
    c: &Cell,
) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<String>: Encode<'q, DB> + Type<DB>,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    Option<f64>: Encode<'q, DB> + Type<DB>,
    Option<DateTime<Utc>>: Encode<'q, DB> + Type<DB>,
{
    match c {
        Cell::Int(n) => q.bind(Some(*n)),
        Cell::Text(s) => q.bind(Some(s.clone())),
        Cell::Bool(b) => q.bind(Some(*b)),
        Cell::Real(x) => q.bind(Some(*x)),
        Cell::Points(p) => q.bind(Some(p.hundredths())),
        Cell::Time(t) => q.bind(Some(*t)),
        // A NULL is bound with its column's type: PostgreSQL refuses text for a bigint.
        Cell::Null(Kind::Int | Kind::User | Kind::Points) => q.bind(None::<i64>),
        Cell::Null(Kind::Text) => q.bind(None::<String>),
        Cell::Null(Kind::Bool) => q.bind(None::<bool>),
        Cell::Null(Kind::Real) => q.bind(None::<f64>),
        Cell::Null(Kind::Time) => q.bind(None::<DateTime<Utc>>),
    }
}

/// Runs one statement with its parameters on the transaction.
async fn run(tx: &mut Tx, sql: &str, params: &[&Cell]) -> Result<()> {
    on!(&mut tx.conn(), t => {
        let mut q = sqlx::query(sql);
        for c in params {
            q = bind(q, c);
        }
        q.execute(&mut **t).await.map(|_| ())
    })
    .map_err(|e| bad(format!("the export does not fit this database: {e}")))
}

/// Inserts a table's rows, many to a statement; `set_after` columns go in as NULL.
async fn insert(tx: &mut Tx, t: &Table, rows: &[Vec<Cell>]) -> Result<()> {
    let names: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
    // sqlx's SQLite driver binds in time that grows with the square of a statement's
    // parameters, so SQLite gets short statements (measured on the large seed: 250 parameters
    // restore its 100,000 items in a quarter of the time 8,000 take); PostgreSQL takes longer ones.
    let budget = if matches!(tx, Tx::Sqlite(_)) {
        250
    } else {
        2000
    };
    let per = (budget / t.columns.len()).max(1);
    let nulls: Vec<Cell> = t.columns.iter().map(|c| Cell::Null(c.kind)).collect();
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", t.name, names.join(", "));
        let mut params: Vec<&Cell> = Vec::with_capacity(chunk.len() * names.len());
        for (r, row) in chunk.iter().enumerate() {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for (i, c) in t.columns.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", params.len() + 1));
                let later = t.set_after.contains(&c.name);
                params.push(if later { &nulls[i] } else { &row[i] });
            }
            sql.push(')');
        }
        run(tx, &sql, &params).await?;
    }
    Ok(())
}

/// Writes `columns` of each row again, by the row's key.
async fn update(
    tx: &mut Tx,
    t: &Table,
    rows: &[Vec<Cell>],
    columns: &[&str],
    skip_nulls: bool,
) -> Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    let pos = |n: &str| t.columns.iter().position(|c| c.name == n);
    let set: Vec<usize> = columns.iter().filter_map(|c| pos(c)).collect();
    let key: Vec<usize> = t.key.iter().filter_map(|c| pos(c)).collect();
    let mut sql = format!("UPDATE {} SET ", t.name);
    let assigns: Vec<String> = set
        .iter()
        .enumerate()
        .map(|(n, &i)| format!("{} = ${}", t.columns[i].name, n + 1))
        .collect();
    sql.push_str(&assigns.join(", "));
    let conds: Vec<String> = key
        .iter()
        .enumerate()
        .map(|(n, &i)| format!("{} = ${}", t.columns[i].name, set.len() + n + 1))
        .collect();
    sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
    for row in rows {
        // A self-reference left NULL needs no second write.
        if skip_nulls && set.iter().all(|&i| matches!(row[i], Cell::Null(_))) {
            continue;
        }
        let params: Vec<&Cell> = set.iter().chain(key.iter()).map(|&i| &row[i]).collect();
        run(tx, &sql, &params).await?;
    }
    Ok(())
}

/// Fails unless every exported table of the database is empty.
async fn ensure_empty(db: &Db) -> Result<()> {
    for t in TABLES.iter() {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", t.name);
        let any: bool = crate::on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(&sql).fetch_one(&mut **c).await)?;
        if any {
            return Err(Error::Conflict(format!(
                "the database is not empty ({} has rows); restore into a new database",
                t.name
            )));
        }
    }
    Ok(())
}

/// Restores `bytes` (an export document) into `db`, which must be migrated and empty.
/// Nothing is written unless everything is.
pub async fn restore(db: &Db, bytes: &[u8]) -> Result<Restored> {
    let schema = store::schema_version(db).await?;
    let (workspace, tables) = read::document(bytes, schema)?;
    ensure_empty(db).await?;
    let mut tx = db.begin().await?;
    for (t, rows) in &tables {
        insert(&mut tx, t, rows).await?;
        update(&mut tx, t, rows, t.set_after, true).await?;
    }
    for (t, rows) in &tables {
        update(&mut tx, t, rows, t.kept_by_triggers, false).await?;
    }
    if !db.is_sqlite() {
        // Identity columns keep counting from where the restored ids end.
        for (t, _) in tables.iter().filter(|(t, _)| t.key == ["id"]) {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {0}), false)",
                t.name
            );
            on!(&mut tx.conn(), x => sqlx::query(&sql).execute(&mut **x).await.map(|_| ()))?;
        }
    }
    tx.commit().await?;
    let rows = tables.iter().map(|(_, r)| r.len() as u64).sum();
    Ok(Restored {
        workspace,
        schema,
        rows,
    })
}
