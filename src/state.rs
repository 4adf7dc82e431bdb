//! What every handler shares: the database, the metrics handle and cookie settings.

use metrics_exporter_prometheus::PrometheusHandle;

use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub metrics: PrometheusHandle,
    /// Set the `Secure` flag on cookies (when served over HTTPS).
    pub secure_cookies: bool,
}

/// The largest request body the server reads (imports take files through their own limit).
pub const BODY_LIMIT: usize = 256 * 1024;
