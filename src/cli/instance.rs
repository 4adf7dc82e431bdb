//! `throughline admin …`: the instance's settings, its admins, every workspace, and a
//! workspace's member tokens and checklist, so that an installation can be scripted. Settings
//! and admins are the operator's at the server's terminal (audited with no actor); the
//! workspace commands act `--as` a workspace admin, with the same rules as the admin pages.

use clap::Subcommand;

use super::flags::flag_err;
use super::item::{actor, Who};
use super::out::print_table;
use super::strategy::print_json;
use crate::admin::store;
use crate::config::DbArgs;
use crate::instance::{store as instance, Settings, SettingsInput};
use crate::workspace::checklist;
use crate::workspace::store::workspace_for;

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Show the instance's settings, or change those given.
    Settings {
        /// Who may create workspaces: `anyone` or `admins`.
        #[arg(long)]
        workspace_creation: Option<String>,
        /// New accounts: `invitation` (any workspace admin invites) or `closed` (only the
        /// instance's admins do).
        #[arg(long)]
        signup: Option<String>,
        /// E-mail domains that may join, comma-separated; "" allows every domain.
        #[arg(long)]
        allowed_domains: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The instance's admins.
    Admins {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Make an account an admin of the instance.
    Grant {
        /// The e-mail of an existing account.
        email: String,
    },
    /// Take an account's instance admin rights away (never the last admin's).
    Revoke {
        /// The e-mail of an instance admin.
        email: String,
    },
    /// Every workspace of the instance, with its size.
    Workspaces {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The API tokens the members of a workspace hold (workspace admins).
    Tokens(Who),
    /// Revoke a member's API token by its number, as `admin tokens` shows it.
    RevokeToken {
        #[command(flatten)]
        who: Who,
        /// The token's number.
        id: i64,
    },
    /// The workspace's getting-started checklist.
    Checklist(Who),
}

const FLAGS: &[(&str, &str)] = &[
    ("workspace_creation", "--workspace-creation"),
    ("signup", "--signup"),
    ("allowed_domains", "--allowed-domains"),
];

fn print_settings(s: &Settings) {
    let domains = if s.allowed_domains.is_empty() {
        "every domain".to_string()
    } else {
        s.allowed_domains.join(", ")
    };
    println!("workspace creation: {}", s.workspace_creation.as_str());
    println!("sign-up:            {}", s.signup.as_str());
    println!("allowed domains:    {domains}");
    println!("version:            {}", s.version);
}

pub async fn run(db_args: &DbArgs, c: AdminCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let err = |e| flag_err(e, FLAGS);
    match c {
        AdminCommand::Settings {
            workspace_creation,
            signup,
            allowed_domains,
            json,
        } => {
            let mut s = instance::settings(&db).await.map_err(err)?;
            if workspace_creation.is_some() || signup.is_some() || allowed_domains.is_some() {
                let input = SettingsInput {
                    workspace_creation,
                    signup,
                    allowed_domains: allowed_domains.map(|d| vec![d]),
                };
                s = instance::update(&db, None, s.version, &input)
                    .await
                    .map_err(err)?;
            }
            if json {
                print_json(&s)?;
            } else {
                print_settings(&s);
            }
        }
        AdminCommand::Admins { json } => {
            let admins = instance::admins(&db).await.map_err(err)?;
            if json {
                return print_json(&admins);
            }
            let mut rows = vec![vec!["NAME".into(), "E-MAIL".into()]];
            rows.extend(admins.into_iter().map(|a| vec![a.name, a.email]));
            print_table(&rows, &[false, false]);
        }
        AdminCommand::Grant { email } => {
            let u = instance::set_admin(&db, None, &email, true)
                .await
                .map_err(err)?;
            println!("{} <{}> is an admin of the instance", u.name, u.email);
        }
        AdminCommand::Revoke { email } => {
            let u = instance::set_admin(&db, None, &email, false)
                .await
                .map_err(err)?;
            println!(
                "{} <{}> is no longer an admin of the instance",
                u.name, u.email
            );
        }
        AdminCommand::Workspaces { json } => {
            let all = store::workspaces(&db).await.map_err(err)?;
            if json {
                return print_json(&all);
            }
            let mut rows = vec![[
                "WORKSPACE",
                "NAME",
                "MEMBERS",
                "PRODUCTS",
                "ITEMS",
                "CREATED",
            ]
            .map(String::from)
            .to_vec()];
            rows.extend(all.into_iter().map(|w| {
                vec![
                    w.slug,
                    w.name,
                    w.members.to_string(),
                    w.products.to_string(),
                    w.items.to_string(),
                    w.created_at.format("%Y-%m-%d").to_string(),
                ]
            }));
            print_table(&rows, &[false, false, true, true, true, false]);
        }
        AdminCommand::Tokens(who) => {
            let w = admin_workspace(&db, &who).await?;
            let tokens = store::tokens(&db, w.id).await.map_err(err)?;
            if who.json {
                return print_json(&tokens);
            }
            let mut rows = vec![["#", "TOKEN", "OWNER", "CREATED"]
                .map(String::from)
                .to_vec()];
            rows.extend(tokens.into_iter().map(|t| {
                vec![
                    t.id.to_string(),
                    t.name,
                    format!("{} <{}>", t.owner_name, t.owner_email),
                    t.created_at.format("%Y-%m-%d").to_string(),
                ]
            }));
            print_table(&rows, &[true, false, false, false]);
        }
        AdminCommand::RevokeToken { who, id } => {
            let user = actor(&db, &who).await?;
            let w = admin_workspace(&db, &who).await?;
            store::revoke_token(&db, &user, &w, id).await.map_err(err)?;
            println!("revoked token {id}; it no longer works in any workspace");
        }
        AdminCommand::Checklist(who) => {
            let user = actor(&db, &who).await?;
            let (w, _) = workspace_for(&db, user.id, &who.workspace)
                .await
                .map_err(|e| anyhow::anyhow!("workspace {}: {e}", who.workspace))?;
            let steps = checklist::steps(&checklist::facts(&db, w.id, &w.slug).await.map_err(err)?);
            if who.json {
                return print_json(&steps);
            }
            for s in steps {
                println!(
                    "[{}] {}  ({})",
                    if s.done { "x" } else { " " },
                    s.title,
                    s.href
                );
            }
        }
    }
    Ok(())
}

async fn admin_workspace(
    db: &crate::db::Db,
    who: &Who,
) -> anyhow::Result<crate::workspace::Workspace> {
    let user = actor(db, who).await?;
    let (w, admin) = workspace_for(db, user.id, &who.workspace)
        .await
        .map_err(|e| anyhow::anyhow!("workspace {}: {e}", who.workspace))?;
    if !admin {
        anyhow::bail!("only admins of {} may see its members' tokens", w.slug);
    }
    Ok(w)
}
