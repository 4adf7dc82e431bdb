//! Fractional ranks: the backlog order without renumbering.
//!
//! Ranks are `fractional_index` keys as lowercase hex, so text order (C collation) is backlog
//! order. A move computes one new key between two neighbours; when keys grow long, `spread`
//! hands out short, evenly spaced keys again without changing the order.

use fractional_index::FractionalIndex;

/// Past this length a product's ranks are rebalanced.
pub const REBALANCE_LEN: usize = 24;

fn parse(rank: &str) -> anyhow::Result<FractionalIndex> {
    FractionalIndex::from_string(rank).map_err(|e| anyhow::anyhow!("corrupt rank {rank:?}: {e}"))
}

/// A key strictly between `lo` and `hi` (either may be open).
pub fn between(lo: Option<&str>, hi: Option<&str>) -> anyhow::Result<String> {
    let lo = lo.map(parse).transpose()?;
    let hi = hi.map(parse).transpose()?;
    FractionalIndex::new(lo.as_ref(), hi.as_ref())
        .map(|k| k.to_string())
        .ok_or_else(|| anyhow::anyhow!("ranks out of order"))
}

/// `n` keys in increasing order strictly between `lo` and `hi`, for a block move.
pub fn block_between(lo: Option<&str>, hi: Option<&str>, n: usize) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::with_capacity(n);
    let mut prev = lo.map(str::to_string);
    for _ in 0..n {
        let next = between(prev.as_deref(), hi)?;
        out.push(next.clone());
        prev = Some(next);
    }
    Ok(out)
}

/// `n` short keys, evenly spaced and increasing: for rebalancing and bulk loads.
pub fn spread(n: usize) -> Vec<String> {
    // Enough bytes that each gap holds at least 16 values, so later moves stay short.
    let mut width = 1u32;
    while 256u128.pow(width) < (n as u128 + 1) * 16 {
        width += 1;
    }
    let space = 256u128.pow(width);
    let step = space / (n as u128 + 1);
    (1..=n as u128)
        .map(|i| {
            let v = step * i;
            let mut bytes: Vec<u8> = (0..width)
                .rev()
                .map(|b| ((v >> (8 * b)) & 0xff) as u8)
                .collect();
            bytes.push(0x80);
            hex::encode(bytes)
        })
        .collect()
}

pub fn needs_rebalance(rank: &str) -> bool {
    rank.len() > REBALANCE_LEN
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spread_is_sorted_short_and_valid() {
        for n in [0usize, 1, 2, 15, 16, 300, 5000, 100_000] {
            let keys = spread(n);
            assert_eq!(keys.len(), n);
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "n={n}");
            assert!(
                keys.iter().all(|k| parse(k).is_ok() && k.len() <= 10),
                "n={n}"
            );
        }
        assert!(between(Some(&spread(2)[0]), Some(&spread(2)[1])).is_ok());
    }

    #[derive(Debug, Clone)]
    enum Move {
        Before(usize, usize),
        After(usize, usize),
        Block(Vec<usize>, usize, bool),
    }

    fn moves() -> impl Strategy<Value = Vec<Move>> {
        let one = prop_oneof![
            (0..12usize, 0..12usize).prop_map(|(a, b)| Move::Before(a, b)),
            (0..12usize, 0..12usize).prop_map(|(a, b)| Move::After(a, b)),
            (
                proptest::collection::vec(0..12usize, 1..5),
                0..12usize,
                any::<bool>()
            )
                .prop_map(|(s, t, after)| Move::Block(s, t, after)),
        ];
        proptest::collection::vec(one, 0..200)
    }

    /// Places `moving` (in their current relative order) next to `target`, on ranks and on a
    /// plain list, the way the store does it.
    fn apply(
        list: &mut Vec<usize>,
        ranks: &mut [String],
        moving: &[usize],
        target: usize,
        after: bool,
    ) {
        let mut moving: Vec<usize> = list
            .iter()
            .copied()
            .filter(|x| moving.contains(x))
            .collect();
        moving.dedup();
        if moving.contains(&target) {
            return;
        }
        list.retain(|x| !moving.contains(x));
        let pos = list.iter().position(|&x| x == target).expect("target") + usize::from(after);
        let lo = pos.checked_sub(1).map(|p| ranks[list[p]].clone());
        let hi = list.get(pos).map(|&x| ranks[x].clone());
        let keys = block_between(lo.as_deref(), hi.as_deref(), moving.len()).expect("keys");
        for (m, k) in moving.iter().zip(keys) {
            ranks[*m] = k;
        }
        for (i, m) in moving.into_iter().enumerate() {
            list.insert(pos + i, m);
        }
    }

    proptest! {
        #[test]
        fn any_sequence_of_moves_matches_a_plain_list(ms in moves()) {
            let mut list: Vec<usize> = (0..12).collect();
            let mut ranks = spread(12);
            for m in ms {
                match m {
                    Move::Before(a, b) => apply(&mut list, &mut ranks, &[a], b, false),
                    Move::After(a, b) => apply(&mut list, &mut ranks, &[a], b, true),
                    Move::Block(s, t, after) => apply(&mut list, &mut ranks, &s, t, after),
                }
                if ranks.iter().any(|r| needs_rebalance(r)) {
                    let fresh = spread(list.len());
                    for (i, &x) in list.iter().enumerate() { ranks[x] = fresh[i].clone(); }
                }
                let mut by_rank: Vec<usize> = (0..12).collect();
                by_rank.sort_by(|a, b| ranks[*a].cmp(&ranks[*b]));
                prop_assert_eq!(&by_rank, &list);
            }
        }
    }
}
