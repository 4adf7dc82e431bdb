//! A product's counts of changes to what its backlog listing and its sprint boards show, for
//! the results a server keeps while they stay the same (`crate::db::kept`).
//!
//! `backlog_versions` counts the items and what hangs on them (labels, evidence, exemptions,
//! status events, dependencies), the sprints and their scope, the teams' names and WIP limits
//! and the members' names (migrations 0033, 0034, and 0039, where PostgreSQL's bulk inserts
//! queue their bump once per statement); `roadmap_versions` counts the initiatives
//! and the quarter's priorities (0032). Both are kept by triggers, so every writer bumps them:
//! the API, the CLI, an import, another server process. A count of -1 stands for a product
//! without one (none is ever kept under it twice: the first change makes a count).

use crate::db::batch::{Read, Rows};

/// The product's backlog count and roadmap count.
pub type Counts = (i64, i64);

/// The counts of the product whose id is the expression `id`, as two columns named
/// `backlog_count` and `roadmap_count` (a statement may join them to more: a page's prologue).
pub fn columns(id: &str) -> String {
    format!(
        "COALESCE((SELECT version FROM backlog_versions WHERE product_id = {id}), -1) AS backlog_count,
         COALESCE((SELECT version FROM roadmap_versions WHERE product_id = {id}), -1) AS roadmap_count"
    )
}

/// The counts of [`columns`] in the first of `rows`; none without rows.
pub fn of_columns(rows: &Rows) -> sqlx::Result<Counts> {
    #[derive(sqlx::FromRow)]
    struct Named {
        backlog_count: Option<i64>,
        roadmap_count: Option<i64>,
    }
    Ok(rows.first::<Named>()?.map_or((-1, -1), |n| {
        (n.backlog_count.unwrap_or(-1), n.roadmap_count.unwrap_or(-1))
    }))
}

/// The counts of the product `product_id`.
pub fn counts_read(product_id: i64) -> Read<Counts> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {} FROM products p WHERE p.id = $1", columns("p.id"))
    });
    Read::query(SQL.as_str(), vec![product_id.into()], |rows| {
        Ok(rows.first()?.unwrap_or((-1, -1)))
    })
}
