//! The export's table map against the migrated database: every table and column is exported
//! (or left out on purpose), with the type and nullability the database has, and parents come
//! before the rows that point at them. A migration that adds a table or a column fails here
//! until the export knows it, so nothing is silently dropped.

use std::collections::{BTreeMap, BTreeSet};

use throughline::db::Pool;
use throughline::export::tables::{DERIVED, LEFT_OUT, TABLES};
use throughline::export::Kind;

use crate::support::spawn_app;

/// (table → [(column, type, nullable)]) and the foreign keys (table, column, parent).
type Columns = BTreeMap<String, Vec<(String, String, bool)>>;

async fn introspect(pool: &Pool) -> (Columns, Vec<(String, String, String)>) {
    let mut cols = Columns::new();
    let mut fks = Vec::new();
    match pool {
        Pool::Sqlite(p) => {
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
                 AND name <> '_sqlx_migrations' AND name NOT LIKE '%_fts%'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for t in names {
                let c: Vec<(String, String, bool)> = sqlx::query_as(
                    "SELECT name, upper(type), \"notnull\" = 0 AND pk = 0 FROM pragma_table_info($1)",
                )
                .bind(&t)
                .fetch_all(p)
                .await
                .unwrap();
                let f: Vec<(String, String)> =
                    sqlx::query_as("SELECT \"from\", \"table\" FROM pragma_foreign_key_list($1)")
                        .bind(&t)
                        .fetch_all(p)
                        .await
                        .unwrap();
                fks.extend(f.into_iter().map(|(c, parent)| (t.clone(), c, parent)));
                cols.insert(t, c);
            }
        }
        Pool::Postgres(p) => {
            let c: Vec<(String, String, String, bool)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable = 'YES'
                 FROM information_schema.columns c JOIN information_schema.tables t
                   ON t.table_name = c.table_name AND t.table_schema = c.table_schema
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                   AND c.table_name <> '_sqlx_migrations'
                 ORDER BY c.table_name, c.ordinal_position",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (t, name, ty, null) in c {
                cols.entry(t).or_default().push((name, ty, null));
            }
            fks = sqlx::query_as(
                "SELECT conrelid::regclass::text, a.attname::text, confrelid::regclass::text
                 FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
                 WHERE c.contype = 'f'",
            )
            .fetch_all(p)
            .await
            .unwrap();
        }
    }
    (cols, fks)
}

/// The database types a kind may be stored as (SQLite keeps times as TEXT).
fn types_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        // Story points are hundredths of a point in an integer column.
        Kind::Int | Kind::User | Kind::Points => &["bigint", "INTEGER", "BIGINT"],
        Kind::Text => &["text", "TEXT"],
        Kind::Bool => &["boolean", "BOOLEAN"],
        Kind::Real => &["double precision", "REAL", "DOUBLE PRECISION"],
        Kind::Time => &["timestamp with time zone", "TEXT"],
    }
}

#[tokio::test]
async fn the_export_knows_every_table_and_column_of_the_database() {
    let app = spawn_app().await;
    let (db_cols, fks) = introspect(&app.db.read).await;
    let known: BTreeSet<&str> = TABLES
        .iter()
        .map(|t| t.name)
        .chain(LEFT_OUT.iter().map(|(t, _)| *t))
        .collect();
    let in_db: BTreeSet<&str> = db_cols.keys().map(String::as_str).collect();
    assert_eq!(
        in_db, known,
        "tables the export map does not know, or knows but the database lacks"
    );
    for t in TABLES.iter() {
        let mut expected: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
        let mut actual: Vec<&str> = db_cols[t.name]
            .iter()
            .map(|(c, _, _)| c.as_str())
            .filter(|c| !DERIVED.contains(&(t.name, *c)))
            .collect();
        expected.sort();
        actual.sort();
        assert_eq!(actual, expected, "columns of {}", t.name);
        for (name, ty, nullable) in &db_cols[t.name] {
            let Some(c) = t.column(name) else { continue };
            assert!(
                types_of(c.kind).contains(&ty.as_str()),
                "{}.{name}: {ty} is not {:?}",
                t.name,
                c.kind
            );
            // SQLite reports an INTEGER PRIMARY KEY as nullable; the key columns are never NULL.
            if !t.key.contains(&c.name) {
                assert_eq!(*nullable, c.nullable, "{}.{name}: nullable", t.name);
            }
        }
    }
    let position = |name: &str| TABLES.iter().position(|t| t.name == name);
    for (table, column, parent) in fks {
        let (Some(child), Some(p)) = (position(&table), position(&parent)) else {
            continue; // a left-out table
        };
        let later = TABLES[child].set_after.contains(&column.as_str());
        assert!(
            p < child || later,
            "{table}.{column} points at {parent}, which is restored later"
        );
        if p == child {
            assert!(
                later,
                "{table}.{column} points into its own table but is not set after the rows"
            );
        }
    }
}
