//! The burndown: remaining points at the end of each sprint day, the ideal line, scope changes.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::points::Points;

/// A stretch of time an item spent in the sprint's scope.
pub struct Span {
    pub item_id: i64,
    pub points: Points,
    pub added: DateTime<Utc>,
    pub removed: Option<DateTime<Utc>>,
    pub in_baseline: bool,
}

/// An item's status from `at` on.
pub struct StatusEvent {
    pub item_id: i64,
    pub at: DateTime<Utc>,
    pub done: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Day {
    #[schema(value_type = String)]
    pub date: NaiveDate,
    /// Points in scope at the end of the day.
    pub scope: Points,
    /// Points in scope and not done at the end of the day.
    pub remaining: Points,
    /// The ideal line: the baseline burnt evenly over the workdays, as capacity counts them,
    /// to zero on the last one; flat over weekends.
    pub ideal: f64,
    /// Points added to and removed from the scope during the day (after the start).
    pub added: Points,
    pub removed: Points,
}

fn end_of(d: NaiveDate) -> DateTime<Utc> {
    let next = d.succ_opt().unwrap_or(d);
    next.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// Days from the first to `min(last, today)`; empty before the sprint starts.
pub fn compute(
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
    baseline: Points,
    spans: &[Span],
    events: &[StatusEvent],
) -> Vec<Day> {
    // Workdays after the first day, up to and including each day: the ideal line burns only
    // on those, as capacity counts only workdays.
    let burnt = |d: NaiveDate| {
        super::workdays(first, d)
            .iter()
            .filter(|w| **w > first)
            .count()
    };
    let total = burnt(last).max(1) as f64;
    let upto = last.min(today);
    let mut out = Vec::new();
    for (i, d) in first.iter_days().take_while(|d| *d <= upto).enumerate() {
        let eod = end_of(d);
        let sod = end_of(d.pred_opt().unwrap_or(d));
        let in_scope = spans
            .iter()
            .filter(|s| s.added < eod && s.removed.is_none_or(|r| r >= eod));
        let (mut scope, mut remaining) = (Points::ZERO, Points::ZERO);
        for s in in_scope {
            scope += s.points;
            let done = events
                .iter()
                .filter(|e| e.item_id == s.item_id && e.at < eod)
                .max_by_key(|e| e.at)
                .is_some_and(|e| e.done);
            if !done {
                remaining += s.points;
            }
        }
        let during = |t: DateTime<Utc>| (i == 0 || t >= sod) && t < eod;
        let added = spans
            .iter()
            .filter(|s| !s.in_baseline && during(s.added))
            .map(|s| s.points)
            .sum();
        let removed = spans
            .iter()
            .filter(|s| s.removed.is_some_and(during))
            .map(|s| s.points)
            .sum();
        out.push(Day {
            date: d,
            scope,
            remaining,
            ideal: baseline.as_f64() * (1.0 - burnt(d) as f64 / total),
            added,
            removed,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").to_utc()
    }

    #[test]
    fn burndown_by_hand() {
        // A 4-day window of a sprint: baseline 8 + 5 = 13 points; 3 added on day 2; the
        // 5-pointer done on day 2, the 3-pointer removed on day 3, the 8-pointer done on day 4.
        let spans = [
            Span {
                item_id: 1,
                points: Points::whole(8),
                added: at("2027-01-01T09:00:00Z"),
                removed: None,
                in_baseline: true,
            },
            Span {
                item_id: 2,
                points: Points::whole(5),
                added: at("2027-01-01T09:00:00Z"),
                removed: None,
                in_baseline: true,
            },
            Span {
                item_id: 3,
                points: Points::whole(3),
                added: at("2027-01-05T10:00:00Z"),
                removed: Some(at("2027-01-06T12:00:00Z")),
                in_baseline: false,
            },
        ];
        let events = [
            StatusEvent {
                item_id: 2,
                at: at("2027-01-05T15:00:00Z"),
                done: true,
            },
            StatusEvent {
                item_id: 1,
                at: at("2027-01-05T16:00:00Z"),
                done: false,
            },
            StatusEvent {
                item_id: 1,
                at: at("2027-01-07T11:00:00Z"),
                done: true,
            },
        ];
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let days = compute(
            d("2027-01-04"),
            d("2027-01-07"),
            d("2027-01-30"),
            Points::whole(13),
            &spans,
            &events,
        );
        let remaining: Vec<i64> = days
            .iter()
            .map(|x| x.remaining.hundredths() / 100)
            .collect();
        let scope: Vec<i64> = days.iter().map(|x| x.scope.hundredths() / 100).collect();
        assert_eq!(scope, vec![13, 16, 13, 13]);
        assert_eq!(remaining, vec![13, 11, 8, 0]);
        assert_eq!(days[1].added, Points::whole(3));
        assert_eq!(days[2].removed, Points::whole(3));
        assert_eq!(
            days[0].added,
            Points::ZERO,
            "the baseline is not a scope change"
        );
        let ideal: Vec<f64> = days.iter().map(|x| x.ideal).collect();
        assert!((ideal[0] - 13.0).abs() < 1e-9 && ideal[3].abs() < 1e-9);
        // Over a weekend the ideal line stays flat: two weeks from Monday burn on the nine
        // workdays after the first, and reach zero on the second Friday.
        let two = compute(
            d("2027-01-04"),
            d("2027-01-17"),
            d("2027-02-01"),
            Points::whole(9),
            &[],
            &[],
        );
        let ideal: Vec<f64> = two.iter().map(|x| x.ideal).collect();
        assert_eq!(ideal[4], 5.0, "Friday");
        assert_eq!((ideal[5], ideal[6]), (5.0, 5.0), "the weekend");
        assert_eq!(ideal[7], 4.0, "Monday");
        assert_eq!((ideal[11], ideal[12], ideal[13]), (0.0, 0.0, 0.0));
        // Before the last day only the days so far are drawn.
        assert_eq!(
            compute(
                d("2027-01-04"),
                d("2027-01-07"),
                d("2027-01-05"),
                Points::whole(13),
                &spans,
                &events
            )
            .len(),
            2
        );
    }
}
