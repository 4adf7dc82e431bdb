//! What every handler shares: the database, the metrics handle, cookie settings and where the
//! server's backups go.

use metrics_exporter_prometheus::PrometheusHandle;

use crate::db::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub metrics: PrometheusHandle,
    /// Set the `Secure` flag on cookies (when served over HTTPS).
    pub secure_cookies: bool,
    /// The scheduled backups' folder, interval and count, for the admin area's list of them
    /// (`crate::backup::list(&state.backups.dir)`); the server takes none on PostgreSQL.
    pub backups: crate::backup::schedule::Plan,
}

/// The largest request body the server reads (imports take files through their own limit).
pub const BODY_LIMIT: usize = 256 * 1024;
