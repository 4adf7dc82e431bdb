//! The demo's second product, Insights (INS), run in flow (E11): no sprints, a continuous board
//! with WIP limits that block, and three months of history (items started and finished week
//! after week, a few in progress, one of them aging) so that a first start shows both cadences,
//! the flow reports, alignment by month and a forecast that is not a guess.

use chrono::{DateTime, Duration, Utc};

use super::e;
use crate::auth::store::{self as accounts, User};
use crate::auth::Role;
use crate::backlog::input::NewItem;
use crate::backlog::service;
use crate::db::Db;
use crate::flow::FlowSettingsInput;
use crate::points::Points;
use crate::strategy::model::{InitiativeInput, ObjectiveInput, PriorityInput};
use crate::strategy::{initiatives, objectives, priorities, Quarter};
use crate::workspace::{store as ws, Workspace};
use crate::{exec, on};

const TITLES: [&str; 36] = [
    "Weekly usage digest by e-mail",
    "Filter the dashboard by segment",
    "Export a chart as PNG",
    "Share a dashboard by link",
    "Explain an empty chart in words",
    "Compare two date ranges",
    "Cohort retention table",
    "Annotate a spike on a chart",
    "Funnel from sign-up to first report",
    "Mark data older than a day as stale",
    "Alert when an import fails",
    "Deduplicate events on ingest",
    "Time zones follow the workspace",
    "Schedule a report for Monday 9:00",
    "Saved views on the dashboard",
    "Keyboard shortcuts on charts",
    "Accessible colours for every series",
    "CSV export of any table",
    "Drill down from a bar to its rows",
    "Show sample size under each chart",
    "Backfill last year's events",
    "Retry failed webhooks with backoff",
    "Percentiles in the latency chart",
    "Segment builder with AND and OR",
    "Dashboard loads in under a second",
    "Explain metric definitions on hover",
    "Onboarding tour for analysts",
    "Pin a chart to the home page",
    "Compare segments side by side",
    "Forecast line on the usage chart",
    "Audit who changed a metric definition",
    "Embed a chart in a wiki page",
    "Dark theme for charts",
    "Weekly active teams metric",
    "Goal lines on charts",
    "Sampling for very large workspaces",
];

/// How each item stands: finished (the first 24), in progress, in review, or still to do.
fn status_of(i: usize) -> &'static str {
    match i {
        0..24 => "done",
        24..27 => "in_progress",
        27..29 => "in_review",
        _ => "todo",
    }
}

/// Its status history, oldest first, ending `today`: about two items finished a week over the
/// last thirteen weeks, with cycle times from one to nine days.
fn history(i: usize, now: DateTime<Utc>) -> Vec<(&'static str, DateTime<Utc>)> {
    let created = now - Duration::days(95);
    let h = Duration::hours;
    let days = |d: i64| Duration::days(d);
    match status_of(i) {
        "done" => {
            let start = now - days(91) + days(i as i64 * 7 / 2) + h(9);
            let cycle = 1 + (i as i64 * 5) % 9;
            let review = start + days(cycle) - h(20);
            vec![
                ("todo", created),
                ("in_progress", start),
                ("in_review", review),
                ("done", start + days(cycle)),
            ]
        }
        "in_progress" => {
            // One started three weeks ago: it is aging, and the board shows it amber.
            let ago = [21, 4, 1][i - 24];
            vec![("todo", created), ("in_progress", now - days(ago) - h(2))]
        }
        "in_review" => {
            let ago = [6, 3][i - 27];
            vec![
                ("todo", created),
                ("in_progress", now - days(ago)),
                ("in_review", now - days(1) - h(i as i64)),
            ]
        }
        _ => vec![("todo", created)],
    }
}

/// INS with the demo's people: Dana as PM and PO, Sam as SM, the developers.
pub async fn seed(db: &Db, demo: &User, w: &Workspace) -> anyhow::Result<()> {
    ws::create_product(
        db,
        demo,
        w,
        true,
        "INS",
        "Insights",
        "Dashboards customers check every Monday",
    )
    .await
    .map_err(e)?;
    let admin = ws::product_ctx(db, demo.id, "demo", "INS")
        .await
        .map_err(e)?;
    ws::set_roles(db, demo, &admin, demo.id, &[Role::Pm, Role::Po])
        .await
        .map_err(e)?;
    let mut people = Vec::new();
    for (email, role) in [
        ("sam@throughline.local", Role::Sm),
        ("dev@throughline.local", Role::Dev),
        ("priya@throughline.local", Role::Dev),
    ] {
        if let Some(u) = accounts::find_by_email(db, email).await? {
            ws::set_roles(db, demo, &admin, u.id, &[role])
                .await
                .map_err(e)?;
            people.push(u);
        }
    }
    let ctx = ws::product_ctx(db, demo.id, "demo", "INS")
        .await
        .map_err(e)?;
    // The SM sets the cadence: flow, with limits that block.
    if let Some(sam) = people.first() {
        let smctx = ws::product_ctx(db, sam.id, "demo", "INS")
            .await
            .map_err(e)?;
        let s = crate::flow::store::settings(db, ctx.product.id)
            .await
            .map_err(e)?;
        let input = FlowSettingsInput {
            cadence: "flow".into(),
            wip_mode: Some("block".into()),
            wip_in_progress: Some(3),
            wip_in_review: Some(2),
        };
        crate::flow::store::set_settings(db, sam, &smctx, s.version, &input)
            .await
            .map_err(e)?;
    }
    for t in TITLES {
        let item = NewItem {
            kind: "story".into(),
            title: t.into(),
            ..NewItem::default()
        };
        service::create(db, demo, &ctx, item).await.map_err(e)?;
    }
    strategy(db, demo, &ctx).await?;
    let now = crate::calendar::today()
        .and_hms_opt(12, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let assignees: Vec<i64> = people.iter().skip(1).map(|u| u.id).collect();
    let mut tx = db.begin().await?;
    for i in 0..TITLES.len() {
        let number = i as i64 + 1;
        let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT id FROM items WHERE product_id = $1 AND number = $2")
            .bind(ctx.product.id).bind(number).fetch_one(&mut **t).await)?;
        let events = history(i, now);
        exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM item_status_events WHERE item_id = $1")
            .bind(id))?;
        for (status, at) in &events {
            exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO item_status_events (item_id, status, at) VALUES ($1, $2, $3)")
                .bind(id).bind(*status).bind(*at))?;
        }
        let (status, last) = events.last().copied().unwrap_or(("todo", now));
        let points = Points::whole([1, 2, 3, 5, 3, 2, 8][i % 7]);
        let assignee = (status != "todo")
            .then(|| assignees.get(i % assignees.len().max(1)).copied())
            .flatten();
        exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET status = $1, points = $2, assignee_id = $3, updated_at = $4 WHERE id = $5")
        .bind(status).bind(points).bind(assignee).bind(last.max(now - Duration::days(95))).bind(id)
        )?;
    }
    tx.commit().await?;
    Ok(())
}

/// This quarter's two priorities for INS, an initiative each, and two in three items linked.
async fn strategy(db: &Db, pm: &User, ctx: &crate::workspace::ProductCtx) -> anyhow::Result<()> {
    let q = Quarter::of(crate::calendar::today()).to_string();
    let o = objectives::create(
        db,
        pm,
        ctx,
        ObjectiveInput {
            quarter: Some(q.clone()),
            title: Some("Customers act on their data every week".into()),
            description: None,
        },
    )
    .await
    .map_err(e)?;
    let mut inits = Vec::new();
    for (title, initiative) in [
        ("Self-serve insights", "Dashboards anyone can read"),
        ("Data you can trust", "Fresh, deduplicated events"),
    ] {
        let p = priorities::create(
            db,
            pm,
            ctx,
            PriorityInput {
                quarter: Some(q.clone()),
                title: Some(title.into()),
                objectives: Some(vec![o.id]),
                reason: Some("Set at quarterly planning".into()),
                ..PriorityInput::default()
            },
        )
        .await
        .map_err(e)?;
        let i = initiatives::create(
            db,
            pm,
            ctx,
            InitiativeInput {
                title: Some(initiative.into()),
                status: Some("in_progress".into()),
                priorities: Some(vec![p.id]),
                ..InitiativeInput::default()
            },
        )
        .await
        .map_err(e)?;
        inits.push(i.id);
    }
    for n in 1..=TITLES.len() {
        let pick = match n % 3 {
            0 => None,
            1 => inits.first(),
            _ => inits.get(1),
        };
        if let Some(i) = pick {
            initiatives::link_item(db, pm, ctx, &format!("INS-{n}"), Some(*i))
                .await
                .map_err(e)?;
        }
    }
    Ok(())
}
