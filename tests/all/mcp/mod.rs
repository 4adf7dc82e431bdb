//! The MCP server through its HTTP endpoint (`/mcp`), as a coding agent reaches it: tools,
//! resources and prompts, with the authority, version checks and read-only scope of the API.

pub mod client;
mod reads;
mod resources;
mod tokens;
mod writes;
