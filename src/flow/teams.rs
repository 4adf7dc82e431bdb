//! A team's cadence (issue 14: "a product (or a team) chooses its cadence"). A team runs in
//! sprints or in flow, or follows its product; the flow board and reports narrowed to a team,
//! its forecast and its alignment go by the cadence it works by. Set by the PO or the SM, as a
//! versioned settings group of its own written through the one guarded write.

use serde::Serialize;

use super::{effective_cadence, TeamCadenceInput};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

/// The cadence a team works by on a product.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TeamCadence {
    pub team_id: i64,
    pub team: String,
    /// sprints or flow: the cadence the team works by.
    pub cadence: String,
    /// True when the team has no cadence of its own and follows the product's.
    pub follows_product: bool,
    /// The product's cadence, which a team without its own follows.
    pub product_cadence: String,
    /// The team cadence's version: the ETag to send back in If-Match.
    pub version: i64,
}

impl TeamCadence {
    pub fn is_flow(&self) -> bool {
        self.cadence == "flow"
    }
}

impl Versioned for TeamCadence {
    const NOUN: &'static str = "the team's cadence";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for TeamCadence {
    /// (product id, team id): a team is read only through a product it works on.
    type Key = (i64, i64);
    async fn load(c: &mut Conn<'_>, (product_id, team_id): (i64, i64)) -> Result<Self> {
        let row: Option<(String, Option<String>, i64, String)> = on!(c, t => sqlx::query_as(
            "SELECT t.name, t.cadence, t.cadence_version, p.cadence
             FROM teams t JOIN team_products tp ON tp.team_id = t.id JOIN products p ON p.id = tp.product_id
             WHERE t.id = $1 AND p.id = $2")
            .bind(team_id).bind(product_id).fetch_optional(&mut **t).await)?;
        let (team, own, version, product_cadence) = row.ok_or(Error::NotFound)?;
        Ok(TeamCadence {
            team_id,
            team,
            cadence: effective_cadence(own.as_deref(), &product_cadence).to_string(),
            follows_product: own.is_none(),
            product_cadence,
            version,
        })
    }
}

/// A team's cadence on the product (404 for a team that does not work on it).
pub async fn get(db: &Db, ctx: &ProductCtx, team_id: i64) -> Result<TeamCadence> {
    ctx.grants.require(Action::ViewBacklog)?;
    let mut r = db.reader().await?;
    TeamCadence::load(&mut r.conn(), (ctx.product.id, team_id)).await
}

/// The cadence of a team named by a query parameter (a report, a forecast, an alignment): an
/// unknown team is the parameter at fault.
pub async fn cadence_of(db: &Db, ctx: &ProductCtx, team_id: i64) -> Result<TeamCadence> {
    get(db, ctx, team_id).await.map_err(|e| match e {
        Error::NotFound => Error::invalid("team", "no such team on this product"),
        e => e,
    })
}

/// Sets a team's cadence (the PO or the SM), if still at `expected`.
pub async fn set(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    team_id: i64,
    expected: i64,
    input: &TeamCadenceInput,
) -> Result<TeamCadence> {
    ctx.grants.require(Action::SetCadence)?;
    let (mut w, own) =
        Guarded::<TeamCadence>::merging(db, (ctx.product.id, team_id), expected, |_| {
            input.validate()
        })
        .await?;
    let n = exec!(&mut w.conn(), t => sqlx::query(
        "UPDATE teams SET cadence = $1, cadence_version = cadence_version + 1
         WHERE id = $2 AND cadence_version = $3")
        .bind(&own).bind(team_id).bind(expected));
    let old = w.old().clone();
    let new = TeamCadence {
        cadence: effective_cadence(own.as_deref(), &old.product_cadence).to_string(),
        follows_product: own.is_none(),
        version: expected + 1,
        ..old
    };
    w.commit(
        n?,
        Change::by(actor, ctx, "team.cadence", ("team", team_id)).after(&new),
    )
    .await?;
    Ok(new)
}
