//! Priority tiers on the backlog (G2): each item's tier this quarter, inversions flagged in
//! advisory mode and refused in strict mode unless the PO records an exemption (which the PM
//! may revoke), and the product's tier settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{inverted, tier_label, Placed};
use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::cards::Cards;
use crate::db::batch::{Arg, Read};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId};
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;
use crate::{exec, on};

/// One backlog position with its tier: (id, number, tier, exempt), top first.
pub struct Ordered {
    pub id: ItemId,
    pub number: i64,
    pub placed: Placed,
}

const ORDER_SQL: &str = "SELECT i.id, i.number, COALESCE(pi.priority_id, ppi.priority_id) AS priority_id,
        EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL) AS exempt
    FROM items i LEFT JOIN items par ON par.id = i.parent_id
    LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
    LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
    WHERE i.product_id = $1 AND i.status <> 'done' ORDER BY i.rank";

type Row = (ItemId, i64, Option<i64>, bool);

fn placed(rows: Vec<Row>, priorities: &[i64]) -> Vec<Ordered> {
    rows.into_iter()
        .map(|(id, number, pid, exempt)| Ordered {
            id,
            number,
            placed: Placed {
                id,
                tier: pid.and_then(|p| priorities.iter().position(|x| *x == p).map(|i| i + 1)),
                exempt,
            },
        })
        .collect()
}

/// The whole backlog, top first, with each item's tier in `q` (PRODUCT.md, Definitions: its
/// initiative's priority, else its parent's); empty when the quarter has no priorities.
pub async fn order(
    db: &Db,
    product_id: i64,
    q: Quarter,
) -> Result<(Vec<(i64, String)>, Vec<Ordered>)> {
    let prios: Vec<(i64, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, title FROM priorities WHERE product_id = $1 AND quarter = $2 ORDER BY rank")
        .bind(product_id).bind(q.to_string()).fetch_all(&mut **c).await)?;
    if prios.is_empty() {
        return Ok((prios, Vec::new()));
    }
    let rows: Vec<Row> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(ORDER_SQL).bind(product_id).bind(q.to_string()).fetch_all(&mut **c).await)?;
    let ids: Vec<i64> = prios.iter().map(|p| p.0).collect();
    Ok((prios, placed(rows, &ids)))
}

/// The quarter's ($2) priorities top first, each joined to its initiatives, with each
/// initiative's top-most open unexempted item below rank $3 (its rank and number): one index
/// probe per initiative, in rank order, whatever the backlog's size.
const DIRECT_BELOW: &str = "SELECT pr.id,
        (SELECT i.rank FROM items i WHERE i.initiative_id = pi.initiative_id AND i.rank > $3 AND i.status <> 'done'
           AND NOT EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL)
         ORDER BY i.rank LIMIT 1),
        (SELECT i.number FROM items i WHERE i.initiative_id = pi.initiative_id AND i.rank > $3 AND i.status <> 'done'
           AND NOT EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL)
         ORDER BY i.rank LIMIT 1)
    FROM priorities pr LEFT JOIN priority_initiatives pi ON pi.priority_id = pr.id AND pi.quarter = pr.quarter
    WHERE pr.product_id = $1 AND pr.quarter = $2 ORDER BY pr.rank";

/// The open unexempted children without an initiative of their own below rank $3 whose
/// parent's initiative serves a priority of the quarter ($2): one read of the index of such
/// children (migration 0028), whatever the number of parents.
const CHILDREN_BELOW: &str = "SELECT ppi.priority_id, i.rank, i.number
    FROM items i JOIN items par ON par.id = i.parent_id
    JOIN priority_initiatives ppi ON ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
    WHERE i.product_id = $1 AND i.parent_id IS NOT NULL AND i.initiative_id IS NULL
      AND i.rank > $3 AND i.status <> 'done'
      AND NOT EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL)";

/// Notes `found` (rank, number) for priority `pid` when it ranks above what the priority
/// has so far; a priority is listed once, in the order first seen (top first).
fn keep_first(
    firsts: &mut Vec<(i64, Option<(String, i64)>)>,
    pid: i64,
    found: Option<(String, i64)>,
) {
    let at = match firsts.iter().position(|(p, _)| *p == pid) {
        Some(at) => at,
        None => {
            firsts.push((pid, None));
            firsts.len() - 1
        }
    };
    if let Some((rank, number)) = found {
        let slot = &mut firsts[at].1;
        // Ranks compare bytewise, as the column's collation does on both databases.
        if slot.as_ref().is_none_or(|(r, _)| rank < *r) {
            *slot = Some((rank, number));
        }
    }
}

/// Per priority of the quarter, top first: the number of its top-most open unexempted item
/// below rank `below`, through its initiatives or as a child without one of their items.
fn first_below_read(product_id: i64, quarter: &str, below: &str) -> Read<Vec<(i64, Option<i64>)>> {
    type Found = (i64, Option<String>, Option<i64>);
    let args = || vec![product_id.into(), quarter.into(), below.into()];
    let direct = Read::query(DIRECT_BELOW, args(), |rows| rows.all::<Found>());
    let children = Read::query(CHILDREN_BELOW, args(), |rows| {
        rows.all::<(i64, String, i64)>()
    });
    direct.and(children).map(|(direct, children)| {
        let mut firsts: Vec<(i64, Option<(String, i64)>)> = Vec::new();
        for (pid, rank, number) in direct {
            keep_first(&mut firsts, pid, rank.zip(number));
        }
        for (pid, rank, number) in children {
            if firsts.iter().any(|(p, _)| *p == pid) {
                keep_first(&mut firsts, pid, Some((rank, number)));
            }
        }
        Ok(firsts
            .into_iter()
            .map(|(pid, first)| (pid, first.map(|(_, n)| n)))
            .collect())
    })
}

/// Each item's tier, the key of the item its order inverts with, and whether it is exempt.
pub type Flags = std::collections::HashMap<ItemId, (Option<usize>, Option<String>, bool)>;

/// For the items of one backlog page (top first): each one's tier, when it sits above a
/// higher tier anywhere below it the key of the first such item, and whether it is exempt
/// from the tier order (or done, which no inversion counts). Three small statements in one
/// round trip whatever the backlog's size: the best tier below the page (directly and through
/// parents), and the page's own tiers.
pub fn flags_read(product_id: i64, product_key: &str, page: &[(ItemId, String)]) -> Read<Flags> {
    let Some((_, last_rank)) = page.last() else {
        return Read::ready(Flags::new());
    };
    let q = Quarter::of(crate::strategy::today()).to_string();
    // The quarter's priorities, top first, each with its top-most unexempted item below the
    // page: one index probe per initiative, whatever the backlog's size.
    let below = first_below_read(product_id, &q, last_rank);
    let marks: Vec<String> = (3..3 + page.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT i.id, i.number, COALESCE(pi.priority_id, ppi.priority_id),
                (i.status = 'done' OR EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL))
         FROM items i LEFT JOIN items par ON par.id = i.parent_id
         LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
         LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
         WHERE i.product_id = $1 AND i.id IN ({})",
        marks.join(",")
    );
    let mut args = vec![Arg::from(product_id), Arg::from(q)];
    args.extend(page.iter().map(|(id, _)| Arg::from(i64::from(*id))));
    let rows = Read::query(sql, args, |rows| rows.all::<Row>());
    let page: Vec<ItemId> = page.iter().map(|(id, _)| *id).collect();
    let product_key = product_key.to_string();
    below
        .and(rows)
        .map(move |(below, rows)| Ok(flags_of(&product_key, &page, &below, &rows)))
}

/// [`flags_read`]'s rule over what it read.
fn flags_of(
    product_key: &str,
    page: &[ItemId],
    below: &[(i64, Option<i64>)],
    rows: &[Row],
) -> Flags {
    let mut out = Flags::with_capacity(page.len());
    let prios: Vec<i64> = below.iter().map(|b| b.0).collect();
    if prios.is_empty() {
        return out;
    }
    let tier_of =
        |pid: Option<i64>| pid.and_then(|p| prios.iter().position(|x| *x == p).map(|i| i + 1));
    // The best-placed aligned item below the page: the highest priority first.
    let mut best: Option<(usize, i64)> = below
        .iter()
        .enumerate()
        .find_map(|(i, (_, n))| n.map(|n| (i + 1, n)));
    for id in page.iter().rev() {
        let Some((_, number, pid, exempt)) = rows.iter().find(|r| r.0 == *id) else {
            continue;
        };
        let tier = tier_of(*pid);
        let inversion = match (exempt, best) {
            (false, Some((t, n))) if inverted(tier, Some(t)) => Some(format!("{product_key}-{n}")),
            _ => None,
        };
        out.insert(*id, (tier, inversion, *exempt));
        if let (Some(t), false) = (tier, exempt) {
            if best.is_none_or(|(b, _)| t <= b) {
                best = Some((t, *number));
            }
        }
    }
    out
}

/// The product's tier policy (`advisory` or `strict`), read inside the move's transaction with
/// the items it moves.
pub fn policy_read(product_id: i64) -> Read<String> {
    Read::query(
        "SELECT tier_policy FROM products WHERE id = $1",
        vec![product_id.into()],
        |rows| Ok(rows.one::<(String,)>()?.0),
    )
}

/// What a move is weighed by: the product's tier policy and, in strict mode when this
/// quarter has priorities, the priorities top first and the moved items' tiers (by their
/// numbers, `numbers`). Read with the move's BEGIN, and nothing more than the policy for a
/// product in advisory mode: its conditions are in the statements.
pub struct MoveTiers {
    policy: String,
    quarter: Quarter,
    prios: Vec<(i64, String)>,
    rows: Vec<MovedRow>,
}

/// [`MoveTiers`] as a read for the statements that begin the move.
pub fn move_tiers_read(product_id: i64, numbers: &[i64]) -> Read<MoveTiers> {
    const STRICT: &str = "EXISTS (SELECT 1 FROM products WHERE id = $1 AND tier_policy = 'strict')";
    let quarter = Quarter::of(crate::strategy::today());
    let prios = Read::query(
        format!(
            "SELECT id, title FROM priorities WHERE product_id = $1 AND quarter = $2 AND {STRICT} ORDER BY rank"
        ),
        vec![product_id.into(), quarter.to_string().into()],
        |rows| rows.all::<(i64, String)>(),
    );
    let rows = if numbers.is_empty() {
        Read::ready(Vec::new())
    } else {
        let marks: Vec<String> = (3..3 + numbers.len()).map(|i| format!("${i}")).collect();
        let mut args: Vec<Arg> = vec![product_id.into(), quarter.to_string().into()];
        args.extend(numbers.iter().map(|n| Arg::from(*n)));
        Read::query(
            format!(
                "SELECT i.id, i.number, COALESCE(pi.priority_id, ppi.priority_id) AS priority_id, {EXEMPT} AS exempt, i.rank, i.status
                 FROM items i LEFT JOIN items par ON par.id = i.parent_id
                 LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
                 LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
                 WHERE i.product_id = $1 AND i.number IN ({}) AND {STRICT}",
                marks.join(",")
            ),
            args,
            |rows| rows.all::<MovedRow>(),
        )
    };
    policy_read(product_id)
        .and(prios)
        .and(rows)
        .map(move |((policy, prios), rows)| {
            Ok(MoveTiers {
                policy,
                quarter,
                prios,
                rows,
            })
        })
}

/// In strict mode, refuses a move that would create a new inversion with a moved item, unless
/// the caller gives an exemption reason (recorded for each moved item in `tx`). `moving` is the
/// block in the order it lands, between the rest of the backlog's `lo` and `hi` ranks (None:
/// the top or the bottom). Inversions already there (an override's, a carried item's) are not
/// the mover's doing and never block a move; Done items are never part of one.
///
/// Only items whose order relative to a moved item changes can form a new pair: those it
/// passes on its way down (between its old rank and `lo`) or up (between `hi` and its old
/// rank). For each moved item one query finds the first of those whose tier would then be
/// inverted with it, stopping at the first hit; the pure [`super::move_inversion`] states the rule.
pub async fn check_move(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    tiers: &MoveTiers,
    moving: &[ItemId],
    (lo, hi): (Option<&str>, Option<&str>),
    exemption: Option<&str>,
) -> Result<()> {
    let MoveTiers {
        policy,
        quarter: q,
        prios,
        rows,
    } = tiers;
    if policy != "strict" || moving.is_empty() || prios.is_empty() {
        return Ok(());
    }
    let q = *q;
    let ids: Vec<i64> = prios.iter().map(|p| p.0).collect();
    let tier_of =
        |pid: Option<i64>| pid.and_then(|p| ids.iter().position(|x| *x == p).map(|i| i + 1));
    // In block order; exempt and Done items take no part in inversions.
    let live: Vec<&MovedRow> = moving
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.id == *id))
        .filter(|r| !r.exempt && r.status != "done")
        .collect();
    // The new pair, as (number, tier) above and below.
    type Pair = ((i64, Option<usize>), (i64, Option<usize>));
    let mut found: Option<Pair> = None;
    for m in &live {
        let mine = (m.number, tier_of(m.priority_id));
        // Down: it passes the items in (its rank, lo]; one of a lower tier now sits above it.
        if let (Some(lo), Some(t)) = (lo, mine.1) {
            if m.rank.as_str() < lo {
                let side = Side::Down {
                    after: &m.rank,
                    upto: lo,
                };
                if let Some(r) = offender(tx, ctx, q, moving, &ids[t..], side).await? {
                    found = Some(((r.1, tier_of(r.2)), mine));
                    break;
                }
            }
        }
        // Up: it passes the items in [hi, its rank); one of a better tier now sits below it.
        let better = &ids[..mine.1.map_or(ids.len(), |t| t - 1)];
        if let (Some(hi), false) = (hi, better.is_empty()) {
            if m.rank.as_str() > hi {
                let side = Side::Up {
                    from: hi,
                    before: &m.rank,
                };
                if let Some(r) = offender(tx, ctx, q, moving, better, side).await? {
                    found = Some((mine, (r.1, tier_of(r.2))));
                    break;
                }
            }
        }
    }
    // Within the block: a pair whose order the block's order reverses.
    if found.is_none() {
        'block: for (k, a) in live.iter().enumerate() {
            for b in &live[k + 1..] {
                let (ta, tb) = (tier_of(a.priority_id), tier_of(b.priority_id));
                if b.rank < a.rank && inverted(ta, tb) {
                    found = Some(((a.number, ta), (b.number, tb)));
                    break 'block;
                }
            }
        }
    }
    let Some(((na, ta), (nb, tb))) = found else {
        return Ok(());
    };
    let name = |t: Option<usize>| match t {
        Some(t) => format!(
            "{} ({})",
            tier_label(Some(t)),
            prios.get(t - 1).map_or("", |p| p.1.as_str())
        ),
        None => tier_label(None),
    };
    let key = |n: i64| format!("{}-{n}", ctx.product.key);
    let Some(reason) = exemption.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(Error::Conflict(format!(
            "strict tier order: {} ({}) would sit above {} ({}); record an exemption with a reason to place it anyway",
            key(na), name(ta), key(nb), name(tb)
        )));
    };
    let reason = crate::backlog::validate_text("exemption", reason, 1_000)?;
    for m in live {
        exempt_in(tx, actor, ctx, m.id, &key(m.number), &reason).await?;
    }
    Ok(())
}

/// The stretch of the rest of the backlog a moved item passes: going down, the ranks after
/// its own up to `lo`; going up, the ranks from `hi` up to its own.
enum Side<'a> {
    Down { after: &'a str, upto: &'a str },
    Up { from: &'a str, before: &'a str },
}

/// A moved item with its priority this quarter, its rank before the move, and its status.
#[derive(sqlx::FromRow)]
struct MovedRow {
    id: ItemId,
    number: i64,
    priority_id: Option<i64>,
    exempt: bool,
    rank: String,
    status: String,
}

const EXEMPT: &str =
    "EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL)";

/// The first open, unexempted item of the rest in `side`'s stretch whose priority is one of
/// `priorities` (going down, also an unaligned one), in backlog order.
async fn offender(
    tx: &mut Tx,
    ctx: &ProductCtx,
    q: Quarter,
    moving: &[ItemId],
    priorities: &[i64],
    side: Side<'_>,
) -> Result<Option<Row>> {
    let mark = |from: usize, n: usize| -> String {
        (from..from + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let not_moving = mark(5, moving.len());
    let in_prios = mark(5 + moving.len(), priorities.len().max(1));
    let (sql, from, to) = match side {
        // Walks the stretch in rank order and stops at the first offender.
        Side::Down { after, upto } => (
            format!(
                "SELECT i.id, i.number, COALESCE(pi.priority_id, ppi.priority_id), FALSE
                 FROM items i LEFT JOIN items par ON par.id = i.parent_id
                 LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
                 LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
                 WHERE i.product_id = $1 AND i.rank > $3 AND i.rank <= $4 AND i.status <> 'done'
                   AND i.id NOT IN ({not_moving}) AND NOT {EXEMPT}
                   AND (COALESCE(pi.priority_id, ppi.priority_id) IS NULL OR COALESCE(pi.priority_id, ppi.priority_id) IN ({in_prios}))
                 ORDER BY i.rank LIMIT 1"
            ),
            after,
            upto,
        ),
        // Starts from the better priorities' initiatives: reads their items only.
        Side::Up { from, before } => (
            format!(
                "SELECT x.id, x.number, x.priority_id, FALSE FROM (
                    SELECT i.id, i.number, i.rank, pi.priority_id FROM priority_initiatives pi
                      JOIN items i ON i.initiative_id = pi.initiative_id
                     WHERE pi.quarter = $2 AND pi.priority_id IN ({in_prios}) AND i.product_id = $1
                       AND i.rank >= $3 AND i.rank < $4 AND i.status <> 'done'
                    UNION ALL
                    SELECT i.id, i.number, i.rank, pi.priority_id FROM priority_initiatives pi
                      JOIN items par ON par.initiative_id = pi.initiative_id
                      JOIN items i ON i.parent_id = par.id AND i.initiative_id IS NULL
                     WHERE pi.quarter = $2 AND pi.priority_id IN ({in_prios}) AND i.product_id = $1
                       AND i.rank >= $3 AND i.rank < $4 AND i.status <> 'done'
                 ) x WHERE x.id NOT IN ({not_moving})
                   AND NOT EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = x.id AND e.revoked_at IS NULL)
                 ORDER BY x.rank LIMIT 1"
            ),
            from,
            before,
        ),
    };
    // No priority to look for: bind one that matches nothing, so that IN () is never empty.
    let none = [0i64];
    let priorities = if priorities.is_empty() {
        &none[..]
    } else {
        priorities
    };
    Ok(on!(&mut tx.conn(), t => {
        let mut qy = sqlx::query_as(&sql).bind(ctx.product.id).bind(q.to_string()).bind(from).bind(to);
        for id in moving {
            qy = qy.bind(*id);
        }
        for id in priorities {
            qy = qy.bind(*id);
        }
        qy.fetch_optional(&mut **t).await
    })?)
}

async fn exempt_in(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    item_id: ItemId,
    key: &str,
    reason: &str,
) -> Result<i64> {
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO tier_exemptions (product_id, item_id, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(ctx.product.id).bind(item_id).bind(reason).bind(actor.id).bind(crate::db::now()).fetch_one(&mut **t).await)
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::Conflict(format!("{key} already has an exemption")),
        other => other,
    })?;
    Change::by(actor, ctx, "tier.exempt", ("item", item_id))
        .after(&json!({"key": key, "exemption": id}))
        .reason(Some(reason))
        .record(tx)
        .await?;
    Ok(id)
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Exemption {
    pub id: i64,
    #[serde(skip)]
    pub number: i64,
    pub key: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
}

pub async fn exemptions(db: &Db, ctx: &ProductCtx) -> Result<Vec<Exemption>> {
    ctx.grants.require(Action::ViewBacklog)?;
    let mut v: Vec<Exemption> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT e.id, i.number, '' AS key, e.reason, u.name AS created_by, e.created_at, e.revoked_at, e.revoke_reason
         FROM tier_exemptions e JOIN items i ON i.id = e.item_id JOIN users u ON u.id = e.created_by
         WHERE e.product_id = $1 ORDER BY e.id DESC")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    for e in &mut v {
        e.key = format!("{}-{}", ctx.product.key, e.number);
    }
    Ok(v)
}

/// The PO exempts an item from tier order, with a reason.
pub async fn exempt(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    reason: &str,
) -> Result<i64> {
    ctx.grants.require(Action::Reorder)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::invalid(
            "reason",
            "say why this item may break the tier order",
        ));
    }
    let reason = crate::backlog::validate_text("reason", reason, 1_000)?;
    let mut tx = db.begin().await?;
    let row = crate::backlog::store::row_in_product(
        &mut tx.conn(),
        ctx.product.id,
        &ctx.product.key,
        key,
    )
    .await?;
    let id = exempt_in(&mut tx, actor, ctx, row.id, key, &reason).await?;
    tx.commit().await?;
    Ok(id)
}

/// The PM revokes an exemption, with a reason.
pub async fn revoke(db: &Db, actor: &User, ctx: &ProductCtx, id: i64, reason: &str) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    let reason = crate::backlog::validate_text("reason", reason.trim(), 1_000)?;
    if reason.is_empty() {
        return Err(Error::invalid("reason", "say why the exemption ends"));
    }
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE tier_exemptions SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 WHERE id = $4 AND product_id = $5 AND revoked_at IS NULL")
        .bind(crate::db::now()).bind(actor.id).bind(&reason).bind(id).bind(ctx.product.id))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Change::by(actor, ctx, "tier.revoke", ("tier_exemption", id))
        .reason(Some(&reason))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TierSettings {
    /// advisory (inversions flagged) or strict (refused unless exempted).
    pub tier_policy: String,
    /// Share of each sprint's points that may serve no priority, 0–90.
    pub unaligned_allowance_pct: i64,
}

/// The PM sets the tier policy and allowance of the product, as of its version `expected`.
pub async fn set_settings(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    expected: i64,
    s: &TierSettings,
) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    if !matches!(s.tier_policy.as_str(), "advisory" | "strict") {
        return Err(Error::invalid("tier_policy", "advisory or strict"));
    }
    if !(0..=90).contains(&s.unaligned_allowance_pct) {
        return Err(Error::invalid(
            "unaligned_allowance_pct",
            "a percentage from 0 to 90",
        ));
    }
    let mut tx = db.begin().await?;
    crate::workspace::settings::bump(
        &mut tx,
        ctx.product.id,
        crate::workspace::settings::Setting::Tiers,
        expected,
    )
    .await?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE products SET tier_policy = $1, unaligned_allowance_pct = $2 WHERE id = $3")
        .bind(&s.tier_policy).bind(s.unaligned_allowance_pct).bind(ctx.product.id))?;
    Change::by(actor, ctx, "product.tiers", ("product", ctx.product.id))
        .after(&s)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves one quarterly priority (S5) and reports what the new tiers do to the backlog: the
/// one entry point the API, the pages and the CLI call. Answers the quarter's priorities.
pub async fn move_priority(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    m: crate::strategy::model::PriorityMove,
) -> Result<Vec<crate::strategy::model::Priority>> {
    let quarter = crate::strategy::priorities::move_one(db, actor, ctx, id, m).await?;
    report_reorder(db, actor, ctx, quarter).await?;
    crate::strategy::priorities::list(db, ctx, quarter).await
}

/// After the PM reorders a quarter's priorities, tiers follow at once; the POs are told how
/// many inversions the backlog now holds (and webhooks get `priorities.reordered`).
pub async fn report_reorder(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    quarter: Quarter,
) -> Result<usize> {
    if quarter != Quarter::of(crate::strategy::today()) {
        return Ok(0);
    }
    let (_, order) = order(db, ctx.product.id, quarter).await?;
    let placed: Vec<Placed> = order.iter().map(|o| o.placed.clone()).collect();
    let n = super::inversions(&placed).len();
    let pos: Vec<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT user_id FROM product_roles WHERE product_id = $1 AND role = 'po'")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    let mut tx = db.begin().await?;
    crate::notify::store::emit(
        &mut tx,
        crate::notify::store::Event {
            workspace_id: ctx.workspace.id,
            actor,
            name: "priorities.reordered",
            entity_type: "product",
            entity_id: ctx.product.id,
            title: format!(
                "{} reordered the priorities of {quarter}: the backlog now has {n} inversion(s)",
                actor.name
            ),
            link: format!("/w/{}/p/{}/backlog", ctx.workspace.slug, ctx.product.key),
            data: json!({"quarter": quarter.to_string(), "inversions": n}),
            also: pos,
            mentions: Vec::new(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// What a trace chip shows for an item outside the backlog's order (a board card, a planning
/// row, the item page): its tier this quarter, its initiative (its own, else its parent's),
/// and an exemption from the tier order.
#[derive(Clone, Debug, Default)]
pub struct ItemTrace {
    pub tier: Option<usize>,
    pub initiative_id: Option<InitiativeId>,
    pub initiative: Option<String>,
    pub exempt: bool,
    /// The quarter's priority its initiative serves, by id and title.
    pub priority_id: Option<i64>,
    pub priority: Option<String>,
}

impl ItemTrace {
    pub fn chip(&self) -> crate::backlog::Trace<'_> {
        crate::backlog::Trace {
            tier: self.tier,
            initiative_id: self.initiative_id,
            initiative: self.initiative.as_deref(),
            inversion: None,
            exempt: self.exempt,
        }
    }
}

/// The traces of the items `ids` of a product this quarter, in one query whatever their
/// number; a tier is the place of the item's priority among the quarter's priorities.
pub async fn traces(
    db: &Db,
    product_id: i64,
    ids: &[ItemId],
) -> Result<std::collections::HashMap<ItemId, ItemTrace>> {
    Ok(traces_read(product_id, Cards::Ids(ids)).on(db).await?)
}

/// [`traces`] as a read that may share a round trip with others.
pub fn traces_read(
    product_id: i64,
    cards: Cards,
) -> Read<std::collections::HashMap<ItemId, ItemTrace>> {
    if cards.is_none() {
        return Read::ready(std::collections::HashMap::new());
    }
    let q = Quarter::of(crate::strategy::today()).to_string();
    let (among, more) = cards.among(3);
    let sql = format!(
        "SELECT i.id, n.id, n.title, pr.id, pr.title,
                (SELECT COUNT(*) FROM priorities p2 WHERE p2.product_id = $1 AND p2.quarter = $2 AND p2.rank <= pr.rank),
                EXISTS (SELECT 1 FROM tier_exemptions e WHERE e.item_id = i.id AND e.revoked_at IS NULL)
         FROM items i LEFT JOIN items par ON par.id = i.parent_id
         LEFT JOIN initiatives n ON n.id = COALESCE(i.initiative_id, par.initiative_id)
         LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
         LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
         LEFT JOIN priorities pr ON pr.id = COALESCE(pi.priority_id, ppi.priority_id) AND pr.product_id = $1
         WHERE i.product_id = $1 AND i.id {among}"
    );
    type TraceRow = (
        ItemId,
        Option<InitiativeId>,
        Option<String>,
        Option<i64>,
        Option<String>,
        i64,
        bool,
    );
    let mut args = vec![product_id.into(), q.into()];
    args.extend(more);
    Read::query(sql, args, move |rows| {
        let mut out = std::collections::HashMap::new();
        for (id, initiative_id, initiative, priority_id, priority, place, exempt) in
            rows.all::<TraceRow>()?
        {
            out.insert(
                id,
                ItemTrace {
                    tier: priority_id
                        .and(usize::try_from(place).ok())
                        .filter(|t| *t > 0),
                    initiative_id,
                    initiative,
                    exempt,
                    priority_id,
                    priority,
                },
            );
        }
        Ok(out)
    })
}

/// The item page's trace line (UI.md 3): objective → priority → initiative, with the first
/// piece of evidence behind the item (its own, else its initiative's).
#[derive(Clone, Debug, Default)]
pub struct TraceLine {
    pub trace: ItemTrace,
    pub priority: Option<String>,
    pub objective: Option<String>,
    pub evidence: Option<String>,
}

pub async fn trace_line(db: &Db, product_id: i64, item_id: ItemId) -> Result<TraceLine> {
    Ok(trace_line_read(product_id, item_id).on(db).await?)
}

/// [`trace_line`] as a read that may share a round trip with others: the trace, and the first
/// objective of its priority and the first evidence, found from the item itself (its own
/// initiative, else its parent's, as the trace does) so that both are asked at once.
pub fn trace_line_read(product_id: i64, item_id: ItemId) -> Read<TraceLine> {
    let q = Quarter::of(crate::strategy::today()).to_string();
    traces_read(product_id, Cards::Ids(&[item_id]))
        .and(Read::query(
            "SELECT (SELECT o.title FROM priority_initiatives pi
                       JOIN priorities pr ON pr.id = pi.priority_id AND pr.product_id = $2
                       JOIN priority_objectives po ON po.priority_id = pi.priority_id
                       JOIN objectives o ON o.id = po.objective_id
                     WHERE pi.quarter = $3 AND pi.initiative_id = (
                       SELECT COALESCE(i.initiative_id, par.initiative_id) FROM items i
                       LEFT JOIN items par ON par.id = i.parent_id WHERE i.id = $1)
                     ORDER BY o.id LIMIT 1),
                    (SELECT s.body FROM (
                        SELECT n.body, n.importance, 0 AS own FROM item_evidence e JOIN insights n ON n.id = e.insight_id WHERE e.item_id = $1
                        UNION ALL
                        SELECT n.body, n.importance, 1 AS own FROM initiative_evidence e JOIN insights n ON n.id = e.insight_id
                        WHERE e.initiative_id = (
                          SELECT COALESCE(i.initiative_id, par.initiative_id) FROM items i
                          LEFT JOIN items par ON par.id = i.parent_id WHERE i.id = $1)
                     ) s ORDER BY s.own, s.importance DESC LIMIT 1)",
            vec![i64::from(item_id).into(), product_id.into(), q.into()],
            |rows| rows.one::<(Option<String>, Option<String>)>(),
        ))
        .map(move |(mut traces, (objective, evidence))| {
            let trace = traces.remove(&item_id).unwrap_or_default();
            Ok(TraceLine {
                priority: trace.priority.clone(),
                trace,
                objective,
                evidence,
            })
        })
}
