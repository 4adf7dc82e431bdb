//! Objectives per quarter and the success metrics that measure them, with dated values.

use std::future::Future;

use serde_json::json;

use super::model::{Metric, MetricDetail, MetricInput, MetricValue, Objective, ObjectiveInput};
use super::Quarter;
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

impl Versioned for Objective {
    const NOUN: &'static str = "the objective";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Versioned for MetricDetail {
    const NOUN: &'static str = "the metric";
    fn version(&self) -> i64 {
        self.metric.version
    }
}

impl Load for Objective {
    /// (product, objective)
    type Key = (i64, i64);
    fn load(
        c: &mut Conn<'_>,
        (product_id, id): Self::Key,
    ) -> impl Future<Output = Result<Self>> + Send {
        objective_on(c, product_id, id)
    }
}

impl Load for MetricDetail {
    /// (product, metric)
    type Key = (i64, i64);
    fn load(
        c: &mut Conn<'_>,
        (product_id, id): Self::Key,
    ) -> impl Future<Output = Result<Self>> + Send {
        metric_on(c, product_id, id)
    }
}

#[derive(sqlx::FromRow)]
struct ObjectiveRow {
    id: i64,
    quarter: String,
    title: String,
    description: String,
    version: i64,
    updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(sqlx::FromRow)]
struct MetricRow {
    id: i64,
    objective_id: Option<i64>,
    name: String,
    unit: String,
    direction: String,
    baseline: f64,
    target: f64,
    version: i64,
    current: Option<f64>,
    current_on: Option<String>,
}

impl From<MetricRow> for Metric {
    fn from(r: MetricRow) -> Metric {
        let progress = r
            .current
            .map(|c| (super::progress_to_target(r.baseline, r.target, c) * 100.0).round() as i64);
        Metric {
            id: r.id,
            objective_id: r.objective_id,
            name: r.name,
            unit: r.unit,
            direction: r.direction,
            baseline: r.baseline,
            target: r.target,
            current: r.current,
            current_on: r.current_on,
            progress,
            version: r.version,
        }
    }
}

const METRIC_SQL: &str = "SELECT m.id, m.objective_id, m.name, m.unit, m.direction, m.baseline, m.target, m.version,
    (SELECT v.value FROM metric_values v WHERE v.metric_id = m.id ORDER BY v.measured_on DESC LIMIT 1) AS current,
    (SELECT v.measured_on FROM metric_values v WHERE v.metric_id = m.id ORDER BY v.measured_on DESC LIMIT 1) AS current_on
    FROM metrics m WHERE m.product_id = $1";

/// Every metric of a product with its latest value.
pub async fn metrics(db: &Db, ctx: &ProductCtx) -> Result<Vec<Metric>> {
    ctx.grants.require(Action::ViewStrategy)?;
    metrics_on(&mut db.reader().await?.conn(), ctx.product.id).await
}

async fn metrics_on(c: &mut Conn<'_>, product_id: i64) -> Result<Vec<Metric>> {
    let sql = format!("{METRIC_SQL} ORDER BY m.id");
    let rows: Vec<MetricRow> = on!(c, c => sqlx::query_as(&sql)
        .bind(product_id).fetch_all(&mut **c).await)?;
    Ok(rows.into_iter().map(Metric::from).collect())
}

/// A product's objectives (of one quarter, or all), each with its metrics.
pub async fn list(db: &Db, ctx: &ProductCtx, quarter: Option<Quarter>) -> Result<Vec<Objective>> {
    ctx.grants.require(Action::ViewStrategy)?;
    list_on(&mut db.reader().await?.conn(), ctx.product.id, quarter).await
}

async fn list_on(
    c: &mut Conn<'_>,
    product_id: i64,
    quarter: Option<Quarter>,
) -> Result<Vec<Objective>> {
    let q = quarter.map(|q| q.to_string()).unwrap_or_default();
    let rows: Vec<ObjectiveRow> = on!(c, c => sqlx::query_as(
        "SELECT id, quarter, title, description, version, updated_at FROM objectives
         WHERE product_id = $1 AND (quarter = $2 OR $2 = '') ORDER BY quarter, id")
        .bind(product_id).bind(&q).fetch_all(&mut **c).await)?;
    let all = metrics_on(c, product_id).await?;
    Ok(rows
        .into_iter()
        .map(|r| Objective {
            metrics: all
                .iter()
                .filter(|m| m.objective_id == Some(r.id))
                .cloned()
                .collect(),
            id: r.id,
            quarter: r.quarter,
            title: r.title,
            description: r.description,
            version: r.version,
            updated_at: r.updated_at,
        })
        .collect())
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Objective> {
    ctx.grants.require(Action::ViewStrategy)?;
    objective_on(&mut db.reader().await?.conn(), ctx.product.id, id).await
}

async fn objective_on(c: &mut Conn<'_>, product_id: i64, id: i64) -> Result<Objective> {
    list_on(c, product_id, None)
        .await?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(Error::NotFound)
}

pub async fn create(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: ObjectiveInput,
) -> Result<Objective> {
    ctx.grants.require(Action::ManageStrategy)?;
    let quarter = Quarter::parse(input.quarter.as_deref().unwrap_or_default())?.to_string();
    let title = super::validate_title("title", input.title.as_deref().unwrap_or_default())?;
    let description = crate::backlog::validate_text(
        "description",
        input.description.as_deref().unwrap_or_default(),
        5_000,
    )?;
    let mut tx = db.begin().await?;
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO objectives (product_id, quarter, title, description, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
        .bind(ctx.product.id).bind(&quarter).bind(&title).bind(&description).bind(at).fetch_one(&mut **t).await)?;
    let after = json!({"quarter": quarter, "title": title, "description": description});
    Change::by(actor, ctx, "objective.create", ("objective", id))
        .after(&after)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

/// An objective's own fields, as the audit log shows them.
#[derive(serde::Serialize)]
struct ObjectiveFields {
    quarter: String,
    title: String,
    description: String,
}

impl From<&Objective> for ObjectiveFields {
    fn from(o: &Objective) -> Self {
        ObjectiveFields {
            quarter: o.quarter.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
        }
    }
}

/// An objective's fields after `input`.
fn merge(old: &Objective, input: &ObjectiveInput) -> Result<ObjectiveFields> {
    let quarter = match &input.quarter {
        Some(q) => Quarter::parse(q)?.to_string(),
        None => old.quarter.clone(),
    };
    let title = match &input.title {
        Some(t) => super::validate_title("title", t)?,
        None => old.title.clone(),
    };
    let description = match &input.description {
        Some(d) => crate::backlog::validate_text("description", d, 5_000)?,
        None => old.description.clone(),
    };
    Ok(ObjectiveFields {
        quarter,
        title,
        description,
    })
}

pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: ObjectiveInput,
) -> Result<Objective> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, new) =
        Guarded::<Objective>::merging(db, (ctx.product.id, id), version, |old| merge(old, &input))
            .await?;
    let change = Change::by(actor, ctx, "objective.update", ("objective", id))
        .before(&ObjectiveFields::from(w.old()))
        .after(&new);
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE objectives SET quarter = $1, title = $2, description = $3, updated_at = $4, version = version + 1
         WHERE id = $5 AND product_id = $6 AND version = $7")
        .bind(&new.quarter).bind(&new.title).bind(&new.description).bind(now()).bind(id).bind(ctx.product.id).bind(version))?;
    w.commit(n, change).await?;
    get(db, ctx, id).await
}

pub async fn delete(db: &Db, actor: &User, ctx: &ProductCtx, id: i64, version: i64) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    let mut w = Guarded::<Objective>::open(db, (ctx.product.id, id), version).await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "DELETE FROM objectives WHERE id = $1 AND product_id = $2 AND version = $3")
        .bind(id).bind(ctx.product.id).bind(version))?;
    w.commit(
        n,
        Change::by(actor, ctx, "objective.delete", ("objective", id)),
    )
    .await?;
    Ok(())
}

/// Objectives of this product among `ids`; anything else (another product or workspace) is refused.
pub async fn check_objectives(
    c: &mut Conn<'_>,
    product_id: i64,
    ids: &[i64],
    field: &str,
) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let q: Option<String> = on!(c, c => sqlx::query_scalar(
            "SELECT quarter FROM objectives WHERE id = $1 AND product_id = $2")
            .bind(id).bind(product_id).fetch_optional(&mut **c).await)?;
        let q =
            q.ok_or_else(|| Error::invalid(field, format!("no objective {id} in this product")))?;
        out.push((*id, q));
    }
    Ok(out)
}

pub async fn metric(db: &Db, ctx: &ProductCtx, id: i64) -> Result<MetricDetail> {
    ctx.grants.require(Action::ViewStrategy)?;
    metric_on(&mut db.reader().await?.conn(), ctx.product.id, id).await
}

async fn metric_on(c: &mut Conn<'_>, product_id: i64, id: i64) -> Result<MetricDetail> {
    let sql = format!("{METRIC_SQL} AND m.id = $2");
    let row: MetricRow = on!(c, c => sqlx::query_as(&sql)
        .bind(product_id).bind(id).fetch_optional(&mut **c).await)?
    .ok_or(Error::NotFound)?;
    let history: Vec<(String, f64)> = on!(c, c => sqlx::query_as(
        "SELECT measured_on, value FROM metric_values WHERE metric_id = $1 ORDER BY measured_on")
        .bind(id).fetch_all(&mut **c).await)?;
    let initiatives: Vec<i64> = on!(c, c => sqlx::query_scalar(
        "SELECT initiative_id FROM initiative_metrics WHERE metric_id = $1 ORDER BY initiative_id")
        .bind(id).fetch_all(&mut **c).await)?;
    Ok(MetricDetail {
        metric: row.into(),
        history: history
            .into_iter()
            .map(|(measured_on, value)| MetricValue { measured_on, value })
            .collect(),
        initiatives,
    })
}

struct MetricFields {
    objective_id: Option<i64>,
    name: String,
    unit: String,
    direction: String,
    baseline: f64,
    target: f64,
}

impl MetricFields {
    /// The audit log's view of a metric's fields.
    fn audited(&self) -> serde_json::Value {
        json!({"name": self.name, "unit": self.unit, "direction": self.direction, "baseline": self.baseline,
               "target": self.target, "objective_id": self.objective_id})
    }
}

/// Checks a new metric's fields without writing it (the idea intake checks all before it writes).
pub(super) fn check_metric(m: &MetricInput) -> Result<()> {
    merge_metric(None, m).map(|_| ())
}

fn merge_metric(old: Option<&Metric>, m: &MetricInput) -> Result<MetricFields> {
    let need = |field: &str| Error::invalid(field, "required");
    let name = match (&m.name, old) {
        (Some(n), _) => super::validate_title("name", n)?,
        (None, Some(o)) => o.name.clone(),
        (None, None) => return Err(need("name")),
    };
    let unit = match (&m.unit, old) {
        (Some(u), _) => crate::backlog::validate_text("unit", u, 20)?,
        (None, Some(o)) => o.unit.clone(),
        (None, None) => String::new(),
    };
    let direction = match (&m.direction, old) {
        (Some(d), _) => super::validate_direction(d)?,
        (None, Some(o)) => o.direction.clone(),
        (None, None) => "up".into(),
    };
    let baseline = m
        .baseline
        .or(old.map(|o| o.baseline))
        .ok_or_else(|| need("baseline"))?;
    let target = m
        .target
        .or(old.map(|o| o.target))
        .ok_or_else(|| need("target"))?;
    super::validate_goal(&direction, baseline, target)?;
    let objective_id = match m.objective_id {
        Some(v) => v,
        None => old.and_then(|o| o.objective_id),
    };
    Ok(MetricFields {
        objective_id,
        name,
        unit,
        direction,
        baseline,
        target,
    })
}

pub async fn create_metric(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: MetricInput,
) -> Result<MetricDetail> {
    ctx.grants.require(Action::ManageStrategy)?;
    let f = merge_metric(None, &input)?;
    let mut tx = db.begin().await?;
    if let Some(o) = f.objective_id {
        check_objectives(&mut tx.conn(), ctx.product.id, &[o], "objective_id").await?;
    }
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO metrics (product_id, objective_id, name, unit, direction, baseline, target, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
        .bind(ctx.product.id).bind(f.objective_id).bind(&f.name).bind(&f.unit).bind(&f.direction)
        .bind(f.baseline).bind(f.target).bind(at).fetch_one(&mut **t).await)?;
    Change::by(actor, ctx, "metric.create", ("metric", id))
        .after(&f.audited())
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    metric(db, ctx, id).await
}

pub async fn update_metric(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: MetricInput,
) -> Result<MetricDetail> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, f) = Guarded::<MetricDetail>::merging(db, (ctx.product.id, id), version, |old| {
        merge_metric(Some(&old.metric), &input)
    })
    .await?;
    let change = Change::by(actor, ctx, "metric.update", ("metric", id))
        .before(&w.old().metric)
        .after(&f.audited());
    if let Some(o) = f.objective_id {
        check_objectives(&mut w.conn(), ctx.product.id, &[o], "objective_id").await?;
    }
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE metrics SET objective_id = $1, name = $2, unit = $3, direction = $4, baseline = $5, target = $6,
                updated_at = $7, version = version + 1 WHERE id = $8 AND product_id = $9 AND version = $10")
        .bind(f.objective_id).bind(&f.name).bind(&f.unit).bind(&f.direction).bind(f.baseline).bind(f.target)
        .bind(now()).bind(id).bind(ctx.product.id).bind(version))?;
    w.commit(n, change).await?;
    metric(db, ctx, id).await
}

/// Records the value measured on a day; a second value for the same day replaces the first.
pub async fn record_value(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    v: MetricValue,
) -> Result<MetricDetail> {
    ctx.grants.require(Action::ManageStrategy)?;
    let day = super::parse_date("measured_on", &v.measured_on)?
        .format("%Y-%m-%d")
        .to_string();
    if !v.value.is_finite() {
        return Err(Error::invalid("value", "must be a number"));
    }
    let old = metric(db, ctx, id).await?;
    let before = old
        .history
        .iter()
        .find(|h| h.measured_on == day)
        .map(|h| json!(h));
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM metric_values WHERE metric_id = $1 AND measured_on = $2")
        .bind(id).bind(&day))?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO metric_values (metric_id, measured_on, value, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(&day).bind(v.value).bind(actor.id).bind(now()))?;
    let mut change = Change::by(actor, ctx, "metric.value", ("metric", id))
        .after(&json!({"measured_on": day, "value": v.value}));
    change.before = before;
    change.record(&mut tx).await?;
    tx.commit().await?;
    metric(db, ctx, id).await
}
