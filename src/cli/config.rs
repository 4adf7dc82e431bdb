//! `throughline config show|check`: the effective settings and where each came from, and a
//! check of the file and the settings before a server is started with them.

use std::path::Path;

use clap::{ArgMatches, Subcommand};

use crate::config::file::{Loaded, SYSTEM_FILE};
use crate::config::layered::{leaf, mask_url, origin, Origin};
use crate::config::smtp::MailSettings;
use crate::config::{DbArgs, ServerSettings, KEYS};
use crate::doctor::{Check, Status};

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// The settings `serve` would run with, and where each came from (flag, env, file, default);
    /// the database and SMTP passwords are shown as ****.
    Show {
        #[command(flatten)]
        settings: ServerSettings,
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check the configuration file and the settings; exits non-zero on a problem.
    Check {
        #[command(flatten)]
        settings: ServerSettings,
    },
}

/// The file that was read and the parsed command line, for telling where a value came from.
pub struct Invocation<'a> {
    pub file: Option<&'a Loaded>,
    pub matches: &'a ArgMatches,
}

#[derive(serde::Serialize)]
struct Row {
    key: &'static str,
    value: String,
    origin: Origin,
    from: String,
}

pub fn run(db: &DbArgs, c: ConfigCommand, inv: Invocation<'_>) -> anyhow::Result<()> {
    match c {
        ConfigCommand::Show { settings, json } => show(db, &settings, json, inv),
        ConfigCommand::Check { settings } => check(db, &settings, inv),
    }
}

/// The replica's URL, when one is set: a PostgreSQL URL beside a PostgreSQL primary.
fn replica_check(db: &DbArgs) -> Option<Check> {
    let url = db.replica_url()?;
    let fix = "write postgres://user:password@host:port/database of a streaming replica of database_url, or leave it unset";
    Some(if matches!(db.target(), Ok(crate::db::Target::Sqlite(_))) {
        Check::fail(
            "database_replica_url",
            "a replica is set but the database is SQLite; replicas follow a PostgreSQL primary",
            fix,
        )
    } else {
        match url.parse::<sqlx::postgres::PgConnectOptions>() {
            Ok(_) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Check::ok(
                    "database_replica_url",
                    format!(
                        "{} is a PostgreSQL URL; the heavy reports read there",
                        mask_url(url)
                    ),
                )
            }
            Ok(_) => Check::fail(
                "database_replica_url",
                format!("{} is not a postgres:// URL", mask_url(url)),
                fix,
            ),
            Err(e) => Check::fail(
                "database_replica_url",
                format!("{}: {e}", mask_url(url)),
                fix,
            ),
        }
    })
}

fn file_line(file: Option<&Loaded>) -> String {
    match file {
        Some(f) => format!("{} (found by {})", f.path.display(), f.found_by),
        None => format!("none (looked for --config, THROUGHLINE_CONFIG, DATA_DIR/throughline.toml, {SYSTEM_FILE})"),
    }
}

fn show(db: &DbArgs, s: &ServerSettings, json: bool, inv: Invocation<'_>) -> anyhow::Result<()> {
    let m = leaf(inv.matches);
    let value = |key: &str| -> String {
        match key {
            "data_dir" => db.data_dir.display().to_string(),
            "database_url" => db
                .database_url
                .as_deref()
                .map(mask_url)
                .unwrap_or_else(|| "(none: SQLite in data_dir)".into()),
            "database_replica_url" => db
                .replica_url()
                .map(mask_url)
                .unwrap_or_else(|| "(none: reports read the primary)".into()),
            "listen" => s.listen.to_string(),
            "secure_cookies" => s.secure_cookies.to_string(),
            "behind_proxy" => s.behind_proxy.to_string(),
            "log" => s.log.clone(),
            "durability" => db.durability.to_string(),
            "metrics_token" => s
                .metrics_token
                .as_ref()
                .map(|_| "****".to_string())
                .unwrap_or_default(),
            "backup_dir" => s.backups.dir(db).display().to_string(),
            "backup_every" => s.backups.backup_every.to_string(),
            "backup_keep" => s.backups.backup_keep.to_string(),
            "oidc_client_secret" => s
                .oidc
                .oidc_client_secret
                .as_ref()
                .map(|_| "****".to_string())
                .unwrap_or_default(),
            "oidc_name" => s.oidc.oidc_name.clone(),
            "oidc_issuer" => s.oidc.oidc_issuer.clone().unwrap_or_default(),
            "oidc_client_id" => s.oidc.oidc_client_id.clone().unwrap_or_default(),
            "oidc_allowed_domains" => s.oidc.oidc_allowed_domains.clone().unwrap_or_default(),
            "oidc_workspace" => s.oidc.oidc_workspace.clone().unwrap_or_default(),
            "oidc_role" => s.oidc.oidc_role.clone().unwrap_or_default(),
            // public_url and the smtp_* keys.
            key => mail_value(&s.mail, key),
        }
    };
    let rows: Vec<Row> = KEYS
        .iter()
        .map(|(key, env)| {
            let o = match origin(m, key, inv.file) {
                // backup_dir has no fixed default: it follows data_dir; smtp_port follows
                // smtp_security.
                Origin::Unset if *key == "backup_dir" || *key == "smtp_port" => Origin::Default,
                o => o,
            };
            let from = match o {
                Origin::Flag => format!("--{}", key.replace('_', "-")),
                Origin::Env => env.to_string(),
                Origin::File => inv
                    .file
                    .map(|f| f.path.display().to_string())
                    .unwrap_or_default(),
                Origin::Default if *key == "backup_dir" => "default (data_dir/backups)".into(),
                Origin::Default if *key == "smtp_port" => "default (by smtp_security)".into(),
                Origin::Default | Origin::Unset => String::new(),
            };
            Row {
                key,
                value: value(key),
                origin: o,
                from,
            }
        })
        .collect();
    if json {
        let file = inv.file.map(|f| f.path.display().to_string());
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"file": file, "settings": rows}))?
        );
        return Ok(());
    }
    println!("configuration file: {}", file_line(inv.file));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let whence = match r.origin {
                Origin::Flag | Origin::Env | Origin::File => format!("{} {}", r.origin, r.from),
                _ if !r.from.is_empty() => r.from.clone(),
                _ => r.origin.to_string(),
            };
            vec![r.key.to_string(), r.value.clone(), whence]
        })
        .collect();
    for line in super::out::table(&table, &[false, false, false]) {
        println!("{line}");
    }
    Ok(())
}

/// An SMTP setting as `config show` prints it: never the password.
fn mail_value(m: &MailSettings, key: &str) -> String {
    let or_none = |v: &Option<String>, none: &str| v.clone().unwrap_or_else(|| none.to_string());
    match key {
        "smtp_host" => or_none(&m.smtp_host, "(none: no e-mail is sent)"),
        "smtp_port" => m.port().to_string(),
        "smtp_security" => m.smtp_security.as_str().to_string(),
        "smtp_username" => or_none(&m.smtp_username, "(none)"),
        "smtp_password" => match &m.smtp_password {
            Some(_) => "****".into(),
            None => "(none)".into(),
        },
        "smtp_from" => or_none(&m.smtp_from, "(none)"),
        _ => or_none(&m.public_url, "(none)"),
    }
}

/// The SMTP settings as a whole (a host needs a sender and a public address).
fn mail_check(m: &MailSettings) -> Check {
    match m.check() {
        Ok(None) => Check::ok("smtp", "no smtp_host: e-mail is off"),
        Ok(Some(smtp)) => Check::ok(
            "smtp",
            format!(
                "{}:{} ({}), from {}, links to {}; `throughline doctor` tries the connection",
                smtp.host,
                smtp.port,
                smtp.security.as_str(),
                smtp.from,
                smtp.public_url
            ),
        ),
        Err((key, e)) => Check::fail(
            "smtp",
            format!("{key}: {e}"),
            format!("set {key}, or unset smtp_host to send no e-mail"),
        ),
    }
}

fn check(db: &DbArgs, s: &ServerSettings, inv: Invocation<'_>) -> anyhow::Result<()> {
    let mut checks = vec![Check::ok(
        "config file",
        match inv.file {
            Some(f) => format!("{} parses, no unknown keys", f.path.display()),
            None => file_line(None),
        },
    )];
    checks.push(Check::ok("listen", format!("{} is an address", s.listen)));
    checks.push(match tracing_subscriber::EnvFilter::try_new(&s.log) {
        Ok(_) => Check::ok("log", format!("{:?} is a log filter", s.log)),
        Err(e) => Check::fail(
            "log",
            format!("{:?} is not a log filter: {e}", s.log),
            "write e.g. \"info\", \"info,sqlx=warn\" or \"debug\"",
        ),
    });
    checks.push(match db.target() {
        Err(e) => Check::fail(
            "database_url",
            format!("{e:#}"),
            "write postgres://user:password@host/database, or leave it unset for SQLite",
        ),
        Ok(crate::db::Target::Postgres(url)) => {
            match url.parse::<sqlx::postgres::PgConnectOptions>() {
                Ok(_) => Check::ok(
                    "database_url",
                    format!("{} is a PostgreSQL URL", mask_url(&url)),
                ),
                Err(e) => Check::fail(
                    "database_url",
                    format!("{}: {e}", mask_url(&url)),
                    "write postgres://user:password@host:port/database",
                ),
            }
        }
        Ok(crate::db::Target::Sqlite(path)) => {
            Check::ok("database_url", format!("SQLite at {}", path.display()))
        }
    });
    if let Some(c) = replica_check(db) {
        checks.push(c);
    }
    checks.push(folder("data_dir", &db.data_dir));
    checks.push(folder("backup_dir", &s.backups.dir(db)));
    checks.push(mail_check(&s.mail));
    if let Some(c) = oidc_check(&s.oidc) {
        checks.push(c);
    }
    print_checks(&checks);
    let failed = crate::doctor::report_failed(&checks);
    if failed > 0 {
        anyhow::bail!(
            "{} in the configuration",
            super::out::count(failed as i64, "problem", "problems")
        );
    }
    Ok(())
}

/// The configured single sign-on provider, when any of it is given: all of it, and valid.
fn oidc_check(o: &crate::config::oidc::OidcSettings) -> Option<Check> {
    if let Some(why) = o.incomplete() {
        return Some(Check::fail(
            "oidc_issuer",
            why,
            "set oidc_issuer, oidc_client_id and oidc_client_secret, or none of them",
        ));
    }
    Some(match crate::sso::Provider::configured(o) {
        Ok(Some(p)) => Check::ok(
            "oidc_issuer",
            format!("single sign-on through {} ({})", p.issuer, p.name),
        ),
        Ok(None) => return None,
        Err(e) => Check::fail(
            "oidc_issuer",
            e.to_string(),
            "see the README's \"Single sign-on\" section",
        ),
    })
}

/// A folder that exists and is writable, or can be created (its nearest existing parent is).
fn folder(key: &'static str, dir: &Path) -> Check {
    let shown = dir.display();
    if dir.exists() {
        if !dir.is_dir() {
            return Check::fail(
                key,
                format!("{shown} is not a directory"),
                format!("set {key} to a folder"),
            );
        }
        return match writable(dir) {
            Ok(()) => Check::ok(key, format!("{shown} is a writable directory")),
            Err(e) => Check::fail(
                key,
                format!("{shown} is not writable by this user: {e}"),
                format!("chown it to the user that runs Throughline, or set {key}"),
            ),
        };
    }
    let parent = dir
        .ancestors()
        .skip(1)
        .find(|a| a.as_os_str().is_empty() || a.exists());
    let parent = match parent {
        Some(p) if p.as_os_str().is_empty() => Path::new("."),
        Some(p) => p,
        None => Path::new("/"),
    };
    match (parent.is_dir(), writable(parent)) {
        (true, Ok(())) => Check::ok(
            key,
            format!(
                "{shown} does not exist yet; it will be created in {}",
                parent.display()
            ),
        ),
        (_, Err(e)) => Check::fail(
            key,
            format!(
                "{shown} does not exist and {} is not writable: {e}",
                parent.display()
            ),
            format!("create {shown} for the user that runs Throughline"),
        ),
        (false, _) => Check::fail(
            key,
            format!(
                "{shown} cannot be created: {} is not a directory",
                parent.display()
            ),
            format!("set {key} to a folder"),
        ),
    }
}

fn writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".throughline-check-{}", std::process::id()));
    std::fs::write(&probe, b"")?;
    std::fs::remove_file(&probe)
}

/// `ok    name   message` lines, with the fix under a warning or failure.
pub fn print_checks(checks: &[Check]) {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in checks {
        println!("{:<4}  {:<width$}  {}", c.status.label(), c.name, c.message);
        if let (Some(fix), true) = (&c.fix, c.status != Status::Ok) {
            println!("{:<4}  {:<width$}  fix: {fix}", "", "");
        }
    }
}
