//! `throughline doctor`: one line per check, ok / warn / fail, each saying what to fix. The
//! judgements are pure functions over what [`probe`] measured, so they are tested here.

pub mod probe;

use std::time::Duration;

/// How one check came out; a `Fail` makes `doctor` exit non-zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// One line of the report: what was checked, what was found, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub name: &'static str,
    pub status: Status,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: &'static str, message: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Ok,
            message: message.into(),
            fix: None,
        }
    }
    pub fn warn(name: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Warn,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
    pub fn fail(name: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Fail,
            message: message.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Below this much free space on the data directory's filesystem, `doctor` warns.
pub const LOW_SPACE: u64 = 1024 * 1024 * 1024;
/// Below this much, writes (and backups) are about to fail.
pub const NO_SPACE: u64 = 100 * 1024 * 1024;

pub fn free_space(where_: &str, available: u64) -> Check {
    let free = crate::backup::size(available);
    if available < NO_SPACE {
        Check::fail(
            "free space",
            format!("{free} free on {where_}"),
            "free space or move the data directory: writes and backups will fail",
        )
    } else if available < LOW_SPACE {
        Check::warn(
            "free space",
            format!("{free} free on {where_}"),
            "free space on that filesystem (under 1 GiB left)",
        )
    } else {
        Check::ok("free space", format!("{free} free on {where_}"))
    }
}

/// The data directory's and the database file's modes (the permission bits).
pub fn permissions(dir: &str, dir_mode: u32, db: Option<(&str, u32)>) -> Check {
    if dir_mode & 0o002 != 0 {
        return Check::fail(
            "permissions",
            format!("{dir} is writable by every user (mode {dir_mode:03o})"),
            format!("chmod 750 {dir}"),
        );
    }
    if let Some((file, mode)) = db {
        if mode & 0o006 != 0 {
            return Check::warn(
                "permissions",
                format!("{file} is readable by every user (mode {mode:03o})"),
                format!("chmod 640 {file}"),
            );
        }
    }
    if dir_mode & 0o007 != 0 {
        return Check::warn(
            "permissions",
            format!("{dir} is open to every user (mode {dir_mode:03o})"),
            format!("chmod 750 {dir}"),
        );
    }
    Check::ok(
        "permissions",
        format!("{dir} mode {dir_mode:03o}, not open to other users"),
    )
}

/// The oldest PostgreSQL major version Throughline is tested on.
pub const MIN_POSTGRES: u32 = 13;

pub fn postgres_version(version_num: u32, version: &str) -> Check {
    if version_num / 10_000 < MIN_POSTGRES {
        Check::warn(
            "postgres version",
            format!("PostgreSQL {version}"),
            format!("upgrade to PostgreSQL {MIN_POSTGRES} or newer"),
        )
    } else {
        Check::ok("postgres version", format!("PostgreSQL {version}"))
    }
}

pub fn postgres_settings(encoding: &str, collation: &str) -> Check {
    if !encoding.eq_ignore_ascii_case("UTF8") {
        return Check::warn(
            "postgres settings",
            format!("server_encoding {encoding}, collation {collation}"),
            "create the database with ENCODING 'UTF8' (and restore a pg_dump into it)",
        );
    }
    Check::ok(
        "postgres settings",
        format!("server_encoding UTF8, collation {collation}"),
    )
}

/// The schema compared with this build's migrations.
pub fn migrations(pending: &[(i64, String)], unknown: &[i64]) -> Check {
    if !unknown.is_empty() {
        return Check::fail(
            "migrations",
            format!("the database has migrations this build does not know ({unknown:?})"),
            "run the newer Throughline that made them, or restore a backup made by this version",
        );
    }
    if pending.is_empty() {
        return Check::ok("migrations", "the schema is up to date");
    }
    let names: Vec<String> = pending.iter().map(|(v, n)| format!("{v:04} {n}")).collect();
    Check::warn(
        "migrations",
        format!("{} pending: {}", pending.len(), names.join(", ")),
        "run `throughline migrate` (serve also applies them at start)",
    )
}

/// Over this skew between this machine's clock and the database server's, `doctor` warns.
pub const MAX_SKEW: Duration = Duration::from_secs(5);

pub fn clock_skew(skew: chrono::Duration) -> Check {
    let secs = skew.num_milliseconds().abs() as f64 / 1000.0;
    if secs > MAX_SKEW.as_secs_f64() {
        Check::warn(
            "clock",
            format!("this machine's clock and the database server's differ by {secs:.1} s"),
            "synchronise both clocks (NTP, e.g. systemd-timesyncd or chrony)",
        )
    } else {
        Check::ok(
            "clock",
            format!("within {secs:.1} s of the database server's"),
        )
    }
}

pub fn report_failed(checks: &[Check]) -> usize {
    checks.iter().filter(|c| c.status == Status::Fail).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn little_free_space_warns_and_almost_none_fails() {
        assert_eq!(free_space("/", 5 * LOW_SPACE).status, Status::Ok);
        assert_eq!(free_space("/", LOW_SPACE - 1).status, Status::Warn);
        assert_eq!(free_space("/", 10).status, Status::Fail);
    }

    #[test]
    fn open_permissions_are_named_with_their_fix() {
        assert_eq!(
            permissions("/d", 0o750, Some(("/d/t.db", 0o640))).status,
            Status::Ok
        );
        let c = permissions("/d", 0o750, Some(("/d/t.db", 0o644)));
        assert_eq!(
            (c.status, c.fix.as_deref()),
            (Status::Warn, Some("chmod 640 /d/t.db"))
        );
        assert_eq!(permissions("/d", 0o777, None).status, Status::Fail);
        assert_eq!(permissions("/d", 0o755, None).status, Status::Warn);
    }

    #[test]
    fn postgres_below_the_minimum_or_not_utf8_warns() {
        assert_eq!(postgres_version(120_005, "12.5").status, Status::Warn);
        assert_eq!(postgres_version(150_004, "15.4").status, Status::Ok);
        assert_eq!(postgres_settings("SQL_ASCII", "C").status, Status::Warn);
        assert_eq!(postgres_settings("UTF8", "C").status, Status::Ok);
    }

    #[test]
    fn pending_migrations_warn_and_unknown_ones_fail() {
        assert_eq!(migrations(&[], &[]).status, Status::Ok);
        let c = migrations(&[(21, "later".into())], &[]);
        assert_eq!(
            (c.status, c.message.as_str()),
            (Status::Warn, "1 pending: 0021 later")
        );
        assert_eq!(migrations(&[], &[99]).status, Status::Fail);
    }

    #[test]
    fn a_clock_skew_over_five_seconds_warns() {
        assert_eq!(clock_skew(chrono::Duration::seconds(-2)).status, Status::Ok);
        assert_eq!(
            clock_skew(chrono::Duration::seconds(-9)).status,
            Status::Warn
        );
    }
}
