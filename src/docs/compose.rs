//! Writes a document: checks who asks and what for, gathers, renders. The one entry point the
//! API, the pages and the CLI call.

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
    /// The initiative of a blueprint (required) or a plan (the whole product when none).
    pub initiative: Option<i64>,
}

pub async fn make(db: &Db, ctx: &ProductCtx, kind: Kind, p: &Params) -> Result<Document> {
    ctx.grants.require(Action::ViewDocuments)?;
    let product = &ctx.product;
    match kind {
        Kind::Brief => {
            let q = p
                .quarter
                .unwrap_or_else(|| Quarter::of(crate::calendar::today()));
            Ok(brief::render(product, &gather::brief(db, ctx, q).await?))
        }
        Kind::Blueprint => {
            let id = p.initiative.ok_or_else(|| {
                Error::invalid(
                    "initiative",
                    "a blueprint is of one initiative: give its id",
                )
            })?;
            let data = gather::blueprint(db, ctx, id).await?;
            let owners = owners(db, ctx).await?;
            Ok(blueprint::render(product, &owners, &data))
        }
        Kind::Plan => {
            let data = gather::plan(db, ctx, p.initiative).await?;
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
