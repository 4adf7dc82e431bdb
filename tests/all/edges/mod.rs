//! The edges of every interface (issue 16): control characters refused or cleaned where text
//! enters, redirects kept on the site, webhook targets kept off private addresses however they
//! are written, and the headers and gates around the server.

mod cli_text;
mod control_chars;
mod durability;
mod foreign_ids;
mod media_type;
mod numbers;
mod redirects;
mod replica_reads;
mod server_gates;
mod webhook_targets;
