//! The server's own backups of an SQLite database: their names, which to keep, when the next is
//! due and when the last good one is too old. Pure rules here; files and SQLite in [`store`],
//! the server's timer in [`schedule`].
//!
//! A backup is written as `.throughline-<UTC stamp>.db.partial`, checked, and only then renamed
//! to `throughline-<UTC stamp>.db`: a file with the final name has passed its check.

pub mod schedule;
pub mod store;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

pub use store::{last_good, list};

/// One file in the backup folder.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BackupFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub taken_at: DateTime<Utc>,
    /// Checked after it was written (integrity, schema); false for a copy cut short.
    pub verified: bool,
}

const PREFIX: &str = "throughline-";
const PARTIAL_PREFIX: &str = ".throughline-";
const STAMP: &str = "%Y%m%dT%H%M%SZ";

/// The backup taken at `at`: (name while being written, final name).
pub fn file_names(at: DateTime<Utc>) -> (String, String) {
    let stamp = at.format(STAMP);
    (
        format!("{PARTIAL_PREFIX}{stamp}.db.partial"),
        format!("{PREFIX}{stamp}.db"),
    )
}

/// When a file of the backup folder was taken and whether it is a finished (checked) copy;
/// `None` for files that are not backups.
pub fn parse_name(name: &str) -> Option<(DateTime<Utc>, bool)> {
    let (stamp, verified) = if let Some(s) = name.strip_prefix(PREFIX) {
        (s.strip_suffix(".db")?, true)
    } else {
        (
            name.strip_prefix(PARTIAL_PREFIX)?
                .strip_suffix(".db.partial")?,
            false,
        )
    };
    let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
    Some((at, verified))
}

/// The newest checked backup.
pub fn newest_good(files: &[BackupFile]) -> Option<&BackupFile> {
    files
        .iter()
        .filter(|f| f.verified)
        .max_by_key(|f| f.taken_at)
}

/// A partial copy older than this was cut short (a crash or a full disk), not still being written.
pub const PARTIAL_ABANDONED_AFTER: Duration = Duration::from_secs(3600);

/// What to delete: checked backups beyond the newest `keep`, and abandoned partial copies.
pub fn to_prune(files: &[BackupFile], keep: usize, now: DateTime<Utc>) -> Vec<&BackupFile> {
    let mut good: Vec<&BackupFile> = files.iter().filter(|f| f.verified).collect();
    good.sort_by_key(|f| std::cmp::Reverse(f.taken_at));
    let abandoned = files.iter().filter(|f| {
        !f.verified && (now - f.taken_at).to_std().unwrap_or_default() > PARTIAL_ABANDONED_AFTER
    });
    good.into_iter().skip(keep).chain(abandoned).collect()
}

/// How long to wait before the next backup: none yet, or the last one is due, means now.
pub fn wait_before_next(
    last: Option<DateTime<Utc>>,
    every: Duration,
    now: DateTime<Utc>,
) -> Duration {
    let Some(last) = last else {
        return Duration::ZERO;
    };
    let since = (now - last).to_std().unwrap_or_default();
    every.saturating_sub(since)
}

/// The admin area warns when the last good backup is older than this.
pub const STALE_AFTER: chrono::Duration = chrono::Duration::days(2);

/// The warning for the admin area and `doctor`, or `None` while backups are fresh.
pub fn stale_warning(last: Option<&BackupFile>, now: DateTime<Utc>) -> Option<String> {
    match last {
        None => Some("there is no good backup yet".into()),
        Some(f) if now - f.taken_at > STALE_AFTER => Some(format!(
            "the last good backup, {}, is {} old",
            f.name,
            age(now - f.taken_at)
        )),
        Some(_) => None,
    }
}

/// An age in the largest whole unit: "45 s", "3 min", "5 h", "2 days".
pub fn age(d: chrono::Duration) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h", s / 3600),
        _ if s < 2 * 86_400 => "1 day".into(),
        _ => format!("{} days", s / 86_400),
    }
}

/// A size in bytes, KiB, MiB or GiB.
pub fn size(bytes: u64) -> String {
    const K: u64 = 1024;
    match bytes {
        b if b < K => format!("{b} B"),
        b if b < K * K => format!("{:.1} KiB", b as f64 / K as f64),
        b if b < K * K * K => format!("{:.1} MiB", b as f64 / (K * K) as f64),
        b => format!("{:.1} GiB", b as f64 / (K * K * K) as f64),
    }
}

/// Whether the migrations a copy has applied suit this build: `exact` for a fresh backup (it
/// must have every migration), otherwise an older schema is fine (a restore migrates it).
pub fn schema_fits(applied: &[i64], expected: &[i64], exact: bool) -> Result<(), String> {
    let last = |v: &[i64]| v.last().copied().unwrap_or(0);
    if applied.is_empty() {
        return Err("it has no Throughline schema (no migrations applied)".into());
    }
    if applied == expected {
        return Ok(());
    }
    let older = applied.len() < expected.len() && expected[..applied.len()] == *applied;
    match (older, exact) {
        (true, false) => Ok(()),
        (true, true) => Err(format!(
            "it has migrations up to {}, this Throughline expects up to {}",
            last(applied),
            last(expected)
        )),
        (false, _) => Err(format!(
            "it was made by a newer Throughline (migrations up to {}; this one knows up to {})",
            last(applied),
            last(expected)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, 0, 0).unwrap()
    }

    fn file(taken_at: DateTime<Utc>, verified: bool) -> BackupFile {
        let (partial, done) = file_names(taken_at);
        let name = if verified { done } else { partial };
        BackupFile {
            path: name.clone().into(),
            name,
            bytes: 1,
            taken_at,
            verified,
        }
    }

    #[test]
    fn names_round_trip_and_other_files_are_not_backups() {
        let (partial, done) = file_names(at(5));
        assert_eq!(done, "throughline-20261130T050000Z.db");
        assert_eq!(parse_name(&done), Some((at(5), true)));
        assert_eq!(parse_name(&partial), Some((at(5), false)));
        assert_eq!(parse_name("throughline.db"), None);
        assert_eq!(parse_name("throughline-yesterday.db"), None);
    }

    #[test]
    fn pruning_keeps_the_newest_good_ones_and_drops_abandoned_partials() {
        let files = vec![
            file(at(1), true),
            file(at(3), true),
            file(at(2), true),
            file(at(4), false),
            file(at(9), false),
        ];
        let gone: Vec<DateTime<Utc>> = to_prune(&files, 2, at(10))
            .iter()
            .map(|f| f.taken_at)
            .collect();
        // at(9)'s partial may still be being written; at(4)'s was abandoned.
        assert_eq!(gone, vec![at(1), at(4)]);
        assert!(to_prune(&files[..3], 7, at(10)).is_empty());
        assert_eq!(newest_good(&files).map(|f| f.taken_at), Some(at(3)));
    }

    #[test]
    fn the_next_backup_waits_for_the_interval_since_the_last() {
        let day = Duration::from_secs(86_400);
        assert_eq!(wait_before_next(None, day, at(10)), Duration::ZERO);
        assert_eq!(
            wait_before_next(Some(at(4)), day, at(10)),
            Duration::from_secs(18 * 3600)
        );
        assert_eq!(
            wait_before_next(Some(at(4) - chrono::Duration::days(3)), day, at(10)),
            Duration::ZERO
        );
    }

    #[test]
    fn a_backup_older_than_two_days_is_warned_about() {
        let old = file(at(9) - chrono::Duration::days(3), true);
        assert_eq!(
            stale_warning(Some(&old), at(10)).as_deref(),
            Some("the last good backup, throughline-20261127T090000Z.db, is 3 days old")
        );
        assert_eq!(stale_warning(Some(&file(at(9), true)), at(10)), None);
        assert!(stale_warning(None, at(10)).is_some());
    }

    #[test]
    fn ages_and_sizes_read_plainly() {
        assert_eq!(age(chrono::Duration::seconds(42)), "42 s");
        assert_eq!(age(chrono::Duration::hours(5)), "5 h");
        assert_eq!(age(chrono::Duration::hours(30)), "1 day");
        assert_eq!(size(1536), "1.5 KiB");
    }

    #[test]
    fn a_copy_fits_when_its_migrations_are_this_builds_or_an_older_prefix() {
        assert!(schema_fits(&[1, 2, 3], &[1, 2, 3], true).is_ok());
        assert!(schema_fits(&[1, 2], &[1, 2, 3], false).is_ok());
        assert!(schema_fits(&[1, 2], &[1, 2, 3], true)
            .unwrap_err()
            .contains("up to 2"));
        assert!(schema_fits(&[1, 2, 3, 4], &[1, 2, 3], false)
            .unwrap_err()
            .contains("newer"));
        assert!(schema_fits(&[], &[1], false).is_err());
    }
}
