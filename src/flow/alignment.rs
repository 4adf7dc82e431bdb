//! Alignment without sprints (E11, G4): a month or a quarter is scored over the points of the
//! items finished in it (completed) and the items started in it (committed), with the same
//! formula as a sprint (`governance::periods`). A product or team in flow answers a quarter
//! this way, with a trend by month; any product or team answers a month. Sprint and
//! sprint-quarter reports stay with governance.

use chrono::NaiveDate;

use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::governance::alignment::{self, Alignment, AlignmentParams};
use crate::governance::periods;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// The first day of a month like `2026-11`, or the field at fault.
pub fn parse_month(s: &str) -> Result<NaiveDate> {
    let bad = || Error::invalid("month", format!("{s:?} is not a month like 2026-11"));
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    let (year, month): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if y.len() != 4 || m.len() != 2 || !(2000..=2100).contains(&year) {
        return Err(bad());
    }
    NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(bad)
}

/// The one entry point the API, the page and the CLI call: a month, a flow product's (or flow
/// team's) quarter, or governance's sprint and sprint-quarter reports. With a team, a month and a
/// flow quarter count the items assigned to its members, as the flow reports do.
pub async fn report(db: &Db, ctx: &ProductCtx, p: &AlignmentParams) -> Result<Alignment> {
    ctx.grants.require(Action::ViewBacklog)?;
    let flow = match p.team {
        Some(t) => super::teams::cadence_of(db, ctx, t).await?.is_flow(),
        // The product's cadence came with the request's context: no need to read it again.
        None => ctx.product.cadence == "flow",
    };
    match (p.sprint, p.quarter.as_deref(), p.month.as_deref()) {
        (None, None, Some(m)) => {
            let from = parse_month(m)?;
            let to = periods::next_month(from);
            let mut a = periods::period(db, ctx, Quarter::of(from), (from, to), p.team).await?;
            a.month = Some(from.format("%Y-%m").to_string());
            Ok(a)
        }
        (None, Some(q), None) if flow => {
            let q = Quarter::parse(q)?;
            periods::quarter(db, ctx, q, p.team).await
        }
        _ => alignment::report(db, ctx, p).await,
    }
}

/// A product's whole quarter (no team) by its cadence, as a read that may share a round trip
/// with others; the caller checks the grants.
pub fn quarter_read(ctx: &ProductCtx, q: Quarter) -> Read<Alignment> {
    if ctx.product.cadence == "flow" {
        periods::quarter_read(ctx, q, None)
    } else {
        alignment::quarter_read(ctx, q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_or_name_their_field() {
        assert_eq!(
            parse_month("2026-11").ok(),
            NaiveDate::from_ymd_opt(2026, 11, 1)
        );
        assert_eq!(
            periods::next_month(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default())
                .to_string(),
            "2027-01-01"
        );
        for bad in ["2026-13", "2026-1", "26-11", "november", ""] {
            assert!(
                matches!(parse_month(bad), Err(Error::Invalid { field, .. }) if field == "month"),
                "{bad}"
            );
        }
    }
}
