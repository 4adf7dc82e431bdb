//! The flow numbers (PRODUCT.md, Definitions), as pure functions over items' status histories:
//! throughput (items finished per week), cycle time (first In progress to the final Done) with
//! its 50th, 85th and 95th percentiles, aging work in progress (In progress or In review, with
//! how long each has been started), and the cumulative flow diagram (items per status at the
//! end of each day). Whole weeks run Monday to Sunday, in UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::points::Points;

/// One item's status changes, oldest first, as `item_status_events` keeps them.
#[derive(Clone, Debug)]
pub struct History {
    pub key: String,
    pub title: String,
    pub points: Option<Points>,
    pub events: Vec<(String, DateTime<Utc>)>,
}

impl History {
    /// The status now: the last event's.
    pub fn status(&self) -> Option<&str> {
        self.events.last().map(|e| e.0.as_str())
    }

    /// When the item was finished: the start of its final run of Done, if it is done.
    pub fn finished(&self) -> Option<DateTime<Utc>> {
        if self.status()? != "done" {
            return None;
        }
        self.events
            .iter()
            .rev()
            .take_while(|(s, _)| s == "done")
            .last()
            .map(|e| e.1)
    }

    /// When the item was first started (moved to In progress), if ever.
    pub fn started(&self) -> Option<DateTime<Utc>> {
        self.events
            .iter()
            .find(|(s, _)| s == "in_progress")
            .map(|e| e.1)
    }

    /// When the item entered the column it is in now.
    pub fn entered(&self) -> Option<DateTime<Utc>> {
        let now = self.status()?;
        self.events
            .iter()
            .rev()
            .take_while(|(s, _)| s == now)
            .last()
            .map(|e| e.1)
    }
}

/// The Monday of a date's week.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Week {
    /// The week's Monday.
    pub week: NaiveDate,
    pub finished: u32,
}

/// Items finished per whole week, oldest first: from the week work first started (or
/// `today`'s minus `max_weeks`, whichever is later) to the last whole week before `today`'s.
/// The week under way is left out: it would read as a slow week.
pub fn throughput(items: &[History], today: NaiveDate, max_weeks: usize) -> Vec<Week> {
    let this_week = week_of(today);
    let Some(first) = items
        .iter()
        .filter_map(|h| h.started().or(h.finished()))
        .min()
    else {
        return Vec::new();
    };
    let earliest = this_week - Duration::weeks(max_weeks as i64);
    let mut week = week_of(first.date_naive()).max(earliest);
    let mut out = Vec::new();
    while week < this_week {
        out.push(Week { week, finished: 0 });
        week += Duration::weeks(1);
    }
    for done in items.iter().filter_map(History::finished) {
        let w = week_of(done.date_naive());
        if let Some(row) = out.iter_mut().find(|r| r.week == w) {
            row.finished += 1;
        }
    }
    out
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Cycle {
    pub key: String,
    pub title: String,
    /// The day it was finished.
    pub finished: NaiveDate,
    /// From the first In progress to the final Done, in days.
    pub days: f64,
}

/// The cycle time of every finished item that was started, by finish date.
pub fn cycles(items: &[History]) -> Vec<Cycle> {
    let mut out: Vec<Cycle> = items
        .iter()
        .filter_map(|h| {
            let (start, done) = (h.started()?, h.finished()?);
            Some(Cycle {
                key: h.key.clone(),
                title: h.title.clone(),
                finished: done.date_naive(),
                days: (done - start).num_seconds().max(0) as f64 / 86_400.0,
            })
        })
        .collect();
    out.sort_by(|a, b| a.finished.cmp(&b.finished).then(a.key.cmp(&b.key)));
    out
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Percentiles {
    pub p50: Option<f64>,
    pub p85: Option<f64>,
    pub p95: Option<f64>,
}

/// Nearest-rank percentiles of cycle times, as the sprint reports compute them.
pub fn percentiles(cycles: &[Cycle]) -> Percentiles {
    let mut days: Vec<f64> = cycles.iter().map(|c| c.days).collect();
    days.sort_by(f64::total_cmp);
    let p = |q| crate::report::percentile(&days, q);
    Percentiles {
        p50: p(50.0),
        p85: p(85.0),
        p95: p(95.0),
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Aging {
    pub key: String,
    pub title: String,
    /// in_progress or in_review.
    pub status: String,
    /// Days since it was first started.
    pub age_days: f64,
    /// Days in the column it is in now.
    pub in_column_days: f64,
    /// Older than the 85th percentile of past cycle times.
    pub aging: bool,
}

/// Work in progress (In progress or In review), oldest first, with how long each has run.
pub fn aging(items: &[History], now: DateTime<Utc>, p85: Option<f64>) -> Vec<Aging> {
    let days = |t: DateTime<Utc>| (now - t).num_seconds().max(0) as f64 / 86_400.0;
    let mut out: Vec<Aging> = items
        .iter()
        .filter(|h| matches!(h.status(), Some("in_progress" | "in_review")))
        .map(|h| {
            let entered = h.entered().unwrap_or(now);
            let age_days = days(h.started().unwrap_or(entered));
            Aging {
                key: h.key.clone(),
                title: h.title.clone(),
                status: h.status().unwrap_or_default().to_string(),
                age_days,
                in_column_days: days(entered),
                aging: super::is_aging(age_days, p85),
            }
        })
        .collect();
    out.sort_by(|a, b| b.age_days.total_cmp(&a.age_days));
    out
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FlowDay {
    pub date: NaiveDate,
    pub todo: u32,
    pub in_progress: u32,
    pub in_review: u32,
    /// Done by the end of the day, counting `done_before` (items finished before the window).
    pub done: u32,
}

/// Items per status at the end of each day from `from` to `to` (both included); an item
/// counts from its first event on. `done_before` is added to every day's Done.
pub fn cumulative_flow(
    items: &[History],
    from: NaiveDate,
    to: NaiveDate,
    done_before: u32,
) -> Vec<FlowDay> {
    let mut out = Vec::new();
    let mut day = from;
    while day <= to {
        let end = (day + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc();
        let mut d = FlowDay {
            date: day,
            todo: 0,
            in_progress: 0,
            in_review: 0,
            done: done_before,
        };
        for h in items {
            match h
                .events
                .iter()
                .rev()
                .find(|e| e.1 < end)
                .map(|e| e.0.as_str())
            {
                Some("todo") => d.todo += 1,
                Some("in_progress") => d.in_progress += 1,
                Some("in_review") => d.in_review += 1,
                Some("done") => d.done += 1,
                _ => {}
            }
        }
        out.push(d);
        day += Duration::days(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: &str, h: u32) -> DateTime<Utc> {
        NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .expect("date")
            .and_hms_opt(h, 0, 0)
            .expect("time")
            .and_utc()
    }

    fn item(key: &str, ev: &[(&str, &str, u32)]) -> History {
        History {
            key: key.into(),
            title: key.into(),
            points: None,
            events: ev
                .iter()
                .map(|(s, d, h)| (s.to_string(), at(d, *h)))
                .collect(),
        }
    }

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("date")
    }

    // 2026-11-02 is a Monday.
    fn sample() -> Vec<History> {
        vec![
            item(
                "A-1",
                &[
                    ("todo", "2026-11-02", 9),
                    ("in_progress", "2026-11-03", 9),
                    ("done", "2026-11-05", 9),
                ],
            ),
            item(
                "A-2",
                &[
                    ("todo", "2026-11-02", 9),
                    ("in_progress", "2026-11-04", 9),
                    ("done", "2026-11-11", 9),
                ],
            ),
            item(
                "A-3",
                &[
                    ("todo", "2026-11-02", 9),
                    ("in_progress", "2026-11-09", 9),
                    ("in_review", "2026-11-12", 9),
                ],
            ),
            item("A-4", &[("todo", "2026-11-02", 9)]),
        ]
    }

    #[test]
    fn throughput_counts_whole_weeks_from_the_first_start() {
        let t = throughput(&sample(), day("2026-11-18"), 26);
        assert_eq!(
            t,
            vec![
                Week {
                    week: day("2026-11-02"),
                    finished: 1
                },
                Week {
                    week: day("2026-11-09"),
                    finished: 1
                },
            ],
            "the week of the 16th is under way and left out"
        );
        assert_eq!(throughput(&sample(), day("2026-11-18"), 1).len(), 1);
        assert!(throughput(&sample()[3..], day("2026-11-18"), 26).is_empty());
    }

    #[test]
    fn cycle_times_and_their_percentiles_by_hand() {
        let c = cycles(&sample());
        assert_eq!(c.iter().map(|c| c.days).collect::<Vec<_>>(), vec![2.0, 7.0]);
        let p = percentiles(&c);
        assert_eq!((p.p50, p.p85, p.p95), (Some(2.0), Some(7.0), Some(7.0)));
        assert_eq!(percentiles(&[]), Percentiles::default());
    }

    #[test]
    fn aging_work_in_progress_is_oldest_first_and_amber_past_p85() {
        let a = aging(&sample(), at("2026-11-16", 9), Some(5.0));
        assert_eq!(a.len(), 1);
        assert_eq!(
            (a[0].key.as_str(), a[0].age_days, a[0].in_column_days),
            ("A-3", 7.0, 4.0)
        );
        assert!(a[0].aging);
        assert!(!aging(&sample(), at("2026-11-16", 9), Some(8.0))[0].aging);
    }

    #[test]
    fn cumulative_flow_counts_each_status_at_the_end_of_each_day() {
        let f = cumulative_flow(&sample(), day("2026-11-03"), day("2026-11-05"), 10);
        assert_eq!(
            f.iter()
                .map(|d| (d.todo, d.in_progress, d.in_review, d.done))
                .collect::<Vec<_>>(),
            vec![(3, 1, 0, 10), (2, 2, 0, 10), (2, 1, 0, 11)]
        );
    }
}
