//! Monte Carlo forecasts from a team's own history: each simulated future draws, period after
//! period, one of the past periods' throughput (items per week in flow, points per sprint in
//! Scrum) until the work is done, or adds up a given number of periods. Thousands of futures give
//! the distribution, and its 50th, 85th and 95th percentiles are the dates people can plan by.
//!
//! Pure: no clock and no database. The random numbers come from a seeded ChaCha generator, so
//! the same history, work and seed give the same answer on every machine (tests rely on it).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// The default number of simulated futures.
pub const RUNS: usize = 10_000;
/// A future that has not finished after this many periods is counted as never (ten years of
/// weeks): a history of zeros never finishes anything.
pub const MAX_PERIODS: u32 = 520;
/// Too little history to trust: fewer periods than this (weeks in flow, sprints in Scrum)
/// and the answer is shown as a guess.
pub const MIN_WEEKS: usize = 6;
pub const MIN_SPRINTS: usize = 3;

/// How many periods each simulated future needed to finish `work` (items or points), sorted;
/// `None` when the history holds no throughput at all (it would never finish).
pub fn periods_to_finish(history: &[f64], work: f64, runs: usize, seed: u64) -> Option<Vec<u32>> {
    if history.iter().all(|v| *v <= 0.0) {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = history.len();
    let mut out: Vec<u32> = (0..runs)
        .map(|_| {
            let (mut done, mut periods) = (0.0, 0u32);
            while done < work && periods < MAX_PERIODS {
                done += history[rng.gen_range(0..n)];
                periods += 1;
            }
            periods
        })
        .collect();
    out.sort_unstable();
    Some(out)
}

/// How much work (items or points) each simulated future finished in `periods` periods, sorted.
pub fn done_within(history: &[f64], periods: u32, runs: usize, seed: u64) -> Vec<f64> {
    if history.is_empty() {
        return vec![0.0; runs];
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = history.len();
    let mut out: Vec<f64> = (0..runs)
        .map(|_| (0..periods).map(|_| history[rng.gen_range(0..n)]).sum())
        .collect();
    out.sort_by(f64::total_cmp);
    out
}

/// Nearest-rank percentile of sorted values: the smallest value at least `p` % of them reach.
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

/// "At least this much with `p` % likelihood": the (100 − p)th percentile of sorted totals.
pub fn at_least<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let idx = (((100.0 - p) / 100.0) * sorted.len() as f64).floor() as usize;
    sorted.get(idx.min(sorted.len() - 1)).copied()
}

/// One bar of a distribution: how many futures ended at `value`.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = ForecastBucket)]
pub struct Bucket {
    pub value: f64,
    pub runs: u32,
}

/// Counts of sorted values, value by value.
pub fn histogram(sorted: &[f64]) -> Vec<Bucket> {
    let mut out: Vec<Bucket> = Vec::new();
    for v in sorted {
        match out.last_mut() {
            Some(b) if b.value == *v => b.runs += 1,
            _ => out.push(Bucket { value: *v, runs: 1 }),
        }
    }
    out
}

#[cfg(test)]
mod tests;
