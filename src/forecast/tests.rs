//! The simulation against cases worked out by hand and in closed form.

use super::*;

#[test]
fn constant_throughput_gives_one_date() {
    let weeks = periods_to_finish(&[3.0, 3.0, 3.0], 10.0, RUNS, 7).expect("finishes");
    assert!(
        weeks.iter().all(|w| *w == 4),
        "10 items at 3 a week take 4 weeks"
    );
    for p in [50.0, 85.0, 95.0] {
        assert_eq!(percentile(&weeks, p), Some(4));
    }
    let done = done_within(&[3.0, 3.0], 5, RUNS, 7);
    assert!(done.iter().all(|d| *d == 15.0));
    assert_eq!(at_least(&done, 85.0), Some(15.0));
}

#[test]
fn a_history_of_nothing_never_finishes_and_no_work_takes_no_time() {
    assert_eq!(periods_to_finish(&[0.0, 0.0], 5.0, 100, 1), None);
    assert_eq!(periods_to_finish(&[], 5.0, 100, 1), None);
    let none = periods_to_finish(&[2.0], 0.0, 100, 1).expect("finishes");
    assert!(none.iter().all(|w| *w == 0));
}

#[test]
fn the_same_seed_gives_the_same_future() {
    let h = [0.0, 2.0, 3.0, 5.0, 8.0];
    assert_eq!(
        periods_to_finish(&h, 40.0, 2_000, 42),
        periods_to_finish(&h, 40.0, 2_000, 42)
    );
    assert_ne!(
        periods_to_finish(&h, 40.0, 2_000, 42),
        periods_to_finish(&h, 40.0, 2_000, 43)
    );
}

/// P(Binomial(t, ½) ≥ n), summed exactly.
fn at_least_n_of(t: u32, n: u32) -> f64 {
    let mut pmf = 0.5f64.powi(t as i32); // P(X = 0)
    let mut below = 0.0;
    for k in 0..n.min(t + 1) {
        below += pmf;
        pmf *= (t - k) as f64 / (k + 1) as f64;
    }
    1.0 - below
}

#[test]
fn weeks_to_finish_match_the_negative_binomial_when_each_week_finishes_zero_or_one() {
    // Throughput 0 or 1 item a week with equal chance: finishing n items by week t means at
    // least n successes in t fair trials, so P(T ≤ t) = P(Binomial(t, ½) ≥ n).
    let n = 12;
    let sim = periods_to_finish(&[0.0, 1.0], n as f64, RUNS, 2027).expect("finishes");
    let mut worst: f64 = 0.0;
    for t in n..70 {
        let empirical = sim.iter().filter(|w| **w <= t).count() as f64 / sim.len() as f64;
        worst = worst.max((empirical - at_least_n_of(t, n)).abs());
    }
    // 10,000 draws: the Dvoretzky–Kiefer–Wolfowitz bound puts the distance under 0.02 with
    // 99.9 % confidence.
    assert!(worst < 0.02, "largest CDF distance {worst}");
    for p in [50.0, 85.0, 95.0] {
        let exact = (n..200)
            .find(|t| at_least_n_of(*t, n) >= p / 100.0)
            .expect("a quantile");
        let got = percentile(&sim, p).expect("a percentile");
        // Where the exact CDF passes p within a hair of a whole week, sampling may land on
        // either side of it.
        let close = (at_least_n_of(exact - 1, n) - p / 100.0).abs() < 0.015
            || (at_least_n_of(exact, n) - p / 100.0).abs() < 0.015;
        assert!(
            got == exact || (close && got.abs_diff(exact) == 1),
            "p{p}: {got} vs {exact}"
        );
    }
}

#[test]
fn items_done_by_a_date_match_the_binomial() {
    // The same 0-or-1 weeks: items done in t weeks is Binomial(t, ½); "at least x with 85 %"
    // is the largest x with P(X ≥ x) ≥ 0.85.
    let t = 30;
    let sim = done_within(&[0.0, 1.0], t, RUNS, 99);
    let exact = (0..=t)
        .rev()
        .find(|x| at_least_n_of(t, *x) >= 0.85)
        .expect("a value");
    let got = at_least(&sim, 85.0).expect("a value") as u32;
    let close = (at_least_n_of(t, exact + 1) - 0.85).abs() < 0.015
        || (at_least_n_of(t, exact) - 0.85).abs() < 0.015;
    assert!(
        got == exact || (close && got.abs_diff(exact) == 1),
        "{got} vs {exact}"
    );
    let h = histogram(&sim);
    assert_eq!(h.iter().map(|b| b.runs).sum::<u32>(), RUNS as u32);
    assert!(h.windows(2).all(|w| w[0].value < w[1].value));
}

#[test]
fn ten_thousand_futures_at_the_large_scale_are_fast() {
    // The large dataset: a product's 5,000-item backlog; its top 500 open items, a team that
    // finished 0–25 items a week over 26 weeks. The figure is printed for the bench notes.
    let history: Vec<f64> = (0..26).map(|i| ((i * 7) % 26) as f64).collect();
    let start = std::time::Instant::now();
    let weeks = periods_to_finish(&history, 500.0, RUNS, 1).expect("finishes");
    let took = start.elapsed();
    println!(
        "forecast: {RUNS} runs, 500 items, {} weeks at p85, in {} ms ({})",
        percentile(&weeks, 85.0).unwrap_or(0),
        took.as_millis(),
        if cfg!(debug_assertions) {
            "debug build"
        } else {
            "release build"
        }
    );
    let bound = if cfg!(debug_assertions) { 2_000 } else { 50 };
    assert!(took.as_millis() < bound, "{took:?}");
}
