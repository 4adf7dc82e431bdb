//! `throughline research|persona ...`: sources, insights, evidence links and search; personas
//! and the product vision.

use clap::Subcommand;

use super::out::{count, print_table};
use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::strategy::research_model::{
    EvidenceLink, InsightInput, PersonaInput, SourceInput, VisionInput,
};
use crate::strategy::{personas, research};

#[derive(Subcommand, Debug)]
pub enum ResearchCommand {
    /// Record a research source (interview, survey, support_ticket, sales_call, analytics_note).
    Source {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        /// `YYYY-MM-DD`.
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "")]
        customer: String,
        #[arg(long, default_value = "")]
        segment: String,
    },
    /// Record an insight drawn from a source.
    Insight {
        #[command(flatten)]
        on: On,
        /// Id of the source.
        #[arg(long)]
        source: i64,
        /// What was observed, or the customer's words with --quote.
        body: String,
        #[arg(long)]
        quote: bool,
        /// 1 (nice to know) to 5 (critical).
        #[arg(long, default_value_t = 3)]
        importance: i64,
        #[arg(long)]
        persona: Option<i64>,
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Link an insight as evidence for an initiative or a backlog item (or unlink with --remove).
    Link {
        #[command(flatten)]
        on: On,
        insight: i64,
        #[arg(long, conflicts_with = "item", required_unless_present = "item")]
        initiative: Option<i64>,
        #[arg(long)]
        item: Option<String>,
        #[arg(long)]
        remove: bool,
    },
    /// List sources, newest first.
    Sources {
        #[command(flatten)]
        on: On,
    },
    /// Search insights and sources.
    Search {
        #[command(flatten)]
        on: On,
        query: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PersonaCommand {
    /// Add a persona that stories can name.
    Add {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        segment: String,
        #[arg(long, default_value = "")]
        goals: String,
        #[arg(long, default_value = "")]
        pains: String,
    },
    /// List personas with the number of stories that name each.
    List {
        #[command(flatten)]
        on: On,
    },
    /// Name the persona a story is for (or none with --none).
    Assign {
        #[command(flatten)]
        on: On,
        key: String,
        #[arg(long, required_unless_present = "none", conflicts_with = "none")]
        persona: Option<i64>,
        #[arg(long)]
        none: bool,
    },
    /// Show or set the product's vision, target segments and positioning line.
    Vision {
        #[command(flatten)]
        on: On,
        #[arg(long)]
        statement: Option<String>,
        #[arg(long)]
        segments: Option<String>,
        #[arg(long)]
        positioning: Option<String>,
    },
}

pub async fn research(db_args: &DbArgs, c: ResearchCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        ResearchCommand::Source {
            on,
            kind,
            title,
            date,
            customer,
            segment,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = SourceInput {
                kind: Some(kind),
                title: Some(title),
                happened_on: Some(date),
                customer: Some(customer),
                segment: Some(segment),
                notes: None,
            };
            let s = research::create_source(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&s);
            }
            println!(
                "source {}  {}  {} ({})",
                s.id, s.happened_on, s.title, s.kind
            );
        }
        ResearchCommand::Insight {
            on,
            source,
            body,
            quote,
            importance,
            persona,
            tags,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = InsightInput {
                source_id: Some(source),
                kind: Some(if quote { "quote" } else { "observation" }.into()),
                body: Some(body),
                importance: Some(importance),
                persona_id: Some(persona),
                tags: Some(tags),
            };
            let i = research::create_insight(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&i);
            }
            println!("insight {}  [{}/5] {}", i.id, i.importance, i.body);
        }
        ResearchCommand::Link {
            on,
            insight,
            initiative,
            item,
            remove,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let link = EvidenceLink { initiative, item };
            let i = research::set_evidence(&db, &user, &ctx, insight, &link, !remove)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&i);
            }
            println!(
                "insight {} is evidence for initiatives {:?} and items {:?}",
                i.id, i.initiatives, i.items
            );
        }
        ResearchCommand::Sources { on } => {
            let (_, ctx) = on.open(&db).await?;
            let list = research::sources(&db, &ctx, 200).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|s| {
                    vec![
                        s.id.to_string(),
                        s.happened_on.clone(),
                        s.kind.clone(),
                        count(s.insights, "insight", "insights"),
                        s.title.clone(),
                    ]
                })
                .collect();
            print_table(&rows, &[true]);
        }
        ResearchCommand::Search { on, query } => {
            let (_, ctx) = on.open(&db).await?;
            let hits = research::search(&db, &ctx, &query, 50).await.map_err(err)?;
            if on.who.json {
                return print_json(&hits);
            }
            let rows: Vec<Vec<String>> = hits
                .iter()
                .map(|h| vec![h.kind.clone(), h.id.to_string(), h.text.clone()])
                .collect();
            print_table(&rows, &[false, true]);
        }
    }
    Ok(())
}

pub async fn persona(db_args: &DbArgs, c: PersonaCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        PersonaCommand::Add {
            on,
            name,
            segment,
            goals,
            pains,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let input = PersonaInput {
                name: Some(name),
                segment: Some(segment),
                goals: Some(goals),
                pains: Some(pains),
            };
            let p = personas::create(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            if on.who.json {
                return print_json(&p);
            }
            println!("persona {}  {}", p.id, p.name);
        }
        PersonaCommand::List { on } => {
            let (_, ctx) = on.open(&db).await?;
            let list = personas::list(&db, &ctx).await.map_err(err)?;
            if on.who.json {
                return print_json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|p| {
                    vec![
                        p.id.to_string(),
                        p.name.clone(),
                        p.segment.clone(),
                        count(p.items, "story", "stories"),
                    ]
                })
                .collect();
            print_table(&rows, &[true]);
        }
        PersonaCommand::Assign {
            on,
            key,
            persona,
            none,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let item = personas::set_item_persona(
                &db,
                &user,
                &ctx,
                &key,
                if none { None } else { persona },
            )
            .await
            .map_err(err)?;
            if on.who.json {
                return print_json(&item);
            }
            println!("{} persona: {:?}", item.key, item.persona_id);
        }
        PersonaCommand::Vision {
            on,
            statement,
            segments,
            positioning,
        } => {
            let (user, ctx) = on.open(&db).await?;
            let mut v = personas::vision(&db, &ctx).await.map_err(err)?;
            if statement.is_some() || segments.is_some() || positioning.is_some() {
                let input = VisionInput {
                    vision: statement,
                    target_segments: segments,
                    positioning,
                };
                v = personas::set_vision(&db, &user, &ctx, v.version, input)
                    .await
                    .map_err(err)?;
            }
            if on.who.json {
                return print_json(&v);
            }
            println!(
                "Vision: {}\nTarget segments: {}\nPositioning: {}",
                v.vision, v.target_segments, v.positioning
            );
        }
    }
    Ok(())
}
