//! Quarterly priorities (S5): a ranked list per product and quarter, each tied to objectives.
//! Once the quarter has started, adding, removing and reordering need a reason.

use serde_json::json;

use super::model::{Priority, PriorityInput, PriorityMove};
use super::{objectives, reason_for, today, Quarter};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::rank;
use crate::db::{now, Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

impl Versioned for Priority {
    const NOUN: &'static str = "the priority";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Priority {
    /// (product, priority)
    type Key = (i64, i64);
    async fn load(c: &mut Conn<'_>, (product_id, id): Self::Key) -> Result<Self> {
        let q = quarter_on(c, product_id, id).await?;
        list_on(c, product_id, q)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(Error::NotFound)
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    quarter: String,
    title: String,
    description: String,
    rank: String,
    version: i64,
}

/// A quarter's priorities in rank order, numbered from 1.
pub async fn list(db: &Db, ctx: &ProductCtx, quarter: Quarter) -> Result<Vec<Priority>> {
    ctx.grants.require(Action::ViewStrategy)?;
    list_on(&mut db.reader().await?.conn(), ctx.product.id, quarter).await
}

async fn list_on(c: &mut Conn<'_>, product_id: i64, quarter: Quarter) -> Result<Vec<Priority>> {
    let q = quarter.to_string();
    let rows: Vec<Row> = on!(c, c => sqlx::query_as(
        "SELECT id, quarter, title, description, rank, version FROM priorities
         WHERE product_id = $1 AND quarter = $2 ORDER BY rank")
        .bind(product_id).bind(&q).fetch_all(&mut **c).await)?;
    let links: Vec<(String, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT 'objective', po.priority_id, po.objective_id FROM priority_objectives po
           JOIN priorities pr ON pr.id = po.priority_id WHERE pr.product_id = $1 AND pr.quarter = $2
         UNION ALL
         SELECT 'initiative', pi.priority_id, pi.initiative_id FROM priority_initiatives pi
           JOIN priorities pr ON pr.id = pi.priority_id WHERE pr.product_id = $1 AND pr.quarter = $2
         ORDER BY 3")
        .bind(product_id).bind(&q).fetch_all(&mut **c).await)?;
    let of = |kind: &str, id: i64| -> Vec<i64> {
        links
            .iter()
            .filter(|l| l.0 == kind && l.1 == id)
            .map(|l| l.2)
            .collect()
    };
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| Priority {
            objectives: of("objective", r.id),
            initiatives: of("initiative", r.id),
            id: r.id,
            quarter: r.quarter,
            position: i as i64 + 1,
            title: r.title,
            description: r.description,
            version: r.version,
            rank: r.rank,
        })
        .collect())
}

async fn quarter_of(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Quarter> {
    quarter_on(&mut db.reader().await?.conn(), ctx.product.id, id).await
}

async fn quarter_on(c: &mut Conn<'_>, product_id: i64, id: i64) -> Result<Quarter> {
    let q: String = on!(c, c => sqlx::query_scalar(
        "SELECT quarter FROM priorities WHERE id = $1 AND product_id = $2")
        .bind(id).bind(product_id).fetch_optional(&mut **c).await)?
    .ok_or(Error::NotFound)?;
    Quarter::parse(&q)
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Priority> {
    ctx.grants.require(Action::ViewStrategy)?;
    Priority::load(&mut db.reader().await?.conn(), (ctx.product.id, id)).await
}

/// The objectives must be of this product and of the priority's quarter.
async fn check_objectives(
    tx: &mut Tx,
    ctx: &ProductCtx,
    quarter: Quarter,
    ids: &[i64],
) -> Result<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(Error::invalid(
            "objectives",
            "tie the priority to at least one objective",
        ));
    }
    for (id, q) in
        objectives::check_objectives(&mut tx.conn(), ctx.product.id, &ids, "objectives").await?
    {
        if q != quarter.to_string() {
            return Err(Error::invalid(
                "objectives",
                format!("objective {id} is for {q}, not {quarter}"),
            ));
        }
    }
    Ok(ids)
}

async fn set_objectives(tx: &mut Tx, id: i64, ids: &[i64]) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM priority_objectives WHERE priority_id = $1")
        .bind(id))?;
    for o in ids {
        exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO priority_objectives (priority_id, objective_id) VALUES ($1, $2)")
            .bind(id).bind(o))?;
    }
    Ok(())
}

async fn edge(tx: &mut Tx, product_id: i64, quarter: &str, last: bool) -> Result<Option<String>> {
    let sql = if last {
        "SELECT rank FROM priorities WHERE product_id = $1 AND quarter = $2 ORDER BY rank DESC LIMIT 1"
    } else {
        "SELECT rank FROM priorities WHERE product_id = $1 AND quarter = $2 ORDER BY rank LIMIT 1"
    };
    Ok(
        on!(&mut tx.conn(), t => sqlx::query_scalar(sql).bind(product_id).bind(quarter).fetch_optional(&mut **t).await)?,
    )
}

pub async fn create(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: PriorityInput,
) -> Result<Priority> {
    ctx.grants.require(Action::ManageStrategy)?;
    let quarter = Quarter::parse(input.quarter.as_deref().unwrap_or_default())?;
    let title = super::validate_title("title", input.title.as_deref().unwrap_or_default())?;
    let description = crate::backlog::validate_text(
        "description",
        input.description.as_deref().unwrap_or_default(),
        5_000,
    )?;
    let top = match input.position.as_deref() {
        None | Some("bottom") => false,
        Some("top") => true,
        Some(_) => return Err(Error::invalid("position", "must be top or bottom")),
    };
    let reason = reason_for(quarter, today(), input.reason.as_deref())?;
    let mut tx = db.begin().await?;
    let objectives = check_objectives(
        &mut tx,
        ctx,
        quarter,
        input.objectives.as_deref().unwrap_or_default(),
    )
    .await?;
    crate::backlog::store::lock_product(&mut tx, ctx.product.id).await?;
    let q = quarter.to_string();
    let e = edge(&mut tx, ctx.product.id, &q, !top).await?;
    let r = if top {
        rank::between(None, e.as_deref())?
    } else {
        rank::between(e.as_deref(), None)?
    };
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO priorities (product_id, quarter, title, description, rank, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
        .bind(ctx.product.id).bind(&q).bind(&title).bind(&description).bind(&r).bind(at).fetch_one(&mut **t).await)?;
    set_objectives(&mut tx, id, &objectives).await?;
    let after = json!({"quarter": q, "title": title, "objectives": objectives, "position": if top { "top" } else { "bottom" }});
    Change::by(actor, ctx, "priority.add", ("priority", id))
        .after(&after)
        .reason(reason.as_deref())
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

/// Edits title, description and objectives; the quarter of a priority never changes.
pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: PriorityInput,
) -> Result<Priority> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, (title, description, reason)) =
        Guarded::<Priority>::merging(db, (ctx.product.id, id), version, |old| merge(old, &input))
            .await?;
    let old = w.old().clone();
    let quarter = Quarter::parse(&old.quarter)?;
    let objectives = match &input.objectives {
        Some(o) => Some(check_objectives(w.tx(), ctx, quarter, o).await?),
        None => None,
    };
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE priorities SET title = $1, description = $2, updated_at = $3, version = version + 1
         WHERE id = $4 AND product_id = $5 AND version = $6")
        .bind(&title).bind(&description).bind(now()).bind(id).bind(ctx.product.id).bind(version))?;
    if let (1, Some(o)) = (n, &objectives) {
        set_objectives(w.tx(), id, o).await?;
    }
    let after = json!({"title": title, "description": description, "objectives": objectives.as_ref().unwrap_or(&old.objectives)});
    let before =
        json!({"title": old.title, "description": old.description, "objectives": old.objectives});
    let change = Change::by(actor, ctx, "priority.update", ("priority", id))
        .before(&before)
        .after(&after)
        .reason(reason.as_deref());
    w.commit(n, change).await?;
    get(db, ctx, id).await
}

/// A priority's title, description and the reason given, after `input`; a priority keeps its
/// quarter and moves only with its move action.
fn merge(old: &Priority, input: &PriorityInput) -> Result<(String, String, Option<String>)> {
    if input
        .quarter
        .as_deref()
        .is_some_and(|q| q.trim() != old.quarter)
    {
        return Err(Error::invalid(
            "quarter",
            "a priority stays in its quarter; add one to the other quarter instead",
        ));
    }
    if input.position.is_some() {
        return Err(Error::invalid(
            "position",
            "move a priority with its move action",
        ));
    }
    let title = match &input.title {
        Some(t) => super::validate_title("title", t)?,
        None => old.title.clone(),
    };
    let description = match &input.description {
        Some(d) => crate::backlog::validate_text("description", d, 5_000)?,
        None => old.description.clone(),
    };
    let reason = input
        .reason
        .as_deref()
        .map(|r| crate::backlog::validate_text("reason", r, 1_000))
        .transpose()?;
    Ok((title, description, reason))
}

/// Moves one priority within its quarter; only its rank is written. Answers the quarter; the
/// tiers that follow are governance's to report (`governance::tiers::move_priority`).
pub async fn move_one(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    m: PriorityMove,
) -> Result<Quarter> {
    ctx.grants.require(Action::ManageStrategy)?;
    let quarter = quarter_of(db, ctx, id).await?;
    let reason = reason_for(quarter, today(), m.reason.as_deref())?;
    let list_before = list(db, ctx, quarter).await?;
    let pos = |id: i64| list_before.iter().position(|p| p.id == id);
    let from = pos(id).ok_or(Error::NotFound)?;
    let neighbour = |n: i64, field: &str| {
        pos(n).filter(|_| n != id).ok_or_else(|| {
            Error::invalid(
                field,
                format!("no other priority {n} in {quarter} of this product"),
            )
        })
    };
    let others: Vec<&Priority> = list_before.iter().filter(|p| p.id != id).collect();
    let (lo, hi) = match (m.before, m.after, m.to.as_deref()) {
        (Some(b), None, None) => {
            let at = neighbour(b, "before")?;
            let i = others
                .iter()
                .position(|p| p.id == list_before[at].id)
                .unwrap_or_default();
            (
                i.checked_sub(1).map(|j| others[j].rank.clone()),
                Some(others[i].rank.clone()),
            )
        }
        (None, Some(a), None) => {
            let at = neighbour(a, "after")?;
            let i = others
                .iter()
                .position(|p| p.id == list_before[at].id)
                .unwrap_or_default();
            (
                Some(others[i].rank.clone()),
                others.get(i + 1).map(|p| p.rank.clone()),
            )
        }
        (None, None, Some("top")) => (None, others.first().map(|p| p.rank.clone())),
        (None, None, Some("bottom")) => (others.last().map(|p| p.rank.clone()), None),
        (None, None, Some(_)) => return Err(Error::invalid("to", "must be top or bottom")),
        _ => {
            return Err(Error::invalid(
                "before",
                "give exactly one of before, after or to",
            ))
        }
    };
    let new_rank = rank::between(lo.as_deref(), hi.as_deref())?;
    let mut tx = db.begin().await?;
    crate::backlog::store::lock_product(&mut tx, ctx.product.id).await?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE priorities SET rank = $1, updated_at = $2 WHERE id = $3 AND product_id = $4")
        .bind(&new_rank).bind(now()).bind(id).bind(ctx.product.id))?;
    let order = |v: &[&Priority]| v.iter().map(|p| p.id).collect::<Vec<_>>();
    let before_ids = order(&list_before.iter().collect::<Vec<_>>());
    let mut after_ids: Vec<i64> = others.iter().map(|p| p.id).collect();
    let at = after_ids
        .iter()
        .position(|o| {
            lo.as_deref()
                == list_before
                    .iter()
                    .find(|p| p.id == *o)
                    .map(|p| p.rank.as_str())
        })
        .map(|i| i + 1)
        .unwrap_or(0);
    after_ids.insert(at, id);
    let before = json!({"quarter": quarter.to_string(), "position": from + 1, "order": before_ids});
    let after = json!({"quarter": quarter.to_string(), "position": at + 1, "order": after_ids});
    Change::by(actor, ctx, "priority.move", ("priority", id))
        .before(&before)
        .after(&after)
        .reason(reason.as_deref())
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(quarter)
}

pub async fn delete(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    reason: Option<&str>,
) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    let old = get(db, ctx, id).await?;
    let reason = reason_for(Quarter::parse(&old.quarter)?, today(), reason)?;
    let mut w = Guarded::<Priority>::open(db, (ctx.product.id, id), version).await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "DELETE FROM priorities WHERE id = $1 AND product_id = $2 AND version = $3")
        .bind(id).bind(ctx.product.id).bind(version))?;
    let change =
        Change::by(actor, ctx, "priority.remove", ("priority", id)).reason(reason.as_deref());
    w.commit(n, change).await?;
    Ok(())
}
