//! Dates the product reasons in: calendar quarters (`2027-Q1`) and today's date. The lowest
//! layer, so that the backlog, the strategy and the reports share one idea of "now".

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// A calendar quarter, `2027-Q1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub fn parse(s: &str) -> Result<Quarter> {
        let bad = || Error::invalid("quarter", format!("{s:?} is not a quarter like 2027-Q1"));
        let (y, q) = s.trim().split_once("-Q").ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let q: u32 = q.parse().map_err(|_| bad())?;
        if y.len() != 4 || !(2000..=2100).contains(&year) || !(1..=4).contains(&q) {
            return Err(bad());
        }
        Ok(Quarter { year, q })
    }

    pub fn of(date: NaiveDate) -> Quarter {
        Quarter {
            year: date.year(),
            q: (date.month0() / 3) + 1,
        }
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).unwrap_or_default()
    }

    /// Once a quarter has started, changes to its priorities need a reason.
    pub fn has_started(self, today: NaiveDate) -> bool {
        today >= self.start()
    }

    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

/// Today's date (UTC), or the date `THROUGHLINE_TODAY` (`YYYY-MM-DD`) sets for the whole
/// process: a demo or a test that runs the binary can fix the clock and get the same quarters,
/// sprint days and ages every time.
pub fn today() -> NaiveDate {
    static FIXED: OnceLock<Option<NaiveDate>> = OnceLock::new();
    FIXED
        .get_or_init(|| {
            std::env::var("THROUGHLINE_TODAY")
                .ok()
                .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        })
        .unwrap_or_else(|| chrono::Utc::now().date_naive())
}
