//! Initiatives (S6): status, RICE and WSJF scores, the priorities and metrics they serve, and
//! the backlog items that belong to them, whose points roll up into progress.

use serde_json::json;

use super::model::{Initiative, InitiativeInput, PriorityRef};
use super::{compare, Points, Quarter, Scores, SortBy, SortKey};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::InitiativeId;
use crate::workspace::ProductCtx;
use crate::{exec, on};

impl Versioned for Initiative {
    const NOUN: &'static str = "the initiative";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Initiative {
    /// (product id, product key, initiative id)
    type Key = (i64, String, InitiativeId);
    async fn load(c: &mut Conn<'_>, (pid, key, id): Self::Key) -> Result<Self> {
        load_on(c, pid, &key, Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or(Error::NotFound)
    }
}

/// The key [`Load`] reads an initiative of `ctx` by.
fn key_of(ctx: &ProductCtx, id: InitiativeId) -> (i64, String, InitiativeId) {
    (ctx.product.id, ctx.product.key.clone(), id)
}

#[derive(sqlx::FromRow)]
struct Row {
    id: InitiativeId,
    title: String,
    description: String,
    problem: String,
    assumptions: String,
    out_of_scope: String,
    status: String,
    reach: Option<i64>,
    impact: Option<f64>,
    confidence: Option<i64>,
    effort: Option<f64>,
    business_value: Option<i64>,
    time_criticality: Option<i64>,
    risk_reduction: Option<i64>,
    job_size: Option<i64>,
    version: i64,
    updated_at: chrono::DateTime<chrono::Utc>,
    points_total: Points,
    points_done: Points,
}

const COLUMNS: &str =
    "id, title, description, problem, assumptions, out_of_scope, status, reach, impact, confidence, effort, business_value,
    time_criticality, risk_reduction, job_size, version, updated_at, points_total, points_done";

/// A product's initiatives (or one of them) with everything around them, in a few queries.
async fn load(db: &Db, ctx: &ProductCtx, only: Option<InitiativeId>) -> Result<Vec<Initiative>> {
    ctx.grants.require(Action::ViewStrategy)?;
    load_on(
        &mut db.reader().await?.conn(),
        ctx.product.id,
        &ctx.product.key,
        only,
    )
    .await
}

async fn load_on(
    c: &mut Conn<'_>,
    pid: i64,
    key: &str,
    only: Option<InitiativeId>,
) -> Result<Vec<Initiative>> {
    let one = only.unwrap_or_default();
    let sql = format!("SELECT {COLUMNS} FROM initiatives WHERE product_id = $1 AND (id = $2 OR $2 = 0) ORDER BY id");
    let rows: Vec<Row> =
        on!(c, c => sqlx::query_as(&sql).bind(pid).bind(one).fetch_all(&mut **c).await)?;
    // (initiative, the numbers of its items in order, comma-separated): one row an
    // initiative. A row an item sent 2,500 rows through the driver for the 25 initiatives of
    // the benchmark's *large* set, most of the prioritization page's cost. An item is linked
    // only to an initiative of its own product (`item_edit`), so on PostgreSQL a whole
    // product's are read from the product's range of the (product_id, number) index: there
    // the join was planned as a scan of every item of every product (53 ms on the *large*
    // set, 3.5 ms this way), where SQLite looks each initiative's items up by index.
    let items: Vec<(InitiativeId, String)> = match (c.is_sqlite(), only) {
        (false, None) => on!(c, c => sqlx::query_as(
            "SELECT i.initiative_id, string_agg(CAST(i.number AS TEXT), ',' ORDER BY i.number) FROM items i
             WHERE i.product_id = $1 AND i.initiative_id IS NOT NULL GROUP BY i.initiative_id")
            .bind(pid).fetch_all(&mut **c).await)?,
        (false, Some(_)) => on!(c, c => sqlx::query_as(
            "SELECT i.initiative_id, string_agg(CAST(i.number AS TEXT), ',' ORDER BY i.number) FROM items i
             JOIN initiatives n ON n.id = i.initiative_id
             WHERE n.product_id = $1 AND n.id = $2 GROUP BY i.initiative_id")
            .bind(pid).bind(one).fetch_all(&mut **c).await)?,
        (true, _) => on!(c, c => sqlx::query_as(
            "SELECT i.initiative_id, group_concat(i.number, ',' ORDER BY i.number) FROM items i
             JOIN initiatives n ON n.id = i.initiative_id
             WHERE n.product_id = $1 AND (n.id = $2 OR $2 = 0) GROUP BY i.initiative_id")
            .bind(pid).bind(one).fetch_all(&mut **c).await)?,
    };
    // The tier of an initiative in a quarter: the position of its priority there (1 = top).
    let prios: Vec<(InitiativeId, i64, String, String, i64)> = on!(c, c => sqlx::query_as(
        "SELECT pi.initiative_id, pr.id, pr.quarter, pr.title,
                (SELECT COUNT(*) FROM priorities o WHERE o.product_id = pr.product_id AND o.quarter = pr.quarter AND o.rank <= pr.rank)
         FROM priority_initiatives pi JOIN priorities pr ON pr.id = pi.priority_id
         WHERE pr.product_id = $1 AND (pi.initiative_id = $2 OR $2 = 0) ORDER BY pr.quarter")
        .bind(pid).bind(one).fetch_all(&mut **c).await)?;
    let metrics: Vec<(InitiativeId, i64)> = on!(c, c => sqlx::query_as(
        "SELECT im.initiative_id, im.metric_id FROM initiative_metrics im JOIN initiatives n ON n.id = im.initiative_id
         WHERE n.product_id = $1 AND (n.id = $2 OR $2 = 0) ORDER BY im.metric_id")
        .bind(pid).bind(one).fetch_all(&mut **c).await)?;
    let evidence = super::research::initiative_evidence_counts(c, pid).await?;
    let mut keys: std::collections::HashMap<InitiativeId, Vec<String>> =
        std::collections::HashMap::new();
    for (initiative, numbers) in items {
        let listed = numbers.split(',').map(|n| format!("{key}-{n}")).collect();
        keys.insert(initiative, listed);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let (points_total, points_done) = (r.points_total, r.points_done);
            let scores = Scores {
                reach: r.reach,
                impact: r.impact,
                confidence: r.confidence,
                effort: r.effort,
                business_value: r.business_value,
                time_criticality: r.time_criticality,
                risk_reduction: r.risk_reduction,
                job_size: r.job_size,
            };
            Initiative {
                id: r.id,
                title: r.title,
                description: r.description,
                problem: r.problem,
                assumptions: r.assumptions,
                out_of_scope: r.out_of_scope,
                status: r.status,
                rice: scores.rice().map(super::round1),
                rice_formula: scores.rice_formula(),
                wsjf: scores.wsjf().map(super::round1),
                wsjf_formula: scores.wsjf_formula(),
                scores,
                priorities: prios
                    .iter()
                    .filter(|p| p.0 == r.id)
                    .map(|p| PriorityRef {
                        id: p.1,
                        quarter: p.2.clone(),
                        title: p.3.clone(),
                        position: p.4,
                    })
                    .collect(),
                metrics: metrics
                    .iter()
                    .filter(|m| m.0 == r.id)
                    .map(|m| m.1)
                    .collect(),
                items: keys.remove(&r.id).unwrap_or_default(),
                points_done,
                points_total,
                progress: super::rollup(points_done, points_total),
                evidence: evidence
                    .iter()
                    .find(|e| e.0 == r.id.0)
                    .map(|e| e.1)
                    .unwrap_or(0),
                version: r.version,
                updated_at: r.updated_at,
            }
        })
        .collect())
}

/// The prioritization view: initiatives ordered by score, evidence or their priority in `quarter`.
pub async fn list(
    db: &Db,
    ctx: &ProductCtx,
    by: SortBy,
    quarter: Quarter,
) -> Result<Vec<Initiative>> {
    let mut all = load(db, ctx, None).await?;
    let q = quarter.to_string();
    let key = |i: &Initiative| SortKey {
        rice: i.rice,
        wsjf: i.wsjf,
        evidence: i.evidence,
        tier: i
            .priorities
            .iter()
            .find(|p| p.quarter == q)
            .map(|p| p.position),
        id: i.id.0,
    };
    all.sort_by(|a, b| compare(by, &key(a), &key(b)));
    Ok(all)
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: InitiativeId) -> Result<Initiative> {
    load(db, ctx, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

/// Priorities of this product among `ids`, at most one per quarter, as (id, quarter).
async fn check_priorities(tx: &mut Tx, product_id: i64, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out: Vec<(i64, String)> = Vec::new();
    for id in ids {
        let q: Option<String> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT quarter FROM priorities WHERE id = $1 AND product_id = $2")
            .bind(id).bind(product_id).fetch_optional(&mut **t).await)?;
        let q = q.ok_or_else(|| {
            Error::invalid("priorities", format!("no priority {id} in this product"))
        })?;
        if out.iter().any(|(o, oq)| *oq == q && o != id) {
            return Err(Error::invalid(
                "priorities",
                format!("an initiative serves at most one priority in {q}"),
            ));
        }
        if !out.iter().any(|(o, _)| o == id) {
            out.push((*id, q));
        }
    }
    Ok(out)
}

async fn check_metrics(tx: &mut Tx, product_id: i64, ids: &[i64]) -> Result<Vec<i64>> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    for id in &ids {
        let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT id FROM metrics WHERE id = $1 AND product_id = $2")
            .bind(id).bind(product_id).fetch_optional(&mut **t).await)?;
        found
            .ok_or_else(|| Error::invalid("metrics", format!("no metric {id} in this product")))?;
    }
    Ok(ids)
}

async fn set_links(
    tx: &mut Tx,
    id: InitiativeId,
    priorities: Option<&[(i64, String)]>,
    metrics: Option<&[i64]>,
) -> Result<()> {
    if let Some(ps) = priorities {
        exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM priority_initiatives WHERE initiative_id = $1")
            .bind(id))?;
        for (p, q) in ps {
            exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO priority_initiatives (priority_id, initiative_id, quarter) VALUES ($1, $2, $3)")
                .bind(p).bind(id).bind(q))?;
        }
    }
    if let Some(ms) = metrics {
        exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM initiative_metrics WHERE initiative_id = $1")
            .bind(id))?;
        for m in ms {
            exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO initiative_metrics (initiative_id, metric_id) VALUES ($1, $2)")
                .bind(id).bind(m))?;
        }
    }
    Ok(())
}

pub(super) struct Fields {
    pub title: String,
    pub description: String,
    pub brief: Brief,
    pub status: String,
    pub scores: Scores,
}

pub(super) fn merge(old: Option<&Initiative>, input: &InitiativeInput) -> Result<Fields> {
    let title = match (&input.title, old) {
        (Some(t), _) => super::validate_title("title", t)?,
        (None, Some(o)) => o.title.clone(),
        (None, None) => return Err(Error::invalid("title", "required")),
    };
    let description = match (&input.description, old) {
        (Some(d), _) => crate::backlog::validate_text("description", d, 20_000)?,
        (None, Some(o)) => o.description.clone(),
        (None, None) => String::new(),
    };
    // The blueprint's three short texts: each kept unless given (1,000 characters at most, so
    // they stay a paragraph, not a second description).
    let text = |field: &str, given: &Option<String>, kept: Option<&String>| match (given, kept) {
        (Some(t), _) => crate::backlog::validate_text(field, t, 1_000),
        (None, Some(k)) => Ok(k.clone()),
        (None, None) => Ok(String::new()),
    };
    let brief = Brief {
        problem: text("problem", &input.problem, old.map(|o| &o.problem))?,
        assumptions: text(
            "assumptions",
            &input.assumptions,
            old.map(|o| &o.assumptions),
        )?,
        out_of_scope: text(
            "out_of_scope",
            &input.out_of_scope,
            old.map(|o| &o.out_of_scope),
        )?,
    };
    let status = match (&input.status, old) {
        (Some(s), _) => super::validate_status(s)?,
        (None, Some(o)) => o.status.clone(),
        (None, None) => "idea".into(),
    };
    let mut scores = old.map(|o| o.scores).unwrap_or_default();
    if let Some(p) = &input.scores {
        p.apply(&mut scores);
    }
    scores.validate()?;
    Ok(Fields {
        title,
        description,
        brief,
        status,
        scores,
    })
}

/// The PM's problem, assumptions and out-of-scope texts of an initiative.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub(super) struct Brief {
    pub problem: String,
    pub assumptions: String,
    pub out_of_scope: String,
}

fn snapshot(f: &Fields) -> serde_json::Value {
    json!({"title": f.title, "description": f.description, "problem": f.brief.problem,
        "assumptions": f.brief.assumptions, "out_of_scope": f.brief.out_of_scope,
        "status": f.status, "scores": f.scores})
}

pub async fn create(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: InitiativeInput,
) -> Result<Initiative> {
    ctx.grants.require(Action::ManageStrategy)?;
    let f = merge(None, &input)?;
    let mut tx = db.begin().await?;
    let prios = match &input.priorities {
        Some(p) => Some(check_priorities(&mut tx, ctx.product.id, p).await?),
        None => None,
    };
    let metrics = match &input.metrics {
        Some(m) => Some(check_metrics(&mut tx, ctx.product.id, m).await?),
        None => None,
    };
    let id = insert_in(&mut tx, ctx.product.id, &f, None).await?;
    set_links(&mut tx, id, prios.as_deref(), metrics.as_deref()).await?;
    let mut after = snapshot(&f);
    after["priorities"] = json!(input.priorities);
    after["metrics"] = json!(metrics);
    Change::by(actor, ctx, "initiative.create", ("initiative", id))
        .after(&after)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

/// Writes a new initiative in the caller's transaction (for [`create`] and for imports, which
/// keep the other tool's key to find it again); returns its id.
pub(super) async fn insert_in(
    tx: &mut Tx,
    product_id: i64,
    f: &Fields,
    external_key: Option<&str>,
) -> Result<InitiativeId> {
    let made = insert_all_in(tx, product_id, &[(f, external_key)]).await?;
    made.into_iter()
        .next()
        .map(|(_, id)| id)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("an insert returned no id")))
}

/// Initiatives written by an insert statement at most: 18 arguments each, far below the
/// bound-parameter limits (32,766 on SQLite, 65,535 on PostgreSQL).
const INSERT_CHUNK: usize = 500;

/// [`insert_in`] for many, a statement per 500 (an import may bring thousands of epics);
/// returns each one's key and id, in no particular order.
pub(super) async fn insert_all_in(
    tx: &mut Tx,
    product_id: i64,
    rows: &[(&Fields, Option<&str>)],
) -> Result<Vec<(Option<String>, InitiativeId)>> {
    let sqlite = tx.conn().is_sqlite();
    let at = now();
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(INSERT_CHUNK) {
        let sql = format!(
            "INSERT INTO initiatives (product_id, title, description, status, reach, impact, confidence, effort,
                 business_value, time_criticality, risk_reduction, job_size, created_at, updated_at, external_key,
                 problem, assumptions, out_of_scope)
             VALUES {} RETURNING external_key, id",
            crate::db::row_marks(sqlite, chunk.len(), 18)
        );
        let got: Vec<(Option<String>, InitiativeId)> = on!(&mut tx.conn(), t => {
            let mut q = sqlx::query_as(&sql);
            for (f, key) in chunk {
                let s = &f.scores;
                q = q.bind(product_id).bind(&f.title).bind(&f.description).bind(&f.status)
                    .bind(s.reach).bind(s.impact).bind(s.confidence).bind(s.effort)
                    .bind(s.business_value).bind(s.time_criticality).bind(s.risk_reduction)
                    .bind(s.job_size).bind(at).bind(at).bind(*key).bind(&f.brief.problem)
                    .bind(&f.brief.assumptions).bind(&f.brief.out_of_scope);
            }
            q.fetch_all(&mut **t).await
        })?;
        out.extend(got);
    }
    Ok(out)
}

/// Writes an initiative's fields as of `version` (for [`update`] and for imports); rows touched.
pub(super) async fn update_on(
    c: &mut Conn<'_>,
    product_id: i64,
    id: InitiativeId,
    version: i64,
    f: &Fields,
) -> Result<u64> {
    let s = &f.scores;
    Ok(exec!(c, c => sqlx::query(
        "UPDATE initiatives SET title = $1, description = $2, status = $3, reach = $4, impact = $5, confidence = $6,
             effort = $7, business_value = $8, time_criticality = $9, risk_reduction = $10, job_size = $11,
             updated_at = $12, problem = $16, assumptions = $17, out_of_scope = $18, version = version + 1
         WHERE id = $13 AND product_id = $14 AND version = $15")
        .bind(&f.title).bind(&f.description).bind(&f.status).bind(s.reach).bind(s.impact).bind(s.confidence)
        .bind(s.effort).bind(s.business_value).bind(s.time_criticality).bind(s.risk_reduction).bind(s.job_size)
        .bind(now()).bind(id).bind(product_id).bind(version).bind(&f.brief.problem)
        .bind(&f.brief.assumptions).bind(&f.brief.out_of_scope))?)
}

pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: InitiativeId,
    version: i64,
    input: InitiativeInput,
) -> Result<Initiative> {
    ctx.grants.require(Action::ManageStrategy)?;
    let (mut w, f) = Guarded::<Initiative>::merging(db, key_of(ctx, id), version, |old| {
        merge(Some(old), &input)
    })
    .await?;
    let old = w.old().clone();
    let prios = match &input.priorities {
        Some(p) => Some(check_priorities(w.tx(), ctx.product.id, p).await?),
        None => None,
    };
    let metrics = match &input.metrics {
        Some(m) => Some(check_metrics(w.tx(), ctx.product.id, m).await?),
        None => None,
    };
    let n = update_on(&mut w.conn(), ctx.product.id, id, version, &f).await?;
    if n == 1 {
        set_links(w.tx(), id, prios.as_deref(), metrics.as_deref()).await?;
    }
    let mut before = json!({"title": old.title, "description": old.description, "problem": old.problem,
        "assumptions": old.assumptions, "out_of_scope": old.out_of_scope, "status": old.status, "scores": old.scores});
    let mut after = snapshot(&f);
    if prios.is_some() {
        before["priorities"] = json!(old.priorities.iter().map(|p| p.id).collect::<Vec<_>>());
        after["priorities"] = json!(input.priorities);
    }
    if metrics.is_some() {
        before["metrics"] = json!(old.metrics);
        after["metrics"] = json!(metrics);
    }
    let change = Change::by(actor, ctx, "initiative.update", ("initiative", id))
        .before(&before)
        .after(&after);
    w.commit(n, change).await?;
    get(db, ctx, id).await
}

pub async fn delete(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: InitiativeId,
    version: i64,
) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    let mut w = Guarded::<Initiative>::open(db, key_of(ctx, id), version).await?;
    let n = exec!(&mut w.conn(), c => sqlx::query(
        "DELETE FROM initiatives WHERE id = $1 AND product_id = $2 AND version = $3")
        .bind(id).bind(ctx.product.id).bind(version))?;
    w.commit(
        n,
        Change::by(actor, ctx, "initiative.delete", ("initiative", id)),
    )
    .await?;
    Ok(())
}

/// Puts a backlog item under an initiative of its product (or takes it out), re-assessing its
/// readiness, since the Definition of Ready may ask for the link.
pub async fn link_item(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    initiative: Option<crate::ids::InitiativeId>,
) -> Result<crate::backlog::Item> {
    let edit = super::item_edit::ItemEdit {
        initiative: Some(initiative),
        ..Default::default()
    };
    super::item_edit::edit_item(db, actor, ctx, key, None, edit).await
}
