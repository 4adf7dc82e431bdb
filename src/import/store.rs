//! SQL for imports: items by external key, and the columns only an import writes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::backlog::store::{ItemRow, ROW_COLUMNS};
use crate::db::batch::{Arg, Read};
use crate::db::Tx;
use crate::error::Result;
use crate::ids::ItemId;
use crate::{exec, on};

/// An item a previous import brought in, as stored now.
pub struct Existing {
    pub row: ItemRow,
    pub labels: Vec<String>,
    pub external_updated: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Keyed {
    external_key: String,
    external_updated: Option<DateTime<Utc>>,
    #[sqlx(flatten)]
    row: ItemRow,
}

/// Every item of the product that carries an external key, with its labels, in two queries.
pub async fn existing(tx: &mut Tx, product_id: i64) -> Result<HashMap<String, Existing>> {
    let sql = format!(
        "SELECT i.external_key, i.external_updated, {ROW_COLUMNS} FROM items i
         WHERE i.product_id = $1 AND i.external_key IS NOT NULL"
    );
    let rows: Vec<Keyed> =
        on!(&mut tx.conn(), t => sqlx::query_as(&sql).bind(product_id).fetch_all(&mut **t).await)?;
    let labels: Vec<(ItemId, String)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT l.item_id, l.label FROM item_labels l JOIN items i ON i.id = l.item_id
         WHERE i.product_id = $1 AND i.external_key IS NOT NULL ORDER BY l.label")
        .bind(product_id).fetch_all(&mut **t).await)?;
    let mut by_id: HashMap<ItemId, Vec<String>> = HashMap::new();
    for (id, label) in labels {
        by_id.entry(id).or_default().push(label);
    }
    Ok(rows
        .into_iter()
        .map(|k| {
            let labels = by_id.remove(&k.row.id).unwrap_or_default();
            let e = Existing {
                row: k.row,
                labels,
                external_updated: k.external_updated,
            };
            (k.external_key, e)
        })
        .collect())
}

/// The source's time of its latest change, after an update from it.
pub async fn set_external_updated(
    tx: &mut Tx,
    id: ItemId,
    updated: Option<DateTime<Utc>>,
) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET external_updated = $1 WHERE id = $2")
        .bind(updated).bind(id))?;
    Ok(())
}

/// Links just-created items to their parents, as (item, parent) pairs (part of their creation,
/// so no new version).
pub async fn set_parents(tx: &mut Tx, pairs: &[(ItemId, ItemId)]) -> Result<()> {
    // One statement per PARENTS_PER_STATEMENT pairs and all of them in one round trip: an
    // import of thousands of children made one round trip each.
    let mut writes = Read::ready(());
    for chunk in pairs.chunks(PARENTS_PER_STATEMENT) {
        let sql = format!(
            "UPDATE items SET parent_id = v.column2 FROM (VALUES {}) AS v WHERE items.id = v.column1",
            crate::db::row_marks(false, chunk.len(), 2)
        );
        let args = chunk
            .iter()
            .flat_map(|&(id, parent)| [Arg::from(i64::from(id)), Arg::from(i64::from(parent))])
            .collect();
        writes = writes.then(Read::exec(sql, args));
    }
    Ok(writes.run(&mut tx.conn()).await?)
}

/// Pairs of [`set_parents`] per statement: 2 arguments each, far below the bound-parameter
/// limits (32,766 on SQLite, 65,535 on PostgreSQL).
const PARENTS_PER_STATEMENT: usize = 1_000;
