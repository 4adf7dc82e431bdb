//! The rest of the demo strategy: vision, personas, research with evidence, a decision,
//! competitors and a release with its launch.

use chrono::Duration;

use super::e;
use crate::auth::store::User;
use crate::db::Db;
use crate::strategy::{initiatives, today, Quarter};
use crate::workspace::ProductCtx;

/// Vision, personas, research sources and insights linked as evidence, for the demo product.
pub(super) async fn demo_research(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
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
    let by_title = |t: &str| all.iter().find(|i| i.title == t).map(|i| i.id.0);
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

pub(super) async fn demo_release(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
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

pub(super) async fn demo_competitors(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
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

pub(super) async fn demo_decision(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    use crate::strategy::decisions::{self, DecisionInput};
    let all = initiatives::list(db, ctx, crate::strategy::SortBy::Rice, Quarter::of(today()))
        .await
        .map_err(e)?;
    let jira = all
        .iter()
        .filter(|i| i.title.starts_with("Jira"))
        .map(|i| i.id.0)
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
