//! Export and restore (PRODUCT.md D3): a lossless, versioned JSON document of one workspace,
//! restored into an empty database; and the backlog as Jira CSV.
//!
//! The document is a table-driven dump, so it follows every migration without a hand-written
//! mapping per entity:
//!
//! ```text
//! {"format":"throughline-export","version":1,"schema":10,"workspace":"acme","tables":{
//! "users":[
//! {"created_at":"2026-01-05T09:00:00.000000Z","email":"ann@example.com",…},
//! …
//! ]}}
//! ```
//!
//! Tables come in dependency order ([`tables::TABLES`]), rows by primary key, keys of a row
//! sorted, one row a line. Each value is typed by its column ([`Kind`]): integers, text,
//! booleans, reals, story points (stored in hundredths, written as the number of points: 3 or
//! 0.5, read back exactly), and times in one RFC 3339 form with microseconds and `Z`, so SQLite and
//! PostgreSQL write the same bytes and export → restore → export is byte-identical. Every
//! table is read in one read transaction, so an export taken while people work is consistent.
//!
//! The accounts that go in are the ones the workspace's rows name (members, authors, actors,
//! assignees: every column of kind [`Kind::User`]). Restore ([`restore`]) writes into an empty,
//! migrated database in one transaction, keeping ids; it sets self-references after their
//! table's rows, writes trigger-kept sums back as exported, and on PostgreSQL moves each
//! identity sequence past the restored ids.
//!
//! Secrets, decided one by one:
//! - `users.password_hash` goes in: people must sign in again after a restore, and an argon2
//!   hash is what the database itself keeps. The file is therefore as sensitive as a backup.
//! - `webhooks.secret` and `roadmap_shares.token_hash` go in: they belong to the workspace,
//!   and without them webhooks would sign differently and share links would break.
//! - `sessions`, `api_tokens` and `login_attempts` stay out ([`tables::LEFT_OUT`]): they
//!   belong to an account across all its workspaces, not to one workspace; a restore is a new
//!   start where people sign in and create tokens again, and a leaked export opens no session.
//! - `import_uploads` stays out too: files waiting at most an hour for the Import page's
//!   confirmation, which a restore would not confirm.
//!
//! Throughline keeps no uploaded files beyond those short-lived import uploads, so there is no
//! file metadata to carry.

pub mod jira;
pub mod read;
pub mod restore;
pub mod schema;
pub mod store;
pub mod tables;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::points::Points;

/// The `format` every document carries.
pub const FORMAT: &str = "throughline-export";
/// The document layout this code writes and reads.
pub const VERSION: i64 = 1;

/// What a column holds, and so how its values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Int,
    /// An integer naming a user: such columns decide which accounts go with the workspace.
    User,
    Text,
    Bool,
    Real,
    /// Story points (hundredths in the database), written as the number of points.
    Points,
    Time,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

/// How a table's rows reach their workspace; `$1` in the filters is the workspace id.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// The accounts the workspace's rows refer to (members, authors, actors).
    Users,
    /// The workspace row itself.
    Workspace,
    /// A `workspace_id` column.
    Own(&'static str),
    /// A column holding the id of a row of another table that is in the workspace.
    Via(&'static str, &'static str),
    /// `watchers`: an entity type and id, an item or a sprint.
    Watched,
}

#[derive(Clone, Debug)]
pub struct Table {
    pub name: &'static str,
    pub key: &'static [&'static str],
    pub scope: Scope,
    pub columns: Vec<Column>,
    /// Columns that point into the same table: restored as NULL, then set once every row of
    /// the table is in, since a row may point at one with a larger key.
    pub set_after: &'static [&'static str],
    /// Columns that triggers keep (sums over other tables): restored, then written again once
    /// every table is in, so the stored value is the exported one whatever the triggers did.
    pub kept_by_triggers: &'static [&'static str],
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Column positions in the order a row's keys are written (sorted by name).
    pub fn sorted_positions(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.columns.len()).collect();
        idx.sort_by_key(|&i| self.columns[i].name);
        idx
    }
}

/// One value of a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null(Kind),
    Int(i64),
    Text(String),
    Bool(bool),
    Real(f64),
    Points(Points),
    Time(DateTime<Utc>),
}

/// The one text form of a time in the document.
pub fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl Cell {
    /// The value as JSON text.
    pub fn to_json(&self) -> String {
        match self {
            Cell::Null(_) => "null".into(),
            Cell::Int(n) => n.to_string(),
            Cell::Text(s) => serde_json::Value::String(s.clone()).to_string(),
            Cell::Bool(b) => b.to_string(),
            // A stored real is finite; serde_json writes the shortest form that reads back equal.
            Cell::Real(x) => serde_json::Number::from_f64(*x)
                .map(|n| n.to_string())
                .unwrap_or_else(|| "null".into()),
            Cell::Points(p) => serde_json::to_string(p).unwrap_or_else(|_| "null".into()),
            Cell::Time(t) => format!("\"{}\"", time_text(t)),
        }
    }

    /// The value a document gives for a column, or why it does not fit.
    pub fn from_json(col: &Column, v: &serde_json::Value) -> Result<Cell, String> {
        use serde_json::Value as V;
        let want = match col.kind {
            Kind::Int | Kind::User => "an integer",
            Kind::Text => "a string",
            Kind::Bool => "true or false",
            Kind::Real => "a number",
            Kind::Points => "a number of points with at most two decimals",
            Kind::Time => "an RFC 3339 time",
        };
        let cell = match (col.kind, v) {
            (_, V::Null) if col.nullable => Some(Cell::Null(col.kind)),
            (Kind::Int | Kind::User, V::Number(n)) => n.as_i64().map(Cell::Int),
            (Kind::Text, V::String(s)) => Some(Cell::Text(s.clone())),
            (Kind::Bool, V::Bool(b)) => Some(Cell::Bool(*b)),
            (Kind::Real, V::Number(n)) => n.as_f64().map(Cell::Real),
            (Kind::Points, V::Number(_)) => {
                serde_json::from_value(v.clone()).ok().map(Cell::Points)
            }
            (Kind::Time, V::String(s)) => DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| Cell::Time(t.with_timezone(&Utc))),
            _ => None,
        };
        cell.ok_or_else(|| {
            let null = if col.nullable { " or null" } else { "" };
            format!("expected {want}{null}, found {v}")
        })
    }
}

/// What an export holds: rows and bytes per table, for the Export page and `export --json`.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(as = ExportSummary)]
pub struct Summary {
    pub workspace: String,
    pub schema: i64,
    pub tables: Vec<TableSize>,
    /// The whole document.
    pub bytes: u64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ExportTableSize)]
pub struct TableSize {
    pub table: String,
    pub rows: u64,
    /// This table's part of the document.
    pub bytes: u64,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(kind: Kind, nullable: bool) -> Column {
        Column {
            name: "c",
            kind,
            nullable,
        }
    }

    #[test]
    fn times_have_one_form() {
        let t = DateTime::parse_from_rfc3339("2026-03-04T05:06:07+02:00").unwrap();
        let cell = Cell::Time(t.with_timezone(&Utc));
        assert_eq!(cell.to_json(), "\"2026-03-04T03:06:07.000000Z\"");
    }

    #[test]
    fn values_read_back_as_written() {
        let cases = [
            (col(Kind::Int, false), Cell::Int(-42)),
            (col(Kind::Text, false), Cell::Text("a \"q\"\n é".into())),
            (col(Kind::Bool, false), Cell::Bool(true)),
            (col(Kind::Real, false), Cell::Real(0.1)),
            (col(Kind::Real, false), Cell::Real(3.0)),
            (col(Kind::Int, true), Cell::Null(Kind::Int)),
            (col(Kind::Points, false), Cell::Points(Points::whole(3))),
            (
                col(Kind::Points, false),
                Cell::Points("0.5".parse().unwrap()),
            ),
            (
                col(Kind::Points, false),
                Cell::Points("18.25".parse().unwrap()),
            ),
            (col(Kind::Points, true), Cell::Null(Kind::Points)),
        ];
        for (c, cell) in cases {
            let v: serde_json::Value = serde_json::from_str(&cell.to_json()).unwrap();
            assert_eq!(Cell::from_json(&c, &v), Ok(cell));
        }
    }

    #[test]
    fn values_of_the_wrong_type_are_refused_with_the_reason() {
        let v = serde_json::json!("7");
        assert_eq!(
            Cell::from_json(&col(Kind::Int, false), &v),
            Err("expected an integer, found \"7\"".into())
        );
        let null = serde_json::Value::Null;
        assert!(Cell::from_json(&col(Kind::Text, false), &null).is_err());
        assert!(Cell::from_json(&col(Kind::Time, false), &serde_json::json!("yesterday")).is_err());
        let thirds = Cell::from_json(&col(Kind::Points, false), &serde_json::json!(0.333));
        assert!(thirds.is_err(), "{thirds:?}");
        assert_eq!(Cell::Points(Points::whole(3)).to_json(), "3");
        assert_eq!(Cell::Points("0.5".parse().unwrap()).to_json(), "0.5");
    }
}
