//! The report's charts, drawn from the same figures the API returns.

use super::Report;
use crate::chart::{self, Canvas};

pub fn velocity(r: &Report, canvas: Canvas) -> String {
    let rows: Vec<(String, f64, f64)> = r
        .sprints
        .iter()
        .map(|s| (s.name.clone(), s.committed.as_f64(), s.completed.as_f64()))
        .collect();
    chart::paired_bars(
        canvas,
        "Velocity: committed vs completed points",
        ("committed", "completed"),
        &rows,
        r.velocity.map(|v| ("velocity, last 3 closed", v)),
    )
}

pub fn churn(r: &Report, canvas: Canvas) -> String {
    let rows: Vec<(String, f64, f64)> = r
        .sprints
        .iter()
        .map(|s| (s.name.clone(), s.added.as_f64(), s.removed.as_f64()))
        .collect();
    chart::paired_bars(
        canvas,
        "Scope churn: points added vs removed after the start",
        ("added", "removed"),
        &rows,
        None,
    )
}

pub fn cycle_time(r: &Report, canvas: Canvas) -> String {
    let b: Vec<(String, u32)> = r
        .cycle_buckets
        .iter()
        .map(|b| (b.label.clone(), b.count))
        .collect();
    chart::histogram(
        canvas,
        "Cycle time of finished items",
        "days from start to done",
        &b,
    )
}

pub fn by_name(r: &Report, name: &str, canvas: Canvas) -> Option<String> {
    match name {
        "velocity.svg" => Some(velocity(r, canvas)),
        "churn.svg" => Some(churn(r, canvas)),
        "cycle-time.svg" => Some(cycle_time(r, canvas)),
        _ => None,
    }
}
