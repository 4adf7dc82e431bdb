//! The alignment report (G4) of a sprint or a quarter: points per priority, the unaligned
//! share, strategy without execution, execution without strategy, and the score.

use serde::{Deserialize, Serialize};

use super::store::{self, SprintItem};
use super::{score, NoScore, PriorityPoints, Score, FORMULA};
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::points::Points;
use crate::sprint::service as sprints;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PriorityRow {
    /// 1 = the top priority.
    pub tier: usize,
    pub priority_id: i64,
    pub title: String,
    pub committed: Points,
    pub completed: Points,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ItemRef {
    pub key: String,
    pub title: String,
    pub points: Points,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Scored {
    pub score: Option<Score>,
    /// Why there is no score, when there is none.
    pub no_score: Option<NoScore>,
}

impl Scored {
    fn of(r: std::result::Result<Score, NoScore>) -> Scored {
        match r {
            Ok(s) => Scored {
                score: Some(s),
                no_score: None,
            },
            Err(e) => Scored {
                score: None,
                no_score: Some(e),
            },
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Alignment {
    #[schema(value_type = String, example = "2027-Q1")]
    pub quarter: String,
    /// The sprint, for a sprint report.
    pub sprint: Option<String>,
    /// The month (`2026-11`), for a month's report without sprints (E11).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<String>,
    /// For a product in flow (E11): scored over items finished (completed) and started
    /// (committed) in the period rather than over sprints.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub flow: bool,
    pub priorities: Vec<PriorityRow>,
    pub unaligned_committed: Points,
    pub unaligned_completed: Points,
    /// The product's unaligned allowance, in percent.
    pub allowance_pct: i64,
    /// Over committed points.
    pub committed: Scored,
    /// Over completed points.
    pub completed: Scored,
    /// Priorities with no points committed in the period.
    pub strategy_without_execution: Vec<String>,
    /// Committed items that serve no priority of the quarter.
    pub execution_without_strategy: Vec<ItemRef>,
    /// For a quarter: each sprint's completed-points score, in order, as `[sprint, score]`
    /// pairs (the score is null when there is none).
    #[schema(value_type = Vec<Vec<Value>>)]
    pub trend: Vec<(String, Option<i64>)>,
    pub formula: String,
}

impl Alignment {
    /// The quarter's worst gap in one sentence: missing priorities, then a priority with no work,
    /// then unaligned work over its allowance, then work that serves no priority.
    pub fn worst_gap(&self) -> String {
        let a = self;
        if let Some(NoScore::NoPriorities) = a.committed.no_score {
            return "No priorities are set for this quarter, so nothing can be aligned to them."
                .into();
        }
        if let Some(p) = a.strategy_without_execution.first() {
            let more = a.strategy_without_execution.len() - 1;
            return match more {
                0 => format!("“{p}” has no work committed this quarter."),
                n => format!("“{p}” and {n} more priorities have no work committed this quarter."),
            };
        }
        if let Some(sc) = &a.committed.score {
            let allowance = a.allowance_pct as f64 / 100.0;
            if sc.unaligned_share > allowance {
                return format!(
                    "Unaligned work is {:.0} % of committed points, over the {} % allowance.",
                    sc.unaligned_share * 100.0,
                    a.allowance_pct
                );
            }
        }
        match a.execution_without_strategy.len() {
            0 if a.committed.score.is_none() => "Nothing is committed yet this quarter.".into(),
            0 => "Every priority has work, and the unaligned share is within its allowance.".into(),
            n => format!(
                "{n} committed item{} serve{} no priority, within the allowance.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            ),
        }
    }

    /// Why a score is missing, in words for people; `None` when both scores are there. A
    /// planned sprint has committed points but none completed: its committed score stands.
    pub fn missing_score(&self) -> Option<String> {
        match (&self.committed.no_score, &self.completed.no_score) {
            (Some(NoScore::NoPriorities), _) | (_, Some(NoScore::NoPriorities)) => Some(format!(
                "No quarterly priorities are set for {}, so there is no score: the team runs \
                 without strategic direction. The Product Manager sets priorities on the \
                 strategy tab.",
                self.quarter
            )),
            (Some(NoScore::NoPoints), _) => {
                Some("No points were committed in this period yet, so there is no score.".into())
            }
            (None, Some(NoScore::NoPoints)) => Some(
                "No points are completed yet: the score over committed points is shown, the \
                 score over completed points follows when work is done."
                    .into(),
            ),
            (None, None) => None,
        }
    }
}

/// The report over `items` with the quarter's `priorities`; for one sprint, a quarter's
/// sprints, or (E11) the items started and finished in a month or quarter.
pub fn build(
    quarter: Quarter,
    priorities: &[(i64, String)],
    items: &[SprintItem],
    allowance_pct: i64,
    product_key: &str,
) -> Alignment {
    let mut rows: Vec<PriorityRow> = priorities
        .iter()
        .enumerate()
        .map(|(i, (id, title))| PriorityRow {
            tier: i + 1,
            priority_id: *id,
            title: title.clone(),
            committed: Points::ZERO,
            completed: Points::ZERO,
        })
        .collect();
    let (mut uc, mut ud) = (Points::ZERO, Points::ZERO);
    let mut orphans = Vec::new();
    for it in items {
        match it
            .priority_id
            .and_then(|p| rows.iter_mut().find(|r| r.priority_id == p))
        {
            Some(r) => {
                if !it.finished_only {
                    r.committed += it.points;
                }
                if it.done {
                    r.completed += it.points;
                }
            }
            None => {
                if !it.finished_only {
                    uc += it.points;
                }
                if it.done {
                    ud += it.points;
                }
                orphans.push(ItemRef {
                    key: format!("{product_key}-{}", it.number),
                    title: it.title.clone(),
                    points: it.points,
                });
            }
        }
    }
    let a = allowance_pct as f64 / 100.0;
    let pts = |f: fn(&PriorityRow) -> Points| -> Vec<PriorityPoints> {
        rows.iter()
            .map(|r| PriorityPoints {
                rank: r.tier,
                priority_id: r.priority_id,
                title: r.title.clone(),
                points: f(r),
            })
            .collect()
    };
    Alignment {
        quarter: quarter.to_string(),
        sprint: None,
        month: None,
        flow: false,
        committed: Scored::of(score(&pts(|r| r.committed), uc, a)),
        completed: Scored::of(score(&pts(|r| r.completed), ud, a)),
        strategy_without_execution: rows
            .iter()
            .filter(|r| r.committed == Points::ZERO)
            .map(|r| r.title.clone())
            .collect(),
        execution_without_strategy: orphans,
        priorities: rows,
        unaligned_committed: uc,
        unaligned_completed: ud,
        allowance_pct,
        trend: Vec::new(),
        formula: FORMULA.to_string(),
    }
}

/// The alignment of one sprint, in the quarter of its start date.
pub async fn for_sprint(db: &Db, ctx: &ProductCtx, sprint_id: SprintId) -> Result<Alignment> {
    ctx.grants.require(Action::ViewBacklog)?;
    let sprint = sprints::get(db, ctx, sprint_id).await?;
    // A sprint belongs to the quarter of its start date; an imported one without dates belongs
    // to none, so no quarter's priorities can score it.
    let Some(start) = sprint.start_date else {
        return Err(Error::Conflict(format!(
            "{} has no dates (the file it was imported from did not give them), so it belongs to no quarter and has no alignment score",
            sprint.name
        )));
    };
    let quarter = Quarter::of(start);
    // Today's priorities are read with the items even when a closed sprint's frozen ones will
    // do: one round trip costs more than the few rows.
    let ((items, today), settings) =
        store::sprint_items_read(ctx.product.id, quarter, Some(sprint_id))
            .and(store::priorities_read(ctx.product.id, quarter))
            .and(store::settings_read(ctx.product.id))
            .on(db)
            .await?;
    // A closed sprint is scored as it was at close; a running or planned one with today's
    // priorities (PRODUCT.md, Definitions).
    let (priorities, allowance) = match items.first().and_then(|i| i.frozen()) {
        Some(f) => (f.priorities, f.allowance_pct),
        None => (today, settings.allowance_pct),
    };
    let mut a = build(quarter, &priorities, &items, allowance, &ctx.product.key);
    a.sprint = Some(sprint.name);
    Ok(a)
}

/// The alignment of every sprint of the product (or of one team) that starts in the quarter,
/// with the trend.
pub async fn for_quarter(
    db: &Db,
    ctx: &ProductCtx,
    quarter: &str,
    team: Option<i64>,
) -> Result<Alignment> {
    ctx.grants.require(Action::ViewBacklog)?;
    let quarter = Quarter::parse(quarter).map_err(|_| {
        Error::invalid(
            "quarter",
            format!("{quarter:?} is not a quarter like 2027-Q1"),
        )
    })?;
    let Some(team) = team else {
        return Ok(quarter_read(ctx, quarter).on(db).await?);
    };
    let ((settings, priorities), mut items) =
        quarter_facts_read(ctx.product.id, quarter).on(db).await?;
    let theirs = store::team_sprints(db, ctx.product.id, team).await?;
    items.retain(|i| theirs.contains(&i.sprint_id));
    Ok(quarter_of(
        quarter,
        &settings,
        &priorities,
        &items,
        &ctx.product.key,
    ))
}

type QuarterFacts = ((store::Settings, Vec<(i64, String)>), Vec<SprintItem>);

/// What a quarter's report of a product in sprints is made from, in one round trip.
fn quarter_facts_read(product_id: i64, quarter: Quarter) -> Read<QuarterFacts> {
    store::settings_read(product_id)
        .and(store::priorities_read(product_id, quarter))
        .and(store::sprint_items_read(product_id, quarter, None))
}

/// The quarter's report of the whole product (no team) as a read, to share a round trip with
/// others (the Overview's, of every product on the workspace home). The caller checks the
/// grants, as [`for_quarter`] does.
pub fn quarter_read(ctx: &ProductCtx, quarter: Quarter) -> Read<Alignment> {
    let key = ctx.product.key.clone();
    quarter_facts_read(ctx.product.id, quarter).map(move |((settings, priorities), items)| {
        Ok(quarter_of(quarter, &settings, &priorities, &items, &key))
    })
}

/// The quarter's report over `items`, with each sprint's point of the trend.
fn quarter_of(
    quarter: Quarter,
    settings: &store::Settings,
    priorities: &[(i64, String)],
    items: &[SprintItem],
    product_key: &str,
) -> Alignment {
    let mut a = build(
        quarter,
        priorities,
        items,
        settings.allowance_pct,
        product_key,
    );
    // The items come sprint by sprint, in the order the sprints started.
    // Each closed sprint's point of the trend is its score frozen at close.
    for mine in items.chunk_by(|a, b| a.sprint_id == b.sprint_id) {
        let s = match mine[0].frozen() {
            Some(f) => build(quarter, &f.priorities, mine, f.allowance_pct, product_key),
            None => build(
                quarter,
                priorities,
                mine,
                settings.allowance_pct,
                product_key,
            ),
        };
        let name = mine[0].sprint_name.clone();
        a.trend.push((name, s.completed.score.map(|s| s.score)));
    }
    a
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AlignmentParams {
    /// A sprint id: that sprint's alignment.
    #[param(value_type = Option<i64>)]
    pub sprint: Option<SprintId>,
    /// A quarter like 2027-Q1: every sprint starting in it, with the trend (for a product in
    /// flow: the items started and finished in it, with the trend by month).
    pub quarter: Option<String>,
    /// A month like 2026-11 (E11): the items started (committed) and finished (completed) in it.
    pub month: Option<String>,
    /// A team of the product (its id): a month, or the quarter of a team in flow, over the items
    /// assigned to its members; the quarter of a team in sprints over that team's sprints.
    pub team: Option<i64>,
}

/// One of the two reports, as the parameters ask; shared with the page and the CLI.
pub async fn report(db: &Db, ctx: &ProductCtx, p: &AlignmentParams) -> Result<Alignment> {
    match (p.sprint, p.quarter.as_deref(), p.month.as_deref()) {
        (Some(s), None, None) => for_sprint(db, ctx, s).await,
        (None, Some(q), None) => for_quarter(db, ctx, q, p.team).await,
        (_, _, Some(_)) => Err(Error::invalid(
            "month",
            "give one of a sprint, a quarter or a month",
        )),
        _ => Err(Error::invalid(
            "sprint",
            "give either a sprint or a quarter",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(points: i64, done: bool, priority_id: Option<i64>) -> SprintItem {
        SprintItem {
            sprint_id: 1,
            sprint_name: "Sprint 1".into(),
            number: 1,
            title: "t".into(),
            points: Points::whole(points),
            done,
            priority_id,
            frozen: None,
            finished_only: false,
        }
    }

    const Q: Quarter = Quarter { year: 2027, q: 1 };

    #[test]
    fn a_planned_sprint_keeps_its_committed_score_and_says_nothing_is_done_yet() {
        let a = build(
            Q,
            &[(7, "Churn".into())],
            &[item(5, false, Some(7))],
            20,
            "ONB",
        );
        assert!(a.committed.score.is_some() && a.completed.score.is_none());
        let why = a.missing_score().unwrap_or_default();
        assert!(why.starts_with("No points are completed yet"), "{why}");
    }

    #[test]
    fn missing_priorities_and_missing_points_are_told_apart() {
        let none = build(Q, &[], &[item(5, true, None)], 20, "ONB");
        let why = none.missing_score().unwrap_or_default();
        assert!(
            why.contains("No quarterly priorities are set for 2027-Q1"),
            "{why}"
        );
        let empty = build(Q, &[(7, "Churn".into())], &[], 20, "ONB");
        let why = empty.missing_score().unwrap_or_default();
        assert!(why.starts_with("No points were committed"), "{why}");
        let done = build(
            Q,
            &[(7, "Churn".into())],
            &[item(5, true, Some(7))],
            20,
            "ONB",
        );
        assert_eq!(done.missing_score(), None);
    }
}
