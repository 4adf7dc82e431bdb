//! How often the server takes a backup: `24h`, `30m`, `2s` (humantime), a bare number of hours,
//! or `0`/`off` for never.

use std::time::Duration;

/// `None` is "never". A bare number counts hours, because a daily backup is `24`.
pub fn parse_every(text: &str) -> Result<Option<Duration>, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("off") || t == "0" {
        return Ok(None);
    }
    if let Ok(hours) = t.parse::<u64>() {
        return Ok(Some(Duration::from_secs(hours * 3600)));
    }
    match humantime::parse_duration(t) {
        Ok(d) if d.is_zero() => Ok(None),
        // Backups are named by the second they were taken.
        Ok(d) if d < Duration::from_secs(1) => Err(format!("{t:?} is shorter than a second")),
        Ok(d) => Ok(Some(d)),
        Err(e) => Err(format!(
            "{t:?} is not an interval ({e}); write e.g. \"24h\", \"30m\", 24 (hours) or \"off\""
        )),
    }
}

/// A clap value parser for `--backup-every`.
pub fn every_arg(text: &str) -> Result<Every, String> {
    parse_every(text).map(Every)
}

/// A parsed `backup_every`; `Every(None)` is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Every(pub Option<Duration>);

impl std::fmt::Display for Every {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str("off"),
            Some(d) => f.write_str(&humantime::format_duration(d).to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_hours_durations_or_off() {
        assert_eq!(parse_every("24"), Ok(Some(Duration::from_secs(86_400))));
        assert_eq!(parse_every("24h"), Ok(Some(Duration::from_secs(86_400))));
        assert_eq!(parse_every("2s"), Ok(Some(Duration::from_secs(2))));
        assert_eq!(parse_every("off"), Ok(None));
        assert_eq!(parse_every("0"), Ok(None));
        assert_eq!(parse_every("0s"), Ok(None));
        assert!(parse_every("daily").unwrap_err().contains("\"daily\""));
        assert_eq!(Every(None).to_string(), "off");
        assert_eq!(Every(Some(Duration::from_secs(86_400))).to_string(), "1day");
    }
}
