//! Governance (G2, G4): priority tiers, inversions and the alignment score, as pure functions.
//!
//! Definitions are PRODUCT.md's: the tier of an item is the rank of its initiative's priority
//! in the quarter (children take their parent's when they have none), unaligned otherwise.

pub mod advisor;
pub mod alignment;
pub mod cards;
pub mod listing;
pub mod moves;
pub mod overrides;
pub mod periods;
pub mod scope;
pub mod store;
pub mod tiers;

use serde::Serialize;

use crate::ids::ItemId;
use crate::points::Points;

/// Points of one priority (rank 1 = top) in a period.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PriorityPoints {
    pub rank: usize,
    pub priority_id: i64,
    pub title: String,
    pub points: Points,
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
    unaligned: Points,
    allowance: f64,
) -> Result<Score, NoScore> {
    let n = per_priority.len();
    if n == 0 {
        return Err(NoScore::NoPriorities);
    }
    // Shares are ratios of exact sums, computed from hundredths.
    let aligned = per_priority
        .iter()
        .map(|p| p.points)
        .sum::<Points>()
        .hundredths();
    let unaligned = unaligned.hundredths();
    let total = aligned + unaligned;
    if total <= 0 {
        return Err(NoScore::NoPoints);
    }
    let a = allowance.clamp(0.0, 0.99);
    let u = unaligned as f64 / total as f64;
    let focus = ((1.0 - u) / (1.0 - a)).min(1.0);
    let coverage = per_priority
        .iter()
        .filter(|p| p.points > Points::ZERO)
        .count() as f64
        / n as f64;
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
                let d = p.points.hundredths() as f64 / aligned as f64;
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
    pub id: ItemId,
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
pub fn inversions(order: &[Placed]) -> Vec<(ItemId, ItemId)> {
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

/// Moving the `moved` items of `before` (the open backlog, top first) as one block, in the
/// order given, to index `at` of the rest (the backlog without them): the first inversion the
/// move *creates*, as (above, below). Only pairs whose order the move reverses and that hold a
/// moved item can be new; inversions that were already there (an override's, say) are not the
/// mover's doing and never block a move.
pub fn move_inversion(before: &[Placed], moved: &[ItemId], at: usize) -> Option<(Placed, Placed)> {
    let pos = |id: ItemId| before.iter().position(|p| p.id == id);
    let block: Vec<(usize, &Placed)> = moved
        .iter()
        .filter_map(|id| pos(*id).map(|i| (i, &before[i])))
        .collect();
    let rest: Vec<(usize, &Placed)> = before
        .iter()
        .enumerate()
        .filter(|(_, p)| !moved.contains(&p.id))
        .collect();
    let at = at.min(rest.len());
    let new = |a: &Placed, b: &Placed| !a.exempt && !b.exempt && inverted(a.tier, b.tier);
    for (k, &(was, m)) in block.iter().enumerate() {
        // Items now above the moved one that were below it.
        if let Some((_, r)) = rest[..at].iter().find(|(i, r)| *i > was && new(r, m)) {
            return Some(((*r).clone(), m.clone()));
        }
        // Items now below it that were above it, in the rest or later in the block.
        let below = rest[at..].iter().chain(&block[k + 1..]);
        if let Some((_, r)) = below.clone().find(|(i, r)| *i < was && new(m, r)) {
            return Some((m.clone(), (*r).clone()));
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
        /// Strict mode, from any order (inversions, exemptions and overrides already there):
        /// a move the rule allows never adds an unexempted inversion, and a move that adds
        /// none is never refused. Blocks land in the order given, which may differ from theirs.
        #[test]
        fn a_move_is_refused_exactly_when_it_adds_an_inversion(
            tiers in proptest::collection::vec((proptest::option::of(1usize..4), proptest::bool::weighted(0.15)), 2..30),
            moves in proptest::collection::vec((0usize..30, 1usize..4, 0usize..30, proptest::bool::ANY), 1..40),
        ) {
            let mut order: Vec<Placed> = tiers.iter().enumerate()
                .map(|(i, (t, e))| Placed { id: ItemId(i as i64), tier: *t, exempt: *e }).collect();
            for (from, len, to, flip) in moves {
                let from = from % order.len();
                let len = len.min(order.len() - from);
                let mut ids: Vec<ItemId> = order[from..from + len].iter().map(|p| p.id).collect();
                if flip {
                    ids.reverse();
                }
                let rest: Vec<Placed> = order.iter().filter(|p| !ids.contains(&p.id)).cloned().collect();
                let at = to % (rest.len() + 1);
                let mut after = rest[..at].to_vec();
                after.extend(ids.iter().filter_map(|id| order.iter().find(|p| p.id == *id).cloned()));
                after.extend_from_slice(&rest[at..]);
                let before = pairs(&order);
                let added = pairs(&after).difference(&before).count();
                let verdict = move_inversion(&order, &ids, at);
                prop_assert_eq!(verdict.is_some(), added > 0, "{:?} moving {:?} to {}", order, ids, at);
                if let Some((a, b)) = &verdict {
                    prop_assert!(pairs(&after).contains(&(a.id, b.id)) && !before.contains(&(a.id, b.id)));
                }
                if verdict.is_none() {
                    order = after;
                }
            }
        }
    }

    /// Every unexempted inversion of an order, as (above, below) ids.
    fn pairs(order: &[Placed]) -> std::collections::HashSet<(ItemId, ItemId)> {
        let mut out = std::collections::HashSet::new();
        for (i, a) in order.iter().enumerate() {
            for b in &order[i + 1..] {
                if !a.exempt && !b.exempt && inverted(a.tier, b.tier) {
                    out.insert((a.id, b.id));
                }
            }
        }
        out
    }

    proptest! {
        /// From a backlog in tier order, allowed moves never leave an inversion at all.
        #[test]
        fn allowed_moves_keep_a_tier_ordered_backlog_in_order(
            tiers in proptest::collection::vec((proptest::option::of(1usize..4), proptest::bool::weighted(0.15)), 2..30),
            moves in proptest::collection::vec((0usize..30, 0usize..30), 1..60),
        ) {
            let mut order: Vec<Placed> = tiers.iter().enumerate()
                .map(|(i, (t, e))| Placed { id: ItemId(i as i64), tier: *t, exempt: *e }).collect();
            order.sort_by_key(|p| p.tier.unwrap_or(usize::MAX));
            prop_assert!(inversions(&order).is_empty());
            for (from, to) in moves {
                let from = from % order.len();
                let id = order[from].id;
                let mut rest = order.clone();
                let moved = rest.remove(from);
                let at = to % (rest.len() + 1);
                if move_inversion(&order, &[id], at).is_none() {
                    rest.insert(at, moved);
                    order = rest;
                }
                prop_assert!(inversions(&order).is_empty(), "{:?}", order);
            }
        }
    }

    fn pp(rank: usize, points: i64) -> PriorityPoints {
        PriorityPoints {
            rank,
            priority_id: rank as i64,
            title: format!("P{rank}"),
            points: Points::whole(points),
        }
    }

    fn pts(s: &str) -> Points {
        s.parse().expect("points")
    }

    #[test]
    fn score_by_hand() {
        // Three priorities (weights 3/6, 2/6, 1/6); 12 aligned points split 6/4/2 fit them exactly;
        // 4 unaligned points of 16 → u = 0.25; allowance 0.2 → F = 0.75 / 0.8 = 0.9375.
        let s = score(&[pp(1, 6), pp(2, 4), pp(3, 2)], Points::whole(4), 0.2).expect("score");
        assert!((s.focus - 0.9375).abs() < 1e-9);
        assert!((s.coverage - 1.0).abs() < 1e-9);
        assert!((s.weight_fit - 1.0).abs() < 1e-9);
        // 100 × (0.46875 + 0.3 + 0.2) = 96.875 → 97.
        assert_eq!(s.score, 97);
        // Everything on the bottom priority, nothing unaligned: F = 1, C = 1/3,
        // W = 1 − ½(|0 − 1/2| + |0 − 1/3| + |1 − 1/6|) = 1 − ½ × 5/3 = 1/6.
        let s = score(&[pp(1, 0), pp(2, 0), pp(3, 9)], Points::whole(0), 0.2).expect("score");
        assert!((s.weight_fit - 1.0 / 6.0).abs() < 1e-9);
        // 100 × (0.5 + 0.1 + 0.0333) = 63.33 → 63.
        assert_eq!(s.score, 63);
        // Within the allowance, unaligned work costs nothing: u = 0.2, a = 0.2 → F = 1.
        let s = score(&[pp(1, 8)], Points::whole(2), 0.2).expect("score");
        assert!((s.focus - 1.0).abs() < 1e-9 && s.score == 100);
        // Only unaligned points: F = 0, C = 0, W = 0.
        assert_eq!(
            score(&[pp(1, 0)], Points::whole(5), 0.2)
                .expect("score")
                .score,
            0
        );
        assert_eq!(
            score(&[], Points::whole(5), 0.2),
            Err(NoScore::NoPriorities)
        );
        assert_eq!(
            score(&[pp(1, 0)], Points::ZERO, 0.2),
            Err(NoScore::NoPoints)
        );
        // Fractional points are shares of exact sums: 0.5 aligned on P1 of 1, and 0.5
        // unaligned, make u = 0.5 exactly → F = 0.5 / 0.8 = 0.625; C = 1; W = 1.
        let p1 = PriorityPoints {
            points: pts("0.5"),
            ..pp(1, 0)
        };
        let s = score(&[p1], pts("0.5"), 0.2).expect("score");
        assert!((s.unaligned_share - 0.5).abs() < 1e-12 && (s.focus - 0.625).abs() < 1e-12);
        // 100 × (0.3125 + 0.3 + 0.2) = 81.25 → 81.
        assert_eq!(s.score, 81);
        // Ten tenths weigh exactly as one whole point: 0.1 × 10 on P1 against 1 on P2.
        let tenths = PriorityPoints {
            points: std::iter::repeat_n(pts("0.1"), 10).sum(),
            ..pp(1, 0)
        };
        let s = score(&[tenths, pp(2, 1)], Points::ZERO, 0.2).expect("score");
        // d = (0.5, 0.5), w = (2/3, 1/3) → W = 1 − ½ × (1/6 + 1/6) = 5/6.
        assert!((s.weight_fit - 5.0 / 6.0).abs() < 1e-12, "{s:?}");
    }

    #[test]
    fn inversions_are_lower_tiers_above_higher_ones() {
        let p = |id, tier, exempt| Placed {
            id: ItemId(id),
            tier,
            exempt,
        };
        assert!(inverted(None, Some(3)) && inverted(Some(2), Some(1)));
        assert!(!inverted(Some(1), Some(2)) && !inverted(Some(1), None) && !inverted(None, None));
        let order = [
            p(1, Some(1), false),
            p(2, None, false),
            p(3, Some(2), false),
            p(4, Some(1), false),
            p(5, None, false),
        ];
        assert_eq!(
            inversions(&order),
            vec![(ItemId(2), ItemId(3)), (ItemId(3), ItemId(4))]
        );
        // An exempt item neither counts as inverted nor makes others inverted.
        let order = [p(1, None, true), p(2, Some(1), false)];
        assert!(inversions(&order).is_empty());
    }
}
