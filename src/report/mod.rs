//! Reports (E10): velocity, say/do, scope churn per sprint, and cycle time per item with its
//! distribution; per product or per team. The numbers are computed here, purely.

pub mod charts;
pub mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::points::Points;

/// A closed sprint's frozen figures, as a report row.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct SprintRow {
    pub id: i64,
    pub name: String,
    pub team: String,
    /// None for a sprint imported without dates (listed first: older than any dated one).
    pub start_date: Option<String>,
    pub committed: Points,
    pub added: Points,
    pub removed: Points,
    pub completed: Points,
    pub say_do_points: Points,
    /// say_do_points ÷ committed.
    pub say_do: Option<f64>,
    /// (added + removed) ÷ committed.
    pub churn: Option<f64>,
    pub goal_met: Option<bool>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CycleTime {
    pub key: String,
    pub title: String,
    /// From the first move out of "to do" to the final "done", in days.
    pub days: f64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    pub label: String,
    pub count: u32,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Report {
    /// The team the report is narrowed to, if any.
    pub team: Option<String>,
    /// Closed sprints, oldest first.
    pub sprints: Vec<SprintRow>,
    /// Mean completed points of the last three closed sprints, from exact sums (a mean may
    /// be fractional: 0.5, 1 and 1 give 0.8333…); the page shows one decimal.
    pub velocity: Option<f64>,
    /// Over all the sprints listed: Σ committed-and-accepted ÷ Σ committed.
    pub say_do: Option<f64>,
    pub cycle_times: Vec<CycleTime>,
    pub cycle_buckets: Vec<Bucket>,
    pub cycle_p50: Option<f64>,
    pub cycle_p85: Option<f64>,
}

/// Seconds from the first "in progress" to the final "done" (PRODUCT.md, Definitions); `None`
/// while not done, or when the item was never in progress (straight from "to do" to "done", or
/// to "in review" without being started): an item never started has no cycle time.
pub fn cycle_seconds(events: &[(String, DateTime<Utc>)]) -> Option<i64> {
    let (last_status, last_at) = events.last()?;
    if last_status != "done" {
        return None;
    }
    let started = events.iter().find(|(s, _)| s == "in_progress")?.1;
    let done = events
        .iter()
        .rev()
        .take_while(|(s, _)| s == "done")
        .last()
        .map_or(*last_at, |e| e.1);
    Some((done - started).num_seconds().max(0))
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank - 1).copied()
}

const EDGES: [(f64, &str); 7] = [
    (1.0, "<1d"),
    (2.0, "1–2d"),
    (3.0, "2–3d"),
    (5.0, "3–5d"),
    (8.0, "5–8d"),
    (13.0, "8–13d"),
    (f64::INFINITY, "13d+"),
];

pub fn buckets(days: &[f64]) -> Vec<Bucket> {
    EDGES
        .iter()
        .enumerate()
        .map(|(i, (hi, label))| {
            let lo = if i == 0 { 0.0 } else { EDGES[i - 1].0 };
            Bucket {
                label: label.to_string(),
                count: days.iter().filter(|d| **d >= lo && **d < *hi).count() as u32,
            }
        })
        .collect()
}

/// `num ÷ den` of two exact sums of points; none when `den` is zero.
pub fn ratio(num: Points, den: Points) -> Option<f64> {
    (den > Points::ZERO).then(|| num.hundredths() as f64 / den.hundredths() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + h * 3600, 0).unwrap_or_default()
    }

    #[test]
    fn cycle_time_runs_from_first_start_to_final_done() {
        let ev = |v: &[(&str, i64)]| {
            v.iter()
                .map(|(s, h)| (s.to_string(), at(*h)))
                .collect::<Vec<_>>()
        };
        // Started at hour 2, done at 30, reopened, done again at 50: 48 hours.
        let e = ev(&[
            ("todo", 0),
            ("in_progress", 2),
            ("done", 30),
            ("in_progress", 40),
            ("done", 50),
        ]);
        assert_eq!(cycle_seconds(&e), Some(48 * 3600));
        assert_eq!(cycle_seconds(&ev(&[("todo", 0), ("in_progress", 2)])), None);
        assert_eq!(cycle_seconds(&ev(&[("todo", 0), ("done", 5)])), None);
        assert_eq!(
            cycle_seconds(&ev(&[("in_progress", 1), ("done", 25), ("done", 30)])),
            Some(24 * 3600)
        );
        assert_eq!(
            cycle_seconds(&ev(&[("todo", 0), ("in_review", 1), ("done", 25)])),
            None,
            "never in progress: never started"
        );
    }

    #[test]
    fn percentiles_and_buckets_by_hand() {
        let v = [0.5, 1.5, 2.0, 4.0, 10.0, 20.0];
        assert_eq!(percentile(&v, 50.0), Some(2.0));
        assert_eq!(percentile(&v, 85.0), Some(20.0));
        assert_eq!(percentile(&[], 50.0), None);
        let b: Vec<u32> = buckets(&v).iter().map(|b| b.count).collect();
        assert_eq!(b, vec![1, 1, 1, 1, 0, 1, 1]);
        let p = |s: &str| s.parse::<Points>().expect("points");
        assert_eq!(ratio(p("3"), p("4")), Some(0.75));
        assert_eq!(ratio(p("3"), Points::ZERO), None);
        assert_eq!(ratio(p("0.5"), p("2.5")), Some(0.2));
    }
}
