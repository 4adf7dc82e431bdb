//! Settings: where the data lives and the server's options, each a flag, an environment
//! variable and a key of `throughline.toml` (flag > environment > file > default).

pub mod every;
pub mod file;
pub mod layered;
pub mod oidc;
pub mod smtp;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use crate::db::{Db, Target};

/// The version and the commit it was built from, as `--version` and `doctor` say it.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("THROUGHLINE_COMMIT"),
    ")"
);

/// The data directory when none is given: `data` under the working directory.
pub const DEFAULT_DATA_DIR: &str = "data";

#[derive(Args, Clone, Debug)]
pub struct DbArgs {
    /// Folder for the embedded SQLite database (`throughline.db`) when no DATABASE_URL is given.
    #[arg(
        long,
        env = "THROUGHLINE_DATA_DIR",
        default_value = DEFAULT_DATA_DIR,
        global = true
    )]
    pub data_dir: PathBuf,
    /// `postgres://user:pass@host/db` to use PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// PostgreSQL only: `postgres://…` of a streaming replica of DATABASE_URL. The heavy
    /// reports (alignment, velocity, roadmap, documents) read from it; everything else, and
    /// anything that must see its own writes, stays on the primary.
    #[arg(
        long,
        env = "DATABASE_REPLICA_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_replica_url: Option<String>,
    /// SQLite only: "normal" (WAL with synchronous=NORMAL: the last commits may be lost if the
    /// machine loses power, never the database) or "full" (every commit is on disk before it
    /// is acknowledged, at the cost of an fsync per write). PostgreSQL follows its own
    /// synchronous_commit.
    #[arg(
        long,
        env = "THROUGHLINE_DURABILITY",
        default_value = "normal",
        global = true,
        value_enum
    )]
    pub durability: crate::db::Durability,
}

impl DbArgs {
    pub fn target(&self) -> anyhow::Result<Target> {
        Target::resolve(self.database_url.as_deref(), &self.data_dir)
    }

    /// Opens and migrates the database, creating an SQLite file only when `create` is set.
    pub async fn open(&self, create: bool) -> anyhow::Result<Db> {
        let target = self.target()?;
        // Refused before an SQLite file is made for nothing.
        if let (Some(_), Target::Sqlite(_)) = (self.replica_url(), &target) {
            anyhow::bail!(crate::db::REPLICA_BESIDE_SQLITE);
        }
        let db = Db::connect_with(&target, create, self.durability).await?;
        let db = match self.replica_url() {
            Some(url) => db.with_replica(url).await?,
            None => db,
        };
        db.migrate().await?;
        Ok(db)
    }

    /// The replica's URL, when one is set (an empty one counts as none).
    pub fn replica_url(&self) -> Option<&str> {
        self.database_replica_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
    }
}

/// Each setting: its key in the file (also its clap argument id) and its environment variable.
pub const KEYS: &[(&str, &str)] = &[
    ("data_dir", "THROUGHLINE_DATA_DIR"),
    ("database_url", "DATABASE_URL"),
    ("database_replica_url", "DATABASE_REPLICA_URL"),
    ("listen", "THROUGHLINE_LISTEN"),
    ("secure_cookies", "THROUGHLINE_SECURE_COOKIES"),
    ("behind_proxy", "THROUGHLINE_BEHIND_PROXY"),
    ("log", "THROUGHLINE_LOG"),
    ("durability", "THROUGHLINE_DURABILITY"),
    ("metrics_token", "THROUGHLINE_METRICS_TOKEN"),
    ("backup_dir", "THROUGHLINE_BACKUP_DIR"),
    ("backup_every", "THROUGHLINE_BACKUP_EVERY"),
    ("backup_keep", "THROUGHLINE_BACKUP_KEEP"),
    ("smtp_host", "THROUGHLINE_SMTP_HOST"),
    ("smtp_port", "THROUGHLINE_SMTP_PORT"),
    ("smtp_security", "THROUGHLINE_SMTP_SECURITY"),
    ("smtp_username", "THROUGHLINE_SMTP_USERNAME"),
    ("smtp_password", "THROUGHLINE_SMTP_PASSWORD"),
    ("smtp_from", "THROUGHLINE_SMTP_FROM"),
    ("public_url", "THROUGHLINE_PUBLIC_URL"),
    ("oidc_issuer", "THROUGHLINE_OIDC_ISSUER"),
    ("oidc_client_id", "THROUGHLINE_OIDC_CLIENT_ID"),
    ("oidc_client_secret", "THROUGHLINE_OIDC_CLIENT_SECRET"),
    ("oidc_name", "THROUGHLINE_OIDC_NAME"),
    ("oidc_allowed_domains", "THROUGHLINE_OIDC_ALLOWED_DOMAINS"),
    ("oidc_workspace", "THROUGHLINE_OIDC_WORKSPACE"),
    ("oidc_role", "THROUGHLINE_OIDC_ROLE"),
];

/// The server's settings (besides where the data lives), shared by `serve` and `config`.
#[derive(Args, Clone, Debug)]
pub struct ServerSettings {
    /// Address to listen on.
    #[arg(long, env = "THROUGHLINE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Mark cookies Secure; set this when users reach the server over HTTPS.
    #[arg(long, env = "THROUGHLINE_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Requests come through a reverse proxy of yours that sets X-Forwarded-For: the sign-in
    /// limit counts per the address it names (its last entry) instead of the proxy's. Leave it
    /// off when clients reach the server directly, or they could name any address.
    #[arg(long, env = "THROUGHLINE_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// What to log, in tracing's filter syntax: "info,sqlx=warn", "debug", "warn".
    #[arg(long, env = "THROUGHLINE_LOG", default_value = "info,sqlx=warn")]
    pub log: String,
    /// Serve Prometheus metrics at /metrics to requests with `Authorization: Bearer TOKEN`;
    /// without a token, /metrics is not served.
    #[arg(long, env = "THROUGHLINE_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    #[command(flatten)]
    pub backups: BackupSettings,
    #[command(flatten)]
    pub mail: smtp::MailSettings,
    #[command(flatten)]
    pub oidc: oidc::OidcSettings,
}

/// The server's own backups (SQLite): where, how often, how many.
#[derive(Args, Clone, Debug)]
pub struct BackupSettings {
    /// Folder for the server's scheduled backups [default: DATA_DIR/backups].
    #[arg(long, env = "THROUGHLINE_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How often `serve` takes a backup on SQLite: "24h", "30m", a number of hours, or "off".
    #[arg(long, env = "THROUGHLINE_BACKUP_EVERY", default_value = "24h", value_parser = every::every_arg)]
    pub backup_every: every::Every,
    /// How many scheduled backups to keep; older ones are deleted.
    #[arg(long, env = "THROUGHLINE_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,
}

impl BackupSettings {
    pub fn dir(&self, db: &DbArgs) -> PathBuf {
        self.backup_dir
            .clone()
            .unwrap_or_else(|| db.data_dir.join("backups"))
    }
}
