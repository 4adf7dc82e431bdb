//! Changing a product's Definition of Ready, which re-assesses every item of the product.

use super::readiness::ReadyRules;
use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::{service, store as items};
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::exec;
use crate::workspace::ProductCtx;

pub async fn set(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    expected_version: i64,
    rules: ReadyRules,
) -> Result<ReadyRules> {
    ctx.grants.require(Action::ConfigureReadiness)?;
    rules.validate().map_err(|m| Error::invalid("rules", m))?;
    let before = service::rules_of(ctx);
    let stored = serde_json::to_string(&rules).map_err(anyhow::Error::new)?;
    let mut tx = db.begin().await?;
    crate::workspace::settings::bump(
        &mut tx,
        ctx.product.id,
        crate::workspace::settings::Setting::ReadyRules,
        expected_version,
    )
    .await?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE products SET ready_rules = $1 WHERE id = $2")
        .bind(&stored).bind(ctx.product.id))?;
    // Every item assessed again under the new rules, a thousand a round trip.
    let ids = items::ids_of_product(&mut tx.conn(), ctx.product.id).await?;
    service::refresh_readiness_of(&mut tx, &rules, &ids, Read::ready(())).await?;
    Change::by(actor, ctx, "ready_rules.set", ("product", ctx.product.id))
        .before(&before)
        .after(&rules)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(rules)
}
