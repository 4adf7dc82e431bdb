//! What every handler shares: the database, the metrics handle, cookie settings, where the
//! server's backups go, and the first-run setup link.

use std::sync::{Arc, Mutex};

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
    /// The one-time secret of the setup link `serve` prints when no account exists yet.
    pub setup: SetupLink,
    /// The SMTP settings and connection, when the server sends e-mail (`smtp_host` is set).
    pub mail: Option<crate::mail::Mailer>,
    /// The configured OpenID provider and the public address (more providers are in the
    /// database).
    pub oidc: crate::config::oidc::OidcSettings,
    /// Argon2 behind a gate and a pool of buffers: every password hash and check goes through
    /// it, so a flood of sign-ins queues instead of exhausting memory.
    pub hashing: crate::passwords::Hashing,
    /// A reverse proxy the operator runs sets `X-Forwarded-For`; the sign-in limit then counts
    /// per the address it names instead of the proxy's.
    pub behind_proxy: bool,
    /// The bearer token `/metrics` asks for; without one, `/metrics` is not served (404).
    pub metrics_token: Option<String>,
}

/// The largest request body the server reads (imports take files through their own limit).
pub const BODY_LIMIT: usize = 256 * 1024;

/// The first run's one-time secret. It lives only in this process, so it is gone once used
/// or when the process stops; nobody without it can claim an empty installation.
#[derive(Clone, Default)]
pub struct SetupLink(Arc<Mutex<Option<String>>>);

impl SetupLink {
    pub fn new(secret: Option<String>) -> SetupLink {
        SetupLink(Arc::new(Mutex::new(secret)))
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // A panic while holding it leaves a plain Option behind, still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `given` is the live secret (compared in constant time).
    pub fn matches(&self, given: &str) -> bool {
        self.slot()
            .as_deref()
            .is_some_and(|s| constant_time_eq(s.as_bytes(), given.as_bytes()))
    }

    /// Takes the secret if `given` is it, so that a second setup cannot run at the same time.
    pub fn take(&self, given: &str) -> Option<String> {
        let mut slot = self.slot();
        if slot
            .as_deref()
            .is_some_and(|s| constant_time_eq(s.as_bytes(), given.as_bytes()))
        {
            slot.take()
        } else {
            None
        }
    }

    /// Puts a taken secret back (the setup it was taken for failed).
    pub fn restore(&self, secret: String) {
        *self.slot() = Some(secret);
    }

    pub fn is_live(&self) -> bool {
        self.slot().is_some()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}
