//! Evidence and search (S1): insights linked to initiatives and backlog items, the counts
//! shown where those are listed, and full-text search (FTS5 on SQLite, tsvector on PostgreSQL).

use serde_json::json;

use super::research::{check_in_product, insight};
use super::research_model::{EvidenceLink, Insight, SearchHit};
use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{Db, Pool};
use crate::error::{Error, Result};
use crate::exec;
use crate::workspace::ProductCtx;

/// Links (or unlinks) an insight as evidence for an initiative or a backlog item of its product.
pub async fn set_evidence(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    link: &EvidenceLink,
    on: bool,
) -> Result<Insight> {
    ctx.grants.require(Action::ManageStrategy)?;
    insight(db, ctx, id).await?;
    let mut tx = db.begin().await?;
    let (sql, target, what) = match (link.initiative, link.item.as_deref()) {
        (Some(n), None) => {
            check_in_product(&mut tx, "initiatives", "initiative", n, ctx.product.id).await?;
            let sql = if on {
                "INSERT INTO initiative_evidence (insight_id, initiative_id) VALUES ($1, $2)"
            } else {
                "DELETE FROM initiative_evidence WHERE insight_id = $1 AND initiative_id = $2"
            };
            (sql, n, json!({"initiative": n}))
        }
        (None, Some(key)) => {
            let row = crate::backlog::store::row_in_product(
                &mut tx.conn(),
                ctx.product.id,
                &ctx.product.key,
                &key.trim().to_uppercase(),
            )
            .await
            .map_err(|_| Error::invalid("item", format!("no item {key} in {}", ctx.product.key)))?;
            let sql = if on {
                "INSERT INTO item_evidence (insight_id, item_id) VALUES ($1, $2)"
            } else {
                "DELETE FROM item_evidence WHERE insight_id = $1 AND item_id = $2"
            };
            (sql, row.id.0, json!({"item": key.trim().to_uppercase()}))
        }
        _ => {
            return Err(Error::invalid(
                "initiative",
                "give exactly one of initiative or item",
            ))
        }
    };
    let n = exec!(&mut tx.conn(), t => sqlx::query(sql).bind(id).bind(target)).map_err(|e| {
        match Error::from(e) {
            Error::Conflict(_) => Error::Conflict("that insight is already evidence for it".into()),
            other => other,
        }
    })?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    let action = if on { "insight.link" } else { "insight.unlink" };
    Change::by(actor, ctx, action, ("insight", id))
        .after(&what)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    insight(db, ctx, id).await
}

/// Insights and sources matching the words of `q`, best first; each database in its own arm.
pub async fn search(db: &Db, ctx: &ProductCtx, q: &str, limit: i64) -> Result<Vec<SearchHit>> {
    ctx.grants.require(Action::ViewStrategy)?;
    let Some(fts) = super::fts5_query(q) else {
        return Err(Error::invalid("q", "give at least one word to search for"));
    };
    let pid = ctx.product.id;
    let rows: Vec<(String, i64, i64, String)> = match &db.read {
        Pool::Sqlite(p) => sqlx::query_as(
            "SELECT kind, id, source_id, text FROM (
               SELECT 'insight' AS kind, i.id, i.source_id, i.body AS text, f.rank AS score FROM insights_fts f
                 JOIN insights i ON i.id = f.rowid WHERE insights_fts MATCH $1 AND i.product_id = $2
               UNION ALL
               SELECT 'source', s.id, s.id, s.title, f.rank FROM sources_fts f
                 JOIN research_sources s ON s.id = f.rowid WHERE sources_fts MATCH $1 AND s.product_id = $2)
             ORDER BY score LIMIT $3")
            .bind(&fts).bind(pid).bind(limit).fetch_all(p).await?,
        Pool::Postgres(p) => sqlx::query_as(
            "SELECT kind, id, source_id, text FROM (
               SELECT 'insight' AS kind, i.id, i.source_id, i.body AS text, ts_rank(i.search, q) AS score
                 FROM insights i, plainto_tsquery('english', $1) q WHERE i.search @@ q AND i.product_id = $2
               UNION ALL
               SELECT 'source', s.id, s.id, s.title, ts_rank(s.search, q)
                 FROM research_sources s, plainto_tsquery('english', $1) q WHERE s.search @@ q AND s.product_id = $2) hits
             ORDER BY score DESC, id LIMIT $3")
            .bind(q).bind(pid).bind(limit).fetch_all(p).await?,
    };
    Ok(rows
        .into_iter()
        .map(|(kind, id, source_id, text)| SearchHit {
            kind,
            id,
            source_id,
            text,
        })
        .collect())
}

/// Evidence counts of a product's initiatives, as (initiative, insights linked).
pub async fn initiative_evidence_counts(
    c: &mut crate::db::Conn<'_>,
    product_id: i64,
) -> Result<Vec<(i64, i64)>> {
    Ok(crate::on!(c, c => sqlx::query_as(
        "SELECT e.initiative_id, COUNT(*) FROM initiative_evidence e JOIN initiatives n ON n.id = e.initiative_id
         WHERE n.product_id = $1 GROUP BY e.initiative_id")
        .bind(product_id).fetch_all(&mut **c).await)?)
}
