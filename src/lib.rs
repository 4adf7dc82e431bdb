//! Throughline: the Product Manager's strategy and the Product Owner's backlog on one line.

pub mod admin;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backlog;
pub mod backup;
pub mod calendar;
pub mod chart;
pub mod cli;
pub mod config;
pub mod csv_safe;
pub mod db;
pub mod docs;
pub mod doctor;
pub mod error;
pub mod export;
pub mod extract;
pub mod flow;
pub mod forecast;
pub mod governance;
pub mod ids;
pub mod import;
pub mod instance;
pub mod invite;
pub mod mail;
pub mod mcp;
pub mod notify;
pub mod overview;
pub mod page;
pub mod passwords;
pub mod points;
pub mod report;
pub mod retro;
pub mod seed;
pub mod sprint;
pub mod sso;
pub mod state;
pub mod story;
pub mod text;
// Strategy (S0–S10)
pub mod roadmap;
pub mod strategy;
pub mod web;
pub mod words;
pub mod workspace;

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process-wide Prometheus recorder; installed once, shared by every server in the process.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
