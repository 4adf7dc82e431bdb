//! SQL for backlog items, their labels, criteria, dependencies and order.

use chrono::{DateTime, Utc};

use super::query::{Compiled, SqlValue};
use super::{Criterion, Item, Points, Summary};
use crate::db::batch::{Arg, Read};
use crate::db::{Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId, SprintId};
use crate::workspace::prologue::{self, CtxWith};
use crate::workspace::store::Caller;
use crate::{exec, on};

/// An item's readiness as stored: the flag the query language filters on, and the reasons.
pub struct Assessed {
    pub ready: bool,
    pub json: String,
}

/// The stored columns of one item.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct ItemRow {
    pub id: ItemId,
    pub product_id: i64,
    pub number: i64,
    pub kind: String,
    pub title: String,
    pub description: String,
    pub persona: String,
    pub goal: String,
    pub benefit: String,
    pub points: Option<Points>,
    pub status: String,
    pub rank: String,
    pub parent_id: Option<ItemId>,
    pub initiative_id: Option<InitiativeId>,
    pub persona_id: Option<i64>,
    pub ready: bool,
    pub readiness: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(crate) const ROW_COLUMNS: &str = "i.id, i.product_id, i.number, i.kind, i.title, i.description, i.persona, i.goal, i.benefit, \
    i.points, i.status, i.rank, i.parent_id, i.initiative_id, i.persona_id, i.ready, i.readiness, i.version, i.created_at, i.updated_at";

/// Resolves `ONB-42` inside a workspace to the item's row.
pub async fn row_by_key(db: &Db, workspace_id: i64, key: &str) -> Result<ItemRow> {
    let (prefix, number) = super::parse_key(key).ok_or(Error::NotFound)?;
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM items i JOIN products p ON p.id = i.product_id
         WHERE p.workspace_id = $1 AND p.key = $2 AND i.number = $3"
    );
    on!(&mut db.reader().await?.conn(), c => sqlx::query_as::<_, ItemRow>(&sql).bind(workspace_id).bind(&prefix).bind(number)
        .fetch_optional(&mut **c).await)?
        .ok_or(Error::NotFound)
}

/// The item `item_key` names in the product `product_key` of workspace `slug`, joined to the
/// request's first statement ([`prologue::ctx_with_read`]): the caller, the product with the
/// caller's roles and the item's row in one statement, where they took two (on PostgreSQL two
/// round trips). None for a key that names no item of that product.
pub fn ctx_and_row_read(
    caller: Caller<'_>,
    (slug, product_key): (&str, &str),
    item_key: &str,
) -> CtxWith<Option<ItemRow>> {
    static SQL: std::sync::LazyLock<[String; 2]> = std::sync::LazyLock::new(|| {
        prologue::ctx_sql_with(
            ROW_COLUMNS,
            "LEFT JOIN items i ON i.product_id = c.p_id AND i.number = $4",
        )
    });
    // A key of another product names nothing here; no item is numbered 0.
    let number = super::parse_key(item_key)
        .filter(|(prefix, _)| prefix.eq_ignore_ascii_case(product_key))
        .map_or(0, |(_, n)| n);
    prologue::ctx_with_read(
        caller,
        (slug, product_key),
        &SQL,
        vec![number.into()],
        |rows| {
            // The item's id is the only `id` of the joined row (the caller's and the
            // product's columns are named `h_…` and `p_…`).
            #[derive(sqlx::FromRow)]
            struct WithItem {
                id: Option<i64>,
            }
            match rows.first::<WithItem>()?.and_then(|f| f.id) {
                Some(_) => rows.first::<ItemRow>(),
                None => Ok(None),
            }
        },
    )
}

/// Like [`row_by_key`] but inside a write transaction, so the row read is the row written.
pub async fn row_in_product(
    c: &mut crate::db::Conn<'_>,
    product_id: i64,
    product_key: &str,
    key: &str,
) -> Result<ItemRow> {
    row_in_product_read(product_id, product_key, key)
        .run(c)
        .await?
        .ok_or(Error::NotFound)
}

/// [`row_in_product`] as a read that may share a round trip with others: `None` when the key
/// names no item of the product.
pub fn row_in_product_read(product_id: i64, product_key: &str, key: &str) -> Read<Option<ItemRow>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {ROW_COLUMNS} FROM items i WHERE i.product_id = $1 AND i.number = $2")
    });
    match super::parse_key(key) {
        Some((prefix, number)) if prefix == product_key => Read::query(
            SQL.as_str(),
            vec![product_id.into(), number.into()],
            |rows| rows.first::<ItemRow>(),
        ),
        _ => Read::ready(None),
    }
}

/// An item as an edit reads it before changing it, in one round trip: its row, its criteria
/// and its open blocking questions (`None` when the key names no item of the product).
pub fn editing_read(
    product_id: i64,
    product_key: &str,
    key: &str,
) -> Read<Option<(ItemRow, Vec<String>, i64)>> {
    let Some((_, number)) = super::parse_key(key).filter(|(p, _)| p == product_key) else {
        return Read::ready(None);
    };
    // The criteria by position and the count of open questions (the row with no position) in
    // one statement: on PostgreSQL each statement is a round trip.
    let criteria_and_open = Read::query(
        "SELECT c.position, c.text, CAST(NULL AS BIGINT) FROM criteria c JOIN items i ON i.id = c.item_id
         WHERE i.product_id = $1 AND i.number = $2
         UNION ALL
         SELECT NULL, NULL, COUNT(*) FROM questions q JOIN items i ON i.id = q.item_id
         WHERE i.product_id = $1 AND i.number = $2 AND q.answered_at IS NULL AND q.blocking",
        vec![Arg::from(product_id), Arg::from(number)],
        |rows| {
            let (mut criteria, mut open) = (Vec::new(), 0);
            for row in rows.all::<(Option<i64>, Option<String>, Option<i64>)>()? {
                match row {
                    (Some(position), Some(text), _) => criteria.push((position, text)),
                    (_, _, count) => open = count.unwrap_or_default(),
                }
            }
            criteria.sort();
            Ok((criteria.into_iter().map(|(_, t)| t).collect(), open))
        },
    );
    row_in_product_read(product_id, product_key, key)
        .and(criteria_and_open)
        .map(|(row, (criteria, open))| Ok(row.map(|r| (r, criteria, open))))
}

pub async fn row_by_id(c: &mut crate::db::Conn<'_>, id: ItemId) -> Result<ItemRow> {
    Ok(row_by_id_read(id).run(c).await?)
}

/// The whole item as shown on its page: labels, criteria, links and roll-ups.
/// On `c`: a reader's connection, or a write's transaction so that the item answered is the
/// item as that write left it (not as a later write, committed in between, made it).
pub async fn load(c: &mut Conn<'_>, product_key: &str, row: ItemRow) -> Result<Item> {
    Ok(load_read(product_key, row).run(c).await?)
}

/// [`load`] as a read that may share a round trip with others.
pub fn load_read(product_key: &str, row: ItemRow) -> Read<Item> {
    let product_key = product_key.to_string();
    related_read(row.id, row.parent_id).map(move |related| Ok(assemble(&product_key, row, related)))
}

/// The item numbered by `id` as a write just left it, read inside that write's transaction
/// and joined to its last statements: its row and everything around it (`parent_id` is the
/// parent the write set).
pub fn written_read(product_key: &str, id: ItemId, parent_id: Option<ItemId>) -> Read<Item> {
    let product_key = product_key.to_string();
    row_by_id_read(id)
        .and(related_read(id, parent_id))
        .map(move |(row, related)| Ok(assemble(&product_key, row, related)))
}

/// The item `id` that a create has just inserted, read inside its transaction: its row, and
/// what surrounds it made from what the create wrote (its labels, its criteria numbered from
/// 1, the parent numbered `parent`), since a new item has no children, dependencies,
/// questions, evidence or assignee yet. One statement where [`written_read`] sends two, which
/// on PostgreSQL is a round trip.
pub fn created_read(
    product_key: &str,
    id: ItemId,
    parent: Option<i64>,
    labels: &[String],
    criteria: &[String],
) -> Read<Item> {
    let product_key = product_key.to_string();
    let mut related: Related = labels
        .iter()
        .map(|l| ("label".into(), String::new(), Some(0), l.clone()))
        .collect();
    related.extend(criteria.iter().enumerate().map(|(i, t)| {
        let position = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        ("criterion".into(), String::new(), Some(position), t.clone())
    }));
    related.extend(parent.map(|n| ("parent".into(), String::new(), Some(n), String::new())));
    row_by_id_read(id).map(move |row| Ok(assemble(&product_key, row, related)))
}

/// One item's row by id.
pub fn row_by_id_read(id: ItemId) -> Read<ItemRow> {
    static SQL: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| format!("SELECT {ROW_COLUMNS} FROM items i WHERE i.id = $1"));
    Read::query(SQL.as_str(), vec![i64::from(id).into()], |rows| {
        rows.one::<ItemRow>()
    })
}

type Related = Vec<(String, String, Option<i64>, String)>;

/// Everything around an item in one statement: (what, product key, number, text).
fn related_read(id: ItemId, parent_id: Option<ItemId>) -> Read<Related> {
    Read::query(
        "SELECT 'label', '', CAST(0 AS BIGINT), label FROM item_labels WHERE item_id = $1
         UNION ALL
         SELECT 'criterion', '', position, text FROM criteria WHERE item_id = $1
         UNION ALL
         SELECT 'blocks', pr.key, o.number, '' FROM item_dependencies d JOIN items o ON o.id = d.blocked_id
           JOIN products pr ON pr.id = o.product_id WHERE d.blocker_id = $1
         UNION ALL
         SELECT 'blocked_by', pr.key, o.number, '' FROM item_dependencies d JOIN items o ON o.id = d.blocker_id
           JOIN products pr ON pr.id = o.product_id WHERE d.blocked_id = $1
         UNION ALL
         SELECT 'child', '', c.number, '' FROM items c WHERE c.parent_id = $1
         UNION ALL
         SELECT 'parent', '', par.number, '' FROM items par WHERE par.id = $2
         UNION ALL
         SELECT 'open_questions', '', COUNT(*), '' FROM questions q WHERE q.item_id = $1 AND q.answered_at IS NULL AND q.blocking
         UNION ALL
         SELECT 'children_points', '', CAST(SUM(c.points) AS BIGINT), '' FROM items c WHERE c.parent_id = $1
         UNION ALL
         SELECT 'assignee', '', CAST(NULL AS BIGINT), u.email FROM items i JOIN users u ON u.id = i.assignee_id WHERE i.id = $1
         UNION ALL
         SELECT 'evidence', '', COUNT(*), '' FROM item_evidence e WHERE e.item_id = $1",
        vec![i64::from(id).into(), parent_id.map_or(0, i64::from).into()],
        |rows| rows.all(),
    )
}

/// The item from its row and the rows of everything around it.
fn assemble(product_key: &str, row: ItemRow, related: Related) -> Item {
    let id = row.id;
    let of = |what: &'static str| related.iter().filter(move |r| r.0 == what);
    let mut labels: Vec<String> = of("label").map(|r| r.3.clone()).collect();
    labels.sort();
    let mut criteria: Vec<(i64, String)> = of("criterion")
        .map(|r| (r.2.unwrap_or_default(), r.3.clone()))
        .collect();
    criteria.sort();
    let open_questions = of("open_questions").find_map(|r| r.2).unwrap_or_default();
    let children_points = of("children_points")
        .find_map(|r| r.2)
        .map(Points::from_hundredths);
    let assignee = of("assignee").map(|r| r.3.clone()).next();
    let evidence = of("evidence").find_map(|r| r.2).unwrap_or_default();
    let links: Vec<(String, String, i64)> = related
        .iter()
        .filter_map(|r| r.2.map(|n| (r.0.clone(), r.1.clone(), n)))
        .collect();
    let key_of = |prefix: &str, n: i64| {
        format!(
            "{}-{n}",
            if prefix.is_empty() {
                product_key
            } else {
                prefix
            }
        )
    };
    let pick = |kind: &str| -> Vec<String> {
        let mut v: Vec<(String, i64)> = links
            .iter()
            .filter(|l| l.0 == kind)
            .map(|l| (l.1.clone(), l.2))
            .collect();
        v.sort();
        v.into_iter().map(|(p, n)| key_of(&p, n)).collect()
    };
    let parent = pick("parent").into_iter().next();
    Item {
        key: format!("{product_key}-{}", row.number),
        id,
        kind: row.kind,
        title: row.title,
        description: row.description,
        persona: row.persona,
        goal: row.goal,
        benefit: row.benefit,
        points: row.points,
        children_points,
        status: row.status,
        labels,
        parent,
        initiative_id: row.initiative_id,
        persona_id: row.persona_id,
        evidence,
        children: pick("child"),
        criteria: criteria
            .into_iter()
            .map(|(position, text)| Criterion { position, text })
            .collect(),
        blocks: pick("blocks"),
        blocked_by: pick("blocked_by"),
        ready: row.ready,
        readiness: serde_json::from_str(&row.readiness).unwrap_or(serde_json::Value::Null),
        open_questions,
        assignee,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: ItemId,
    number: i64,
    kind: String,
    title: String,
    status: String,
    points: Option<Points>,
    children_points: Option<Points>,
    ready: bool,
    readiness: String,
    version: i64,
    rank: String,
    evidence: i64,
    initiative_id: Option<InitiativeId>,
    initiative: Option<String>,
}

/// Where a page starts: after an item's rank (backlog order), or after so many rows of a
/// query that sorts by something else.
pub enum After<'a> {
    Rank(&'a str),
    Rows(i64),
}

/// One page of the backlog, filtered by a compiled query: in rank order after a rank, or in the
/// query's `sort:` order after so many rows.
pub async fn list(
    db: &Db,
    product_id: i64,
    product_key: &str,
    filter: &Compiled,
    after: After<'_>,
    limit: i64,
) -> Result<Vec<Summary>> {
    let none = |_: &[(ItemId, String)]| Ok(Read::ready(()));
    let at = (product_id, product_key);
    Ok(list_then(db, at, filter, after, limit, none).await?.0)
}

/// [`list`], with what `then` reads of the listed items (their ids and ranks, in order: the
/// governance's tier flags, say) in the same round trip as their labels: two round trips in
/// all.
pub async fn list_then<A: Send + 'static>(
    db: &Db,
    (product_id, product_key): (i64, &str),
    filter: &Compiled,
    after: After<'_>,
    limit: i64,
    then: impl FnOnce(&[(ItemId, String)]) -> Result<Read<A>>,
) -> Result<(Vec<Summary>, A)> {
    // $1 product, $2 rank, $3 limit; the filter's parameters start at $4.
    let order = filter.order.as_deref().unwrap_or("i.rank");
    let (cursor, offset) = match after {
        After::Rank(r) => (r, 0),
        After::Rows(n) => ("", n.max(0)),
    };
    let sql = format!(
        "SELECT i.id, i.number, i.kind, i.title, i.status, i.points,
                (SELECT CAST(SUM(c.points) AS BIGINT) FROM items c WHERE c.parent_id = i.id) AS children_points,
                i.ready, i.readiness, i.version, i.rank,
                (SELECT COUNT(*) FROM item_evidence e WHERE e.item_id = i.id) AS evidence,
                COALESCE(i.initiative_id, par.initiative_id) AS initiative_id,
                (SELECT n.title FROM initiatives n WHERE n.id = COALESCE(i.initiative_id, par.initiative_id)) AS initiative
         FROM items i LEFT JOIN items par ON par.id = i.parent_id
         WHERE i.product_id = $1 AND i.rank > $2 AND ({}) ORDER BY {order} LIMIT $3 OFFSET {offset}",
        filter.sql
    );
    let rows: Vec<SummaryRow> = on!(&mut db.reader().await?.conn(), c => {
        let mut q = sqlx::query_as::<_, SummaryRow>(&sql).bind(product_id).bind(cursor).bind(limit);
        for v in &filter.params {
            q = match v {
                SqlValue::Int(i) => q.bind(*i),
                SqlValue::Text(s) => q.bind(s.clone()),
                SqlValue::Bool(b) => q.bind(*b),
                SqlValue::Time(t) => q.bind(*t),
            };
        }
        q.fetch_all(&mut **c).await
    })?;
    let listed: Vec<(ItemId, String)> = rows.iter().map(|r| (r.id, r.rank.clone())).collect();
    let ids: Vec<ItemId> = listed.iter().map(|(id, _)| *id).collect();
    let (labels, more) = labels_read(&ids).and(then(&listed)?).on(db).await?;
    let items = rows
        .into_iter()
        .map(|r| Summary {
            key: format!("{product_key}-{}", r.number),
            id: r.id,
            labels: labels
                .iter()
                .filter(|l| l.0 == r.id)
                .map(|l| l.1.clone())
                .collect(),
            unready_reasons: reasons_count(&r.readiness),
            kind: r.kind,
            title: r.title,
            status: r.status,
            points: r.points,
            children_points: r.children_points,
            ready: r.ready,
            version: r.version,
            rank: r.rank,
            evidence: r.evidence,
            tier: None,
            inversion: None,
            initiative_id: r.initiative_id,
            initiative: r.initiative,
            exempt: false,
        })
        .collect();
    Ok((items, more))
}

/// The open items among the first `limit` open items of the backlog that are not ready, in
/// backlog order: number, title and how many reasons keep each from being ready.
pub fn unready_top_read(product_id: i64, limit: i64) -> Read<Vec<(i64, String, i64)>> {
    Read::query(
        "SELECT number, title, readiness FROM (
             SELECT number, title, ready, readiness, rank FROM items
              WHERE product_id = $1 AND status <> 'done' ORDER BY rank LIMIT $2) top
          WHERE NOT ready ORDER BY rank",
        vec![product_id.into(), limit.into()],
        |rows| {
            Ok(rows
                .all::<(i64, String, String)>()?
                .into_iter()
                .map(|(number, title, readiness)| (number, title, reasons_count(&readiness)))
                .collect())
        },
    )
}

fn reasons_count(readiness: &str) -> i64 {
    serde_json::from_str::<serde_json::Value>(readiness)
        .ok()
        .and_then(|v| {
            v.get("reasons")
                .and_then(|r| r.as_array())
                .map(|a| a.len() as i64)
        })
        .unwrap_or(0)
}

/// The labels of the items `ids`, by label.
fn labels_read(ids: &[ItemId]) -> Read<Vec<(ItemId, String)>> {
    if ids.is_empty() {
        return Read::ready(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT item_id, label FROM item_labels WHERE item_id IN ({}) ORDER BY label",
        marks.join(",")
    );
    let args = ids.iter().map(|id| Arg::from(i64::from(*id))).collect();
    Read::query(sql, args, |rows| rows.all::<(ItemId, String)>())
}

/// Takes the product's row lock (PostgreSQL) so that number allocation, moves and rebalancing
/// on one product are serialised; on SQLite the single writer already serialises them.
pub async fn lock_product(tx: &mut Tx, product_id: i64) -> Result<()> {
    if matches!(tx, Tx::Sqlite(_)) {
        return Ok(());
    }
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE products SET next_number = next_number WHERE id = $1")
        .bind(product_id))?;
    Ok(())
}

/// A write transaction holding the product's lock ([`lock_product`]) and the value of its
/// first reads: one round trip on SQLite, where `BEGIN IMMEDIATE` is the lock.
pub async fn begin_locked<T: Send + 'static>(
    db: &Db,
    product_id: i64,
    first: Read<T>,
) -> Result<(Tx, T)> {
    if db.is_sqlite() {
        return Ok(db.begin_with(first).await?);
    }
    let mut tx = db.begin().await?;
    lock_product(&mut tx, product_id).await?;
    let value = first.run(&mut tx.conn()).await?;
    Ok((tx, value))
}

pub async fn next_number(tx: &mut Tx, product_id: i64) -> Result<i64> {
    Ok(on!(&mut tx.conn(), t => sqlx::query_scalar(
        "UPDATE products SET next_number = next_number + 1 WHERE id = $1 RETURNING next_number - 1")
        .bind(product_id).fetch_one(&mut **t).await)?)
}

/// The first or last rank of the backlog.
/// The rank of the product's last item (or first), if it has any.
pub fn edge_rank_read(product_id: i64, last: bool) -> Read<Option<String>> {
    let sql = if last {
        "SELECT rank FROM items WHERE product_id = $1 ORDER BY rank DESC LIMIT 1"
    } else {
        "SELECT rank FROM items WHERE product_id = $1 ORDER BY rank LIMIT 1"
    };
    Read::query(sql, vec![product_id.into()], |rows| {
        Ok(rows.first::<(String,)>()?.map(|(r,)| r))
    })
}

/// The rank right after (or before) `rank`, ignoring the items being moved.
pub async fn neighbour_rank(
    tx: &mut Tx,
    product_id: i64,
    rank: &str,
    after: bool,
    moving: &[ItemId],
) -> Result<Option<String>> {
    let skip = moving.iter().map(|id| i64::from(*id)).collect();
    let read = neighbour_read(product_id, ("$2", rank.into()), after, ("id", skip));
    Ok(read.run(&mut tx.conn()).await?)
}

/// The rank next to the item numbered `number` (after it or before it), skipping the items
/// numbered `moving`: [`neighbour_rank`] before the anchor's row has been read, so that a move
/// reads its items, its anchor and the anchor's neighbour in one round trip.
pub fn neighbour_of_read(
    product_id: i64,
    number: i64,
    after: bool,
    moving: &[i64],
) -> Read<Option<String>> {
    let anchor = "(SELECT rank FROM items WHERE product_id = $1 AND number = $2)";
    let skip = ("number", moving.to_vec());
    neighbour_read(product_id, (anchor, number.into()), after, skip)
}

/// The first rank past `from` (an SQL expression of `$2`, bound to its argument) in the
/// direction asked, skipping the items whose `column` is one of the values given. A moved
/// block rarely exceeds a page, so a small `NOT IN` list is fine.
fn neighbour_read(
    product_id: i64,
    (from, at): (&str, Arg),
    after: bool,
    (column, skip): (&str, Vec<i64>),
) -> Read<Option<String>> {
    let not_in = if skip.is_empty() {
        String::new()
    } else {
        let marks: Vec<String> = (3..3 + skip.len()).map(|i| format!("${i}")).collect();
        format!("AND {column} NOT IN ({})", marks.join(","))
    };
    let (cmp, order) = if after { (">", "") } else { ("<", " DESC") };
    let sql = format!(
        "SELECT rank FROM items WHERE product_id = $1 AND rank {cmp} {from} {not_in}
         ORDER BY rank{order} LIMIT 1"
    );
    let mut args = vec![Arg::from(product_id), at];
    args.extend(skip.into_iter().map(Arg::from));
    Read::query(sql, args, |rows| {
        Ok(rows.first::<(String,)>()?.map(|(r,)| r))
    })
}

pub async fn set_rank(tx: &mut Tx, id: ItemId, rank: &str) -> Result<()> {
    Ok(set_rank_read(id, rank).run(&mut tx.conn()).await?)
}

/// [`set_rank`] as a statement that may share a round trip with the rest of a move.
pub fn set_rank_read(id: ItemId, rank: &str) -> Read<()> {
    Read::exec(
        "UPDATE items SET rank = $1 WHERE id = $2",
        vec![rank.into(), i64::from(id).into()],
    )
}

/// Rewrites a product's ranks to short, evenly spaced keys in the same order.
pub async fn rebalance(db: &Db, product_id: i64) -> Result<usize> {
    let mut tx = db.begin().await?;
    lock_product(&mut tx, product_id).await?;
    let ids: Vec<ItemId> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT id FROM items WHERE product_id = $1 ORDER BY rank").bind(product_id).fetch_all(&mut **t).await)?;
    // Two passes: parking every rank behind '~', which no rank contains, keeps (product, rank)
    // unique at every step, since some new ranks equal old ranks of other items.
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET rank = '~' || rank WHERE product_id = $1")
        .bind(product_id))?;
    for (id, rank) in ids.iter().zip(super::rank::spread(ids.len())) {
        set_rank(&mut tx, *id, &rank).await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}

/// One new item for [`insert_many`]: its checked fields, readiness and rank, and where an
/// import found it.
pub struct NewRow<'a> {
    pub number: i64,
    pub rank: String,
    pub fields: &'a Fields,
    pub readiness: Assessed,
    pub labels: &'a [String],
    pub criteria: &'a [String],
    pub origin: Option<Origin<'a>>,
}

/// An imported item's key in its source, and the source's times.
pub struct Origin<'a> {
    pub key: &'a str,
    pub created: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    /// When the source finished it: a done item's first status event is then, not now, so
    /// throughput and history count it in the week it was done.
    pub resolved: Option<DateTime<Utc>>,
    pub assignee: Option<i64>,
    pub reporter: Option<i64>,
}

/// Rows per multi-row statement: 22 columns × 400 stays far below both databases' limits on
/// bound parameters (32,766 on SQLite, 65,535 on PostgreSQL).
const CHUNK: usize = 400;

/// Inserts new items, a statement per 400 items rather than one per item, and answers their ids
/// in the order given with their labels, criteria and first status events as statements for
/// the caller to send with the rest of its write (one round trip for all of them). Creating one
/// item and importing 30,000 both come through here.
pub async fn insert_many(
    c: &mut Conn<'_>,
    product_id: i64,
    actor_id: i64,
    rows: &[NewRow<'_>],
) -> Result<(Vec<ItemId>, Read<()>)> {
    let now = crate::db::now();
    let sqlite = c.is_sqlite();
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO items (product_id, number, kind, title, description, persona, goal, benefit,
                                points, status, rank, parent_id, created_by, created_at, updated_at,
                                ready, readiness, external_key, external_updated,
                                initiative_id, assignee_id, reporter_id)
             VALUES {} RETURNING id, number",
            crate::db::row_marks(sqlite, chunk.len(), 22)
        );
        let got: Vec<(ItemId, i64)> = on!(c, x => {
            let mut q = sqlx::query_as(&sql);
            for r in chunk {
                let (f, o) = (r.fields, r.origin.as_ref());
                q = q.bind(product_id).bind(r.number).bind(&f.kind).bind(&f.title)
                    .bind(&f.description).bind(&f.persona).bind(&f.goal).bind(&f.benefit)
                    .bind(f.points).bind(&f.status).bind(&r.rank).bind(f.parent_id).bind(actor_id)
                    .bind(o.and_then(|o| o.created).unwrap_or(now)).bind(now)
                    .bind(r.readiness.ready).bind(&r.readiness.json)
                    .bind(o.map(|o| o.key)).bind(o.and_then(|o| o.updated))
                    .bind(f.initiative_id).bind(o.and_then(|o| o.assignee))
                    .bind(o.and_then(|o| o.reporter));
            }
            q.fetch_all(&mut **x).await
        })?;
        // RETURNING promises the rows, not their order: match them by number.
        let by_number: std::collections::HashMap<i64, ItemId> =
            got.into_iter().map(|(id, n)| (n, id)).collect();
        for r in chunk {
            ids.push(*by_number.get(&r.number).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("item {} was not inserted", r.number))
            })?);
        }
    }
    // Labels, criteria and first status events in one round trip.
    let labels: Vec<[Arg; 2]> = rows
        .iter()
        .zip(&ids)
        .flat_map(|(r, id)| {
            let id = i64::from(*id);
            r.labels.iter().map(move |l| [id.into(), l.as_str().into()])
        })
        .collect();
    let criteria: Vec<[Arg; 3]> = rows
        .iter()
        .zip(&ids)
        .flat_map(|(r, id)| {
            let (id, texts) = (i64::from(*id), r.criteria.iter().enumerate());
            texts.map(move |(i, t)| [id.into(), (i as i64 + 1).into(), t.as_str().into()])
        })
        .collect();
    // Each item's first status event, which cycle time and the burndown start from.
    let events: Vec<[Arg; 3]> = rows
        .iter()
        .zip(&ids)
        .map(|(r, id)| {
            let done_at = r.origin.as_ref().and_then(|o| o.resolved);
            let at = done_at.filter(|_| r.fields.status == "done").unwrap_or(now);
            [
                i64::from(*id).into(),
                r.fields.status.as_str().into(),
                at.into(),
            ]
        })
        .collect();
    let per = CHUNK * 4;
    let side = Read::insert_rows(
        "INSERT INTO item_labels (item_id, label) VALUES",
        labels,
        per,
    )
    .then(Read::insert_rows(
        "INSERT INTO criteria (item_id, position, text) VALUES",
        criteria,
        per,
    ))
    .then(Read::insert_rows(
        "INSERT INTO item_status_events (item_id, status, at) VALUES",
        events,
        per,
    ));
    Ok((ids, side))
}

/// Where `n` new items go: the first of the numbers reserved for them, and the rank of the
/// backlog's last item (or first, for new items at the top) that they land beside.
pub struct Slots {
    pub first: i64,
    pub edge: Option<String>,
}

/// Reserves `n` item numbers of the product and reads the rank new items land beside, at the
/// top or the bottom: [`Slots`]. Nothing is reserved for no items.
pub fn slots_read(product_id: i64, n: usize, top: bool) -> Read<Slots> {
    if n == 0 {
        return Read::ready(Slots {
            first: 0,
            edge: None,
        });
    }
    reserve_numbers_read(product_id, n)
        .and(edge_rank_read(product_id, !top))
        .map(|(first, edge)| Ok(Slots { first, edge }))
}

/// Reserves `n` item numbers of the product and answers the first.
pub fn reserve_numbers_read(product_id: i64, n: usize) -> Read<i64> {
    Read::query(
        "UPDATE products SET next_number = next_number + $2 WHERE id = $1 RETURNING next_number - $2",
        vec![product_id.into(), (n as i64).into()],
        |rows| Ok(rows.one::<(i64,)>()?.0),
    )
}

/// The editable scalar columns of an item.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fields {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub persona: String,
    pub goal: String,
    pub benefit: String,
    pub points: Option<Points>,
    pub status: String,
    #[serde(skip)]
    pub parent_id: Option<ItemId>,
    /// Read for readiness only; set through the strategy link, never by an item update.
    #[serde(skip)]
    pub initiative_id: Option<InitiativeId>,
}

impl From<&ItemRow> for Fields {
    fn from(r: &ItemRow) -> Fields {
        Fields {
            kind: r.kind.clone(),
            title: r.title.clone(),
            description: r.description.clone(),
            persona: r.persona.clone(),
            goal: r.goal.clone(),
            benefit: r.benefit.clone(),
            points: r.points,
            status: r.status.clone(),
            parent_id: r.parent_id,
            initiative_id: r.initiative_id,
        }
    }
}

/// Writes the fields if the version still matches; `false` means someone else got there first.
pub async fn update(
    tx: &mut Tx,
    id: ItemId,
    expected_version: i64,
    f: &Fields,
    readiness: &Assessed,
) -> Result<bool> {
    Ok(update_read(id, expected_version, f, readiness)
        .run(&mut tx.conn())
        .await?)
}

/// [`update`] as a statement that may share a round trip with what the write does next: when it
/// answers `false` nothing of that may be kept (the caller drops the transaction).
pub fn update_read(
    id: ItemId,
    expected_version: i64,
    f: &Fields,
    readiness: &Assessed,
) -> Read<bool> {
    Read::query(
        "UPDATE items SET kind = $1, title = $2, description = $3, persona = $4, goal = $5, benefit = $6,
                points = $7, status = $8, parent_id = $9, updated_at = $10, version = version + 1,
                ready = $13, readiness = $14
         WHERE id = $11 AND version = $12 RETURNING id",
        vec![
            f.kind.as_str().into(),
            f.title.as_str().into(),
            f.description.as_str().into(),
            f.persona.as_str().into(),
            f.goal.as_str().into(),
            f.benefit.as_str().into(),
            f.points.map(Points::hundredths).into(),
            f.status.as_str().into(),
            f.parent_id.map(i64::from).into(),
            crate::db::now().into(),
            i64::from(id).into(),
            expected_version.into(),
            readiness.ready.into(),
            readiness.json.as_str().into(),
        ],
        |rows| Ok(rows.first::<(i64,)>()?.is_some()),
    )
}

/// Bumps the version when only related rows (criteria, labels) changed.
pub async fn touch(tx: &mut Tx, id: ItemId) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(crate::db::now()).bind(id))?;
    Ok(())
}

pub async fn labels(c: &mut crate::db::Conn<'_>, id: ItemId) -> Result<Vec<String>> {
    Ok(
        on!(c, t => sqlx::query_scalar("SELECT label FROM item_labels WHERE item_id = $1 ORDER BY label")
        .bind(id).fetch_all(&mut **t).await)?,
    )
}

pub async fn set_labels(tx: &mut Tx, id: ItemId, labels: &[String]) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM item_labels WHERE item_id = $1").bind(id))?;
    insert_labels(tx, id, labels).await
}

/// Labels of a new item (nothing to replace).
pub async fn insert_labels(tx: &mut Tx, id: ItemId, labels: &[String]) -> Result<()> {
    for l in labels {
        exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO item_labels (item_id, label) VALUES ($1, $2)")
            .bind(id).bind(l))?;
    }
    Ok(())
}

pub async fn criteria(c: &mut crate::db::Conn<'_>, id: ItemId) -> Result<Vec<String>> {
    Ok(criteria_read(id).run(c).await?)
}

/// [`criteria`] as a read that may share a round trip with others.
pub fn criteria_read(id: ItemId) -> Read<Vec<String>> {
    Read::query(
        "SELECT text FROM criteria WHERE item_id = $1 ORDER BY position",
        vec![i64::from(id).into()],
        |rows| Ok(rows.all::<(String,)>()?.into_iter().map(|(t,)| t).collect()),
    )
}

pub async fn set_criteria(tx: &mut Tx, id: ItemId, criteria: &[String]) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM criteria WHERE item_id = $1").bind(id))?;
    insert_criteria(tx, id, criteria).await
}

/// Criteria of a new item (nothing to replace).
pub async fn insert_criteria(tx: &mut Tx, id: ItemId, criteria: &[String]) -> Result<()> {
    for (i, c) in criteria.iter().enumerate() {
        exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO criteria (item_id, position, text) VALUES ($1, $2, $3)")
            .bind(id).bind(i as i64 + 1).bind(c))?;
    }
    Ok(())
}

pub async fn open_questions(c: &mut crate::db::Conn<'_>, id: ItemId) -> Result<i64> {
    Ok(open_questions_read(id).run(c).await?)
}

/// [`open_questions`] as a read that may share a round trip with others.
pub fn open_questions_read(id: ItemId) -> Read<i64> {
    Read::query(
        "SELECT COUNT(*) FROM questions WHERE item_id = $1 AND answered_at IS NULL AND blocking",
        vec![i64::from(id).into()],
        |rows| Ok(rows.one::<(i64,)>()?.0),
    )
}

pub async fn ids_of_product(c: &mut crate::db::Conn<'_>, product_id: i64) -> Result<Vec<ItemId>> {
    Ok(
        on!(c, t => sqlx::query_scalar("SELECT id FROM items WHERE product_id = $1")
        .bind(product_id).fetch_all(&mut **t).await)?,
    )
}

/// True when `to` can be reached from `from` along parent links upwards (a parent cycle).
pub async fn is_ancestor(tx: &mut Tx, start: ItemId, candidate: ItemId) -> Result<bool> {
    let hit: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "WITH RECURSIVE up(id) AS (
            SELECT CAST($1 AS BIGINT)
            UNION SELECT i.parent_id FROM items i JOIN up ON i.id = up.id WHERE i.parent_id IS NOT NULL)
         SELECT id FROM up WHERE id = $2")
        .bind(start).bind(candidate).fetch_optional(&mut **t).await)?;
    Ok(hit.is_some())
}

/// True when `target` is reachable from `from` along "blocks" edges.
pub async fn blocks_transitively(tx: &mut Tx, from: ItemId, target: ItemId) -> Result<bool> {
    let hit: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "WITH RECURSIVE reach(id) AS (
            SELECT CAST($1 AS BIGINT)
            UNION SELECT d.blocked_id FROM item_dependencies d JOIN reach r ON d.blocker_id = r.id)
         SELECT id FROM reach WHERE id = $2")
        .bind(from).bind(target).fetch_optional(&mut **t).await)?;
    Ok(hit.is_some())
}

pub async fn add_dependency(tx: &mut Tx, blocker: ItemId, blocked: ItemId) -> Result<bool> {
    let r = exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO item_dependencies (blocker_id, blocked_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(blocker).bind(blocked))?;
    Ok(r == 1)
}

pub async fn remove_dependency(tx: &mut Tx, blocker: ItemId, blocked: ItemId) -> Result<bool> {
    let r = exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM item_dependencies WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker).bind(blocked))?;
    Ok(r == 1)
}

/// Resolves a key in the workspace to (item id, product id), inside a transaction.
pub async fn id_by_key(
    c: &mut crate::db::Conn<'_>,
    workspace_id: i64,
    key: &str,
) -> Result<Option<(ItemId, i64)>> {
    let Some((prefix, number)) = super::parse_key(key) else {
        return Ok(None);
    };
    Ok(on!(c, t => sqlx::query_as(
        "SELECT i.id, i.product_id FROM items i JOIN products p ON p.id = i.product_id
         WHERE p.workspace_id = $1 AND p.key = $2 AND i.number = $3")
        .bind(workspace_id).bind(&prefix).bind(number).fetch_optional(&mut **t).await)?)
}

pub async fn delete(tx: &mut Tx, id: ItemId) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM items WHERE id = $1").bind(id))?;
    forget_watchers(tx, id).await
}

/// Watchers are kept by (entity type, id) with no foreign key: a deleted item's go with it, so
/// an item that later takes its id (SQLite reuses the highest one) never inherits them.
pub async fn forget_watchers(tx: &mut Tx, id: ItemId) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM watchers WHERE entity_type = 'item' AND entity_id = $1")
        .bind(id))?;
    Ok(())
}

/// Keeps the history of statuses that burndowns and cycle times are computed from.
pub async fn record_status(tx: &mut Tx, item_id: ItemId, status: &str) -> Result<()> {
    Ok(record_status_read(item_id, status)
        .run(&mut tx.conn())
        .await?)
}

/// [`record_status`] as a statement that may share its round trip with the change's other
/// side rows.
pub fn record_status_read(item_id: ItemId, status: &str) -> Read<()> {
    Read::exec(
        "INSERT INTO item_status_events (item_id, status, at) VALUES ($1, $2, $3)",
        vec![
            i64::from(item_id).into(),
            status.into(),
            crate::db::now().into(),
        ],
    )
}

/// Sets only the status (a card move): no other field is read or written, so concurrent moves
/// of different cards never overwrite each other, and each move is recorded.
pub async fn set_status(tx: &mut Tx, id: ItemId, status: super::Status) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(status.as_str()).bind(crate::db::now()).bind(id))?;
    record_status(tx, id, status.as_str()).await
}

pub async fn member_id(
    c: &mut crate::db::Conn<'_>,
    workspace_id: i64,
    email: &str,
) -> Result<Option<i64>> {
    Ok(on!(c, t => sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN workspace_members m ON m.user_id = u.id WHERE m.workspace_id = $1 AND u.email = $2")
        .bind(workspace_id).bind(email.to_lowercase()).fetch_optional(&mut **t).await)?)
}

pub async fn assignee(c: &mut crate::db::Conn<'_>, id: ItemId) -> Result<Option<i64>> {
    Ok(
        on!(c, t => sqlx::query_scalar("SELECT assignee_id FROM items WHERE id = $1")
        .bind(id).fetch_one(&mut **t).await)?,
    )
}

/// Sets the assignees and reporters an import names, as (item, assignee, reporter), leaving a
/// field alone when it names nobody: one statement per [`PEOPLE_PER_STATEMENT`] items, all in
/// one round trip. Returns the items that changed.
pub fn set_people_read(set: &[(ItemId, Option<i64>, Option<i64>)]) -> Read<Vec<ItemId>> {
    let mut reads = Vec::new();
    for chunk in set.chunks(PEOPLE_PER_STATEMENT) {
        let sql = format!(
            "UPDATE items SET assignee_id = COALESCE(v.column2, items.assignee_id),
                              reporter_id = COALESCE(v.column3, items.reporter_id)
             FROM (VALUES {}) AS v
             WHERE items.id = v.column1
               AND ((v.column2 IS NOT NULL AND items.assignee_id IS DISTINCT FROM v.column2)
                 OR (v.column3 IS NOT NULL AND items.reporter_id IS DISTINCT FROM v.column3))
             RETURNING id",
            crate::db::row_marks(false, chunk.len(), 3)
        );
        let args = chunk
            .iter()
            .flat_map(|&(id, a, r)| [Arg::from(i64::from(id)), a.into(), r.into()])
            .collect();
        reads.push(Read::query(sql, args, |rows| rows.all::<(ItemId,)>()));
    }
    Read::all(reads).map(|chunks| Ok(chunks.into_iter().flatten().map(|(id,)| id).collect()))
}

/// Items of [`set_people_read`] per statement: 3 bound parameters each.
const PEOPLE_PER_STATEMENT: usize = 1_000;

/// Every item of the product as (id, assignee, reporter, initiative): what an import compares
/// the file with before it writes a change.
#[allow(clippy::type_complexity)]
pub async fn people_and_initiatives(
    c: &mut crate::db::Conn<'_>,
    product_id: i64,
) -> Result<Vec<(ItemId, Option<i64>, Option<i64>, Option<InitiativeId>)>> {
    Ok(on!(c, t => sqlx::query_as(
        "SELECT id, assignee_id, reporter_id, initiative_id FROM items WHERE product_id = $1")
        .bind(product_id).fetch_all(&mut **t).await)?)
}

/// Puts back an item's assignee and reporter as they were (an import's undo).
pub async fn restore_people(
    tx: &mut Tx,
    id: ItemId,
    assignee: Option<i64>,
    reporter: Option<i64>,
) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET assignee_id = $1, reporter_id = $2 WHERE id = $3")
        .bind(assignee).bind(reporter).bind(id))?;
    Ok(())
}

pub async fn set_assignee(tx: &mut Tx, id: ItemId, user: Option<i64>) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET assignee_id = $1 WHERE id = $2")
        .bind(user).bind(id))?;
    Ok(())
}

/// What the item page's properties offer, in one round trip: the product's personas and its
/// initiatives (dropped ones left out) by id and name, and the open sprint the item is in.
pub struct Choices {
    pub personas: Vec<(i64, String)>,
    pub initiatives: Vec<(InitiativeId, String)>,
    pub sprint: Option<(SprintId, String)>,
}

pub async fn choices(db: &Db, product_id: i64, item_id: ItemId) -> Result<Choices> {
    Ok(choices_read(product_id, item_id).on(db).await?)
}

/// [`choices`] as a read that may share a round trip with others.
pub fn choices_read(product_id: i64, item_id: ItemId) -> Read<Choices> {
    Read::query(
        "SELECT 'persona', id, name FROM personas WHERE product_id = $1
         UNION ALL
         SELECT 'initiative', id, title FROM initiatives WHERE product_id = $1 AND status <> 'dropped'
         UNION ALL
         SELECT 'sprint', s.id, s.name FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id
          WHERE si.item_id = $2 AND si.removed_at IS NULL AND s.state <> 'closed'
         ORDER BY 1, 3, 2",
        vec![product_id.into(), i64::from(item_id).into()],
        |rows| {
            let mut c = Choices {
                personas: Vec::new(),
                initiatives: Vec::new(),
                sprint: None,
            };
            for (kind, id, name) in rows.all::<(String, i64, String)>()? {
                match kind.as_str() {
                    "persona" => c.personas.push((id, name)),
                    "initiative" => c.initiatives.push((InitiativeId(id), name)),
                    _ => c.sprint = c.sprint.or(Some((SprintId(id), name))),
                }
            }
            Ok(c)
        },
    )
}
