//! Sprints (E5–E8): dates, states and the figures a team steers by, as pure functions.
//!
//! The rules live here and in `capacity` and `burndown`; `store` holds the SQL, `service` the
//! actions the API, the pages and the CLI share.

pub mod board;
pub mod burndown;
pub mod capacity;
pub mod input;
pub mod review;
pub mod scope;
pub mod scope_items;
pub mod service;
pub mod store;
pub mod team;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::points::Points;

pub const STATES: [&str; 3] = ["planned", "active", "closed"];

/// A sprint as every interface shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Sprint {
    #[schema(value_type = i64)]
    pub id: crate::ids::SprintId,
    pub product: String,
    pub team_id: i64,
    pub team: String,
    pub name: String,
    pub goal: String,
    /// Null for a sprint imported from a file that does not give its dates.
    #[schema(value_type = Option<String>, example = "2027-01-04")]
    pub start_date: Option<NaiveDate>,
    #[schema(value_type = Option<String>, example = "2027-01-17")]
    pub end_date: Option<NaiveDate>,
    /// planned, active or closed.
    pub state: String,
    pub goal_met: Option<bool>,
    /// Figures frozen at start (baseline) and close; null until then.
    pub figures: Option<Figures>,
    pub version: i64,
}

impl Sprint {
    /// Both dates, when the sprint has them (an imported sprint may have none).
    pub fn dates(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.start_date?, self.end_date?))
    }

    /// The dates as pages and the CLI show them, or that the file it came from had none.
    pub fn dates_text(&self) -> String {
        dates_text(self.start_date, self.end_date)
    }
}

/// `2027-01-04 – 2027-01-17`, or what is missing when a file did not give the dates.
pub fn dates_text(start: Option<NaiveDate>, end: Option<NaiveDate>) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{s} – {e}"),
        (Some(s), None) => format!("from {s} (end date not in the file)"),
        (None, Some(e)) => format!("until {e} (start date not in the file)"),
        (None, None) => "dates not in the file".into(),
    }
}

/// Answered with its version as the ETag, so the next write can send `If-Match`.
impl crate::audit::Versioned for Sprint {
    const NOUN: &'static str = "the sprint";
    fn version(&self) -> i64 {
        self.version
    }
}

/// What a sprint committed and delivered, frozen when it closes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// Points committed at the start (the baseline).
    pub committed: Points,
    /// Points added after the start.
    pub added: Option<Points>,
    /// Points removed after the start.
    pub removed: Option<Points>,
    /// Points of accepted items.
    pub completed: Option<Points>,
    /// Points committed at the start and accepted at review.
    pub say_do_points: Option<Points>,
}

impl Figures {
    /// Say/do: points committed at start and accepted ÷ points committed at start.
    pub fn say_do(&self) -> Option<f64> {
        let done = self.say_do_points?;
        (self.committed > Points::ZERO).then(|| ratio(done, self.committed))
    }

    /// Scope churn: points added and removed after the start ÷ points committed at start.
    pub fn churn(&self) -> Option<f64> {
        let moved = self.added? + self.removed?;
        (self.committed > Points::ZERO).then(|| ratio(moved, self.committed))
    }
}

/// `part ÷ whole` of two exact values, computed from their hundredths.
pub fn ratio(part: Points, whole: Points) -> f64 {
    part.hundredths() as f64 / whole.hundredths() as f64
}

pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, format!("{s:?} is not a date like 2027-01-04")))
}

/// A sprint lasts 1 to 4 whole weeks, its last day included.
pub fn validate_span(start: NaiveDate, end: NaiveDate) -> Result<()> {
    let days = (end - start).num_days() + 1;
    if days > 0 && days % 7 == 0 && (1..=4).contains(&(days / 7)) {
        return Ok(());
    }
    let ends: Vec<String> = (1..=4)
        .map(|w| (start + chrono::Duration::days(7 * w - 1)).to_string())
        .collect();
    Err(Error::invalid(
        "end_date",
        format!(
            "a sprint lasts 1 to 4 whole weeks; starting {start} it ends on {}",
            ends.join(", ")
        ),
    ))
}

pub fn validate_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(Error::invalid("name", "give a name of 1 to 100 characters"));
    }
    Ok(n.to_string())
}

pub fn validate_goal(goal: &str) -> Result<String> {
    crate::backlog::validate_text("goal", goal, 1_000)
}

/// Monday to Friday within the sprint, both ends included.
pub fn workdays(start: NaiveDate, end: NaiveDate) -> Vec<NaiveDate> {
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .collect()
}

/// Two inclusive date ranges share at least one day.
pub fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

pub fn state_title(s: &str) -> &'static str {
    match s {
        "planned" => "Planned",
        "active" => "Active",
        _ => "Closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date("d", s).expect("date")
    }

    #[test]
    fn sprints_last_one_to_four_whole_weeks() {
        assert!(validate_span(d("2027-01-04"), d("2027-01-10")).is_ok());
        assert!(validate_span(d("2027-01-04"), d("2027-01-31")).is_ok());
        let e = validate_span(d("2027-01-04"), d("2027-01-12")).expect_err("9 days");
        assert!(e.to_string().contains("2027-01-17"), "{e}");
        assert!(validate_span(d("2027-01-04"), d("2027-02-07")).is_err());
        assert!(validate_span(d("2027-01-04"), d("2027-01-03")).is_err());
        assert!(parse_date("start_date", "04/01/2027").is_err());
    }

    #[test]
    fn workdays_skip_weekends_and_ranges_overlap_on_shared_days() {
        // Mon 4 Jan – Sun 17 Jan 2027: ten workdays.
        assert_eq!(workdays(d("2027-01-04"), d("2027-01-17")).len(), 10);
        assert!(overlaps(
            (d("2027-01-04"), d("2027-01-17")),
            (d("2027-01-17"), d("2027-01-30"))
        ));
        assert!(!overlaps(
            (d("2027-01-04"), d("2027-01-17")),
            (d("2027-01-18"), d("2027-01-31"))
        ));
    }

    #[test]
    fn say_do_and_churn_come_from_frozen_figures() {
        let f = Figures {
            committed: Points::whole(20),
            added: Some(Points::whole(5)),
            removed: Some(Points::whole(3)),
            completed: Some(Points::whole(18)),
            say_do_points: Some(Points::whole(15)),
        };
        assert_eq!(f.say_do(), Some(0.75));
        assert_eq!(f.churn(), Some(0.4));
        let half = Figures {
            committed: "2.5".parse().unwrap(),
            say_do_points: Some("0.5".parse().unwrap()),
            ..Figures::default()
        };
        assert_eq!(half.say_do(), Some(0.2));
        assert_eq!(Figures::default().say_do(), None);
    }
}
