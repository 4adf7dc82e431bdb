//! How often a password may be tried: the pure rule, over counts the database keeps.
//!
//! Two limits, each with its own pace. An *address* (where the request comes from) gets
//! [`ADDRESS_LIMIT`] failures in [`ADDRESS_WINDOW_SECS`], whatever accounts it tries: that stops
//! one machine guessing fast. An *account* (the e-mail tried, known or not, so that the answer
//! never tells which exist) gets [`ACCOUNT_FREE`] failures, then must wait a back-off that
//! doubles with each further failure up to [`ACCOUNT_MAX_WAIT_SECS`]: that slows many machines
//! guessing one password, without a fixed lock. The account's back-off never applies to an
//! address the account has signed in from before, so guesses from elsewhere cannot lock its
//! owner out; that address still has its own limit.

use chrono::{DateTime, Utc};

pub const ADDRESS_LIMIT: i64 = 10;
pub const ADDRESS_WINDOW_SECS: i64 = 5 * 60;
pub const ACCOUNT_FREE: i64 = 5;
/// Failures older than this no longer count against the account.
pub const ACCOUNT_WINDOW_SECS: i64 = 60 * 60;
pub const ACCOUNT_FIRST_WAIT_SECS: i64 = 60;
pub const ACCOUNT_MAX_WAIT_SECS: i64 = 15 * 60;

/// What the database says about the tries before this one (this one not included).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recent {
    /// Failed or turned-away tries from this address in the last [`ADDRESS_WINDOW_SECS`].
    pub address_failures: i64,
    /// Failed tries for this e-mail in the last [`ACCOUNT_WINDOW_SECS`] (turned-away ones not
    /// counted: they tried no password).
    pub account_failures: i64,
    /// When the latest of those was.
    pub last_account_failure: Option<DateTime<Utc>>,
    /// The account has signed in from this address before.
    pub known_address: bool,
}

/// The wait after `failures` failed tries of an account: none for the first few, then 1, 2,
/// 4 … minutes, capped.
pub fn account_wait_secs(failures: i64) -> i64 {
    if failures < ACCOUNT_FREE {
        return 0;
    }
    let doublings = (failures - ACCOUNT_FREE).min(10) as u32;
    (ACCOUNT_FIRST_WAIT_SECS << doublings).min(ACCOUNT_MAX_WAIT_SECS)
}

/// `Ok` when the password may be checked now, else the seconds to wait.
pub fn verdict(r: &Recent, now: DateTime<Utc>) -> Result<(), u64> {
    if r.address_failures >= ADDRESS_LIMIT {
        return Err(ADDRESS_WINDOW_SECS as u64);
    }
    if r.known_address {
        return Ok(());
    }
    let wait = account_wait_secs(r.account_failures);
    let since = r
        .last_account_failure
        .map_or(i64::MAX, |at| (now - at).num_seconds());
    if wait > 0 && since < wait {
        return Err((wait - since.max(0)) as u64);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(now: DateTime<Utc>, secs_ago: i64) -> Option<DateTime<Utc>> {
        Some(now - Duration::seconds(secs_ago))
    }

    #[test]
    fn an_address_gets_ten_failures_whatever_it_tries() {
        let now = Utc::now();
        let mut r = Recent {
            address_failures: 9,
            known_address: true,
            ..Recent::default()
        };
        assert_eq!(verdict(&r, now), Ok(()));
        r.address_failures = 10;
        assert_eq!(verdict(&r, now), Err(300), "even from a known address");
    }

    #[test]
    fn an_account_backs_off_doubling_after_five_failures() {
        assert_eq!(
            [4, 5, 6, 7, 9, 50].map(account_wait_secs),
            [0, 60, 120, 240, 900, 900]
        );
        let now = Utc::now();
        let mut r = Recent {
            account_failures: 5,
            last_account_failure: at(now, 20),
            ..Recent::default()
        };
        assert_eq!(verdict(&r, now), Err(40));
        r.last_account_failure = at(now, 61);
        assert_eq!(verdict(&r, now), Ok(()));
        r.account_failures = 6;
        assert_eq!(verdict(&r, now), Err(59));
    }

    #[test]
    fn the_back_off_never_applies_where_the_account_signed_in_before() {
        let now = Utc::now();
        let r = Recent {
            account_failures: 40,
            last_account_failure: at(now, 0),
            known_address: true,
            ..Recent::default()
        };
        assert_eq!(verdict(&r, now), Ok(()));
        let stranger = Recent {
            known_address: false,
            ..r
        };
        assert_eq!(verdict(&stranger, now), Err(900));
    }
}
