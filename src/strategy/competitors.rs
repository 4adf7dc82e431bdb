//! Competitive analysis (S3): competitors with their positioning, strengths and weaknesses and
//! ours against each, and a capability × competitor matrix that includes our own product.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{now, Conn, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

pub const RATINGS: [&str; 4] = ["has", "partial", "no", "unknown"];

pub fn validate_rating(field: &str, r: &str) -> Result<String> {
    let r = r.trim().to_lowercase();
    if RATINGS.contains(&r.as_str()) {
        Ok(r)
    } else {
        Err(Error::invalid(field, "must be has, partial, no or unknown"))
    }
}

/// Share of the known capabilities covered: has counts 1, partial ½; none when nothing is known.
pub fn coverage<'a>(ratings: impl IntoIterator<Item = &'a str>) -> Option<i64> {
    let (mut known, mut score) = (0u32, 0u32);
    for r in ratings {
        match r {
            "has" => (known, score) = (known + 1, score + 2),
            "partial" => (known, score) = (known + 1, score + 1),
            "no" => known += 1,
            _ => {}
        }
    }
    (known > 0).then(|| i64::from(score * 50 / known))
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Competitor {
    pub id: i64,
    pub name: String,
    pub positioning: String,
    pub strengths: String,
    pub weaknesses: String,
    /// Our positioning statement against this competitor.
    pub our_positioning: String,
    pub version: i64,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompetitorInput {
    pub name: Option<String>,
    pub positioning: Option<String>,
    pub strengths: Option<String>,
    pub weaknesses: Option<String>,
    pub our_positioning: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CapabilityRow {
    pub id: i64,
    pub name: String,
    /// Our own product.
    pub ours: String,
    /// One rating per competitor, in the order of `Matrix::competitors`.
    pub ratings: Vec<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Matrix {
    pub competitors: Vec<Competitor>,
    pub capabilities: Vec<CapabilityRow>,
    /// Coverage of the known capabilities (percent): ours, then each competitor's.
    pub our_coverage: Option<i64>,
    pub coverage: Vec<Option<i64>>,
}

/// One cell of the grid; `competitor` none means our own product.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    pub capability: i64,
    pub competitor: Option<i64>,
    pub rating: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CellsInput {
    pub cells: Vec<Cell>,
}

pub async fn matrix(db: &Db, ctx: &ProductCtx) -> Result<Matrix> {
    ctx.grants.require(Action::ViewStrategy)?;
    let competitors: Vec<Competitor> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, name, positioning, strengths, weaknesses, our_positioning, version FROM competitors WHERE product_id = $1 ORDER BY name")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    let caps: Vec<(i64, String, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, name, ours FROM capabilities WHERE product_id = $1 ORDER BY id").bind(ctx.product.id).fetch_all(&mut **c).await)?;
    let ratings: Vec<(i64, i64, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT r.capability_id, r.competitor_id, r.rating FROM capability_ratings r JOIN capabilities c ON c.id = r.capability_id
         WHERE c.product_id = $1").bind(ctx.product.id).fetch_all(&mut **c).await)?;
    let capabilities: Vec<CapabilityRow> = caps
        .into_iter()
        .map(|(id, name, ours)| CapabilityRow {
            ratings: competitors
                .iter()
                .map(|c| {
                    ratings
                        .iter()
                        .find(|r| r.0 == id && r.1 == c.id)
                        .map(|r| r.2.clone())
                        .unwrap_or_else(|| "unknown".into())
                })
                .collect(),
            id,
            name,
            ours,
        })
        .collect();
    let coverage = (0..competitors.len())
        .map(|i| coverage(capabilities.iter().map(|c| c.ratings[i].as_str())))
        .collect();
    Ok(Matrix {
        our_coverage: coverage_of_ours(&capabilities),
        coverage,
        competitors,
        capabilities,
    })
}

fn coverage_of_ours(caps: &[CapabilityRow]) -> Option<i64> {
    coverage(caps.iter().map(|c| c.ours.as_str()))
}

fn text(field: &str, new: &Option<String>, old: Option<&String>, max: usize) -> Result<String> {
    match (new, old) {
        (Some(v), _) => crate::backlog::validate_text(field, v, max),
        (None, Some(o)) => Ok(o.clone()),
        (None, None) => Ok(String::new()),
    }
}

fn taken(e: sqlx::Error) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => {
            Error::invalid("name", "that name is already in this product's analysis")
        }
        other => other,
    }
}

impl Versioned for Competitor {
    const NOUN: &'static str = "the competitor";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Competitor {
    /// (product, competitor)
    type Key = (i64, i64);
    async fn load(c: &mut Conn<'_>, (product_id, id): Self::Key) -> Result<Self> {
        on!(c, c => sqlx::query_as(
            "SELECT id, name, positioning, strengths, weaknesses, our_positioning, version FROM competitors
             WHERE product_id = $1 AND id = $2")
            .bind(product_id).bind(id).fetch_optional(&mut **c).await)?
        .ok_or(Error::NotFound)
    }
}

/// A competitor's fields after `c`: name, positioning, strengths, weaknesses, ours against it.
fn merge(old: Option<&Competitor>, c: &CompetitorInput) -> Result<[String; 5]> {
    let name = match (&c.name, old) {
        (Some(n), _) => super::validate_title("name", n)?,
        (None, Some(o)) => o.name.clone(),
        (None, None) => return Err(Error::invalid("name", "required")),
    };
    Ok([
        name,
        text(
            "positioning",
            &c.positioning,
            old.map(|o| &o.positioning),
            2_000,
        )?,
        text("strengths", &c.strengths, old.map(|o| &o.strengths), 5_000)?,
        text(
            "weaknesses",
            &c.weaknesses,
            old.map(|o| &o.weaknesses),
            5_000,
        )?,
        text(
            "our_positioning",
            &c.our_positioning,
            old.map(|o| &o.our_positioning),
            2_000,
        )?,
    ])
}

fn audited(f: &[String; 5]) -> serde_json::Value {
    json!({"name": f[0], "positioning": f[1], "strengths": f[2], "weaknesses": f[3], "our_positioning": f[4]})
}

/// Adds a competitor (`id` None) or changes one (`id` = (competitor, version)).
pub async fn save_competitor(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: Option<(i64, i64)>,
    c: CompetitorInput,
) -> Result<Competitor> {
    ctx.grants.require(Action::ManageStrategy)?;
    let cid = match id {
        None => {
            let f = merge(None, &c)?;
            let mut tx = db.begin().await?;
            let cid: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
                "INSERT INTO competitors (product_id, name, positioning, strengths, weaknesses, our_positioning, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
                .bind(ctx.product.id).bind(&f[0]).bind(&f[1]).bind(&f[2]).bind(&f[3]).bind(&f[4]).bind(now())
                .fetch_one(&mut **t).await).map_err(taken)?;
            Change::by(actor, ctx, "competitor.create", ("competitor", cid))
                .after(&audited(&f))
                .record(&mut tx)
                .await?;
            tx.commit().await?;
            cid
        }
        Some((id, version)) => {
            let (mut w, f) =
                Guarded::<Competitor>::merging(db, (ctx.product.id, id), version, |old| {
                    merge(Some(old), &c)
                })
                .await?;
            let n = exec!(&mut w.conn(), t => sqlx::query(
                "UPDATE competitors SET name = $1, positioning = $2, strengths = $3, weaknesses = $4, our_positioning = $5,
                     updated_at = $6, version = version + 1 WHERE id = $7 AND product_id = $8 AND version = $9")
                .bind(&f[0]).bind(&f[1]).bind(&f[2]).bind(&f[3]).bind(&f[4]).bind(now()).bind(id).bind(ctx.product.id).bind(version))
                .map_err(taken)?;
            let change =
                Change::by(actor, ctx, "competitor.update", ("competitor", id)).after(&audited(&f));
            w.commit(n, change).await?;
            id
        }
    };
    matrix(db, ctx)
        .await?
        .competitors
        .into_iter()
        .find(|x| x.id == cid)
        .ok_or(Error::NotFound)
}

pub async fn add_capability(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    name: &str,
    ours: &str,
) -> Result<Matrix> {
    ctx.grants.require(Action::ManageStrategy)?;
    let name = super::validate_title("name", name)?;
    let ours = validate_rating("ours", ours)?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar("INSERT INTO capabilities (product_id, name, ours) VALUES ($1, $2, $3) RETURNING id")
        .bind(ctx.product.id).bind(&name).bind(&ours).fetch_one(&mut **t).await).map_err(taken)?;
    Change::by(actor, ctx, "capability.create", ("capability", id))
        .after(&json!({"name": name, "ours": ours}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    matrix(db, ctx).await
}

/// Saves grid cells in one transaction: all or nothing.
pub async fn set_cells(db: &Db, actor: &User, ctx: &ProductCtx, cells: &[Cell]) -> Result<Matrix> {
    ctx.grants.require(Action::ManageStrategy)?;
    if cells.len() > 5_000 {
        return Err(Error::invalid("cells", "at most 5000 cells at once"));
    }
    let m = matrix(db, ctx).await?;
    let mut clean = Vec::with_capacity(cells.len());
    for (i, c) in cells.iter().enumerate() {
        let rating = validate_rating(&format!("cells[{i}].rating"), &c.rating)?;
        if !m.capabilities.iter().any(|x| x.id == c.capability) {
            return Err(Error::invalid(
                &format!("cells[{i}].capability"),
                format!("no capability {} in this product", c.capability),
            ));
        }
        if let Some(k) = c
            .competitor
            .filter(|k| !m.competitors.iter().any(|x| x.id == *k))
        {
            return Err(Error::invalid(
                &format!("cells[{i}].competitor"),
                format!("no competitor {k} in this product"),
            ));
        }
        clean.push((c.capability, c.competitor, rating));
    }
    let mut tx = db.begin().await?;
    for (cap, comp, rating) in &clean {
        match comp {
            None => {
                exec!(&mut tx.conn(), t => sqlx::query("UPDATE capabilities SET ours = $1 WHERE id = $2").bind(rating).bind(cap)
                )?
            }
            Some(k) => {
                exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM capability_ratings WHERE capability_id = $1 AND competitor_id = $2")
                    .bind(cap).bind(k))?;
                exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO capability_ratings (capability_id, competitor_id, rating) VALUES ($1, $2, $3)")
                    .bind(cap).bind(k).bind(rating))?
            }
        };
    }
    let after = json!(clean
        .iter()
        .map(|(c, k, r)| json!({"capability": c, "competitor": k, "rating": r}))
        .collect::<Vec<_>>());
    Change::by(actor, ctx, "matrix.update", ("product", ctx.product.id))
        .after(&after)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    matrix(db, ctx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_counts_known_cells() {
        assert_eq!(coverage(["has", "partial", "no", "unknown"]), Some(50));
        assert_eq!(coverage(["has", "has"]), Some(100));
        assert_eq!(coverage(["unknown"]), None);
        assert!(validate_rating("r", "Has").is_ok() && validate_rating("r", "maybe").is_err());
    }
}
