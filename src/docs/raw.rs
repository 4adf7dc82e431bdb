//! A document as the data says, without sign-off notes: what a sign-off freezes and what
//! [`super::compose::make`] starts from. Apart from the compose step so that the sign-off
//! room, which freezes raw documents, and the compose step, which adds sign-off notes, do not
//! import each other.

use super::gather::{self, Scope};
use super::{blueprint, brief, plan, Document, Kind};
use crate::auth::{Action, Role};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// What a document is of, beyond its product.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// The brief's quarter; the current one when none.
    pub quarter: Option<Quarter>,
    /// The initiative of a blueprint or a plan.
    pub initiative: Option<i64>,
    /// The release of a blueprint or a plan, instead of an initiative. A plan with neither
    /// covers the product's open backlog; a blueprint needs one or the other.
    pub release: Option<i64>,
}

/// The document as the data says, without sign-off notes: what a sign-off freezes.
pub async fn make_raw(db: &Db, ctx: &ProductCtx, kind: Kind, p: &Params) -> Result<Document> {
    ctx.grants.require(Action::ViewDocuments)?;
    let product = &ctx.product;
    if p.initiative.is_some() && p.release.is_some() {
        return Err(Error::invalid(
            "release",
            "a document is of an initiative or of a release, not both",
        ));
    }
    match kind {
        Kind::Brief => {
            let q = p
                .quarter
                .unwrap_or_else(|| Quarter::of(crate::calendar::today()));
            Ok(brief::render(product, &gather::brief(db, ctx, q).await?))
        }
        Kind::Blueprint => {
            let owners = owners(db, ctx).await?;
            if let Some(r) = p.release {
                let (release, parts) = gather::release_blueprint(db, ctx, r).await?;
                return Ok(super::blueprint_release::render_release(
                    product, &owners, &release, &parts,
                ));
            }
            let id = p.initiative.ok_or_else(|| {
                Error::invalid(
                    "initiative",
                    "a blueprint is of one initiative or of a release: give the initiative's id (or the release's)",
                )
            })?;
            let data = gather::blueprint(db, ctx, id).await?;
            Ok(blueprint::render(product, &owners, &data))
        }
        Kind::Plan => {
            let of = match (p.initiative, p.release) {
                (Some(i), _) => gather::PlanOf::Initiative(i),
                (None, Some(r)) => gather::PlanOf::Release(r),
                (None, None) => gather::PlanOf::Product,
            };
            let data = gather::plan(db, ctx, of).await?;
            debug_assert!(p.initiative.is_some() == matches!(data.scope, Scope::Initiative(_)));
            Ok(plan::render(product, &data))
        }
    }
}

/// The product's Product Managers by name: who owns an initiative.
async fn owners(db: &Db, ctx: &ProductCtx) -> Result<Vec<String>> {
    let members = crate::workspace::store::members(db, ctx.workspace.id).await?;
    Ok(members
        .into_iter()
        .filter(|m| {
            m.roles
                .iter()
                .any(|r| r.product == ctx.product.key && r.roles.contains(&Role::Pm))
        })
        .map(|m| m.name)
        .collect())
}
