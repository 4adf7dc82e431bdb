//! Strategy data for the demo product: objectives with metric histories, this quarter's and
//! next quarter's priorities, scored initiatives over the backlog (the rest of the demo is in
//! `demo_strategy_more`, the benchmark data in `scale_strategy`).

use chrono::Duration;

use crate::auth::store::User;
use crate::db::Db;
use crate::strategy::model::{
    InitiativeInput, MetricInput, MetricValue, ObjectiveInput, PriorityInput, ScoresPatch,
};
use crate::strategy::{initiatives, objectives, priorities, today, Quarter};
use crate::workspace::ProductCtx;

pub(super) use super::e;

async fn objective(
    db: &Db,
    pm: &User,
    ctx: &ProductCtx,
    q: Quarter,
    title: &str,
) -> anyhow::Result<i64> {
    let input = ObjectiveInput {
        quarter: Some(q.to_string()),
        title: Some(title.into()),
        description: None,
    };
    Ok(objectives::create(db, pm, ctx, input).await.map_err(e)?.id)
}

/// A metric with weekly values ending today.
#[allow(clippy::too_many_arguments)]
async fn metric(
    db: &Db,
    pm: &User,
    ctx: &ProductCtx,
    objective: i64,
    name: &str,
    unit: &str,
    goal: (f64, f64),
    values: &[f64],
) -> anyhow::Result<i64> {
    let input = MetricInput {
        objective_id: Some(Some(objective)),
        name: Some(name.into()),
        unit: Some(unit.into()),
        direction: Some(if goal.1 > goal.0 { "up" } else { "down" }.into()),
        baseline: Some(goal.0),
        target: Some(goal.1),
    };
    let id = objectives::create_metric(db, pm, ctx, input)
        .await
        .map_err(e)?
        .metric
        .id;
    let last = today();
    for (i, v) in values.iter().enumerate() {
        let day = last - Duration::weeks((values.len() - 1 - i) as i64);
        let value = MetricValue {
            measured_on: day.format("%Y-%m-%d").to_string(),
            value: *v,
        };
        objectives::record_value(db, pm, ctx, id, value)
            .await
            .map_err(e)?;
    }
    Ok(id)
}

async fn priority(
    db: &Db,
    pm: &User,
    ctx: &ProductCtx,
    q: Quarter,
    title: &str,
    objectives: Vec<i64>,
) -> anyhow::Result<i64> {
    let input = PriorityInput {
        quarter: Some(q.to_string()),
        title: Some(title.into()),
        description: None,
        objectives: Some(objectives),
        position: None,
        reason: Some("Set at quarterly planning".into()),
    };
    Ok(priorities::create(db, pm, ctx, input).await.map_err(e)?.id)
}

/// (reach, impact, confidence, effort, business value, time criticality, risk reduction, job size)
type Score = (i64, f64, i64, f64, i64, i64, i64, i64);

fn scores(s: Score) -> ScoresPatch {
    ScoresPatch {
        reach: Some(Some(s.0)),
        impact: Some(Some(s.1)),
        confidence: Some(Some(s.2)),
        effort: Some(Some(s.3)),
        business_value: Some(Some(s.4)),
        time_criticality: Some(Some(s.5)),
        risk_reduction: Some(Some(s.6)),
        job_size: Some(Some(s.7)),
    }
}

/// Title, status, scores, priorities, metrics and backlog items of a demo initiative.
/// The PM's problem, assumptions and out-of-scope lines of each demo initiative, as the
/// Solution Blueprint quotes them.
fn brief(title: &str) -> (&'static str, &'static str, &'static str) {
    match title {
        "Guided workspace setup" => (
            "New admins land on an empty workspace and 40% leave before inviting anyone: nothing tells them what a working setup looks like.",
            "Admins finish a setup that takes under ten minutes; a template is a better start than a blank page.",
            "Single sign-on setup, billing and plan choice, migrating existing projects.",
        ),
        "Jira import during onboarding" => (
            "Teams coming from Jira retype their backlog by hand or give up; sales calls name it as the first blocker.",
            "Most teams export from Jira Cloud as CSV; field mapping can be guessed for the common fields.",
            "Live two-way sync with Jira, attachments, Jira Server plug-ins.",
        ),
        "Onboarding progress reports" => (
            "Customer success cannot see which new accounts are stuck in setup until they churn.",
            "A weekly view per account is enough; success managers act on a list, not a chart.",
            "Alerts and automated e-mails to stuck accounts.",
        ),
        _ => (
            "Users working late ask for a darker theme; it comes up in support tickets, not in churn.",
            "The design system's colour variables cover every page, so a second palette is cheap.",
            "Custom themes and per-workspace branding.",
        ),
    }
}

type DemoInitiative = (
    &'static str,
    &'static str,
    Score,
    Vec<i64>,
    Vec<i64>,
    &'static [&'static str],
);

/// The demo product's strategy, built through the same actions the PM uses.
pub async fn demo(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    let q = Quarter::of(today());
    let next = q.next();
    let activate = objective(
        db,
        pm,
        ctx,
        q,
        "New teams reach first value in their first week",
    )
    .await?;
    let keep = objective(db, pm, ctx, q, "Keep the accounts we win").await?;
    let jira = objective(db, pm, ctx, next, "Win mid-size teams moving off Jira").await?;
    let activation = metric(
        db,
        pm,
        ctx,
        activate,
        "Week-1 activation",
        "%",
        (22.0, 40.0),
        &[22.0, 23.5, 25.0, 24.0, 27.5, 29.0, 31.0],
    )
    .await?;
    metric(
        db,
        pm,
        ctx,
        keep,
        "90-day logo churn",
        "%",
        (9.0, 5.0),
        &[9.0, 8.6, 8.1, 7.9],
    )
    .await?;
    let imports = metric(
        db,
        pm,
        ctx,
        jira,
        "Jira imports completed per month",
        "",
        (15.0, 60.0),
        &[15.0, 18.0],
    )
    .await?;
    let first_value = priority(db, pm, ctx, q, "Time to first value", vec![activate]).await?;
    priority(db, pm, ctx, q, "Retention of new accounts", vec![keep]).await?;
    let migration = priority(db, pm, ctx, next, "A painless path off Jira", vec![jira]).await?;
    let plan: [DemoInitiative; 4] = [
        (
            "Guided workspace setup",
            "in_progress",
            (1800, 2.0, 80, 3.0, 13, 8, 5, 5),
            vec![first_value],
            vec![activation],
            &["ONB-1", "ONB-2", "ONB-4", "ONB-5", "ONB-7"],
        ),
        (
            "Jira import during onboarding",
            "planned",
            (600, 3.0, 50, 5.0, 8, 13, 8, 8),
            vec![migration],
            vec![imports],
            &["ONB-3", "ONB-8"],
        ),
        (
            "Onboarding progress reports",
            "discovery",
            (300, 1.0, 50, 2.0, 5, 3, 2, 3),
            vec![],
            vec![],
            &["ONB-6"],
        ),
        (
            "Dark mode",
            "idea",
            (900, 0.25, 80, 2.0, 3, 1, 1, 3),
            vec![],
            vec![],
            &[],
        ),
    ];
    for (title, status, s, prios, metrics, items) in plan {
        let (problem, assumptions, out_of_scope) = brief(title);
        let input = InitiativeInput {
            title: Some(title.into()),
            description: None,
            problem: Some(problem.into()),
            assumptions: Some(assumptions.into()),
            out_of_scope: Some(out_of_scope.into()),
            status: Some(status.into()),
            scores: Some(scores(s)),
            priorities: Some(prios),
            metrics: Some(metrics),
        };
        let i = initiatives::create(db, pm, ctx, input).await.map_err(e)?;
        for key in items {
            initiatives::link_item(db, pm, ctx, key, Some(i.id))
                .await
                .map_err(e)?;
        }
    }
    super::demo_strategy_more::demo_research(db, pm, ctx).await?;
    super::demo_strategy_more::demo_decision(db, pm, ctx).await?;
    super::demo_strategy_more::demo_competitors(db, pm, ctx).await?;
    super::demo_strategy_more::demo_release(db, pm, ctx).await?;
    // Some of the setup work is done, so its progress shows.
    for key in ["ONB-1", "ONB-5"] {
        let v = crate::backlog::service::get(db, ctx, key)
            .await
            .map_err(e)?
            .version;
        let done = crate::backlog::input::ItemPatch {
            status: Some("done".into()),
            ..Default::default()
        };
        crate::backlog::service::update(db, pm, ctx, key, v, done)
            .await
            .map_err(e)?;
    }
    Ok(())
}
