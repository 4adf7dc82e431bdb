//! The `throughline` command line: server and admin commands, and everyday backlog verbs.

mod admin;
mod audit;
mod backups;
mod config;
mod doc;
mod doctor;
mod export;
mod flags;
mod flow;
mod forecast;
mod governance;
mod idea;
mod import;
mod instance;
mod invite;
mod item;
mod kit;
mod mcp;
mod notify;
mod out;
pub mod seed;
mod serve;
mod sprint;
mod sso;
mod threads;
mod tiers;
mod workspace;
// Strategy (S0–S10)
mod competitor;
mod decision;
mod initiative;
mod release;
mod research;
mod roadmap;
mod signoff;
mod strategy;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::config::DbArgs;

#[derive(Parser, Debug)]
#[command(
    name = "throughline",
    version = crate::config::VERSION,
    about = "Strategy to sprint, on one line: the PM's strategy and the PO's backlog in one tool."
)]
pub struct Cli {
    /// The configuration file (TOML). Without it: DATA_DIR/throughline.toml, then
    /// /etc/throughline/throughline.toml, when they exist. Flags and environment win over it.
    #[arg(long, env = "THROUGHLINE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process, so the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server and API.
    Serve(serve::ServeArgs),
    /// Create or upgrade the database schema, then exit (`--dry-run` lists what would run).
    Migrate(admin::MigrateArgs),
    /// The effective settings and where each came from, or a check of them.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Check the data directory, database, migrations, clock and backups, and say what to fix.
    Doctor(doctor::DoctorArgs),
    /// Manage local accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Workspaces: create one (you become its admin) or list yours.
    #[command(subcommand)]
    Workspace(workspace::WorkspaceCommand),
    /// A workspace's products: create one (you become its PM and PO) or list them.
    #[command(subcommand)]
    Product(workspace::ProductCommand),
    /// A workspace's members and their roles on each product.
    #[command(subcommand)]
    Member(workspace::MemberCommand),
    /// Invitations by link: invite someone, or a placeholder an import made (admins).
    #[command(subcommand)]
    Invite(invite::InviteCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Administration: the instance's settings and admins, every workspace, members' tokens.
    #[command(subcommand)]
    Admin(instance::AdminCommand),
    /// Single sign-on: list the providers, turn local passwords on or off (the way back in).
    #[command(subcommand)]
    Sso(sso::SsoCommand),
    /// Fill the database with demo data or a benchmark dataset.
    Seed(seed::SeedArgs),
    /// Copy the database while the server runs (SQLite), or print the pg_dump command
    /// (PostgreSQL); `backup list` shows the server's scheduled backups.
    Backup(backups::BackupArgs),
    /// Write a workspace as one JSON document (lossless), or a backlog as Jira CSV.
    Export(export::ExportArgs),
    /// Restore a workspace export into an empty database, or `--backup FILE` into an empty data directory.
    Restore(export::RestoreArgs),
    /// Bring a backlog in from another tool's export (Jira, Trello, GitHub, Linear, Asana, Pivotal, Plane, Taiga); again to update it.
    Import(import::ImportArgs),
    /// Everyday backlog work: add, edit, move, show and list items.
    #[command(subcommand)]
    Item(item::ItemCommand),
    /// Questions on an item: ask, answer, list (the team's block readiness).
    #[command(subcommand)]
    Question(threads::QuestionCommand),
    /// Comment threads on an item: add (or follow up a question), edit, list.
    #[command(subcommand)]
    Comment(threads::CommentCommand),
    /// The Scrum cycle: plan, start, swap, board, review, close, retro, report.
    #[command(subcommand)]
    Sprint(sprint::SprintCommand),
    /// Flow without sprints: the board under WIP limits, the cadence, the flow report.
    #[command(subcommand)]
    Flow(flow::FlowCommand),
    /// When a set of items will be done (Monte Carlo over the team's history), and how much by a date.
    Forecast(forecast::ForecastArgs),
    /// Teams and their members' availability.
    #[command(subcommand)]
    Team(sprint::TeamCommand),
    /// How a sprint's or a quarter's work lines up with the quarterly priorities.
    Alignment(governance::AlignmentArgs),
    /// The team-shape advisor: PO without PM, PM buried in stories, drifting, combined roles.
    Advisor(governance::AdvisorArgs),
    /// A workspace's audit log (admins): who changed what and why, filtered; or all of it as CSV.
    Audit(audit::AuditArgs),
    /// Priority tiers: the policy, the unaligned allowance, exemptions.
    #[command(subcommand)]
    Tiers(tiers::TiersCommand),
    /// The PM's overrides of a quarter, with their reasons.
    Overrides(tiers::OverridesArgs),
    /// Your notifications: what you watch, mentions, assignments.
    Inbox(notify::InboxArgs),
    /// A workspace's outgoing webhooks (admins).
    #[command(subcommand)]
    Webhook(notify::WebhookCommand),
    // Strategy (S0–S10)
    /// The PM's objectives per quarter.
    #[command(subcommand)]
    Objective(strategy::ObjectiveCommand),
    /// Success metrics and their measured values.
    #[command(subcommand)]
    Metric(strategy::MetricCommand),
    /// Quarterly priorities, ranked.
    #[command(subcommand)]
    Priority(strategy::PriorityCommand),
    /// Initiatives, their scores, and the backlog items under them.
    #[command(subcommand)]
    Initiative(initiative::InitiativeCommand),
    /// Start from an idea: answer what a strategy brief needs and get draft records (PM).
    Idea(idea::IdeaArgs),
    /// Research sources, insights, evidence links and search.
    #[command(subcommand)]
    Research(research::ResearchCommand),
    /// Personas, and the product's vision (`persona vision`).
    #[command(subcommand)]
    Persona(research::PersonaCommand),
    /// The roadmap across products, and read-only share links.
    #[command(subcommand)]
    Roadmap(roadmap::RoadmapCommand),
    /// The product decision log.
    #[command(subcommand)]
    Decision(decision::DecisionCommand),
    /// Competitors and the capability grid.
    #[command(subcommand)]
    Competitor(competitor::CompetitorCommand),
    /// Stakeholders and their sign-offs on the roadmap or a decision.
    #[command(subcommand)]
    Signoff(signoff::SignoffCommand),
    /// Releases (separate from sprints) and what they ship.
    #[command(subcommand)]
    Release(release::ReleaseCommand),
    /// Documents (D1): the strategy brief, a solution blueprint, an implementation plan.
    #[command(subcommand)]
    Doc(doc::DocCommand),
    /// Launches of a release and their checklists.
    #[command(subcommand)]
    Launch(release::LaunchCommand),
    /// The MCP server over stdio, for coding agents (acts as THROUGHLINE_TOKEN's owner or --as).
    Mcp(mcp::McpArgs),
}

pub fn run() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Err(e) = flags::check_args(&args) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    // The file is read before the command line, because its values become the flags' defaults.
    let file = match crate::config::file::find(&args, |k| std::env::var(k).ok()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let matches = crate::config::layered::with_file_defaults(Cli::command(), file.as_ref())
        .get_matches_from(&args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // A command whose output is cut short (`| head`) should end quietly, as other Unix tools do,
    // instead of panicking in println!. The server keeps Rust's default (SIGPIPE ignored): a
    // client that hangs up must never kill it.
    if !matches!(cli.command, Command::Serve(_) | Command::Mcp(_)) {
        sigpipe::reset();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(dispatch(cli, file.as_ref(), &matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(
    cli: Cli,
    file: Option<&crate::config::file::Loaded>,
    matches: &ArgMatches,
) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.db, args).await,
        Command::Migrate(a) => admin::migrate(&cli.db, a).await,
        Command::Config(c) => config::run(&cli.db, c, config::Invocation { file, matches }),
        Command::Doctor(a) => doctor::run(&cli.db, a, file).await,
        Command::User(c) => admin::user(&cli.db, c).await,
        Command::Token(c) => admin::token(&cli.db, c).await,
        Command::Admin(c) => instance::run(&cli.db, c).await,
        Command::Sso(c) => sso::run(&cli.db, c).await,
        Command::Invite(c) => invite::run(&cli.db, c).await,
        Command::Workspace(c) => workspace::run_workspace(&cli.db, c).await,
        Command::Product(c) => workspace::run_product(&cli.db, c).await,
        Command::Member(c) => workspace::run_member(&cli.db, c).await,
        Command::Seed(a) => seed::run(&cli.db, a).await,
        Command::Backup(a) => backups::run(&cli.db, a).await,
        Command::Export(a) => export::export(&cli.db, a).await,
        Command::Restore(a) => export::restore(&cli.db, a).await,
        Command::Import(a) => import::run(&cli.db, a).await,
        Command::Item(c) => item::run(&cli.db, c).await,
        Command::Question(c) => threads::question(&cli.db, c).await,
        Command::Comment(c) => threads::comment(&cli.db, c).await,
        Command::Sprint(c) => sprint::run(&cli.db, c).await,
        Command::Team(c) => sprint::team(&cli.db, c).await,
        Command::Flow(c) => flow::run(&cli.db, c).await,
        Command::Forecast(a) => forecast::run(&cli.db, a).await,
        Command::Alignment(a) => governance::run(&cli.db, a).await,
        Command::Audit(a) => audit::run(&cli.db, a).await,
        Command::Advisor(a) => governance::advisor(&cli.db, a).await,
        Command::Tiers(c) => tiers::run(&cli.db, c).await,
        Command::Overrides(a) => tiers::list_overrides(&cli.db, a).await,
        Command::Inbox(a) => notify::run_inbox(&cli.db, a).await,
        Command::Webhook(c) => notify::run_webhook(&cli.db, c).await,
        // Strategy (S0–S10)
        Command::Objective(c) => strategy::objective(&cli.db, c).await,
        Command::Metric(c) => strategy::metric(&cli.db, c).await,
        Command::Priority(c) => strategy::priority(&cli.db, c).await,
        Command::Initiative(c) => initiative::run(&cli.db, c).await,
        Command::Idea(a) => idea::run(&cli.db, a).await,
        Command::Research(c) => research::research(&cli.db, c).await,
        Command::Persona(c) => research::persona(&cli.db, c).await,
        Command::Roadmap(c) => roadmap::run(&cli.db, c).await,
        Command::Decision(c) => decision::run(&cli.db, c).await,
        Command::Competitor(c) => competitor::run(&cli.db, c).await,
        Command::Signoff(c) => signoff::run(&cli.db, c).await,
        Command::Release(c) => release::release(&cli.db, c).await,
        Command::Launch(c) => release::launch(&cli.db, c).await,
        Command::Doc(c) => doc::run(&cli.db, c).await,
        Command::Mcp(a) => mcp::run(&cli.db, a).await,
    }
}
