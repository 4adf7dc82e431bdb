//! Strategy data for the benchmark dataset (`seed --scale`): 500 initiatives over the items,
//! objectives, metric histories and priorities, and 20,000 research insights.

use chrono::Duration;

use crate::db::{now, Db};
use crate::strategy::{today, Quarter};
use crate::{exec, on};

/// 100 sources and 1,000 insights per benchmark product (20,000 over 20), in batches.
async fn scale_research(
    db: &Db,
    tx: &mut crate::db::Tx,
    pi: usize,
    pid: i64,
) -> anyhow::Result<()> {
    const WORDS: [&str; 12] = [
        "import",
        "invite",
        "checklist",
        "report",
        "billing",
        "sprint",
        "export",
        "search",
        "mobile",
        "slow",
        "permissions",
        "integration",
    ];
    let at = now();
    let mut sql = String::from("INSERT INTO research_sources (product_id, kind, title, happened_on, customer, segment, created_at, updated_at) VALUES ");
    sql.push_str(&super::values(db, 100, 8));
    on!(&mut tx.conn(), t => {
        let mut q = sqlx::query(&sql);
        for s in 0..100usize {
            let day = (today() - Duration::days(s as i64 * 3)).format("%Y-%m-%d").to_string();
            q = q.bind(pid).bind(crate::strategy::SOURCE_KINDS[s % 5]).bind(format!("Research {s} for product {pi}"))
                .bind(day).bind(format!("Customer {}", (s * 7 + pi) % 300)).bind(["smb", "mid-size", "enterprise"][s % 3]).bind(at).bind(at);
        }
        q.execute(&mut **t).await.map(|r| r.rows_affected())
    })?;
    let sources: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT id FROM research_sources WHERE product_id = $1 ORDER BY id")
        .bind(pid).fetch_all(&mut **t).await)?;
    for chunk in sources.chunks(25) {
        let mut sql = String::from("INSERT INTO insights (product_id, source_id, kind, body, importance, tags, created_at, updated_at) VALUES ");
        sql.push_str(&super::values(db, chunk.len() * 10, 8));
        on!(&mut tx.conn(), t => {
            let mut q = sqlx::query(&sql);
            for (si, sid) in chunk.iter().enumerate() {
                for k in 0..10usize {
                    let n = si * 10 + k + pi;
                    let (a, b) = (WORDS[n % 12], WORDS[(n * 5 + 3) % 12]);
                    q = q.bind(pid).bind(*sid).bind(if k % 3 == 0 { "quote" } else { "observation" })
                        .bind(format!("Customers say {a} is hard and {b} gets in the way ({sid}-{k})"))
                        .bind((n % 5) as i64 + 1).bind(format!("{a} {b}")).bind(at).bind(at);
                }
            }
            q.execute(&mut **t).await.map(|r| r.rows_affected())
        })?;
    }
    // Every 20th insight of the product is evidence for one of its 25 initiatives (consecutive
    // ids). The first initiative is looked up once, not once per insight: without statistics
    // yet, PostgreSQL answered each look-up by walking the initiatives' primary key.
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO initiative_evidence (insight_id, initiative_id)
         SELECT i.id, f.id + (i.id % 25)
         FROM insights i, (SELECT MIN(id) AS id FROM initiatives WHERE product_id = $1) f
         WHERE i.product_id = $1 AND i.id % 20 = 0")
        .bind(pid))?;
    Ok(())
}

/// Initiatives per benchmark product; items `100n+1 ..= 100n+100` belong to initiative `n`.
pub const INITIATIVES: i64 = 25;
pub const ITEMS_PER_INITIATIVE: i64 = 100;

/// The [`INITIATIVES`] of the `pi`-th benchmark product, answered by `n`. They are made before
/// the product's items so that each item is inserted with its initiative: linking them
/// afterwards updated 50,000 items, each firing the per-row roll-up trigger on its initiative
/// (4 of the 15 s the large seed took on PostgreSQL).
pub async fn initiatives(tx: &mut crate::db::Tx, pi: usize, pid: i64) -> anyhow::Result<Vec<i64>> {
    let at = now();
    let mut ids = Vec::new();
    for n in 0..INITIATIVES {
        let s = |k: i64, m: i64| 1 + (n * k + pi as i64) % m;
        let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "INSERT INTO initiatives (product_id, title, status, reach, impact, confidence, effort, business_value,
                 time_criticality, risk_reduction, job_size, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id")
            .bind(pid).bind(format!("Initiative {n} of product {pi}"))
            .bind(crate::strategy::STATUSES[(n % 5) as usize]).bind(s(137, 5000)).bind(crate::strategy::IMPACTS[(n % 5) as usize])
            .bind(10 * s(3, 10)).bind(s(7, 12) as f64).bind(s(3, 20)).bind(s(5, 20)).bind(s(7, 20)).bind(s(11, 20))
            .bind(at).fetch_one(&mut **t).await)?;
        ids.push(id);
    }
    Ok(ids)
}

/// 25 initiatives per benchmark product (500 over 20), each over 100 items, with objectives,
/// metrics and five priorities in this quarter and the next. Deterministic.
pub async fn scale(db: &Db, workspace_id: i64, owner_id: i64) -> anyhow::Result<usize> {
    let products: Vec<i64> = crate::on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT id FROM products WHERE workspace_id = $1 ORDER BY key").bind(workspace_id).fetch_all(&mut **c).await)?;
    let q = Quarter::of(today());
    let at = now();
    let ranks = crate::backlog::rank::spread(5);
    let mut tx = db.begin().await?;
    let mut total = 0;
    for (pi, pid) in products.iter().enumerate() {
        let mut prios = Vec::new();
        for quarter in [q, q.next()] {
            let qs = quarter.to_string();
            let o: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
                "INSERT INTO objectives (product_id, quarter, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
                .bind(pid).bind(&qs).bind(format!("Grow product {pi} in {qs}")).bind(at).fetch_one(&mut **t).await)?;
            let m: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
                "INSERT INTO metrics (product_id, objective_id, name, unit, direction, baseline, target, created_at, updated_at)
                 VALUES ($1, $2, $3, '%', 'up', 20, 40, $4, $4) RETURNING id")
                .bind(pid).bind(o).bind(format!("Activation {qs}")).bind(at).fetch_one(&mut **t).await)?;
            for w in 0..12i64 {
                let day = (today() - Duration::weeks(w))
                    .format("%Y-%m-%d")
                    .to_string();
                exec!(&mut tx.conn(), t => sqlx::query(
                    "INSERT INTO metric_values (metric_id, measured_on, value, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(m).bind(day).bind(32.0 - w as f64).bind(owner_id).bind(at))?;
            }
            for (r, rank) in ranks.iter().enumerate() {
                let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
                    "INSERT INTO priorities (product_id, quarter, title, rank, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
                    .bind(pid).bind(&qs).bind(format!("Theme {} of {qs}", r + 1)).bind(rank).bind(at).fetch_one(&mut **t).await)?;
                exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO priority_objectives (priority_id, objective_id) VALUES ($1, $2)")
                    .bind(id).bind(o))?;
                prios.push((id, qs.clone()));
            }
        }
        // The initiatives were made with the product's items (see [`initiatives`]).
        let ids: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT id FROM initiatives WHERE product_id = $1 ORDER BY id")
            .bind(pid).fetch_all(&mut **t).await)?;
        for (n, id) in ids.iter().enumerate() {
            // Two of every five initiatives serve a priority this quarter, one the next.
            if let Some((p, qs)) = match n % 5 {
                0 | 1 => prios.get(n % 5),
                2 => prios.get(5 + (n / 5) % 5),
                _ => None,
            } {
                exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO priority_initiatives (priority_id, initiative_id, quarter) VALUES ($1, $2, $3)")
                    .bind(p).bind(id).bind(qs))?;
            }
            total += 1;
        }
        scale_research(db, &mut tx, pi, *pid).await?;
        if pi == STRICT_PRODUCT {
            strict_tier_order(&mut tx, *pid, q).await?;
        }
    }
    tx.commit().await?;
    Ok(total)
}

/// The second benchmark product (P02) runs in strict tier order, so the benchmark can measure
/// a reorder that is checked against it.
const STRICT_PRODUCT: usize = 1;

/// Sets a product to strict tier order and ranks its backlog in that order (tier 1, tier 2, …,
/// then unaligned; the seeded order within each), so that it starts with no inversion.
async fn strict_tier_order(tx: &mut crate::db::Tx, pid: i64, q: Quarter) -> anyhow::Result<()> {
    let ids: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT i.id FROM items i
           LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
           LEFT JOIN priorities pr ON pr.id = pi.priority_id
          WHERE i.product_id = $1
          ORDER BY CASE WHEN pr.rank IS NULL THEN 1 ELSE 0 END, pr.rank, i.rank")
        .bind(pid).bind(q.to_string()).fetch_all(&mut **t).await)?;
    // Ranks are unique per product: park every item on a rank of its own before the final ones.
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET rank = 'tmp' || CAST(id AS TEXT) WHERE product_id = $1")
        .bind(pid))?;
    // One statement per thousand items rather than one per item: 5,000 round trips were most
    // of this step on PostgreSQL. VALUES names its columns column1, column2 in both databases.
    let ranks = crate::backlog::rank::spread(ids.len());
    let rows: Vec<(i64, String)> = ids.into_iter().zip(ranks).collect();
    for chunk in rows.chunks(1_000) {
        let sql = format!(
            "UPDATE items SET rank = v.column2 FROM (VALUES {}) AS v WHERE items.id = v.column1",
            crate::db::row_marks(tx.conn().is_sqlite(), chunk.len(), 2)
        );
        on!(&mut tx.conn(), t => {
            let mut q = sqlx::query(&sql);
            for (id, rank) in chunk {
                q = q.bind(*id).bind(rank);
            }
            q.execute(&mut **t).await.map(|r| r.rows_affected())
        })?;
    }
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE products SET tier_policy = 'strict' WHERE id = $1")
        .bind(pid))?;
    Ok(())
}
