//! Beside a target date (a release's, an initiative's): when its open work is done with 85 %
//! likelihood, from the same simulation, history and seed as the forecast page, so the
//! release and initiative pages, the roadmap and the Implementation Plan all show one date.

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::forecast::{history, selection, work_of, ForecastParams};
use super::store;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::forecast as sim;
use crate::on;
use crate::workspace::ProductCtx;

/// What a page shows beside a target date: when the open work is done with 85 % likelihood.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Outlook {
    /// Open items still to finish.
    pub open: usize,
    /// Done with 85 % likelihood; null when the history finished nothing.
    pub p85: Option<NaiveDate>,
    /// The 85 % date falls after the target (the target is unlikely).
    pub late: bool,
    /// Too little history: the date is a guess.
    pub guess: bool,
}

/// Whose open work an outlook forecasts.
pub enum Of {
    Release(i64),
    Initiative(i64),
}

/// Outlooks for several releases or initiatives, each with its target date (if any), from one
/// reading of the team's history, with the same simulation (10,000 futures, seed 1) as the
/// forecast page, so every page and document shows the same date.
pub async fn outlooks(
    db: &Db,
    ctx: &ProductCtx,
    of: &[(Of, Option<NaiveDate>)],
) -> Result<Vec<Outlook>> {
    if of.is_empty() {
        return Ok(Vec::new());
    }
    let flow = store::settings(db, ctx.product.id).await?.is_flow();
    let (history, period_days, _, guess) = history(db, ctx, flow, None).await?;
    let today = crate::calendar::today();
    let mut out = Vec::with_capacity(of.len());
    for (scope, target) in of {
        let p = match scope {
            Of::Release(id) => ForecastParams {
                release: Some(*id),
                ..ForecastParams::default()
            },
            Of::Initiative(id) => ForecastParams {
                initiative: Some(*id),
                ..ForecastParams::default()
            },
        };
        let chosen = selection(db, ctx, &p).await?;
        let work = work_of(flow, &chosen);
        let p85 = sim::periods_to_finish(&history, work, sim::RUNS, 1)
            .and_then(|s| sim::percentile(&s, 85.0))
            .map(|n| today + Duration::days(period_days * n as i64));
        out.push(Outlook {
            open: chosen.len(),
            late: target.is_some_and(|t| p85.is_none_or(|d| d > t)),
            p85,
            guess,
        });
    }
    Ok(out)
}

/// An initiative's outlook against its target: the earliest target date of the planned
/// releases that ship it, if any.
pub async fn initiative_outlook(
    db: &Db,
    ctx: &ProductCtx,
    id: crate::ids::InitiativeId,
) -> Result<(Outlook, Option<NaiveDate>)> {
    let mut r = db.reader().await?;
    let target: Option<String> = on!(&mut r.conn(), t => sqlx::query_scalar(
        "SELECT MIN(r.target_date) FROM releases r JOIN release_initiatives ri ON ri.release_id = r.id
         WHERE r.product_id = $1 AND ri.initiative_id = $2 AND r.status = 'planned'")
        .bind(ctx.product.id).bind(id).fetch_one(&mut **t).await)?;
    drop(r);
    let target = target.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok());
    let o = outlooks(db, ctx, &[(Of::Initiative(id.0), target)]).await?;
    let o = o
        .into_iter()
        .next()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no outlook")))?;
    Ok((o, target))
}
