//! Governance (G2, G4): priority tiers, inversions and the alignment score, as pure functions.
//!
//! Definitions are PRODUCT.md's: the tier of an item is the rank of its initiative's priority
//! in the quarter (children take their parent's when they have none), unaligned otherwise.

pub mod advisor;
pub mod alignment;
pub mod api;
pub mod overrides;
pub mod pages;
pub mod store;
pub mod tiers;

use serde::Serialize;

/// Points of one priority (rank 1 = top) in a period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PriorityPoints {
    pub rank: usize,
    pub priority_id: i64,
    pub title: String,
    pub points: i64,
}

/// The score and its three parts, each in 0..=1.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Score {
    /// round(100 × (0.5 F + 0.3 C + 0.2 W)).
    pub score: i64,
    /// Focus F = min(1, (1 − u) ÷ (1 − a)).
    pub focus: f64,
    /// Coverage C = share of priorities with any points.
    pub coverage: f64,
    /// Weight fit W = 1 − ½ Σ |dᵢ − wᵢ|.
    pub weight_fit: f64,
    /// u, the unaligned share of points.
    pub unaligned_share: f64,
    /// The formula with this period's numbers.
    pub formula: String,
}

/// Why there is no score.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub enum NoScore {
    /// No quarterly priorities are set: strategy is missing.
    NoPriorities,
    /// No points in the period: nothing was committed or completed.
    NoPoints,
}

pub const FORMULA: &str = "score = round(100 × (0.5 F + 0.3 C + 0.2 W)); F = min(1, (1 − u) ÷ (1 − a)); C = share of priorities with points; W = 1 − ½ Σ|dᵢ − wᵢ|, wᵢ = (n − i + 1) ÷ (n(n + 1)/2)";

/// The alignment score over `per_priority` (one entry per priority, ranks 1..n, zero points
/// allowed), `unaligned` points, and the unaligned allowance `a` (0 ≤ a < 1).
pub fn score(
    per_priority: &[PriorityPoints],
    unaligned: i64,
    allowance: f64,
) -> Result<Score, NoScore> {
    let n = per_priority.len();
    if n == 0 {
        return Err(NoScore::NoPriorities);
    }
    let aligned: i64 = per_priority.iter().map(|p| p.points).sum();
    let total = aligned + unaligned;
    if total <= 0 {
        return Err(NoScore::NoPoints);
    }
    let a = allowance.clamp(0.0, 0.99);
    let u = unaligned as f64 / total as f64;
    let focus = ((1.0 - u) / (1.0 - a)).min(1.0);
    let coverage = per_priority.iter().filter(|p| p.points > 0).count() as f64 / n as f64;
    let weight_fit = if aligned == 0 {
        0.0
    } else {
        let denom = (n * (n + 1)) as f64 / 2.0;
        let mut ranked: Vec<&PriorityPoints> = per_priority.iter().collect();
        ranked.sort_by_key(|p| p.rank);
        let dev: f64 = ranked
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let w = (n - i) as f64 / denom;
                let d = p.points as f64 / aligned as f64;
                (d - w).abs()
            })
            .sum();
        1.0 - dev / 2.0
    };
    let raw = 100.0 * (0.5 * focus + 0.3 * coverage + 0.2 * weight_fit);
    let score = raw.round() as i64;
    Ok(Score {
        score,
        focus,
        coverage,
        weight_fit,
        unaligned_share: u,
        formula: format!(
            "round(100 × (0.5 × {focus:.3} + 0.3 × {coverage:.3} + 0.2 × {weight_fit:.3})) = {score}, with u = {u:.3}, a = {a:.2}, n = {n}"
        ),
    })
}

/// A backlog position: the item and its tier (`None` = unaligned), top first.
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub id: i64,
    pub tier: Option<usize>,
    pub exempt: bool,
}

/// Is `a` (ordered above `b`) of a lower tier than `b`? Unaligned is below every tier.
pub fn inverted(a: Option<usize>, b: Option<usize>) -> bool {
    match (a, b) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(x), Some(y)) => x > y,
    }
}

/// Pairs (above, below) that are inversions, neither item exempt. For each item the first
/// item it wrongly sits above is reported, which is enough to flag and explain it.
pub fn inversions(order: &[Placed]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    // The best (smallest) tier below each position, to find the first violation fast.
    for (i, a) in order.iter().enumerate() {
        if a.exempt {
            continue;
        }
        if let Some(b) = order[i + 1..]
            .iter()
            .find(|b| !b.exempt && inverted(a.tier, b.tier))
        {
            out.push((a.id, b.id));
        }
    }
    out
}

/// Placing the `moved` block (in order) at index `at` of `rest` (the backlog without it):
/// the first inversion it would create between a moved item and another, if any. The block
/// lands in the order given, so an inversion inside it counts too.
pub fn move_inversion<'a>(
    rest: &'a [Placed],
    moved: &'a [Placed],
    at: usize,
) -> Option<(&'a Placed, &'a Placed)> {
    if let Some(pair) = inversions(moved).first() {
        let find = |id: i64| moved.iter().find(|m| m.id == id);
        if let (Some(a), Some(b)) = (find(pair.0), find(pair.1)) {
            return Some((a, b));
        }
    }
    let at = at.min(rest.len());
    for m in moved.iter().filter(|m| !m.exempt) {
        if let Some(r) = rest[..at]
            .iter()
            .find(|r| !r.exempt && inverted(r.tier, m.tier))
        {
            return Some((r, m));
        }
        if let Some(r) = rest[at..]
            .iter()
            .find(|r| !r.exempt && inverted(m.tier, r.tier))
        {
            return Some((m, r));
        }
    }
    None
}

pub fn tier_label(tier: Option<usize>) -> String {
    tier.map_or_else(|| "unaligned".to_string(), |t| format!("tier {t}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Strict mode: starting from a backlog in tier order, no sequence of moves that
        /// `move_inversion` allows ever leaves an unexempted inversion.
        #[test]
        fn allowed_moves_never_leave_an_inversion(
            tiers in proptest::collection::vec((proptest::option::of(1usize..4), proptest::bool::weighted(0.15)), 2..30),
            moves in proptest::collection::vec((0usize..30, 0usize..30), 1..60),
        ) {
            let mut order: Vec<Placed> = tiers.iter().enumerate()
                .map(|(i, (t, e))| Placed { id: i as i64, tier: *t, exempt: *e }).collect();
            order.sort_by_key(|p| p.tier.unwrap_or(usize::MAX));
            prop_assert!(inversions(&order).is_empty());
            for (from, to) in moves {
                let from = from % order.len();
                let mut rest = order.clone();
                let moved = vec![rest.remove(from)];
                let at = to % (rest.len() + 1);
                if move_inversion(&rest, &moved, at).is_none() {
                    rest.insert(at, moved[0].clone());
                    order = rest;
                }
                prop_assert!(inversions(&order).is_empty(), "{:?}", order);
            }
        }
    }

    #[test]
    fn a_block_given_out_of_tier_order_is_an_inversion() {
        let p = |id, tier| Placed {
            id,
            tier: Some(tier),
            exempt: false,
        };
        let block = [p(1, 2), p(2, 1)];
        let (a, b) = move_inversion(&[], &block, 0).unwrap();
        assert_eq!((a.id, b.id), (1, 2));
        assert!(move_inversion(&[], &[p(2, 1), p(1, 2)], 0).is_none());
    }

    fn pp(rank: usize, points: i64) -> PriorityPoints {
        PriorityPoints {
            rank,
            priority_id: rank as i64,
            title: format!("P{rank}"),
            points,
        }
    }

    #[test]
    fn score_by_hand() {
        // Three priorities (weights 3/6, 2/6, 1/6); 12 aligned points split 6/4/2 fit them exactly;
        // 4 unaligned points of 16 → u = 0.25; allowance 0.2 → F = 0.75 / 0.8 = 0.9375.
        let s = score(&[pp(1, 6), pp(2, 4), pp(3, 2)], 4, 0.2).expect("score");
        assert!((s.focus - 0.9375).abs() < 1e-9);
        assert!((s.coverage - 1.0).abs() < 1e-9);
        assert!((s.weight_fit - 1.0).abs() < 1e-9);
        // 100 × (0.46875 + 0.3 + 0.2) = 96.875 → 97.
        assert_eq!(s.score, 97);
        // Everything on the bottom priority, nothing unaligned: F = 1, C = 1/3,
        // W = 1 − ½(|0 − 1/2| + |0 − 1/3| + |1 − 1/6|) = 1 − ½ × 5/3 = 1/6.
        let s = score(&[pp(1, 0), pp(2, 0), pp(3, 9)], 0, 0.2).expect("score");
        assert!((s.weight_fit - 1.0 / 6.0).abs() < 1e-9);
        // 100 × (0.5 + 0.1 + 0.0333) = 63.33 → 63.
        assert_eq!(s.score, 63);
        // Within the allowance, unaligned work costs nothing: u = 0.2, a = 0.2 → F = 1.
        let s = score(&[pp(1, 8)], 2, 0.2).expect("score");
        assert!((s.focus - 1.0).abs() < 1e-9 && s.score == 100);
        // Only unaligned points: F = 0, C = 0, W = 0.
        assert_eq!(score(&[pp(1, 0)], 5, 0.2).expect("score").score, 0);
        assert_eq!(score(&[], 5, 0.2), Err(NoScore::NoPriorities));
        assert_eq!(score(&[pp(1, 0)], 0, 0.2), Err(NoScore::NoPoints));
    }

    #[test]
    fn inversions_are_lower_tiers_above_higher_ones() {
        let p = |id, tier, exempt| Placed { id, tier, exempt };
        assert!(inverted(None, Some(3)) && inverted(Some(2), Some(1)));
        assert!(!inverted(Some(1), Some(2)) && !inverted(Some(1), None) && !inverted(None, None));
        let order = [
            p(1, Some(1), false),
            p(2, None, false),
            p(3, Some(2), false),
            p(4, Some(1), false),
            p(5, None, false),
        ];
        assert_eq!(inversions(&order), vec![(2, 3), (3, 4)]);
        // An exempt item neither counts as inverted nor makes others inverted.
        let order = [p(1, None, true), p(2, Some(1), false)];
        assert!(inversions(&order).is_empty());
    }
}
