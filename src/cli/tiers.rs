//! `throughline tiers ...` and `throughline overrides`: the tier policy (G2) and the PM's
//! overrides (G3) from a terminal, with the same rules as the API (the PM sets the policy and
//! revokes exemptions; the PO records them).

use clap::{Args, Subcommand};
use serde_json::json;

use super::item::{actor, ctx, err, prefix, Who};
use super::sprint::{open, out, On};
use crate::config::DbArgs;
use crate::governance::{overrides, store, tiers};
use crate::strategy::Quarter;

#[derive(Subcommand, Debug)]
pub enum TiersCommand {
    /// The product's tier policy, unaligned allowance and exemptions.
    Show(On),
    /// As the PM: choose advisory or strict tier order, or the unaligned allowance.
    Set {
        #[command(flatten)]
        on: On,
        /// advisory (inversions are flagged) or strict (a PO move that makes one is refused).
        #[arg(long)]
        policy: Option<String>,
        /// Share of each sprint's points that may serve no priority, 0–90.
        #[arg(long)]
        allowance: Option<i64>,
    },
    /// As the PO: let an item break the tier order, with the reason (audited).
    Exempt {
        #[command(flatten)]
        who: Who,
        key: String,
        #[arg(long)]
        reason: String,
    },
    /// As the PM: end an exemption (its id is in `tiers show`).
    Revoke {
        #[command(flatten)]
        on: On,
        id: i64,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Args, Debug)]
pub struct OverridesArgs {
    #[command(flatten)]
    pub on: On,
    /// A quarter like 2027-Q1; this quarter when omitted.
    #[arg(long)]
    pub quarter: Option<String>,
}

pub async fn run(db_args: &DbArgs, c: TiersCommand) -> anyhow::Result<()> {
    match c {
        TiersCommand::Show(on) => show(db_args, &on).await,
        TiersCommand::Set {
            on,
            policy,
            allowance,
        } => {
            let (db, user, ctx) = open(db_args, &on).await?;
            if policy.is_none() && allowance.is_none() {
                anyhow::bail!("say what to set: --policy advisory|strict, --allowance PERCENT");
            }
            let now = store::settings(&db, ctx.product.id).await.map_err(err)?;
            let s = tiers::TierSettings {
                tier_policy: policy.unwrap_or(now.policy),
                unaligned_allowance_pct: allowance.unwrap_or(now.allowance_pct),
            };
            tiers::set_settings(
                &db,
                &user,
                &ctx,
                crate::workspace::settings::version(
                    &db,
                    ctx.product.id,
                    crate::workspace::settings::Setting::Tiers,
                )
                .await?,
                &s,
            )
            .await
            .map_err(err)?;
            show(db_args, &on).await
        }
        TiersCommand::Exempt { who, key, reason } => {
            let db = db_args.open(false).await?;
            let user = actor(&db, &who).await?;
            let ctx = ctx(&db, &user, &who, &prefix(&key)?).await?;
            let id = tiers::exempt(&db, &user, &ctx, &key, &reason)
                .await
                .map_err(err)?;
            out(who.json, &json!({"exemption": id, "key": key}), |_| {
                println!("exemption {id}: {key} may break the tier order");
            })
        }
        TiersCommand::Revoke { on, id, reason } => {
            let (db, user, ctx) = open(db_args, &on).await?;
            tiers::revoke(&db, &user, &ctx, id, &reason)
                .await
                .map_err(err)?;
            out(on.who.json, &json!({"revoked": id}), |_| {
                println!("exemption {id} revoked");
            })
        }
    }
}

async fn show(db_args: &DbArgs, on: &On) -> anyhow::Result<()> {
    let (db, _, ctx) = open(db_args, on).await?;
    let s = store::settings(&db, ctx.product.id).await.map_err(err)?;
    let ex = tiers::exemptions(&db, &ctx).await.map_err(err)?;
    let v = json!({"tier_policy": s.policy, "unaligned_allowance_pct": s.allowance_pct, "exemptions": ex});
    out(on.who.json, &v, |_| {
        println!(
            "{}: tier order {}, unaligned allowance {} % per sprint",
            ctx.product.key, s.policy, s.allowance_pct
        );
        for e in &ex {
            let state = e
                .revoke_reason
                .as_ref()
                .map_or("in force".to_string(), |r| format!("revoked: {r}"));
            println!(
                "{:>5}  {:<10} {}  ({}, {})  {state}",
                e.id,
                e.key,
                e.reason,
                e.created_by,
                e.created_at.format("%Y-%m-%d")
            );
        }
    })
}

pub async fn list_overrides(db_args: &DbArgs, a: OverridesArgs) -> anyhow::Result<()> {
    let (db, _, ctx) = open(db_args, &a.on).await?;
    let q = match &a.quarter {
        Some(q) => Quarter::parse(q).map_err(err)?,
        None => Quarter::of(crate::strategy::today()),
    };
    let o = overrides::list(&db, &ctx, q).await.map_err(err)?;
    out(a.on.who.json, &o, |o| {
        println!("{} PM override(s) in {}", o.count, o.quarter);
        for x in &o.overrides {
            println!(
                "  {}  {:<5} {}: \"{}\" ({})",
                x.at.format("%Y-%m-%d"),
                x.kind,
                x.subject,
                x.reason,
                x.by
            );
        }
    })
}
