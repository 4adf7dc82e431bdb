//! The integration tests, in one binary so that the crate is linked once: API, CLI, pages and
//! browser tests, a module per area. Browser tests run when THROUGHLINE_WEBDRIVER names a running
//! chromedriver (scripts/test starts one and runs them alone with `cargo test --test all browser`).
// A failed unwrap in a test is a failed test with its reason; that is what we want here.
#![allow(clippy::unwrap_used)]

mod support;

mod admin;
mod advisor;
mod alignment;
mod api;
mod assets;
mod backlog_kept;
mod board_kept;
mod browser;
mod browser_documents;
mod browser_flow;
mod browser_governance;
mod browser_item;
mod browser_sprints;
mod browser_ui;
mod cli;
mod cli_governance;
mod cli_sprints;
mod decisions;
mod docs;
mod edges;
mod export;
mod flow;
mod flow_alignment;
mod flow_faces;
mod flow_teams;
mod forecast;
mod fuzz;
mod import;
mod invitations;
mod layers;
mod mail;
mod mcp;
mod members_by_invitation;
mod notifications;
mod overrides;
mod overview;
mod pages;
mod pages_sprints;
mod points;
mod request_reads;
mod retro_reports;
mod roadmap;
mod roadmap_kept;
mod seed;
mod selfhost;
mod sign_in;
mod sprints;
mod sso;
mod strategy;
mod strategy_cli;
mod strategy_pages;
mod strategy_research;
mod tiers;
mod write_transactions;
