//! Reading a workspace out of the database, table by table, into the export document.

use std::io::Write;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::{ColumnIndex, Decode, Row, Type};

use super::tables::TABLES;
use super::{Cell, Kind, Scope, Summary, Table, TableSize, FORMAT, VERSION};
use crate::db::{Db, Pool};
use crate::error::{Error, Result};
use crate::on;
use crate::points::Points;

/// The SQL condition that keeps `t`'s rows of workspace `$1`.
pub fn filter(t: &Table) -> String {
    match t.scope {
        Scope::Workspace => "id = $1".into(),
        Scope::Own(col) => format!("{col} = $1"),
        Scope::Via(col, parent) => format!(
            "{col} IN (SELECT id FROM {parent} WHERE {})",
            filter(table(parent))
        ),
        Scope::Watched => format!(
            "(entity_type = 'item' AND entity_id IN (SELECT id FROM items WHERE {}))
             OR (entity_type = 'sprint' AND entity_id IN (SELECT id FROM sprints WHERE {}))",
            filter(table("items")),
            filter(table("sprints"))
        ),
        Scope::Users => {
            let refs: Vec<String> = TABLES
                .iter()
                .flat_map(|t| {
                    t.columns
                        .iter()
                        .filter(|c| c.kind == Kind::User)
                        .map(move |c| {
                            format!("SELECT {} FROM {} WHERE {}", c.name, t.name, filter(t))
                        })
                })
                .collect();
            format!("id IN ({})", refs.join(" UNION "))
        }
    }
}

/// A table of the map by name; the map is static, so a missing name is a bug in it, caught by
/// the tests that export every table.
fn table(name: &str) -> &'static Table {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("export map: no table {name}"))
}

/// The workspace's rows of `t` in key order: numbers by value and text by bytes, the same on
/// both databases whatever PostgreSQL's collation (SQLite compares text bytewise already).
fn select(t: &Table, sqlite: bool) -> String {
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
    let order: Vec<String> = t
        .key
        .iter()
        .map(|k| match t.column(k).map(|c| c.kind) {
            Some(Kind::Text) if !sqlite => format!("{k} COLLATE \"C\""),
            _ => k.to_string(),
        })
        .collect();
    format!(
        "SELECT {} FROM {} WHERE {} ORDER BY {}",
        cols.join(", "),
        t.name,
        filter(t),
        order.join(", ")
    )
}

/// Decodes a row by the table's column kinds; written once for both drivers' rows.
fn cells<R>(row: &R, t: &Table) -> std::result::Result<Vec<Cell>, sqlx::Error>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> Option<i64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<bool>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<f64>: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<DateTime<Utc>>: Decode<'r, R::Database> + Type<R::Database>,
{
    let mut out = Vec::with_capacity(t.columns.len());
    for (i, c) in t.columns.iter().enumerate() {
        let cell = match c.kind {
            Kind::Int | Kind::User => row.try_get::<Option<i64>, _>(i)?.map(Cell::Int),
            Kind::Text => row.try_get::<Option<String>, _>(i)?.map(Cell::Text),
            Kind::Bool => row.try_get::<Option<bool>, _>(i)?.map(Cell::Bool),
            Kind::Real => row.try_get::<Option<f64>, _>(i)?.map(Cell::Real),
            Kind::Points => row
                .try_get::<Option<i64>, _>(i)?
                .map(|h| Cell::Points(Points::from_hundredths(h))),
            Kind::Time => row.try_get::<Option<DateTime<Utc>>, _>(i)?.map(Cell::Time),
        };
        out.push(cell.unwrap_or(Cell::Null(c.kind)));
    }
    Ok(out)
}

/// One row as a line of the document: `{"column":value,…}` with the columns sorted.
fn row_json(t: &Table, order: &[usize], row: &[Cell]) -> String {
    let mut line = String::with_capacity(256);
    line.push('{');
    for (j, &c) in order.iter().enumerate() {
        if j > 0 {
            line.push(',');
        }
        line.push('"');
        line.push_str(t.columns[c].name);
        line.push_str("\":");
        line.push_str(&row[c].to_json());
    }
    line.push('}');
    line
}

/// One read transaction for the whole document: every table is read as of the same moment,
/// so rows written while an export runs never leave a child without its parent.
enum Snapshot {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Snapshot {
    async fn begin(db: &Db) -> Result<Snapshot> {
        Ok(match &db.read {
            // In WAL mode a read transaction sees the database as of its first read.
            Pool::Sqlite(p) => Snapshot::Sqlite(p.begin().await?),
            Pool::Postgres(p) => {
                let mut t = p.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *t)
                    .await?;
                Snapshot::Postgres(t)
            }
        })
    }

    /// The workspace's id and the schema version, read in the snapshot.
    async fn head(&mut self, slug: &str) -> Result<(Option<i64>, Option<i64>)> {
        const ID: &str = "SELECT id FROM workspaces WHERE slug = $1";
        const SCHEMA: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success";
        Ok(match self {
            Snapshot::Sqlite(t) => (
                sqlx::query_scalar(ID)
                    .bind(slug)
                    .fetch_optional(&mut **t)
                    .await?,
                sqlx::query_scalar(SCHEMA).fetch_one(&mut **t).await?,
            ),
            Snapshot::Postgres(t) => (
                sqlx::query_scalar(ID)
                    .bind(slug)
                    .fetch_optional(&mut **t)
                    .await?,
                sqlx::query_scalar(SCHEMA).fetch_one(&mut **t).await?,
            ),
        })
    }

    /// Streams the workspace's rows of `t` out as the table's JSON list; answers how many.
    /// Rows go out as they are read, so memory does not grow with the table.
    async fn write_rows(&mut self, workspace_id: i64, t: &Table, out: &mut Out<'_>) -> Result<u64> {
        let sql = select(t, matches!(self, Snapshot::Sqlite(_)));
        let order = t.sorted_positions();
        let mut n: u64 = 0;
        out.push("[");
        macro_rules! each_row {
            ($x:expr) => {{
                let mut rows = sqlx::query(&sql).bind(workspace_id).fetch(&mut **$x);
                while let Some(r) = rows.try_next().await? {
                    out.push(if n == 0 { "\n" } else { ",\n" });
                    out.push(&row_json(t, &order, &cells(&r, t)?));
                    out.spill().await?;
                    n += 1;
                }
            }};
        }
        match self {
            Snapshot::Sqlite(x) => each_row!(x),
            Snapshot::Postgres(x) => each_row!(x),
        }
        out.push(if n == 0 { "]" } else { "\n]" });
        Ok(n)
    }

    async fn end(self) -> Result<()> {
        match self {
            Snapshot::Sqlite(t) => t.commit().await?,
            Snapshot::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

/// The schema version of the database: the latest migration applied.
pub async fn schema_version(db: &Db) -> Result<i64> {
    let v: Option<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT MAX(version) FROM _sqlx_migrations WHERE success").fetch_one(&mut **c).await)?;
    Ok(v.unwrap_or(0))
}

/// The workspace's id by its address.
pub async fn workspace_id(db: &Db, slug: &str) -> Result<i64> {
    let id: Option<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE slug = $1").bind(slug).fetch_optional(&mut **c).await)?;
    id.ok_or_else(|| Error::invalid("workspace", format!("no workspace {slug:?}")))
}

/// Where the document goes, a chunk at a time.
pub enum Sink<'a> {
    /// A file, or any writer.
    Writer(Box<dyn Write + Send + 'a>),
    /// An HTTP body: each chunk waits for room in the channel, so a slow client holds the
    /// export back instead of the server buffering the document.
    Channel(tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>),
    /// Nowhere: only the sizes are wanted.
    Discard,
}

/// The document's bytes in chunks of about this size.
const CHUNK: usize = 64 * 1024;

/// Gathers the document into chunks for its sink and counts its bytes.
struct Out<'a> {
    sink: Sink<'a>,
    buf: Vec<u8>,
    sent: u64,
}

impl Out<'_> {
    fn bytes(&self) -> u64 {
        self.sent + self.buf.len() as u64
    }

    fn push(&mut self, s: &str) {
        if !matches!(self.sink, Sink::Discard) {
            self.buf.extend_from_slice(s.as_bytes());
        } else {
            self.sent += s.len() as u64;
        }
    }

    /// Sends a full chunk on.
    async fn spill(&mut self) -> Result<()> {
        if self.buf.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        let chunk = std::mem::take(&mut self.buf);
        self.sent += chunk.len() as u64;
        let gone = || Error::Internal(anyhow::anyhow!("the export's reader went away"));
        match &mut self.sink {
            Sink::Writer(w) => w.write_all(&chunk).and_then(|()| w.flush()).map_err(io),
            Sink::Channel(tx) => tx.send(Ok(chunk)).await.map_err(|_| gone()),
            Sink::Discard => Ok(()),
        }
    }
}

fn io(e: std::io::Error) -> Error {
    Error::Internal(anyhow::anyhow!("writing the export: {e}"))
}

/// Writes the export document of workspace `slug` to `sink`; answers what it wrote.
pub async fn write_document(db: &Db, slug: &str, sink: Sink<'_>) -> Result<Summary> {
    let mut snapshot = Snapshot::begin(db).await?;
    let (id, schema) = snapshot.head(slug).await?;
    let workspace_id =
        id.ok_or_else(|| Error::invalid("workspace", format!("no workspace {slug:?}")))?;
    let schema = schema.unwrap_or(0);
    let mut out = Out {
        sink,
        buf: Vec::with_capacity(CHUNK * 2),
        sent: 0,
    };
    out.push(&format!(
        "{{\"format\":\"{FORMAT}\",\"version\":{VERSION},\"schema\":{schema},\"workspace\":{},\"tables\":{{",
        serde_json::Value::String(slug.to_string())
    ));
    let mut tables = Vec::with_capacity(TABLES.len());
    for (n, t) in TABLES.iter().enumerate() {
        let start = out.bytes();
        out.push(&format!(
            "{}\n\"{}\":",
            if n == 0 { "" } else { "," },
            t.name
        ));
        let rows = snapshot.write_rows(workspace_id, t, &mut out).await?;
        tables.push(TableSize {
            table: t.name.to_string(),
            rows,
            bytes: out.bytes() - start,
        });
    }
    snapshot.end().await?;
    out.push("\n}}\n");
    out.flush().await?;
    Ok(Summary {
        workspace: slug.to_string(),
        schema,
        tables,
        bytes: out.bytes(),
    })
}

/// The document of workspace `slug` as an HTTP body, written while it is sent. Errors after
/// the first byte end the body with an error, so the client sees a broken download rather
/// than a short one.
pub fn document_body(db: Db, slug: String) -> axum::body::Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    tokio::spawn(async move {
        if let Err(e) = write_document(&db, &slug, Sink::Channel(tx.clone())).await {
            tracing::error!(workspace = %slug, "export failed: {e:#}");
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    // Fused: a layer that polls once more after the end (the compression layer does) gets
    // the end again, where a bare `unfold` would panic.
    let chunks =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        }));
    axum::body::Body::from_stream(chunks)
}
