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

use crate::db::batch::Read;

/// The product's backlog count and roadmap count.
pub type Counts = (i64, i64);

const COUNTS: &str =
    "SELECT COALESCE((SELECT version FROM backlog_versions WHERE product_id = p.id), -1),
            COALESCE((SELECT version FROM roadmap_versions WHERE product_id = p.id), -1)";

/// The counts of the product `product_id`.
pub fn counts_read(product_id: i64) -> Read<Counts> {
    Read::query(
        format!("{COUNTS} FROM products p WHERE p.id = $1"),
        vec![product_id.into()],
        |rows| Ok(rows.first()?.unwrap_or((-1, -1))),
    )
}

/// The counts of the product `key` of the workspace `slug`, before its id is known (a page's
/// prologue reads them with who asks; whether they may see it is the prologue's to check).
pub fn counts_by_key_read(slug: &str, key: &str) -> Read<Counts> {
    Read::query(
        format!(
            "{COUNTS} FROM products p JOIN workspaces w ON w.id = p.workspace_id
             WHERE w.slug = $1 AND p.key = $2"
        ),
        vec![slug.into(), key.to_uppercase().into()],
        |rows| Ok(rows.first()?.unwrap_or((-1, -1))),
    )
}
