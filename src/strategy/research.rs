//! Research (S1): sources, the insights drawn from them, insights as evidence for initiatives
//! and backlog items, and full-text search (FTS5 on SQLite, tsvector on PostgreSQL).

use serde_json::json;

use super::research_model::{Insight, InsightInput, Source, SourceInput};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

impl Versioned for Source {
    const NOUN: &'static str = "the source";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Source {
    /// (product, source)
    type Key = (i64, i64);
    async fn load(c: &mut Conn<'_>, (product_id, id): Self::Key) -> Result<Self> {
        let sql = format!("{SOURCE_SQL} AND s.id = $2");
        let row: Option<SourceRow> = on!(c, c => sqlx::query_as(&sql).bind(product_id).bind(id).fetch_optional(&mut **c).await)?;
        row.map(Source::from).ok_or(Error::NotFound)
    }
}

impl Versioned for Insight {
    const NOUN: &'static str = "the insight";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Insight {
    /// (product id, product key, insight id)
    type Key = (i64, String, i64);
    async fn load(c: &mut Conn<'_>, (product_id, key, id): Self::Key) -> Result<Self> {
        let sql = format!("{INSIGHT_SQL} AND i.id = $2");
        let rows: Vec<InsightRow> =
            on!(c, c => sqlx::query_as(&sql).bind(product_id).bind(id).fetch_all(&mut **c).await)?;
        with_links_on(c, product_id, &key, rows)
            .await?
            .into_iter()
            .next()
            .ok_or(Error::NotFound)
    }
}

pub use super::evidence::{initiative_evidence_counts, search, set_evidence};

#[derive(sqlx::FromRow)]
struct SourceRow {
    id: i64,
    kind: String,
    title: String,
    happened_on: String,
    customer: String,
    segment: String,
    notes: String,
    insights: i64,
    version: i64,
}

impl From<SourceRow> for Source {
    fn from(r: SourceRow) -> Source {
        Source {
            id: r.id,
            kind: r.kind,
            title: r.title,
            happened_on: r.happened_on,
            customer: r.customer,
            segment: r.segment,
            notes: r.notes,
            insights: r.insights,
            version: r.version,
        }
    }
}

const SOURCE_SQL: &str = "SELECT s.id, s.kind, s.title, s.happened_on, s.customer, s.segment, s.notes, s.version,
    (SELECT COUNT(*) FROM insights i WHERE i.source_id = s.id) AS insights FROM research_sources s WHERE s.product_id = $1";

/// The latest sources first; at most `limit`.
pub async fn sources(db: &Db, ctx: &ProductCtx, limit: i64) -> Result<Vec<Source>> {
    ctx.grants.require(Action::ViewStrategy)?;
    let sql = format!("{SOURCE_SQL} ORDER BY s.happened_on DESC, s.id DESC LIMIT $2");
    let rows: Vec<SourceRow> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(&sql).bind(ctx.product.id).bind(limit).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().map(Source::from).collect())
}

pub async fn source(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Source> {
    ctx.grants.require(Action::ViewStrategy)?;
    Source::load(&mut db.reader().await?.conn(), (ctx.product.id, id)).await
}

struct SourceFields {
    kind: String,
    title: String,
    happened_on: String,
    customer: String,
    segment: String,
    notes: String,
}

fn merge_source(old: Option<&Source>, s: &SourceInput) -> Result<SourceFields> {
    let text =
        |field: &str, new: &Option<String>, old: Option<&String>, max: usize| -> Result<String> {
            match (new, old) {
                (Some(v), _) => crate::backlog::validate_text(field, v, max),
                (None, Some(o)) => Ok(o.clone()),
                (None, None) => Ok(String::new()),
            }
        };
    let kind = match (&s.kind, old) {
        (Some(k), _) => super::validate_source_kind(k)?,
        (None, Some(o)) => o.kind.clone(),
        (None, None) => return Err(Error::invalid("kind", "required")),
    };
    let title = match (&s.title, old) {
        (Some(t), _) => super::validate_title("title", t)?,
        (None, Some(o)) => o.title.clone(),
        (None, None) => return Err(Error::invalid("title", "required")),
    };
    let happened_on = match (&s.happened_on, old) {
        (Some(d), _) => super::parse_date("happened_on", d)?
            .format("%Y-%m-%d")
            .to_string(),
        (None, Some(o)) => o.happened_on.clone(),
        (None, None) => return Err(Error::invalid("happened_on", "required")),
    };
    Ok(SourceFields {
        kind,
        title,
        happened_on,
        customer: text("customer", &s.customer, old.map(|o| &o.customer), 200)?,
        segment: text("segment", &s.segment, old.map(|o| &o.segment), 200)?,
        notes: text("notes", &s.notes, old.map(|o| &o.notes), 20_000)?,
    })
}

pub async fn create_source(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: SourceInput,
) -> Result<Source> {
    ctx.grants.require(Action::ManageStrategy)?;
    let f = merge_source(None, &input)?;
    let mut tx = db.begin().await?;
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO research_sources (product_id, kind, title, happened_on, customer, segment, notes, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
        .bind(ctx.product.id).bind(&f.kind).bind(&f.title).bind(&f.happened_on).bind(&f.customer).bind(&f.segment)
        .bind(&f.notes).bind(at).fetch_one(&mut **t).await)?;
    let after = json!({"kind": f.kind, "title": f.title, "happened_on": f.happened_on, "customer": f.customer, "segment": f.segment});
    Change::by(actor, ctx, "source.create", ("research_source", id))
        .after(&after)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    source(db, ctx, id).await
}

pub async fn update_source(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: SourceInput,
) -> Result<Source> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, f) = Guarded::<Source>::merging(db, (ctx.product.id, id), version, |old| {
        merge_source(Some(old), &input)
    })
    .await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE research_sources SET kind = $1, title = $2, happened_on = $3, customer = $4, segment = $5, notes = $6,
             updated_at = $7, version = version + 1 WHERE id = $8 AND product_id = $9 AND version = $10")
        .bind(&f.kind).bind(&f.title).bind(&f.happened_on).bind(&f.customer).bind(&f.segment).bind(&f.notes)
        .bind(now()).bind(id).bind(ctx.product.id).bind(version))?;
    let after = json!({"kind": f.kind, "title": f.title, "happened_on": f.happened_on, "customer": f.customer, "segment": f.segment});
    w.commit(
        n,
        Change::by(actor, ctx, "source.update", ("research_source", id)).after(&after),
    )
    .await?;
    source(db, ctx, id).await
}

#[derive(sqlx::FromRow)]
struct InsightRow {
    id: i64,
    source_id: i64,
    source_title: String,
    kind: String,
    body: String,
    importance: i64,
    persona_id: Option<i64>,
    persona: Option<String>,
    tags: String,
    version: i64,
}

const INSIGHT_SQL: &str = "SELECT i.id, i.source_id, s.title AS source_title, i.kind, i.body, i.importance, i.persona_id,
    pe.name AS persona, i.tags, i.version FROM insights i JOIN research_sources s ON s.id = i.source_id
    LEFT JOIN personas pe ON pe.id = i.persona_id WHERE i.product_id = $1";

/// Insights of a source, or (with `source` none) the latest of the product, with their links.
pub async fn insights(
    db: &Db,
    ctx: &ProductCtx,
    source: Option<i64>,
    limit: i64,
) -> Result<Vec<Insight>> {
    ctx.grants.require(Action::ViewStrategy)?;
    let sql = format!("{INSIGHT_SQL} AND (i.source_id = $2 OR $2 = 0) ORDER BY i.importance DESC, i.id DESC LIMIT $3");
    let rows: Vec<InsightRow> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(&sql).bind(ctx.product.id).bind(source.unwrap_or(0)).bind(limit).fetch_all(&mut **c).await)?;
    with_links(db, ctx, rows).await
}

pub async fn insight(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Insight> {
    ctx.grants.require(Action::ViewStrategy)?;
    Insight::load(&mut db.reader().await?.conn(), insight_key(ctx, id)).await
}

fn insight_key(ctx: &ProductCtx, id: i64) -> (i64, String, i64) {
    (ctx.product.id, ctx.product.key.clone(), id)
}

/// Insights that are evidence for one initiative.
pub async fn evidence_for(
    db: &Db,
    ctx: &ProductCtx,
    initiative: crate::ids::InitiativeId,
) -> Result<Vec<Insight>> {
    ctx.grants.require(Action::ViewStrategy)?;
    // An initiative of another product (or none) is not found here, as everywhere else; an
    // empty list would tell the caller nothing false but hide a wrong id.
    let own: Option<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT id FROM initiatives WHERE id = $1 AND product_id = $2")
        .bind(initiative).bind(ctx.product.id).fetch_optional(&mut **c).await)?;
    own.ok_or(Error::NotFound)?;
    let sql = format!("{INSIGHT_SQL} AND i.id IN (SELECT insight_id FROM initiative_evidence WHERE initiative_id = $2) ORDER BY i.importance DESC, i.id");
    let rows: Vec<InsightRow> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(&sql).bind(ctx.product.id).bind(initiative).fetch_all(&mut **c).await)?;
    with_links(db, ctx, rows).await
}

async fn with_links(db: &Db, ctx: &ProductCtx, rows: Vec<InsightRow>) -> Result<Vec<Insight>> {
    with_links_on(
        &mut db.reader().await?.conn(),
        ctx.product.id,
        &ctx.product.key,
        rows,
    )
    .await
}

async fn with_links_on(
    c: &mut Conn<'_>,
    product_id: i64,
    key: &str,
    rows: Vec<InsightRow>,
) -> Result<Vec<Insight>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let (lo, hi) = (
        rows.iter().map(|r| r.id).min().unwrap_or(0),
        rows.iter().map(|r| r.id).max().unwrap_or(0),
    );
    // (insight, initiative id or item number)
    let links: Vec<(String, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT 'initiative', e.insight_id, e.initiative_id FROM initiative_evidence e JOIN insights i ON i.id = e.insight_id
           WHERE i.product_id = $1 AND e.insight_id BETWEEN $2 AND $3
         UNION ALL
         SELECT 'item', e.insight_id, it.number FROM item_evidence e JOIN insights i ON i.id = e.insight_id
           JOIN items it ON it.id = e.item_id WHERE i.product_id = $1 AND e.insight_id BETWEEN $2 AND $3
         ORDER BY 3")
        .bind(product_id).bind(lo).bind(hi).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|r| Insight {
            initiatives: links
                .iter()
                .filter(|l| l.0 == "initiative" && l.1 == r.id)
                .map(|l| l.2)
                .collect(),
            items: links
                .iter()
                .filter(|l| l.0 == "item" && l.1 == r.id)
                .map(|l| format!("{key}-{}", l.2))
                .collect(),
            tags: r.tags.split_whitespace().map(str::to_string).collect(),
            id: r.id,
            source_id: r.source_id,
            source_title: r.source_title,
            kind: r.kind,
            body: r.body,
            importance: r.importance,
            persona_id: r.persona_id,
            persona: r.persona,
            version: r.version,
        })
        .collect())
}

pub(super) async fn check_in_product(
    tx: &mut Tx,
    table: &str,
    field: &str,
    id: i64,
    product_id: i64,
) -> Result<()> {
    let sql = format!("SELECT id FROM {table} WHERE id = $1 AND product_id = $2");
    let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(&sql).bind(id).bind(product_id).fetch_optional(&mut **t).await)?;
    found.map(|_| ()).ok_or_else(|| {
        Error::invalid(
            field,
            format!("no {} {id} in this product", field.trim_end_matches("_id")),
        )
    })
}

struct InsightFields {
    source_id: i64,
    kind: String,
    body: String,
    importance: i64,
    persona_id: Option<i64>,
    tags: String,
}

fn merge_insight(old: Option<&Insight>, i: &InsightInput) -> Result<InsightFields> {
    let source_id = i
        .source_id
        .or(old.map(|o| o.source_id))
        .ok_or_else(|| Error::invalid("source_id", "required"))?;
    let kind = match (&i.kind, old) {
        (Some(k), _) => super::validate_insight_kind(k)?,
        (None, Some(o)) => o.kind.clone(),
        (None, None) => "observation".into(),
    };
    let body = match (&i.body, old) {
        (Some(b), _) => crate::backlog::validate_text("body", b, 5_000)?,
        (None, Some(o)) => o.body.clone(),
        (None, None) => String::new(),
    };
    if body.is_empty() {
        return Err(Error::invalid(
            "body",
            "say what was observed or quote the customer",
        ));
    }
    let importance =
        super::validate_importance(i.importance.or(old.map(|o| o.importance)).unwrap_or(3))?;
    let tags = match (&i.tags, old) {
        (Some(t), _) => super::normalize_tags(t)?.join(" "),
        (None, Some(o)) => o.tags.join(" "),
        (None, None) => String::new(),
    };
    let persona_id = match i.persona_id {
        Some(p) => p,
        None => old.and_then(|o| o.persona_id),
    };
    Ok(InsightFields {
        source_id,
        kind,
        body,
        importance,
        persona_id,
        tags,
    })
}

fn snapshot(f: &InsightFields) -> serde_json::Value {
    json!({"source_id": f.source_id, "kind": f.kind, "body": f.body, "importance": f.importance, "persona_id": f.persona_id, "tags": f.tags})
}

pub async fn create_insight(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: InsightInput,
) -> Result<Insight> {
    ctx.grants.require(Action::ManageStrategy)?;
    let f = merge_insight(None, &input)?;
    let mut tx = db.begin().await?;
    check_in_product(
        &mut tx,
        "research_sources",
        "source_id",
        f.source_id,
        ctx.product.id,
    )
    .await?;
    if let Some(p) = f.persona_id {
        check_in_product(&mut tx, "personas", "persona_id", p, ctx.product.id).await?;
    }
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO insights (product_id, source_id, kind, body, importance, persona_id, tags, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
        .bind(ctx.product.id).bind(f.source_id).bind(&f.kind).bind(&f.body).bind(f.importance).bind(f.persona_id)
        .bind(&f.tags).bind(at).fetch_one(&mut **t).await)?;
    Change::by(actor, ctx, "insight.create", ("insight", id))
        .after(&snapshot(&f))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    insight(db, ctx, id).await
}

pub async fn update_insight(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: InsightInput,
) -> Result<Insight> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, f) = Guarded::<Insight>::merging(db, insight_key(ctx, id), version, |old| {
        merge_insight(Some(old), &input)
    })
    .await?;
    check_in_product(
        w.tx(),
        "research_sources",
        "source_id",
        f.source_id,
        ctx.product.id,
    )
    .await?;
    if let Some(p) = f.persona_id {
        check_in_product(w.tx(), "personas", "persona_id", p, ctx.product.id).await?;
    }
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE insights SET source_id = $1, kind = $2, body = $3, importance = $4, persona_id = $5, tags = $6,
             updated_at = $7, version = version + 1 WHERE id = $8 AND product_id = $9 AND version = $10")
        .bind(f.source_id).bind(&f.kind).bind(&f.body).bind(f.importance).bind(f.persona_id).bind(&f.tags)
        .bind(now()).bind(id).bind(ctx.product.id).bind(version))?;
    w.commit(
        n,
        Change::by(actor, ctx, "insight.update", ("insight", id)).after(&snapshot(&f)),
    )
    .await?;
    insight(db, ctx, id).await
}

pub async fn delete_insight(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    let mut w = Guarded::<Insight>::open(db, insight_key(ctx, id), version).await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "DELETE FROM insights WHERE id = $1 AND product_id = $2 AND version = $3")
        .bind(id).bind(ctx.product.id).bind(version))?;
    w.commit(n, Change::by(actor, ctx, "insight.delete", ("insight", id)))
        .await?;
    Ok(())
}
