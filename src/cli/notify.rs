//! `throughline inbox` and `throughline webhook ...` from a terminal, as the account `--as`.

use clap::{Args, Subcommand};

use super::item::err;
use crate::auth::store;
use crate::config::DbArgs;
use crate::notify::store as inbox;
use crate::notify::webhooks::{self, NewWebhook};

#[derive(Args, Debug)]
pub struct InboxArgs {
    /// The account whose inbox to show.
    #[arg(long = "as", env = "THROUGHLINE_USER")]
    pub email: String,
    /// Only unread notifications.
    #[arg(long)]
    pub unread: bool,
    /// Mark everything read after listing.
    #[arg(long)]
    pub read_all: bool,
    /// How notifications also reach you by e-mail: immediate, daily (a digest) or off. Without
    /// it, the current choice is shown.
    #[arg(long, value_name = "MODE")]
    pub email_mode: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
pub struct Admin {
    /// The account to act as (a workspace admin for changes).
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
pub enum WebhookCommand {
    /// The workspace's webhooks with their delivery counts.
    List(Admin),
    /// Add a webhook (admins).
    Add {
        #[command(flatten)]
        admin: Admin,
        #[arg(long)]
        url: String,
        /// An event to send (repeat), or `*` for all.
        #[arg(long = "event", required = true)]
        events: Vec<String>,
        #[arg(long, env = "THROUGHLINE_WEBHOOK_SECRET")]
        secret: String,
    },
    /// Remove a webhook (admins): nothing more is sent to it.
    Remove {
        #[command(flatten)]
        admin: Admin,
        /// The webhook's id (see `webhook list`).
        id: i64,
    },
    /// The delivery log of one webhook.
    Deliveries {
        #[command(flatten)]
        admin: Admin,
        id: i64,
    },
    /// Let webhooks reach private, loopback and link-local addresses (`--off` to refuse again).
    AllowPrivate {
        #[command(flatten)]
        admin: Admin,
        #[arg(long)]
        off: bool,
    },
}

async fn user(db: &crate::db::Db, email: &str) -> anyhow::Result<store::User> {
    store::find_by_email(db, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account with e-mail {email}"))
}

pub async fn run_inbox(db_args: &DbArgs, a: InboxArgs) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let u = user(&db, &a.email).await?;
    if let Some(text) = &a.email_mode {
        let mode = crate::auth::email_prefs::parse_mode("notifications", text)
            .map_err(|e| anyhow::anyhow!("--email-mode: {e}"))?;
        crate::auth::email_prefs::set_mode(&db, u.id, mode)
            .await
            .map_err(err)?;
    }
    let mode = crate::auth::email_prefs::mode(&db, u.id)
        .await
        .map_err(err)?;
    let i = inbox::inbox(&db, u.id, a.unread, 100).await.map_err(err)?;
    if a.json {
        let mut v = serde_json::to_value(&i)?;
        v["email_notifications"] = serde_json::json!(mode.as_str());
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if a.email_mode.is_some() {
        println!("notifications by e-mail: {}", mode.label());
    } else {
        println!(
            "{} unread · notifications by e-mail: {}",
            i.unread,
            mode.as_str()
        );
        for n in &i.notifications {
            println!(
                "{} {}  {}  {}",
                if n.read_at.is_none() { "●" } else { " " },
                n.created_at.format("%Y-%m-%d %H:%M"),
                n.title,
                n.link
            );
        }
    }
    if a.read_all {
        inbox::mark_read(&db, u.id, None).await.map_err(err)?;
    }
    Ok(())
}

pub async fn run_webhook(db_args: &DbArgs, c: WebhookCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (admin, out): (Admin, serde_json::Value) = match c {
        WebhookCommand::List(a) => {
            let u = user(&db, &a.email).await?;
            let (_, allow, hooks) = webhooks::list(&db, &u, &a.workspace).await.map_err(err)?;
            if !a.json {
                println!(
                    "private targets {}",
                    if allow { "allowed" } else { "refused" }
                );
                for h in &hooks {
                    println!(
                        "{}  {}  [{}]  pending {} delivered {} failed {}",
                        h.id,
                        h.url,
                        h.events.join(","),
                        h.pending,
                        h.delivered,
                        h.failed
                    );
                }
            }
            (a, serde_json::to_value(hooks)?)
        }
        WebhookCommand::Add {
            admin,
            url,
            events,
            secret,
        } => {
            let u = user(&db, &admin.email).await?;
            let h = webhooks::create(
                &db,
                &u,
                &admin.workspace,
                NewWebhook {
                    url,
                    events,
                    secret,
                },
            )
            .await
            .map_err(err)?;
            if !admin.json {
                println!("webhook {} → {}", h.id, h.url);
            }
            (admin, serde_json::to_value(h)?)
        }
        WebhookCommand::Remove { admin, id } => {
            let u = user(&db, &admin.email).await?;
            webhooks::delete(&db, &u, &admin.workspace, id)
                .await
                .map_err(err)?;
            if !admin.json {
                println!("removed webhook {id}");
            }
            (admin, serde_json::json!({"removed": id}))
        }
        WebhookCommand::Deliveries { admin, id } => {
            let u = user(&db, &admin.email).await?;
            let log = webhooks::deliveries(&db, &u, &admin.workspace, id)
                .await
                .map_err(err)?;
            if !admin.json {
                for d in &log {
                    println!(
                        "{}  {}  {}  attempts {}  {}",
                        d.id,
                        d.event,
                        d.state,
                        d.attempts,
                        d.last_error.clone().unwrap_or_default()
                    );
                }
            }
            (admin, serde_json::to_value(log)?)
        }
        WebhookCommand::AllowPrivate { admin, off } => {
            let u = user(&db, &admin.email).await?;
            webhooks::allow_private(&db, &u, &admin.workspace, !off)
                .await
                .map_err(err)?;
            if !admin.json {
                println!(
                    "private targets {}",
                    if off { "refused" } else { "allowed" }
                );
            }
            (admin, serde_json::json!({"allow_private": !off}))
        }
    };
    if admin.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}
