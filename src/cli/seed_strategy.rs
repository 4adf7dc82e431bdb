//! Strategy data for the demo product and for the benchmark dataset: objectives with metric
//! histories, this quarter's and next quarter's priorities, scored initiatives over the backlog.

use chrono::Duration;

use crate::auth::store::User;
use crate::db::{now, Db};
use crate::strategy::model::{
    InitiativeInput, MetricInput, MetricValue, ObjectiveInput, PriorityInput, ScoresPatch,
};
use crate::strategy::{initiatives, objectives, priorities, today, Quarter};
use crate::with_tx;
use crate::workspace::ProductCtx;

fn e(err: crate::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{err}")
}

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
        let input = InitiativeInput {
            title: Some(title.into()),
            description: None,
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
    demo_research(db, pm, ctx).await?;
    demo_decision(db, pm, ctx).await?;
    demo_competitors(db, pm, ctx).await?;
    demo_release(db, pm, ctx).await?;
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

/// Vision, personas, research sources and insights linked as evidence, for the demo product.
async fn demo_research(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    use crate::strategy::research_model::{
        EvidenceLink, InsightInput, PersonaInput, SourceInput, VisionInput,
    };
    use crate::strategy::{personas, research};
    let v = personas::vision(db, ctx).await.map_err(e)?;
    let vision = VisionInput {
        vision: Some("Every new team gets to its first shipped sprint in a week, with the why behind each story in plain sight.".into()),
        target_segments: Some("Software teams of 10–200 people moving off Jira; agencies running several client products".into()),
        positioning: Some("The only tool where the PM's priorities and the PO's backlog are one line".into()),
    };
    personas::set_vision(db, pm, ctx, v.version, vision)
        .await
        .map_err(e)?;
    let mut people = Vec::new();
    for (name, segment, goals, pains) in [
        (
            "New admin",
            "mid-size SaaS",
            "get the team working in the tool on day one",
            "long setup, unclear first steps",
        ),
        (
            "Product owner",
            "mid-size SaaS",
            "bring the existing backlog over intact",
            "retyping stories, losing estimates",
        ),
        (
            "Agency lead",
            "agencies",
            "run several client products side by side",
            "client data mixed up, manual reports",
        ),
    ] {
        let input = PersonaInput {
            name: Some(name.into()),
            segment: Some(segment.into()),
            goals: Some(goals.into()),
            pains: Some(pains.into()),
        };
        people.push(personas::create(db, pm, ctx, input).await.map_err(e)?.id);
    }
    let all = initiatives::list(db, ctx, crate::strategy::SortBy::Rice, Quarter::of(today()))
        .await
        .map_err(e)?;
    let by_title = |t: &str| all.iter().find(|i| i.title == t).map(|i| i.id);
    let (setup, jira, reports) = (
        by_title("Guided workspace setup"),
        by_title("Jira import during onboarding"),
        by_title("Onboarding progress reports"),
    );
    // (source kind, title, days ago, customer, segment, insights: (quote?, body, importance, persona, tags, initiative, item))
    type DemoInsight = (
        bool,
        &'static str,
        i64,
        usize,
        &'static [&'static str],
        Option<i64>,
        Option<&'static str>,
    );
    type DemoSource = (
        &'static str,
        &'static str,
        i64,
        &'static str,
        &'static str,
        Vec<DemoInsight>,
    );
    let sources: [DemoSource; 4] = [
        (
            "interview",
            "Onboarding interview: Northwind",
            40,
            "Northwind Traders",
            "mid-size SaaS",
            vec![
                (
                    true,
                    "We had the whole team invited before lunch, but nobody knew what to do next.",
                    5,
                    0,
                    &["setup", "activation"],
                    setup,
                    Some("ONB-5"),
                ),
                (
                    false,
                    "The admin looked for a checklist and ended up on the docs site.",
                    4,
                    0,
                    &["setup"],
                    setup,
                    Some("ONB-4"),
                ),
            ],
        ),
        (
            "sales_call",
            "Demo call: Contoso (lost to Jira Align)",
            25,
            "Contoso",
            "enterprise",
            vec![
                (
                    true,
                    "If I can't bring 400 Jira issues with their points, this is a non-starter.",
                    5,
                    1,
                    &["jira", "import"],
                    jira,
                    Some("ONB-3"),
                ),
                (
                    false,
                    "They asked twice whether sprint history survives the import.",
                    3,
                    1,
                    &["jira", "sprints"],
                    jira,
                    None,
                ),
            ],
        ),
        (
            "support_ticket",
            "Ticket #4411: welcome e-mail link broken",
            12,
            "Fabrikam",
            "agencies",
            vec![(
                true,
                "The Get started button in your e-mail goes to a 404.",
                4,
                0,
                &["email", "bug"],
                None,
                Some("ONB-7"),
            )],
        ),
        (
            "survey",
            "Activation survey, first 100 workspaces",
            5,
            "",
            "mid-size SaaS",
            vec![
                (
                    false,
                    "38 % of admins could not find where to invite teammates.",
                    5,
                    0,
                    &["invites", "activation"],
                    setup,
                    Some("ONB-2"),
                ),
                (
                    false,
                    "Agencies want a weekly onboarding report per client.",
                    3,
                    2,
                    &["reports", "agencies"],
                    reports,
                    Some("ONB-6"),
                ),
            ],
        ),
    ];
    for (kind, title, days, customer, segment, insights) in sources {
        let day = (today() - Duration::days(days))
            .format("%Y-%m-%d")
            .to_string();
        let input = SourceInput {
            kind: Some(kind.into()),
            title: Some(title.into()),
            happened_on: Some(day),
            customer: Some(customer.into()),
            segment: Some(segment.into()),
            notes: None,
        };
        let src = research::create_source(db, pm, ctx, input)
            .await
            .map_err(e)?;
        for (quote, body, importance, persona, tags, initiative, item) in insights {
            let input = InsightInput {
                source_id: Some(src.id),
                kind: Some(if quote { "quote" } else { "observation" }.into()),
                body: Some(body.into()),
                importance: Some(importance),
                persona_id: Some(people.get(persona).copied()),
                tags: Some(tags.iter().map(|t| t.to_string()).collect()),
            };
            let i = research::create_insight(db, pm, ctx, input)
                .await
                .map_err(e)?;
            if let Some(n) = initiative {
                research::set_evidence(
                    db,
                    pm,
                    ctx,
                    i.id,
                    &EvidenceLink {
                        initiative: Some(n),
                        item: None,
                    },
                    true,
                )
                .await
                .map_err(e)?;
            }
            if let Some(k) = item {
                research::set_evidence(
                    db,
                    pm,
                    ctx,
                    i.id,
                    &EvidenceLink {
                        initiative: None,
                        item: Some(k.into()),
                    },
                    true,
                )
                .await
                .map_err(e)?;
            }
        }
    }
    Ok(())
}

async fn demo_release(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    use crate::roadmap::releases::{self, LaunchInput, ReleaseInput, TaskInput};
    let day = |d: i64| (today() + Duration::days(d)).format("%Y-%m-%d").to_string();
    let input = ReleaseInput {
        name: Some("Onboarding 2.0".into()),
        target_date: Some(day(30)),
        status: None,
        items: Some(
            ["ONB-1", "ONB-2", "ONB-4", "ONB-5"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        initiatives: None,
    };
    let r = releases::save(db, pm, ctx, None, input).await.map_err(e)?;
    let r = releases::add_launch(
        db,
        pm,
        ctx,
        r.id,
        &LaunchInput {
            name: "Guided setup launch".into(),
            target_date: day(35),
        },
    )
    .await
    .map_err(e)?;
    let launch = r.launches[0].id;
    for (function, title, owner, due, done) in [
        (
            "marketing",
            "Launch blog post and e-mail",
            "Mia (marketing)",
            33,
            false,
        ),
        (
            "sales_enablement",
            "Demo script with the new checklist",
            "Sol (sales)",
            28,
            true,
        ),
        ("docs", "Getting-started guide", "Dana Demo", 30, false),
        (
            "support",
            "Macro for setup questions",
            "Sam (support)",
            31,
            false,
        ),
    ] {
        let r = releases::add_task(
            db,
            pm,
            ctx,
            launch,
            &TaskInput {
                function: function.into(),
                title: title.into(),
                owner: owner.into(),
                due_on: day(due),
            },
        )
        .await
        .map_err(e)?;
        if done {
            let t = r.launches[0]
                .tasks
                .iter()
                .find(|t| t.title == title)
                .map(|t| t.id)
                .unwrap_or_default();
            releases::set_task_done(db, pm, ctx, t, true)
                .await
                .map_err(e)?;
        }
    }
    Ok(())
}

async fn demo_competitors(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    use crate::strategy::competitors::{self, Cell, CompetitorInput};
    let mut ids = Vec::new();
    for (name, positioning, strengths, weaknesses, ours) in [
        (
            "Jira Software",
            "Issue tracking and agile boards for every team",
            "Ubiquitous; huge marketplace",
            "No model of PM vs PO authority; strategy lives elsewhere",
            "Strategy and backlog on one line, without the add-ons",
        ),
        (
            "Linear",
            "Fast issue tracking for product teams",
            "Speed and polish",
            "Light on discovery and research",
            "The why behind every issue, as fast as Linear",
        ),
        (
            "Productboard",
            "Product management on top of your tracker",
            "Insights and prioritization",
            "Execution happens in another tool",
            "Discovery and delivery in one place, self-hosted",
        ),
    ] {
        let input = CompetitorInput {
            name: Some(name.into()),
            positioning: Some(positioning.into()),
            strengths: Some(strengths.into()),
            weaknesses: Some(weaknesses.into()),
            our_positioning: Some(ours.into()),
        };
        ids.push(
            competitors::save_competitor(db, pm, ctx, None, input)
                .await
                .map_err(e)?
                .id,
        );
    }
    let grid: [(&str, &str, [&str; 3]); 4] = [
        (
            "Quarterly priorities tied to the backlog",
            "has",
            ["no", "no", "partial"],
        ),
        (
            "Customer insights as evidence",
            "has",
            ["partial", "no", "has"],
        ),
        (
            "Sprint planning and review",
            "has",
            ["has", "partial", "no"],
        ),
        ("Self-hosted", "has", ["partial", "no", "no"]),
    ];
    let mut cells = Vec::new();
    for (name, ours, theirs) in grid {
        let m = competitors::add_capability(db, pm, ctx, name, ours)
            .await
            .map_err(e)?;
        let cap = m
            .capabilities
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.id)
            .unwrap_or_default();
        for (id, r) in ids.iter().zip(theirs) {
            cells.push(Cell {
                capability: cap,
                competitor: Some(*id),
                rating: r.into(),
            });
        }
    }
    competitors::set_cells(db, pm, ctx, &cells)
        .await
        .map_err(e)?;
    Ok(())
}

async fn demo_decision(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    use crate::strategy::decisions::{self, DecisionInput};
    let all = initiatives::list(db, ctx, crate::strategy::SortBy::Rice, Quarter::of(today()))
        .await
        .map_err(e)?;
    let jira = all
        .iter()
        .filter(|i| i.title.starts_with("Jira"))
        .map(|i| i.id)
        .collect();
    let evidence = crate::strategy::research::search(db, ctx, "jira", 10)
        .await
        .map_err(e)?;
    let input = DecisionInput {
        question: Some("Build the Jira import this quarter or next?".into()),
        options: Some(vec!["This quarter, before guided setup".into(), "Next quarter, after guided setup".into()]),
        decision: Some("Next quarter: guided setup first".into()),
        rationale: Some("Activation is the bigger leak today; the Jira deals close next quarter at the earliest.".into()),
        decided_by: None,
        decided_on: Some((today() - Duration::days(20)).format("%Y-%m-%d").to_string()),
        insights: Some(evidence.iter().filter(|h| h.kind == "insight").map(|h| h.id).collect()),
        initiatives: Some(jira),
    };
    decisions::create(db, pm, ctx, input).await.map_err(e)?;
    Ok(())
}

/// 100 sources and 1,000 insights per benchmark product (20,000 over 20), in batches.
async fn scale_research(
    db: &Db,
    tx: &mut crate::db::Tx,
    pi: usize,
    pid: i64,
) -> anyhow::Result<()> {
    const WORDS: [&str; 12] = [
        "import",
        "invite",
        "checklist",
        "report",
        "billing",
        "sprint",
        "export",
        "search",
        "mobile",
        "slow",
        "permissions",
        "integration",
    ];
    let at = now();
    let mut sql = String::from("INSERT INTO research_sources (product_id, kind, title, happened_on, customer, segment, created_at, updated_at) VALUES ");
    sql.push_str(&super::seed::values(db, 100, 8));
    with_tx!(tx, t => {
        let mut q = sqlx::query(&sql);
        for s in 0..100usize {
            let day = (today() - Duration::days(s as i64 * 3)).format("%Y-%m-%d").to_string();
            q = q.bind(pid).bind(crate::strategy::SOURCE_KINDS[s % 5]).bind(format!("Research {s} for product {pi}"))
                .bind(day).bind(format!("Customer {}", (s * 7 + pi) % 300)).bind(["smb", "mid-size", "enterprise"][s % 3]).bind(at).bind(at);
        }
        q.execute(&mut **t).await.map(|r| r.rows_affected())
    })?;
    let sources: Vec<i64> = with_tx!(tx, t => sqlx::query_scalar("SELECT id FROM research_sources WHERE product_id = $1 ORDER BY id")
        .bind(pid).fetch_all(&mut **t).await)?;
    for chunk in sources.chunks(25) {
        let mut sql = String::from("INSERT INTO insights (product_id, source_id, kind, body, importance, tags, created_at, updated_at) VALUES ");
        sql.push_str(&super::seed::values(db, chunk.len() * 10, 8));
        with_tx!(tx, t => {
            let mut q = sqlx::query(&sql);
            for (si, sid) in chunk.iter().enumerate() {
                for k in 0..10usize {
                    let n = si * 10 + k + pi;
                    let (a, b) = (WORDS[n % 12], WORDS[(n * 5 + 3) % 12]);
                    q = q.bind(pid).bind(*sid).bind(if k % 3 == 0 { "quote" } else { "observation" })
                        .bind(format!("Customers say {a} is hard and {b} gets in the way ({sid}-{k})"))
                        .bind((n % 5) as i64 + 1).bind(format!("{a} {b}")).bind(at).bind(at);
                }
            }
            q.execute(&mut **t).await.map(|r| r.rows_affected())
        })?;
    }
    // Every 20th insight of the product is evidence for one of its 25 initiatives (consecutive ids).
    with_tx!(tx, t => sqlx::query(
        "INSERT INTO initiative_evidence (insight_id, initiative_id)
         SELECT i.id, (SELECT MIN(n.id) FROM initiatives n WHERE n.product_id = i.product_id) + (i.id % 25)
         FROM insights i WHERE i.product_id = $1 AND i.id % 20 = 0")
        .bind(pid).execute(&mut **t).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// 25 initiatives per benchmark product (500 over 20), each over 100 items, with objectives,
/// metrics and five priorities in this quarter and the next. Deterministic.
pub async fn scale(db: &Db, workspace_id: i64, owner_id: i64) -> anyhow::Result<usize> {
    let products: Vec<i64> = crate::with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT id FROM products WHERE workspace_id = $1 ORDER BY key").bind(workspace_id).fetch_all(p).await)?;
    let q = Quarter::of(today());
    let at = now();
    let ranks = crate::backlog::rank::spread(5);
    let mut tx = db.begin().await?;
    let mut total = 0;
    for (pi, pid) in products.iter().enumerate() {
        let mut prios = Vec::new();
        for quarter in [q, q.next()] {
            let qs = quarter.to_string();
            let o: i64 = with_tx!(&mut tx, t => sqlx::query_scalar(
                "INSERT INTO objectives (product_id, quarter, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id")
                .bind(pid).bind(&qs).bind(format!("Grow product {pi} in {qs}")).bind(at).fetch_one(&mut **t).await)?;
            let m: i64 = with_tx!(&mut tx, t => sqlx::query_scalar(
                "INSERT INTO metrics (product_id, objective_id, name, unit, direction, baseline, target, created_at, updated_at)
                 VALUES ($1, $2, $3, '%', 'up', 20, 40, $4, $4) RETURNING id")
                .bind(pid).bind(o).bind(format!("Activation {qs}")).bind(at).fetch_one(&mut **t).await)?;
            for w in 0..12i64 {
                let day = (today() - Duration::weeks(w))
                    .format("%Y-%m-%d")
                    .to_string();
                with_tx!(&mut tx, t => sqlx::query(
                    "INSERT INTO metric_values (metric_id, measured_on, value, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(m).bind(day).bind(32.0 - w as f64).bind(owner_id).bind(at).execute(&mut **t).await.map(|r| r.rows_affected()))?;
            }
            for (r, rank) in ranks.iter().enumerate() {
                let id: i64 = with_tx!(&mut tx, t => sqlx::query_scalar(
                    "INSERT INTO priorities (product_id, quarter, title, rank, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id")
                    .bind(pid).bind(&qs).bind(format!("Theme {} of {qs}", r + 1)).bind(rank).bind(at).fetch_one(&mut **t).await)?;
                with_tx!(&mut tx, t => sqlx::query("INSERT INTO priority_objectives (priority_id, objective_id) VALUES ($1, $2)")
                    .bind(id).bind(o).execute(&mut **t).await.map(|r| r.rows_affected()))?;
                prios.push((id, qs.clone()));
            }
        }
        for n in 0..25i64 {
            let s = |k: i64, m: i64| 1 + (n * k + pi as i64) % m;
            let id: i64 = with_tx!(&mut tx, t => sqlx::query_scalar(
                "INSERT INTO initiatives (product_id, title, status, reach, impact, confidence, effort, business_value,
                     time_criticality, risk_reduction, job_size, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id")
                .bind(pid).bind(format!("Initiative {n} of product {pi}"))
                .bind(crate::strategy::STATUSES[(n % 5) as usize]).bind(s(137, 5000)).bind(crate::strategy::IMPACTS[(n % 5) as usize])
                .bind(10 * s(3, 10)).bind(s(7, 12) as f64).bind(s(3, 20)).bind(s(5, 20)).bind(s(7, 20)).bind(s(11, 20))
                .bind(at).fetch_one(&mut **t).await)?;
            // Two of every five initiatives serve a priority this quarter, one the next.
            if let Some((p, qs)) = match n % 5 {
                0 | 1 => prios.get((n % 5) as usize),
                2 => prios.get(5 + (n as usize / 5) % 5),
                _ => None,
            } {
                with_tx!(&mut tx, t => sqlx::query("INSERT INTO priority_initiatives (priority_id, initiative_id, quarter) VALUES ($1, $2, $3)")
                    .bind(p).bind(id).bind(qs).execute(&mut **t).await.map(|r| r.rows_affected()))?;
            }
            // Items 100n+1 ..= 100n+100 belong to initiative n.
            with_tx!(&mut tx, t => sqlx::query("UPDATE items SET initiative_id = $1 WHERE product_id = $2 AND number > $3 AND number <= $4")
                .bind(id).bind(pid).bind(n * 100).bind(n * 100 + 100).execute(&mut **t).await.map(|r| r.rows_affected()))?;
            total += 1;
        }
        scale_research(db, &mut tx, pi, *pid).await?;
    }
    tx.commit().await?;
    Ok(total)
}
