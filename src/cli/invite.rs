//! `throughline invite create|list|revoke`: invitations by link from a terminal, with the same
//! rules as the API and the members page (workspace admins only).

use clap::Subcommand;

use super::flags::flag_err;
use super::item::{actor, Who};
use super::out::print_table;
use super::strategy::print_json;
use crate::auth::store::User;
use crate::config::DbArgs;
use crate::db::Db;
use crate::invite::{roles_from_pairs, service, Invitation, InvitationInput};
use crate::workspace::{store, Workspace};

#[derive(Subcommand, Debug)]
pub enum InviteCommand {
    /// Invite someone by e-mail, or a placeholder an import made; prints the one-time link.
    Create {
        #[command(flatten)]
        who: Who,
        /// The e-mail of the person to invite (a placeholder with this e-mail is claimed).
        #[arg(
            long = "email",
            value_name = "EMAIL",
            required_unless_present = "placeholder"
        )]
        invitee: Option<String>,
        /// A placeholder of the workspace, by its e-mail or its name, whose account they take over.
        #[arg(long, value_name = "EMAIL_OR_NAME")]
        placeholder: Option<String>,
        /// Roles granted on acceptance: `pm,po` on --product, or `ONB:pm`; repeat or separate by commas.
        #[arg(long = "role", value_name = "ROLES")]
        roles: Vec<String>,
        /// The product plain roles in --role apply to (optional when the workspace has one product).
        #[arg(long, short = 'p')]
        product: Option<String>,
        /// Make them a workspace admin too.
        #[arg(long)]
        admin: bool,
        /// The server's address, e.g. https://pm.example.com, to print a whole link.
        #[arg(long, env = "THROUGHLINE_URL")]
        url: Option<String>,
    },
    /// The workspace's open invitations (never their links).
    List(Who),
    /// Withdraw an open invitation; its link then says so.
    Revoke {
        #[command(flatten)]
        who: Who,
        /// The invitation's number, as `invite list` shows it.
        id: i64,
    },
}

async fn workspace(db: &Db, who: &Who) -> anyhow::Result<(User, Workspace, bool)> {
    let user = actor(db, who).await?;
    let (w, admin) = store::workspace_for(db, user.id, &who.workspace)
        .await
        .map_err(|e| anyhow::anyhow!("workspace {}: {e}", who.workspace))?;
    Ok((user, w, admin))
}

/// The placeholder member named by e-mail or by name (case and spaces aside).
async fn placeholder(db: &Db, w: &Workspace, named: &str) -> anyhow::Result<i64> {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let wanted = norm(named);
    let found: Vec<_> = store::members(db, w.id)
        .await
        .map_err(|e| flag_err(e, &[]))?
        .into_iter()
        .filter(|m| m.placeholder && (m.email == wanted || norm(&m.name) == wanted))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.user_id),
        [] => anyhow::bail!(
            "--placeholder: no placeholder of {} is called {named}",
            w.slug
        ),
        many => {
            let emails: Vec<&str> = many.iter().map(|m| m.email.as_str()).collect();
            anyhow::bail!(
                "--placeholder: {} placeholders are called {named}; give one's e-mail: {}",
                many.len(),
                emails.join(", ")
            )
        }
    }
}

fn grants_text(i: &Invitation) -> String {
    let mut parts: Vec<String> = i
        .roles
        .iter()
        .map(|r| {
            let names: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
            format!("{}: {}", r.product, names.join(", "))
        })
        .collect();
    if i.admin {
        parts.insert(0, "admin".into());
    }
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join("; ")
    }
}

const FLAGS: &[(&str, &str)] = &[
    ("email", "--email"),
    ("placeholder_user_id", "--placeholder"),
    ("roles", "--role"),
];

pub async fn run(db_args: &DbArgs, c: InviteCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    match c {
        InviteCommand::Create {
            who,
            invitee: email,
            placeholder: named,
            roles,
            product,
            admin,
            url,
        } => {
            let (user, w, is_admin) = workspace(&db, &who).await?;
            let placeholder_user_id = match &named {
                Some(n) if is_admin => Some(placeholder(&db, &w, n).await?),
                _ => None,
            };
            let product = match product {
                Some(p) => Some(p),
                None => match store::products(&db, w.id).await?.as_slice() {
                    [only] => Some(only.key.clone()),
                    _ => None,
                },
            };
            let roles = roles_from_pairs(&roles, product.as_deref());
            if roles.iter().any(|r| r.product.is_empty()) {
                anyhow::bail!("--role: say which product with --product KEY, or write KEY:role");
            }
            let input = InvitationInput {
                email,
                placeholder_user_id,
                roles,
                admin,
                send_email: false,
            };
            let created = service::create(&db, &user, &w, is_admin, &input)
                .await
                .map_err(|e| flag_err(e, FLAGS))?;
            let link = match url {
                Some(base) => format!("{}{}", base.trim_end_matches('/'), created.link),
                None => created.link.clone(),
            };
            if who.json {
                let mut shown = created;
                shown.link = link;
                return print_json(&shown);
            }
            let i = &created.invitation;
            let whom = match (&i.name, &i.email) {
                (Some(n), Some(e)) => format!("the placeholder {n} <{e}>"),
                (Some(n), None) => format!("the placeholder {n}"),
                (None, Some(e)) => e.clone(),
                (None, None) => String::new(),
            };
            println!(
                "invitation {} for {whom} to {} (grants {}), valid until {}",
                i.id,
                w.slug,
                grants_text(i),
                i.expires_at.format("%Y-%m-%d %H:%M UTC")
            );
            println!("link (shown once): {link}");
            if !link.starts_with("http") {
                println!("put your server's address in front of it, or pass --url");
            }
        }
        InviteCommand::List(who) => {
            let (_, w, is_admin) = workspace(&db, &who).await?;
            let list = service::list(&db, &w, is_admin)
                .await
                .map_err(|e| flag_err(e, &[]))?;
            if who.json {
                return print_json(&list);
            }
            let mut rows = vec![vec![
                "id".to_string(),
                "invited".into(),
                "grants".into(),
                "expires".into(),
            ]];
            rows.extend(list.iter().map(|i| {
                let whom = match (&i.name, &i.email) {
                    (Some(n), Some(e)) => format!("{n} <{e}> (placeholder)"),
                    (Some(n), None) => format!("{n} (placeholder)"),
                    (None, Some(e)) => e.clone(),
                    (None, None) => String::new(),
                };
                let expires = i.expires_at.format("%Y-%m-%d %H:%M").to_string();
                vec![
                    i.id.to_string(),
                    whom,
                    grants_text(i),
                    if i.status == "expired" {
                        format!("expired {expires}")
                    } else {
                        expires
                    },
                ]
            }));
            print_table(&rows, &[true]);
        }
        InviteCommand::Revoke { who, id } => {
            let (user, w, is_admin) = workspace(&db, &who).await?;
            service::revoke(&db, &user, &w, is_admin, id)
                .await
                .map_err(|e| flag_err(e, &[]))?;
            if who.json {
                return print_json(&serde_json::json!({"id": id, "status": "revoked"}));
            }
            println!("revoked invitation {id}; its link now says it was withdrawn");
        }
    }
    Ok(())
}
