//! The MCP server (issue 13): coding agents (Claude Code, Cursor, Codex, VS Code) read the
//! strategy and the backlog and make changes through the Model Context Protocol, over stdio
//! (`throughline mcp`) or streamable HTTP (`/mcp` on the running server).
//!
//! Nothing here writes SQL: every tool, resource and prompt calls the services the REST API
//! handlers call, so the authority table, validation, version checks and audit log are the
//! same. What this room adds is the caller (an account, possibly read-only), how a product key
//! is found among the caller's workspaces, and the shapes MCP wants.

pub mod http;
pub mod prompts;
pub mod resolve;
pub mod resources;
pub mod server;
pub mod tools;

use crate::auth::store::User;

/// Who the MCP server acts for: an account and whether it may only read (a read-only token,
/// or `throughline mcp --read-only`).
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    pub read_only: bool,
}

/// The protocol revisions served: the newest the SDK knows and the one before it. 2025-11-25
/// is the last with the `initialize` handshake; 2026-07-28 moved it into each request.
pub const PROTOCOL_VERSIONS: [rmcp::model::ProtocolVersion; 2] = [
    rmcp::model::ProtocolVersion::V_2025_11_25,
    rmcp::model::ProtocolVersion::V_2026_07_28,
];
