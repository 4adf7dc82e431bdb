//! SQL for assessing the readiness of many items at once (an import linking thousands of items
//! to their epics' initiatives): their rows, criteria and open questions in three statements,
//! and their readiness stored a thousand a statement.

use std::collections::HashMap;

use super::store::{ItemRow, ROW_COLUMNS};
use crate::db::batch::{Arg, Read};
use crate::ids::ItemId;

/// The rows, criteria and open blocking questions of the items `ids` (the ones that exist), to
/// assess their readiness together: three statements whatever their number, so keep `ids` to a
/// few thousand (one mark each).
pub fn readiness_inputs_read(ids: &[ItemId]) -> Read<Vec<(ItemRow, Vec<String>, i64)>> {
    let marks = crate::db::list_marks(ids.len());
    let args: Vec<Arg> = ids.iter().map(|&id| i64::from(id).into()).collect();
    let rows = Read::query(
        format!("SELECT {ROW_COLUMNS} FROM items i WHERE i.id IN ({marks})"),
        args.clone(),
        |r| r.all::<ItemRow>(),
    );
    let criteria = Read::query(
        format!(
            "SELECT item_id, text FROM criteria WHERE item_id IN ({marks}) ORDER BY item_id, position"
        ),
        args.clone(),
        |r| r.all::<(ItemId, String)>(),
    );
    let open = Read::query(
        format!(
            "SELECT item_id, COUNT(*) FROM questions
             WHERE item_id IN ({marks}) AND answered_at IS NULL AND blocking GROUP BY item_id"
        ),
        args,
        |r| r.all::<(ItemId, i64)>(),
    );
    rows.and(criteria)
        .and(open)
        .map(|((rows, criteria), open)| {
            let mut texts: HashMap<ItemId, Vec<String>> = HashMap::new();
            for (id, text) in criteria {
                texts.entry(id).or_default().push(text);
            }
            let open: HashMap<ItemId, i64> = open.into_iter().collect();
            Ok(rows
                .into_iter()
                .map(|row| {
                    let c = texts.remove(&row.id).unwrap_or_default();
                    let o = open.get(&row.id).copied().unwrap_or(0);
                    (row, c, o)
                })
                .collect())
        })
}

/// Stores the readiness of many items, as (item, ready, reasons as JSON): one statement per
/// [`READINESS_PER_STATEMENT`] items, all in one round trip.
pub fn set_readiness_many_read(set: Vec<(ItemId, bool, String)>) -> Read<()> {
    let mut writes = Read::ready(());
    let mut set = set.into_iter().peekable();
    while set.peek().is_some() {
        let chunk: Vec<_> = set.by_ref().take(READINESS_PER_STATEMENT).collect();
        let sql = format!(
            "UPDATE items SET ready = v.column2, readiness = v.column3
             FROM (VALUES {}) AS v WHERE items.id = v.column1",
            crate::db::row_marks(false, chunk.len(), 3)
        );
        let args = chunk
            .into_iter()
            .flat_map(|(id, ready, json)| [i64::from(id).into(), ready.into(), json.into()])
            .collect();
        writes = writes.then(Read::exec(sql, args));
    }
    writes
}

/// Items per statement of [`set_readiness_many_read`]: 3 marks each, far below the limits on
/// bound parameters (32,766 on SQLite, 65,535 on PostgreSQL).
const READINESS_PER_STATEMENT: usize = 1_000;
