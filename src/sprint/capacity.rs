//! Velocity, capacity and the forecast (PRODUCT.md, Definitions), shown with how they were computed.

use chrono::NaiveDate;
use serde::Serialize;

use crate::points::Points;

/// One member's availability in one sprint.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Availability {
    pub user_id: i64,
    pub name: String,
    pub focus_pct: i64,
    pub points_per_day: f64,
    #[schema(value_type = Vec<String>)]
    pub days_off: Vec<NaiveDate>,
    /// Workdays in the sprint minus days off, times the focus factor.
    pub available_days: f64,
}

impl Availability {
    pub fn compute(&mut self, workdays: &[NaiveDate]) {
        let present = workdays
            .iter()
            .filter(|d| !self.days_off.contains(d))
            .count();
        self.available_days = present as f64 * self.focus_pct as f64 / 100.0;
    }
}

/// A closed sprint's delivered points and the person-days it had.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Delivered {
    pub sprint: String,
    pub completed: Points,
    pub available_days: f64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Velocity {
    /// Mean completed points of the sprints used: exact sums, so the mean of 0.5, 1 and 1 is
    /// 0.8333…; pages show it with one or two decimals.
    pub points: f64,
    pub sprints: Vec<Delivered>,
    pub mean_available_days: f64,
}

/// Mean completed points of the last `window` closed sprints (`history` is newest first).
pub fn velocity(history: &[Delivered], window: usize) -> Option<Velocity> {
    let used: Vec<Delivered> = history.iter().take(window).cloned().collect();
    if used.is_empty() {
        return None;
    }
    let n = used.len() as f64;
    // Sprints imported from another tool have no availability (0 here): the mean is over the
    // sprints that have one.
    let known: Vec<f64> = used
        .iter()
        .map(|s| s.available_days)
        .filter(|d| *d > 0.0)
        .collect();
    let mean_available_days = if known.is_empty() {
        0.0
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    Some(Velocity {
        points: used.iter().map(|s| s.completed).sum::<Points>().as_f64() / n,
        mean_available_days,
        sprints: used,
    })
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Capacity {
    pub points: f64,
    pub available_days: f64,
    /// True when there is no closed sprint to learn from.
    pub guess: bool,
    /// The computation in words and numbers.
    pub how: String,
}

/// velocity × (available person-days ÷ mean available person-days of the velocity sprints);
/// with no history, Σ points per day × available days, marked as a guess.
pub fn capacity(velocity: Option<&Velocity>, members: &[Availability]) -> Capacity {
    let days: f64 = members.iter().map(|m| m.available_days).sum();
    match velocity {
        Some(v) if v.mean_available_days > 0.0 => {
            let points = v.points * days / v.mean_available_days;
            Capacity {
                points,
                available_days: days,
                guess: false,
                how: format!(
                    "velocity {:.1} × {:.1} available person-days ÷ {:.1} mean person-days of the last {} sprint(s) = {:.1}",
                    v.points,
                    days,
                    v.mean_available_days,
                    v.sprints.len(),
                    points
                ),
            }
        }
        // History without availability (sprints imported from another tool): the velocity
        // itself, unscaled, and the page says why.
        Some(v) => Capacity {
            points: v.points,
            available_days: days,
            guess: false,
            how: format!(
                "velocity {:.1} of the last {} sprint(s), not scaled: their available person-days are not known (imported)",
                v.points,
                v.sprints.len()
            ),
        },
        _ => {
            let points: f64 = members
                .iter()
                .map(|m| m.points_per_day * m.available_days)
                .sum();
            Capacity {
                points,
                available_days: days,
                guess: true,
                how: format!(
                    "a guess with no closed sprint yet: Σ points per day × available days over {} member(s) = {:.1}",
                    members.len(),
                    points
                ),
            }
        }
    }
}

/// A backlog item the forecast considers, in backlog order.
pub struct Candidate {
    pub points: Option<Points>,
    pub ready: bool,
}

/// Which items fit the remaining capacity, in backlog order: each ready, estimated item is taken
/// while the running total stays within capacity; the first that does not fit ends the forecast.
pub fn forecast(remaining: f64, items: &[Candidate]) -> Vec<bool> {
    let mut left = remaining;
    let mut open = true;
    items
        .iter()
        .map(|c| match (open, c.ready, c.points) {
            (true, true, Some(p)) if p.as_f64() <= left + 1e-9 => {
                left -= p.as_f64();
                true
            }
            (true, true, Some(_)) => {
                open = false;
                false
            }
            _ => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(focus: i64, ppd: f64, off: &[&str], workdays: &[NaiveDate]) -> Availability {
        let mut a = Availability {
            user_id: 1,
            name: "m".into(),
            focus_pct: focus,
            points_per_day: ppd,
            days_off: off.iter().map(|d| d.parse().expect("date")).collect(),
            available_days: 0.0,
        };
        a.compute(workdays);
        a
    }

    #[test]
    fn capacity_by_hand() {
        // Two weeks, 10 workdays. A: 80 % focus, one day off → 9 × 0.8 = 7.2. B: 100 % → 10.
        let wd = super::super::workdays(
            "2027-01-04".parse().expect("d"),
            "2027-01-17".parse().expect("d"),
        );
        let a = member(80, 1.0, &["2027-01-06", "2027-01-09"], &wd);
        let b = member(100, 0.5, &[], &wd);
        assert!((a.available_days - 7.2).abs() < 1e-9);
        let members = [a, b];
        // No history: 1.0 × 7.2 + 0.5 × 10 = 12.2, a guess.
        let c = capacity(None, &members);
        assert!(c.guess && (c.points - 12.2).abs() < 1e-9, "{c:?}");
        // History (newest first) 20 @ 16 days, 26 @ 18, 17 @ 14, 40 @ 30 (outside the window).
        let h = |c, d| Delivered {
            sprint: "s".into(),
            completed: Points::whole(c),
            available_days: d,
        };
        let v =
            velocity(&[h(20, 16.0), h(26, 18.0), h(17, 14.0), h(40, 30.0)], 3).expect("velocity");
        assert!((v.points - 21.0).abs() < 1e-9 && (v.mean_available_days - 16.0).abs() < 1e-9);
        // 21 × 17.2 ÷ 16 = 22.575.
        let c = capacity(Some(&v), &members);
        assert!(!c.guess && (c.points - 22.575).abs() < 1e-9, "{c:?}");
        assert!(c.how.contains("22.6"), "{}", c.how);
        // Fractional history: (0.5 + 1 + 1.25) ÷ 3 = 0.91666…, from exact sums.
        let p = |s: &str| Delivered {
            sprint: "s".into(),
            completed: s.parse().expect("points"),
            available_days: 10.0,
        };
        let v = velocity(&[p("0.5"), p("1"), p("1.25")], 3).expect("velocity");
        assert!((v.points - 2.75 / 3.0).abs() < 1e-12, "{v:?}");
    }

    #[test]
    fn forecast_takes_ready_estimated_items_in_order_until_one_does_not_fit() {
        let c = |points: Option<i64>, ready| Candidate {
            points: points.map(Points::whole),
            ready,
        };
        let fits = forecast(
            10.0,
            &[
                c(Some(3), true),
                c(Some(5), false),
                c(None, true),
                c(Some(5), true),
                c(Some(3), true),
                c(Some(1), true),
            ],
        );
        assert_eq!(fits, vec![true, false, false, true, false, false]);
        let half = |s: &str| Candidate {
            points: Some(s.parse().expect("points")),
            ready: true,
        };
        let fits = forecast(
            1.0,
            &[half("0.5"), half("0.25"), half("0.25"), half("0.01")],
        );
        assert_eq!(fits, vec![true, true, true, false]);
    }
}
