//! `throughline mcp`: the MCP server over stdio, for a coding agent that starts it as a
//! subprocess. It acts as the owner of `THROUGHLINE_TOKEN` (a read-only token keeps it
//! read-only), or as the account `--as` names, with that account's roles everywhere.

use clap::Args;
use rmcp::ServiceExt;

use crate::auth::store;
use crate::config::DbArgs;
use crate::mcp::server::Server;
use crate::mcp::Caller;

#[derive(Args, Debug)]
pub struct McpArgs {
    /// An API token (`tl_…`): act as its owner. A read-only token makes every change refused.
    /// Wins over --as when both are given.
    #[arg(long, env = "THROUGHLINE_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Act as this account instead (for someone with access to the database itself).
    #[arg(long = "as", env = "THROUGHLINE_USER")]
    pub email: Option<String>,
    /// Refuse every tool that changes something, whatever the account may do.
    #[arg(long)]
    pub read_only: bool,
}

pub async fn run(db_args: &DbArgs, args: McpArgs) -> anyhow::Result<()> {
    // stdout carries the protocol: anything logged goes to stderr.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .try_init();
    let db = db_args.open(false).await?;
    let caller = match (&args.token, &args.email) {
        (Some(token), _) => {
            let h = store::holder_by_token(&db, token.trim())
                .await?
                .ok_or_else(|| anyhow::anyhow!("THROUGHLINE_TOKEN: no such token (revoked, or from another installation?)"))?;
            Caller {
                user: h.user,
                read_only: h.read_only || args.read_only,
            }
        }
        (None, Some(email)) => Caller {
            user: store::find_by_email(&db, email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("--as: no account with e-mail {email}"))?,
            read_only: args.read_only,
        },
        (None, None) => anyhow::bail!(
            "say who the server acts for: set THROUGHLINE_TOKEN to an API token (`throughline token create`), or give --as EMAIL"
        ),
    };
    let service = Server::acting_as(db, caller)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| anyhow::anyhow!("starting the MCP server: {e}"))?;
    service
        .waiting()
        .await
        .map_err(|e| anyhow::anyhow!("the MCP server stopped: {e}"))?;
    Ok(())
}
