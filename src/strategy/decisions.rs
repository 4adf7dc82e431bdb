//! The decision log (S8): question, options considered, the decision and its rationale, who
//! decided and when, and the insights and initiatives it rests on.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub id: i64,
    pub question: String,
    pub options: Vec<String>,
    pub decision: String,
    pub rationale: String,
    pub decided_by: String,
    /// `YYYY-MM-DD`.
    pub decided_on: String,
    /// Insights used as evidence.
    pub insights: Vec<i64>,
    pub initiatives: Vec<i64>,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    pub question: Option<String>,
    pub options: Option<Vec<String>>,
    pub decision: Option<String>,
    pub rationale: Option<String>,
    /// Who decided; the author when omitted.
    pub decided_by: Option<String>,
    /// `YYYY-MM-DD`; today when omitted.
    pub decided_on: Option<String>,
    /// Replaces the insights used as evidence.
    pub insights: Option<Vec<i64>>,
    /// Replaces the initiatives it concerns.
    pub initiatives: Option<Vec<i64>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    question: String,
    options: String,
    decision: String,
    rationale: String,
    decided_by: String,
    decided_on: String,
    version: i64,
}

impl Versioned for Decision {
    const NOUN: &'static str = "the decision";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Decision {
    /// (product, decision)
    type Key = (i64, i64);
    async fn load(c: &mut Conn<'_>, (product_id, id): Self::Key) -> Result<Self> {
        load_on(c, product_id, Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or(Error::NotFound)
    }
}

/// The decision log, newest first (or one decision).
async fn load(db: &Db, ctx: &ProductCtx, only: Option<i64>) -> Result<Vec<Decision>> {
    ctx.grants.require(Action::ViewStrategy)?;
    load_on(&mut db.reader().await?.conn(), ctx.product.id, only).await
}

async fn load_on(c: &mut Conn<'_>, product_id: i64, only: Option<i64>) -> Result<Vec<Decision>> {
    let one = only.unwrap_or(0);
    let rows: Vec<Row> = on!(c, c => sqlx::query_as(
        "SELECT id, question, options, decision, rationale, decided_by, decided_on, version FROM decisions
         WHERE product_id = $1 AND (id = $2 OR $2 = 0) ORDER BY decided_on DESC, id DESC")
        .bind(product_id).bind(one).fetch_all(&mut **c).await)?;
    let links: Vec<(String, i64, i64)> = on!(c, c => sqlx::query_as(
        "SELECT 'insight', e.decision_id, e.insight_id FROM decision_evidence e JOIN decisions d ON d.id = e.decision_id
           WHERE d.product_id = $1 AND (d.id = $2 OR $2 = 0)
         UNION ALL
         SELECT 'initiative', n.decision_id, n.initiative_id FROM decision_initiatives n JOIN decisions d ON d.id = n.decision_id
           WHERE d.product_id = $1 AND (d.id = $2 OR $2 = 0)
         ORDER BY 3")
        .bind(product_id).bind(one).fetch_all(&mut **c).await)?;
    let of = |kind: &str, id: i64| {
        links
            .iter()
            .filter(|l| l.0 == kind && l.1 == id)
            .map(|l| l.2)
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| Decision {
            insights: of("insight", r.id),
            initiatives: of("initiative", r.id),
            options: serde_json::from_str(&r.options).unwrap_or_default(),
            id: r.id,
            question: r.question,
            decision: r.decision,
            rationale: r.rationale,
            decided_by: r.decided_by,
            decided_on: r.decided_on,
            version: r.version,
        })
        .collect())
}

pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<Decision>> {
    load(db, ctx, None).await
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Decision> {
    load(db, ctx, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

struct Fields {
    question: String,
    options: Vec<String>,
    decision: String,
    rationale: String,
    decided_by: String,
    decided_on: String,
}

fn merge(old: Option<&Decision>, actor: &User, d: &DecisionInput) -> Result<Fields> {
    let required =
        |field: &str, new: &Option<String>, old: Option<&String>, max| -> Result<String> {
            let v = match (new, old) {
                (Some(v), _) => crate::backlog::validate_text(field, v, max)?,
                (None, Some(o)) => o.clone(),
                (None, None) => String::new(),
            };
            if v.is_empty() {
                return Err(Error::invalid(field, "required"));
            }
            Ok(v)
        };
    let options = match (&d.options, old) {
        (Some(o), _) => {
            if o.len() > 20 {
                return Err(Error::invalid("options", "at most 20 options"));
            }
            o.iter()
                .map(|x| crate::backlog::validate_text("options", x, 500))
                .filter(|x| !matches!(x, Ok(s) if s.is_empty()))
                .collect::<Result<Vec<_>>>()?
        }
        (None, Some(o)) => o.options.clone(),
        (None, None) => Vec::new(),
    };
    let decided_on = match (&d.decided_on, old) {
        (Some(v), _) => super::parse_date("decided_on", v)?
            .format("%Y-%m-%d")
            .to_string(),
        (None, Some(o)) => o.decided_on.clone(),
        (None, None) => super::today().format("%Y-%m-%d").to_string(),
    };
    let decided_by = match (&d.decided_by, old) {
        (Some(v), _) => crate::backlog::validate_text("decided_by", v, 200)?,
        (None, Some(o)) => o.decided_by.clone(),
        (None, None) => actor.name.clone(),
    };
    Ok(Fields {
        question: required("question", &d.question, old.map(|o| &o.question), 1_000)?,
        decision: required("decision", &d.decision, old.map(|o| &o.decision), 5_000)?,
        rationale: match (&d.rationale, old) {
            (Some(v), _) => crate::backlog::validate_text("rationale", v, 20_000)?,
            (None, Some(o)) => o.rationale.clone(),
            (None, None) => String::new(),
        },
        options,
        decided_by: if decided_by.is_empty() {
            actor.name.clone()
        } else {
            decided_by
        },
        decided_on,
    })
}

async fn set_links(tx: &mut Tx, ctx: &ProductCtx, id: i64, d: &DecisionInput) -> Result<()> {
    for (ids, table, column, other, field) in [
        (
            &d.insights,
            "decision_evidence",
            "insight_id",
            "insights",
            "insights",
        ),
        (
            &d.initiatives,
            "decision_initiatives",
            "initiative_id",
            "initiatives",
            "initiatives",
        ),
    ] {
        let Some(ids) = ids else { continue };
        let del = format!("DELETE FROM {table} WHERE decision_id = $1");
        exec!(&mut tx.conn(), t => sqlx::query(&del).bind(id))?;
        let mut ids = ids.clone();
        ids.sort_unstable();
        ids.dedup();
        for target in ids {
            let check = format!("SELECT id FROM {other} WHERE id = $1 AND product_id = $2");
            let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(&check).bind(target).bind(ctx.product.id).fetch_optional(&mut **t).await)?;
            found.ok_or_else(|| {
                Error::invalid(
                    field,
                    format!(
                        "no {} {target} in this product",
                        field.trim_end_matches('s')
                    ),
                )
            })?;
            let ins = format!("INSERT INTO {table} (decision_id, {column}) VALUES ($1, $2)");
            exec!(&mut tx.conn(), t => sqlx::query(&ins).bind(id).bind(target))?;
        }
    }
    Ok(())
}

fn snapshot(f: &Fields, d: &DecisionInput) -> serde_json::Value {
    json!({"question": f.question, "options": f.options, "decision": f.decision, "rationale": f.rationale,
           "decided_by": f.decided_by, "decided_on": f.decided_on, "insights": d.insights, "initiatives": d.initiatives})
}

pub async fn create(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: DecisionInput,
) -> Result<Decision> {
    ctx.grants.require(Action::ManageStrategy)?;
    let f = merge(None, actor, &input)?;
    let mut tx = db.begin().await?;
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO decisions (product_id, question, options, decision, rationale, decided_by, decided_on, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
        .bind(ctx.product.id).bind(&f.question).bind(json!(f.options).to_string()).bind(&f.decision).bind(&f.rationale)
        .bind(&f.decided_by).bind(&f.decided_on).bind(at).fetch_one(&mut **t).await)?;
    set_links(&mut tx, ctx, id, &input).await?;
    Change::by(actor, ctx, "decision.create", ("decision", id))
        .after(&snapshot(&f, &input))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    input: DecisionInput,
) -> Result<Decision> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, f) = Guarded::<Decision>::merging(db, (ctx.product.id, id), version, |old| {
        merge(Some(old), actor, &input)
    })
    .await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "UPDATE decisions SET question = $1, options = $2, decision = $3, rationale = $4, decided_by = $5, decided_on = $6,
             updated_at = $7, version = version + 1 WHERE id = $8 AND product_id = $9 AND version = $10")
        .bind(&f.question).bind(json!(f.options).to_string()).bind(&f.decision).bind(&f.rationale).bind(&f.decided_by)
        .bind(&f.decided_on).bind(now()).bind(id).bind(ctx.product.id).bind(version))?;
    if n == 1 {
        set_links(w.tx(), ctx, id, &input).await?;
    }
    let change =
        Change::by(actor, ctx, "decision.update", ("decision", id)).after(&snapshot(&f, &input));
    w.commit(n, change).await?;
    get(db, ctx, id).await
}
