//! `throughline item ...`: backlog work from a terminal.
//!
//! These verbs open the database directly (the same one `serve` uses) and act as the account
//! named by `--as`, with exactly the permissions that account has in the web UI and the API.

use clap::{Args, Subcommand};

use crate::auth::store::{self, User};
use crate::backlog::input::{ItemPatch, NewItem};
use crate::backlog::{service, Anchor, Item, Points};
use crate::config::DbArgs;
use crate::db::Db;
use crate::workspace::{store as ws_store, ProductCtx};

#[derive(Args, Debug, Clone)]
pub struct Who {
    /// The account to act as (its roles decide what is allowed).
    #[arg(long = "as", env = "THROUGHLINE_USER")]
    pub email: String,
    /// Workspace address, e.g. `acme`.
    #[arg(long, short = 'w', env = "THROUGHLINE_WORKSPACE")]
    pub workspace: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ItemCommand {
    /// Add an item to the bottom (or top) of a product's backlog.
    Add {
        #[command(flatten)]
        who: Who,
        #[arg(long, short = 'p')]
        product: String,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "story")]
        kind: String,
        #[arg(long, default_value = "")]
        persona: String,
        #[arg(long, default_value = "")]
        goal: String,
        #[arg(long, default_value = "")]
        benefit: String,
        #[arg(long, default_value = "")]
        description: String,
        #[arg(long)]
        points: Option<Points>,
        /// An acceptance criterion; repeat for several, in order.
        #[arg(long = "criterion")]
        criteria: Vec<String>,
        #[arg(long = "label")]
        labels: Vec<String>,
        #[arg(long)]
        parent: Option<String>,
        #[arg(long)]
        top: bool,
    },
    /// Change fields of an item; only the fields given change.
    Edit {
        #[command(flatten)]
        who: Who,
        key: String,
        /// The version you read; when omitted, the current one (only the given fields change).
        #[arg(long)]
        version: Option<i64>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        status: Option<String>,
        #[arg(long, conflicts_with = "no_points")]
        points: Option<Points>,
        /// Clear the estimate.
        #[arg(long)]
        no_points: bool,
        #[arg(long)]
        persona: Option<String>,
        #[arg(long)]
        goal: Option<String>,
        #[arg(long)]
        benefit: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Replace the acceptance criteria with these, in order.
        #[arg(long = "criterion")]
        criteria: Vec<String>,
        /// Replace the labels with these.
        #[arg(long = "label")]
        labels: Vec<String>,
        #[arg(long)]
        reason: Option<String>,
        /// E-mail of the member who works on it (they start watching it).
        #[arg(long, conflicts_with = "unassign")]
        assignee: Option<String>,
        #[arg(long)]
        unassign: bool,
    },
    /// Move an item before or after another, or to the top or bottom.
    Move {
        #[command(flatten)]
        who: Who,
        key: String,
        #[arg(long, conflicts_with_all = ["after", "top", "bottom"])]
        before: Option<String>,
        #[arg(long, conflicts_with_all = ["top", "bottom"])]
        after: Option<String>,
        #[arg(long, conflicts_with = "bottom")]
        top: bool,
        #[arg(long)]
        bottom: bool,
        /// In strict tier order: the reason this move may break it (recorded as an exemption).
        #[arg(long)]
        exemption: Option<String>,
        /// As the PM: the strategic reason that makes an out-of-tier move a recorded override.
        #[arg(long = "override")]
        override_reason: Option<String>,
    },
    /// Show one item with its criteria and readiness.
    Show {
        #[command(flatten)]
        who: Who,
        key: String,
    },
    /// List a product's backlog in order, optionally filtered.
    List {
        #[command(flatten)]
        who: Who,
        #[arg(long, short = 'p')]
        product: String,
        /// e.g. `status:todo points>=3 label:api "free text"`.
        #[arg(long, short = 'q', default_value = "")]
        query: String,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// Continue after this cursor (printed when more items follow).
        #[arg(long)]
        cursor: Option<String>,
    },
}

pub(super) async fn actor(db: &Db, who: &Who) -> anyhow::Result<User> {
    store::find_by_email(db, &who.email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account with e-mail {}", who.email))
}

pub(super) async fn ctx(
    db: &Db,
    user: &User,
    who: &Who,
    product: &str,
) -> anyhow::Result<ProductCtx> {
    ws_store::product_ctx(db, user.id, &who.workspace, product)
        .await
        .map_err(|e| anyhow::anyhow!("{}/{product}: {e}", who.workspace))
}

pub(super) fn prefix(key: &str) -> anyhow::Result<String> {
    crate::backlog::parse_key(key)
        .map(|k| k.0)
        .ok_or_else(|| anyhow::anyhow!("{key:?} is not an item key like ONB-42"))
}

/// A service error for the terminal, naming the flag rather than the API field.
pub(super) fn err(e: crate::error::Error) -> anyhow::Error {
    super::flags::flag_err(e, &[])
}

fn print_item(item: &Item, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(item)?);
        return Ok(());
    }
    let points = item
        .points
        .map(|p| p.to_string())
        .unwrap_or_else(|| "-".into());
    println!(
        "{}  {}  [{} · {} · {} pts · {}] v{}",
        item.key,
        item.title,
        item.kind,
        item.status,
        points,
        if item.ready { "ready" } else { "not ready" },
        item.version
    );
    if !item.goal.is_empty() {
        println!(
            "As {}, I want {}, so that {}.",
            item.persona, item.goal, item.benefit
        );
    }
    for c in &item.criteria {
        println!("  {}. {}", c.position, c.text);
    }
    if let Some(reasons) = item.readiness.get("reasons").and_then(|r| r.as_array()) {
        for r in reasons {
            println!(
                "  ✕ {}",
                r.get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or_default()
            );
        }
    }
    Ok(())
}

pub async fn run(db_args: &DbArgs, c: ItemCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        ItemCommand::Add {
            who,
            product,
            title,
            kind,
            persona,
            goal,
            benefit,
            description,
            points,
            criteria,
            labels,
            parent,
            top,
        } => {
            let user = actor(&db, &who).await?;
            let ctx = ctx(&db, &user, &who, &product).await?;
            let input = NewItem {
                kind,
                title,
                persona,
                goal,
                benefit,
                description,
                points,
                criteria,
                labels,
                parent,
                status: None,
                position: top.then(|| "top".to_string()),
            };
            let item = service::create(&db, &user, &ctx, input)
                .await
                .map_err(err)?;
            print_item(&item, who.json)
        }
        ItemCommand::Edit {
            who,
            key,
            version,
            title,
            kind,
            status,
            points,
            no_points,
            persona,
            goal,
            benefit,
            description,
            criteria,
            labels,
            reason,
            assignee,
            unassign,
        } => {
            let user = actor(&db, &who).await?;
            let ctx = ctx(&db, &user, &who, &prefix(&key)?).await?;
            let version = match version {
                Some(v) => v,
                None => service::get(&db, &ctx, &key).await.map_err(err)?.version,
            };
            let patch = ItemPatch {
                title,
                kind,
                status,
                persona,
                goal,
                benefit,
                description,
                reason,
                points: if no_points {
                    Some(None)
                } else {
                    points.map(Some)
                },
                criteria: (!criteria.is_empty()).then_some(criteria),
                labels: (!labels.is_empty()).then_some(labels),
                parent: None,
                assignee: if unassign {
                    Some(None)
                } else {
                    assignee.map(Some)
                },
            };
            let done = service::update_warned(&db, &user, &ctx, &key, version, patch)
                .await
                .map_err(err)?;
            // On stderr, so that `--json` output stays the item alone.
            for w in &done.warnings {
                eprintln!("warning: {w}");
            }
            print_item(&done.item, who.json)
        }
        ItemCommand::Move {
            who,
            key,
            before,
            after,
            top,
            bottom,
            exemption,
            override_reason,
        } => {
            let user = actor(&db, &who).await?;
            let ctx = ctx(&db, &user, &who, &prefix(&key)?).await?;
            let anchor = match (before, after, top, bottom) {
                (Some(b), _, _, _) => Anchor::Before(b),
                (_, Some(a), _, _) => Anchor::After(a),
                (_, _, true, _) => Anchor::Top,
                (_, _, _, true) => Anchor::Bottom,
                _ => anyhow::bail!("say where: --before KEY, --after KEY, --top or --bottom"),
            };
            crate::governance::moves::move_items(
                &db,
                &user,
                &ctx,
                crate::governance::moves::MoveRequest {
                    keys: std::slice::from_ref(&key),
                    anchor,
                    exemption: exemption.as_deref(),
                    override_reason: override_reason.as_deref(),
                },
            )
            .await
            .map_err(err)?;
            if who.json {
                print_item(&service::get(&db, &ctx, &key).await.map_err(err)?, true)?;
            } else {
                println!("moved {key}");
            }
            Ok(())
        }
        ItemCommand::Show { who, key } => {
            let user = actor(&db, &who).await?;
            let ctx = ctx(&db, &user, &who, &prefix(&key)?).await?;
            print_item(&service::get(&db, &ctx, &key).await.map_err(err)?, who.json)
        }
        ItemCommand::List {
            who,
            product,
            query,
            limit,
            cursor,
        } => {
            let user = actor(&db, &who).await?;
            let ctx = ctx(&db, &user, &who, &product).await?;
            let state_less = crate::governance::listing::ListParams {
                q: Some(query),
                cursor,
                limit: Some(limit),
            };
            let page = crate::governance::listing::page(&db, &ctx, &state_less)
                .await
                .map_err(err)?;
            if who.json {
                println!("{}", serde_json::to_string_pretty(&page)?);
            } else {
                for i in &page.items {
                    let points = i
                        .points
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "-".into());
                    let tier = i.tier.map_or_else(|| "-".into(), |t| format!("t{t}"));
                    let inversion = i
                        .inversion
                        .as_ref()
                        .map(|k| format!("  (out of tier order: above {k})"))
                        .unwrap_or_default();
                    println!(
                        "{:<10} {:<6} {:<11} {:>3}  {:<9} {:<3} {}{inversion}",
                        i.key,
                        i.kind,
                        i.status,
                        points,
                        if i.ready { "ready" } else { "not ready" },
                        tier,
                        i.title
                    );
                }
                if let Some(c) = &page.next_cursor {
                    println!("more items follow: add --cursor {c}");
                }
            }
            Ok(())
        }
    }
}
