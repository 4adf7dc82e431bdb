//! `throughline sprint ...` and `throughline team ...`: the Scrum cycle from a terminal.
//!
//! Like `item`, these open the database directly and act as `--as`, with that account's roles.
//! A sprint is named by its id or its name; versions are the current ones, so a change made
//! here never overwrites one it has not seen (each action re-checks inside its transaction).

use clap::{Args, Subcommand};

use super::item::{actor, ctx, err, Who};
use crate::config::DbArgs;
use crate::db::Db;
use crate::error::Error;
use crate::ids::SprintId;
use crate::report::store as reports;
use crate::retro::store as retros;
use crate::sprint::review::{self, VerdictInput};
use crate::sprint::scope::{self, ScopeChange};
use crate::sprint::service::{self, Schedule};
use crate::sprint::{board, team};
use crate::workspace::ProductCtx;

#[derive(Args, Debug, Clone)]
pub struct On {
    #[command(flatten)]
    pub who: Who,
    #[arg(long, short = 'p')]
    pub product: String,
}

#[derive(Args, Debug, Clone)]
pub struct OnSprint {
    #[command(flatten)]
    pub on: On,
    /// The sprint's id or name.
    #[arg(long, short = 's')]
    pub sprint: String,
}

#[derive(Subcommand, Debug)]
pub enum SprintCommand {
    /// List a product's sprints, newest first.
    List(On),
    /// Schedule a sprint, or show and change a planned sprint's commitment.
    Plan {
        #[command(flatten)]
        on: On,
        /// The sprint to plan; omit with --new.
        #[arg(long, short = 's', required_unless_present = "new")]
        sprint: Option<String>,
        /// Schedule a new sprint (with --team, --name, --start, --end).
        #[arg(long, requires_all = ["team", "name", "start", "end"])]
        new: bool,
        #[arg(long)]
        team: Option<String>,
        #[arg(long)]
        name: Option<String>,
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        start: Option<String>,
        /// Last day, YYYY-MM-DD: 1 to 4 whole weeks after the start.
        #[arg(long)]
        end: Option<String>,
        #[arg(long)]
        goal: Option<String>,
        /// Commit these items (repeat).
        #[arg(long = "commit")]
        commit: Vec<String>,
        /// Take these items back out (repeat).
        #[arg(long = "uncommit")]
        uncommit: Vec<String>,
        /// Why items that are not ready are committed anyway.
        #[arg(long)]
        exception: Option<String>,
        /// The committed items serve the goal.
        #[arg(long)]
        for_goal: bool,
    },
    /// Start a planned sprint: its commitment becomes the baseline.
    Start(OnSprint),
    /// Add, remove or swap items in a running sprint, with a reason.
    Swap {
        #[command(flatten)]
        s: OnSprint,
        #[arg(long)]
        add: Option<String>,
        #[arg(long)]
        remove: Option<String>,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        exception: Option<String>,
        #[arg(long)]
        for_goal: bool,
        /// Show the effect without changing anything.
        #[arg(long)]
        preview: bool,
        /// As the PM: the strategic reason that makes this a recorded override.
        #[arg(long = "override")]
        override_reason: Option<String>,
    },
    /// Show the board and burndown, or move a card with --move and --to.
    Board {
        #[command(flatten)]
        s: OnSprint,
        #[arg(long = "move", requires = "to")]
        item: Option<String>,
        /// todo, in_progress, in_review or done.
        #[arg(long)]
        to: Option<String>,
    },
    /// Show the review, or record verdicts on an item and the goal.
    Review {
        #[command(flatten)]
        s: OnSprint,
        #[arg(long)]
        item: Option<String>,
        /// Criteria that pass, by position (0 for an item without criteria); repeat.
        #[arg(long = "pass")]
        pass: Vec<i64>,
        /// Criteria that fail, by position; repeat.
        #[arg(long = "fail")]
        fail: Vec<i64>,
        #[arg(long, default_value = "")]
        note: String,
        /// Where the item goes if not accepted: top or next.
        #[arg(long)]
        carry: Option<String>,
        /// Why you accept an item the team has not finished (neither In review nor Done).
        #[arg(long)]
        accept_reason: Option<String>,
        /// Record whether the goal was met: yes or no.
        #[arg(long)]
        goal_met: Option<String>,
    },
    /// Close a running sprint: figures are frozen, unaccepted items move on.
    Close(OnSprint),
    /// Show the retrospective, or open it, add entries, vote and add actions.
    Retro {
        #[command(flatten)]
        s: OnSprint,
        /// Open it with this many votes per person.
        #[arg(long)]
        open: Option<i64>,
        /// went_well, to_improve or idea (with --text).
        #[arg(long, requires = "text")]
        add: Option<String>,
        #[arg(long)]
        text: Option<String>,
        /// Vote for an entry by id.
        #[arg(long)]
        vote: Option<i64>,
        /// An action that becomes a backlog task (with --owner).
        #[arg(long, requires = "owner")]
        action: Option<String>,
        #[arg(long)]
        owner: Option<String>,
    },
    /// Velocity, say/do, scope churn and cycle times.
    Report {
        #[command(flatten)]
        on: On,
        /// Narrow to one team (name).
        #[arg(long)]
        team: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TeamCommand {
    /// The teams working on a product.
    List(On),
    /// Create a team working on the product (or attach an existing one with --existing).
    Add {
        #[command(flatten)]
        on: On,
        name: String,
        #[arg(long)]
        existing: bool,
    },
    /// Add a member to a team or change their default availability.
    Member {
        #[command(flatten)]
        on: On,
        /// Team name.
        #[arg(long)]
        team: String,
        /// The member's e-mail.
        #[arg(long = "email")]
        member: String,
        #[arg(long, default_value_t = 1.0)]
        points_per_day: f64,
        #[arg(long, default_value_t = 100)]
        focus: i64,
    },
}

pub(super) async fn sprint_id(db: &Db, ctx: &ProductCtx, s: &str) -> anyhow::Result<SprintId> {
    let all = service::list(db, ctx, None).await.map_err(err)?;
    all.iter()
        .find(|x| x.id.to_string() == s || x.name.eq_ignore_ascii_case(s))
        .map(|x| x.id)
        .ok_or_else(|| anyhow::anyhow!("no sprint {s:?} in {}", ctx.product.key))
}

pub(super) async fn team_id(db: &Db, ctx: &ProductCtx, name: &str) -> anyhow::Result<i64> {
    let all = team::list(db, ctx).await.map_err(err)?;
    all.iter()
        .find(|t| t.name.eq_ignore_ascii_case(name) || t.id.to_string() == name)
        .map(|t| t.id)
        .ok_or_else(|| anyhow::anyhow!("no team {name:?} works on {}", ctx.product.key))
}

pub(super) fn out<T: serde::Serialize>(
    json: bool,
    v: &T,
    text: impl FnOnce(&T),
) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(v)?);
    } else {
        text(v);
    }
    Ok(())
}

pub(super) async fn open(
    db_args: &DbArgs,
    on: &On,
) -> anyhow::Result<(Db, crate::auth::store::User, ProductCtx)> {
    let db = db_args.open(false).await?;
    let user = actor(&db, &on.who).await?;
    let c = ctx(&db, &user, &on.who, &on.product).await?;
    Ok((db, user, c))
}

pub async fn run(db_args: &DbArgs, c: SprintCommand) -> anyhow::Result<()> {
    match c {
        SprintCommand::List(on) => {
            let (db, _, ctx) = open(db_args, &on).await?;
            let v = service::list(&db, &ctx, None).await.map_err(err)?;
            out(on.who.json, &v, |v| {
                for s in v {
                    let f = s.figures.as_ref();
                    println!(
                        "{:>4}  {:<16} {:<8} {}  {}  committed {} completed {}",
                        s.id,
                        s.name,
                        s.state,
                        s.dates_text(),
                        s.team,
                        f.map_or("-".into(), |f| f.committed.to_string()),
                        f.and_then(|f| f.completed)
                            .map_or("-".into(), |c| c.to_string())
                    );
                }
            })
        }
        SprintCommand::Plan {
            on,
            sprint,
            new,
            team,
            name,
            start,
            end,
            goal,
            commit,
            uncommit,
            exception,
            for_goal,
        } => {
            let (db, user, ctx) = open(db_args, &on).await?;
            let id = if new {
                let team_id = team_id(&db, &ctx, team.as_deref().unwrap_or_default()).await?;
                let s = Schedule {
                    team_id,
                    name: name.unwrap_or_default(),
                    goal: goal.clone().unwrap_or_default(),
                    start: start.unwrap_or_default(),
                    end: end.unwrap_or_default(),
                };
                service::create(&db, &user, &ctx, s).await.map_err(err)?.id
            } else {
                let id = sprint_id(&db, &ctx, sprint.as_deref().unwrap_or_default()).await?;
                if let Some(g) = goal {
                    let v = service::get(&db, &ctx, id).await.map_err(err)?.version;
                    let p = service::SprintPatch {
                        name: None,
                        goal: Some(g),
                        start: None,
                        end: None,
                    };
                    service::update(&db, &user, &ctx, id, v, p)
                        .await
                        .map_err(err)?;
                }
                id
            };
            if !uncommit.is_empty() {
                scope::uncommit(&db, &user, &ctx, id, None, &uncommit)
                    .await
                    .map_err(err)?;
            }
            if !commit.is_empty() {
                let adding = scope::Commit {
                    keys: &commit,
                    for_goal,
                    exception: exception.as_deref(),
                };
                let c = crate::governance::scope::commit(&db, &user, &ctx, id, None, adding)
                    .await
                    .map_err(err)?;
                for w in &c.warnings {
                    eprintln!("warning: {w}");
                }
            }
            let p = service::planning(&db, &ctx, id).await.map_err(err)?;
            out(on.who.json, &p, |p| {
                println!(
                    "{} ({}) {} · {} · goal: {}",
                    p.sprint.name,
                    p.sprint.id,
                    p.sprint.dates_text(),
                    p.sprint.state,
                    p.sprint.goal
                );
                println!(
                    "capacity {:.1} points{}: {}",
                    p.capacity.points,
                    if p.capacity.guess { " (a guess)" } else { "" },
                    p.capacity.how
                );
                println!("committed {} points", p.committed_points);
                for c in &p.committed {
                    println!(
                        "  {}  {}  {} pts{}",
                        c.key,
                        c.title,
                        c.points,
                        if c.ready {
                            ""
                        } else {
                            "  (not ready: exception)"
                        }
                    );
                }
                println!("forecast from the top of the backlog:");
                for c in &p.candidates {
                    let pts = c.points.map_or("-".into(), |x| x.to_string());
                    let why = if c.ready {
                        String::new()
                    } else {
                        format!("  not ready: {}", c.reasons.join("; "))
                    };
                    println!(
                        "  {} {}  {}  {} pts{why}",
                        if c.fits { "✓" } else { " " },
                        c.key,
                        c.title,
                        pts
                    );
                }
            })
        }
        SprintCommand::Start(s) => {
            let (db, user, ctx) = open(db_args, &s.on).await?;
            let id = sprint_id(&db, &ctx, &s.sprint).await?;
            let v = service::get(&db, &ctx, id).await.map_err(err)?.version;
            let sp = service::start(&db, &user, &ctx, id, v).await.map_err(err)?;
            out(s.on.who.json, &sp, |sp| {
                println!(
                    "started {} with {} points committed",
                    sp.name,
                    sp.figures.as_ref().map(|f| f.committed).unwrap_or_default()
                )
            })
        }
        SprintCommand::Swap {
            s,
            add,
            remove,
            reason,
            exception,
            for_goal,
            preview,
            override_reason,
        } => {
            let (db, user, ctx) = open(db_args, &s.on).await?;
            let id = sprint_id(&db, &ctx, &s.sprint).await?;
            let v = service::get(&db, &ctx, id).await.map_err(err)?.version;
            let change = ScopeChange {
                add,
                remove,
                reason,
                for_goal,
                exception,
                override_reason,
            };
            let e =
                crate::governance::scope::change_scope(&db, &user, &ctx, id, v, &change, !preview)
                    .await
                    .map_err(err)?;
            out(s.on.who.json, &e, |e| {
                println!(
                    "{}: committed {} → {} ({:+}) against capacity {:.1}; the goal {}",
                    if e.applied { "applied" } else { "preview" },
                    e.committed_before,
                    e.committed_after,
                    e.delta,
                    e.capacity,
                    if e.goal_holds {
                        "still holds".to_string()
                    } else {
                        format!(
                            "is at risk:{}{}",
                            if e.goal_items_removed.is_empty() {
                                String::new()
                            } else {
                                format!(" {} served it", e.goal_items_removed.join(", "))
                            },
                            if e.over_capacity {
                                " the scope is over capacity"
                            } else {
                                ""
                            }
                        )
                    }
                );
            })
        }
        SprintCommand::Board { s, item, to } => {
            let (db, user, ctx) = open(db_args, &s.on).await?;
            let id = sprint_id(&db, &ctx, &s.sprint).await?;
            if let (Some(item), Some(to)) = (item, to) {
                let m = board::move_card(&db, &user, &ctx, id, &item, &to)
                    .await
                    .map_err(err)?;
                for w in &m.warnings {
                    eprintln!("warning: {w}");
                }
            }
            let b = board::board(&db, &ctx, id).await.map_err(err)?;
            let burn = board::burndown(&db, &ctx, id).await.map_err(err)?;
            let v = serde_json::json!({"board": b, "burndown": burn});
            out(s.on.who.json, &v, |_| {
                for col in &b.columns {
                    let limit = col.limit.map_or(String::new(), |l| format!(" / {l}"));
                    println!(
                        "{} ({}{limit}, {} pts){}",
                        col.title,
                        col.cards.len(),
                        col.points,
                        if col.over_limit {
                            "  OVER WIP LIMIT"
                        } else {
                            ""
                        }
                    );
                    for c in &col.cards {
                        println!("  {}  {}  {} pts", c.key, c.title, c.points);
                    }
                }
                if !burn.days.is_empty() {
                    println!("burndown (day: remaining / scope, ideal):");
                    for d in &burn.days {
                        println!(
                            "  {}: {} / {}, {:.1}",
                            d.date, d.remaining, d.scope, d.ideal
                        );
                    }
                }
            })
        }
        SprintCommand::Review {
            s,
            item,
            pass,
            fail,
            note,
            carry,
            accept_reason,
            goal_met,
        } => {
            let (db, user, ctx) = open(db_args, &s.on).await?;
            let id = sprint_id(&db, &ctx, &s.sprint).await?;
            if let Some(item) = item {
                let verdicts: Vec<VerdictInput> = pass
                    .iter()
                    .map(|p| (*p, true))
                    .chain(fail.iter().map(|p| (*p, false)))
                    .map(|(position, pass)| VerdictInput {
                        position,
                        pass,
                        note: if pass { String::new() } else { note.clone() },
                    })
                    .collect();
                review::record_verdicts(
                    &db,
                    &user,
                    &ctx,
                    id,
                    &item,
                    review::Call {
                        verdicts: &verdicts,
                        carry: carry.as_deref(),
                        accept_reason: accept_reason.as_deref(),
                    },
                )
                .await
                .map_err(err)?;
            }
            if let Some(g) = goal_met {
                let met = match g.as_str() {
                    "yes" => true,
                    "no" => false,
                    _ => return Err(err(Error::invalid("goal-met", "yes or no"))),
                };
                review::record_goal(&db, &user, &ctx, id, met)
                    .await
                    .map_err(err)?;
            }
            let r = review::review(&db, &ctx, id).await.map_err(err)?;
            out(s.on.who.json, &r, |r| {
                println!(
                    "{} review · accepted {} points · goal met: {}",
                    r.sprint.name,
                    r.accepted_points,
                    r.sprint
                        .goal_met
                        .map_or("not recorded", |m| if m { "yes" } else { "no" })
                );
                for it in &r.items {
                    println!(
                        "  {} {}  {}",
                        if it.accepted { "✓" } else { "✕" },
                        it.item.key,
                        it.item.title
                    );
                    for c in &it.criteria {
                        let v = c.pass.map_or("?", |p| if p { "pass" } else { "FAIL" });
                        println!(
                            "      {}. [{v}] {}{}",
                            c.position,
                            c.text,
                            if c.note.is_empty() {
                                String::new()
                            } else {
                                format!(" — {}", c.note)
                            }
                        );
                    }
                }
            })
        }
        SprintCommand::Close(s) => {
            let (db, user, ctx) = open(db_args, &s.on).await?;
            let id = sprint_id(&db, &ctx, &s.sprint).await?;
            let v = service::get(&db, &ctx, id).await.map_err(err)?.version;
            let sp = review::close(&db, &user, &ctx, id, v).await.map_err(err)?;
            out(s.on.who.json, &sp, |sp| {
                if let Some(f) = &sp.figures {
                    println!(
                        "closed {}: committed {}, added {}, removed {}, completed {}",
                        sp.name,
                        f.committed,
                        f.added.unwrap_or_default(),
                        f.removed.unwrap_or_default(),
                        f.completed.unwrap_or_default()
                    );
                }
            })
        }
        SprintCommand::Retro {
            s,
            open: open_votes,
            add,
            text,
            vote,
            action,
            owner,
        } => {
            let (db, user, ctx) = open(db_args, &s.on).await?;
            let id = sprint_id(&db, &ctx, &s.sprint).await?;
            if let Some(n) = open_votes {
                retros::open(&db, &user, &ctx, id, n).await.map_err(err)?;
            }
            if let (Some(kind), Some(text)) = (add, text) {
                retros::add_entry(&db, &user, &ctx, id, &kind, &text)
                    .await
                    .map_err(err)?;
            }
            if let Some(entry) = vote {
                retros::vote(&db, &user, &ctx, id, entry, true)
                    .await
                    .map_err(err)?;
            }
            if let (Some(a), Some(o)) = (action, owner) {
                let key = retros::add_action(&db, &user, &ctx, id, &a, &o, None)
                    .await
                    .map_err(err)?;
                eprintln!("added {key} to the backlog");
            }
            let r = retros::get(&db, &ctx, user.id, id).await.map_err(err)?
                .ok_or_else(|| anyhow::anyhow!("the retrospective has not been opened; the Scrum Master opens it with --open 3"))?;
            out(s.on.who.json, &r, |r| {
                if let Some(p) = &r.previous {
                    println!("actions from {}:", p.sprint);
                    for a in &p.actions {
                        println!("  {}  {}  ({}, {})", a.key, a.title, a.owner, a.status);
                    }
                }
                for e in &r.entries {
                    println!(
                        "  [{}] #{} {} — {} ({})",
                        e.kind,
                        e.id,
                        e.body,
                        e.author,
                        super::out::count(e.votes, "vote", "votes")
                    );
                }
                for a in &r.actions {
                    println!(
                        "  action {}  {}  ({}, {})",
                        a.key, a.title, a.owner, a.status
                    );
                }
                println!("{} of {} votes left", r.votes_left, r.vote_limit);
            })
        }
        SprintCommand::Report { on, team } => {
            let (db, _, ctx) = open(db_args, &on).await?;
            let team = match team {
                Some(t) => Some(team_id(&db, &ctx, &t).await?),
                None => None,
            };
            let r = reports::report(&db, &ctx, team).await.map_err(err)?;
            let pct = |v: Option<f64>| v.map_or("-".into(), |x| format!("{:.0}%", x * 100.0));
            out(on.who.json, &r, |r| {
                println!(
                    "velocity {}  say/do {}  cycle time p50 {} p85 {} days",
                    r.velocity.map_or("-".into(), |v| format!("{v:.1}")),
                    pct(r.say_do),
                    r.cycle_p50.map_or("-".into(), |v| format!("{v:.1}")),
                    r.cycle_p85.map_or("-".into(), |v| format!("{v:.1}"))
                );
                println!("sprint            committed added removed completed say/do churn");
                for s in &r.sprints {
                    println!(
                        "{:<17} {:>9} {:>5} {:>7} {:>9} {:>6} {:>5}",
                        s.name,
                        s.committed,
                        s.added,
                        s.removed,
                        s.completed,
                        pct(s.say_do),
                        pct(s.churn)
                    );
                }
            })
        }
    }
}

pub async fn team(db_args: &DbArgs, c: TeamCommand) -> anyhow::Result<()> {
    match c {
        TeamCommand::List(on) => {
            let (db, _, ctx) = open(db_args, &on).await?;
            let v = team::list(&db, &ctx).await.map_err(err)?;
            out(on.who.json, &v, |v| {
                for t in v {
                    println!("{}  {}  (products {})", t.id, t.name, t.products.join(", "));
                    for m in &t.members {
                        println!(
                            "    {} <{}>  {} pts/day  {}% focus",
                            m.name, m.email, m.points_per_day, m.focus_pct
                        );
                    }
                }
            })
        }
        TeamCommand::Add { on, name, existing } => {
            let (db, user, ctx) = open(db_args, &on).await?;
            let t = if existing {
                team::attach(&db, &user, &ctx, &name).await
            } else {
                team::create(&db, &user, &ctx, &name).await
            }
            .map_err(err)?;
            out(on.who.json, &t, |t| {
                println!(
                    "team {} ({}) works on {}",
                    t.name,
                    t.id,
                    t.products.join(", ")
                )
            })
        }
        TeamCommand::Member {
            on,
            team: name,
            member: email,
            points_per_day,
            focus,
        } => {
            let (db, user, ctx) = open(db_args, &on).await?;
            let id = team_id(&db, &ctx, &name).await?;
            let t = team::set_member(&db, &user, &ctx, id, &email, points_per_day, focus)
                .await
                .map_err(err)?;
            out(on.who.json, &t, |t| {
                println!("{} now has {} member(s)", t.name, t.members.len())
            })
        }
    }
}
