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
