//! Fractional ranks: the backlog order without renumbering.
//!
//! A rank is a base-62 fraction written as digits after an implied "0.", with no trailing zero,
//! so between any two ranks there is always another and text order (C collation) is backlog
//! order. A move computes one new rank between its two neighbours; when ranks grow long,
//! `spread` hands out short, evenly spaced ones again without changing the order.
//!
//! Written here rather than taken from the `fractional_index` crate: its 2.0 `new_between`
//! underflows on zero bytes (wrong keys in release builds, a panic in debug builds), which a
//! backlog reaches after about 128 moves to the top.

/// Digits in ascending ASCII order, so comparing ranks as text compares them as numbers.
const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE: usize = 62;

/// Past this length a product's ranks are rebalanced.
pub const REBALANCE_LEN: usize = 24;

fn digit(c: u8) -> anyhow::Result<usize> {
    DIGITS
        .iter()
        .position(|d| *d == c)
        .ok_or_else(|| anyhow::anyhow!("corrupt rank digit {:?}", c as char))
}

fn valid(rank: &str) -> anyhow::Result<&[u8]> {
    let b = rank.as_bytes();
    if b.is_empty() || b.last() == Some(&b'0') {
        anyhow::bail!("corrupt rank {rank:?}");
    }
    for c in b {
        digit(*c)?;
    }
    Ok(b)
}

/// The midpoint of two fractions `a < b` (`a` may be empty = 0, `b` absent = 1), following
/// David Greenspan's "Implementing Fractional Indexing".
fn midpoint(a: &[u8], b: Option<&[u8]>) -> anyhow::Result<Vec<u8>> {
    if let Some(b) = b {
        let n = (0..b.len())
            .take_while(|&i| a.get(i).copied().unwrap_or(b'0') == b[i])
            .count();
        if n > 0 {
            let mut out = b[..n].to_vec();
            out.extend(midpoint(a.get(n..).unwrap_or_default(), Some(&b[n..]))?);
            return Ok(out);
        }
    }
    let da = match a.first() {
        Some(c) => digit(*c)?,
        None => 0,
    };
    let db = match b {
        Some(b) => digit(
            *b.first()
                .ok_or_else(|| anyhow::anyhow!("ranks out of order"))?,
        )?,
        None => BASE,
    };
    if db <= da {
        anyhow::bail!("ranks out of order");
    }
    if db - da > 1 {
        return Ok(vec![DIGITS[(da + db).div_ceil(2)]]);
    }
    match b {
        Some(b) if b.len() > 1 => Ok(b[..1].to_vec()),
        _ => {
            let mut out = vec![DIGITS[da]];
            out.extend(midpoint(a.get(1..).unwrap_or_default(), None)?);
            Ok(out)
        }
    }
}

/// Width at which the edges count: appending at the bottom (or moving to the top) steps the
/// rank by one unit in the 4th digit, so about 238,000 such steps fit before a rank grows.
const EDGE_WIDTH: usize = 4;

/// `a` as digit values, padded with zeros to at least `EDGE_WIDTH` (zeros do not change it).
fn padded(a: &[u8]) -> anyhow::Result<Vec<usize>> {
    let mut v = a
        .iter()
        .map(|c| digit(*c))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if v.len() < EDGE_WIDTH {
        v.resize(EDGE_WIDTH, 0);
    }
    Ok(v)
}

fn render(v: &[usize]) -> Vec<u8> {
    let mut out: Vec<u8> = v.iter().map(|d| DIGITS[*d]).collect();
    while out.last() == Some(&b'0') {
        out.pop();
    }
    out
}

/// The next rank after `a` at its width: a counter step, so appends stay short.
fn after(a: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut v = padded(a)?;
    for i in (0..v.len()).rev() {
        if v[i] + 1 < BASE {
            v[i] += 1;
            return Ok(render(&v[..=i]));
        }
    }
    // All top digits: only a longer rank fits above.
    let mut out = a.to_vec();
    out.push(DIGITS[1]);
    Ok(out)
}

/// The previous rank before `b` at its width, or the midpoint towards zero when that would
/// reach zero (ranks are strictly positive fractions).
fn before(b: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut v = padded(b)?;
    for i in (0..v.len()).rev() {
        if v[i] > 0 {
            v[i] -= 1;
            let out = render(&v);
            if !out.is_empty() {
                return Ok(out);
            }
            break;
        }
        v[i] = BASE - 1;
    }
    midpoint(&[], Some(b))
}

/// A rank strictly between `lo` and `hi` (either may be open).
pub fn between(lo: Option<&str>, hi: Option<&str>) -> anyhow::Result<String> {
    let lo = lo.map(valid).transpose()?;
    let hi = hi.map(valid).transpose()?;
    if let (Some(l), Some(h)) = (lo, hi) {
        if l >= h {
            anyhow::bail!("ranks out of order");
        }
    }
    let out = match (lo, hi) {
        (Some(l), None) => after(l)?,
        (None, Some(h)) => before(h)?,
        (l, h) => midpoint(l.unwrap_or_default(), h)?,
    };
    String::from_utf8(out).map_err(anyhow::Error::new)
}

/// `n` ranks in increasing order strictly between `lo` and `hi`, for a block move.
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

/// `n` short ranks, evenly spaced over the first half of the space, so that items added at
/// the bottom afterwards get one-digit ranks for a long while.
pub fn spread(n: usize) -> Vec<String> {
    let mut width = 1u32;
    while (BASE as u128).pow(width) < (n as u128 + 1) * 32 {
        width += 1;
    }
    let half = (BASE as u128).pow(width) / 2;
    let step = half / (n as u128 + 1);
    (1..=n as u128)
        .map(|i| {
            let mut v = step * i;
            let mut digits = vec![b'0'; width as usize];
            for slot in digits.iter_mut().rev() {
                *slot = DIGITS[(v % BASE as u128) as usize];
                v /= BASE as u128;
            }
            while digits.last() == Some(&b'0') {
                digits.pop();
            }
            String::from_utf8(digits).unwrap_or_default()
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
                keys.iter().all(|k| valid(k).is_ok() && k.len() <= 5),
                "n={n}"
            );
        }
        assert!(between(Some(&spread(2)[0]), Some(&spread(2)[1])).is_ok());
    }

    #[test]
    fn the_edges_stay_valid_and_short_enough() {
        let mut top = spread(3)[0].clone();
        let mut bottom = spread(3)[2].clone();
        for _ in 0..500 {
            let t = between(None, Some(&top)).expect("before the top");
            assert!(t < top && valid(&t).is_ok(), "{t} < {top}");
            top = t;
            let b = between(Some(&bottom), None).expect("after the bottom");
            assert!(b > bottom && valid(&b).is_ok(), "{b} > {bottom}");
            bottom = b;
        }
        assert!(
            bottom.len() <= EDGE_WIDTH && top.len() <= EDGE_WIDTH,
            "{top} {bottom}"
        );
        assert!(between(Some("b"), Some("a")).is_err() && between(Some("a"), Some("a")).is_err());
        assert!(between(Some("a0"), None).is_err() && between(Some("a~"), None).is_err());
    }

    #[test]
    fn random_moves_in_a_large_backlog_keep_ranks_strictly_between() {
        let mut ranks = spread(500);
        let mut seed = 7u64;
        let mut rnd = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n
        };
        for _ in 0..3000 {
            let (a, b) = (rnd(500), rnd(500));
            if a == b {
                continue;
            }
            let mut sorted: Vec<(String, usize)> = ranks.iter().cloned().zip(0..).collect();
            sorted.sort();
            let pos = sorted.iter().position(|x| x.1 == b).expect("present");
            let hi = sorted[pos + 1..]
                .iter()
                .find(|x| x.1 != a)
                .map(|x| x.0.clone());
            let new = between(Some(&ranks[b]), hi.as_deref()).expect("between");
            assert!(new > ranks[b] && hi.as_ref().is_none_or(|h| &new < h));
            ranks[a] = new;
        }
    }

    #[derive(Debug, Clone)]
    enum Move {
        Before(usize, usize),
        After(usize, usize),
        Block(Vec<usize>, usize, bool),
        Edge(usize, bool),
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
            (0..12usize, any::<bool>()).prop_map(|(a, bottom)| Move::Edge(a, bottom)),
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
                    Move::Edge(a, bottom) => {
                        list.retain(|&x| x != a);
                        let (lo, hi) = if bottom {
                            (list.last().map(|&x| ranks[x].clone()), None)
                        } else {
                            (None, list.first().map(|&x| ranks[x].clone()))
                        };
                        ranks[a] = between(lo.as_deref(), hi.as_deref()).expect("edge rank");
                        if bottom { list.push(a) } else { list.insert(0, a) }
                    }
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
