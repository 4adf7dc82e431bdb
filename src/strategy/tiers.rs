//! Priority tiers (PRODUCT.md, Definitions): the tier of a backlog item for a quarter is the
//! position (1 = top) of its initiative's priority in that quarter; children without an
//! initiative take their parent's; everything else is unaligned (`None`). The rule is pure; the
//! lookup of initiative → position is one query.

use std::collections::HashMap;

use super::Quarter;
use crate::db::Db;
use crate::error::Result;
use crate::with_pool;

/// Positions of a quarter's priorities, by the initiatives that serve them.
pub type InitiativeTiers = HashMap<i64, i64>;

/// The tier of an item from its own initiative, else its parent's; `None` is unaligned.
pub fn tier(own: Option<i64>, parent: Option<i64>, tiers: &InitiativeTiers) -> Option<i64> {
    match own {
        Some(i) => tiers.get(&i).copied(),
        None => parent.and_then(|p| tiers.get(&p).copied()),
    }
}

/// initiative id → position of the priority it serves in `quarter` (1 = top), for one product.
pub async fn initiative_tiers(
    db: &Db,
    product_id: i64,
    quarter: Quarter,
) -> Result<InitiativeTiers> {
    let rows: Vec<(i64, i64)> = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT pi.initiative_id,
                (SELECT COUNT(*) FROM priorities o WHERE o.product_id = pr.product_id AND o.quarter = pr.quarter AND o.rank <= pr.rank)
         FROM priority_initiatives pi JOIN priorities pr ON pr.id = pi.priority_id
         WHERE pr.product_id = $1 AND pi.quarter = $2")
        .bind(product_id).bind(quarter.to_string()).fetch_all(p).await)?;
    Ok(rows.into_iter().collect())
}

/// The tier of every item of a product in `quarter`, as (item id, tier); for the backlog,
/// alignment and inversion rules of the next layer.
pub async fn item_tiers(
    db: &Db,
    product_id: i64,
    quarter: Quarter,
) -> Result<Vec<(i64, Option<i64>)>> {
    let tiers = initiative_tiers(db, product_id, quarter).await?;
    let rows: Vec<(i64, Option<i64>, Option<i64>)> = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT i.id, i.initiative_id, par.initiative_id FROM items i LEFT JOIN items par ON par.id = i.parent_id
         WHERE i.product_id = $1 ORDER BY i.rank")
        .bind(product_id).fetch_all(p).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, own, parent)| (id, tier(own, parent, &tiers)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_take_their_initiatives_tier_or_their_parents() {
        let tiers: InitiativeTiers = [(10, 1), (20, 2)].into_iter().collect();
        assert_eq!(tier(Some(20), None, &tiers), Some(2));
        assert_eq!(
            tier(None, Some(10), &tiers),
            Some(1),
            "a child takes its parent's tier"
        );
        assert_eq!(
            tier(Some(30), Some(10), &tiers),
            None,
            "its own initiative has no priority: unaligned"
        );
        assert_eq!(tier(None, None, &tiers), None);
    }
}
