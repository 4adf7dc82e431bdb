//! The rank arithmetic: between any two valid ranks in order there is a valid rank strictly
//! between them, and a block of them in order, however often a place is split.

use throughline::backlog::rank::{between, block_between, spread};

#[test]
fn ranks_between_any_two_stay_strictly_between() {
    bolero::check!()
        .with_type::<(u16, Vec<(u8, bool)>)>()
        .for_each(|(n, steps)| {
            // Start from the ranks a fresh product gets, then keep splitting gaps.
            let mut ranks = spread(2 + *n as usize % 50);
            for (at, before) in steps.iter().take(64) {
                let i = *at as usize % (ranks.len() + 1);
                let lo = if i == 0 {
                    None
                } else {
                    Some(ranks[i - 1].as_str())
                };
                let hi = ranks.get(i).map(String::as_str);
                let r = between(lo, hi).unwrap_or_else(|e| panic!("{lo:?}..{hi:?}: {e}"));
                assert!(lo.is_none_or(|l| l < r.as_str()) && hi.is_none_or(|h| r.as_str() < h));
                assert!(
                    !r.ends_with('0'),
                    "{r} ends in the digit that has nothing below it"
                );
                let _ = before;
                ranks.insert(i, r);
            }
            assert!(ranks.windows(2).all(|w| w[0] < w[1]));
        });
}

#[test]
fn a_block_fits_between_neighbours_in_order() {
    bolero::check!()
        .with_type::<(u16, u8, u8)>()
        .for_each(|(n, at, size)| {
            let ranks = spread(1 + *n as usize % 40);
            let i = *at as usize % (ranks.len() + 1);
            let lo = if i == 0 {
                None
            } else {
                Some(ranks[i - 1].as_str())
            };
            let hi = ranks.get(i).map(String::as_str);
            let block = block_between(lo, hi, 1 + *size as usize % 30).unwrap();
            let mut all: Vec<&str> = lo.into_iter().collect();
            all.extend(block.iter().map(String::as_str));
            all.extend(hi);
            assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
        });
}

#[test]
fn corrupt_ranks_are_refused_not_trusted() {
    bolero::check!()
        .with_type::<(String, String)>()
        .for_each(|(a, b)| {
            // Arbitrary text either is a pair of valid ranks in order (and gets one between)
            // or is refused; it never yields a rank outside the pair.
            if let Ok(r) = between(Some(a), Some(b)) {
                assert!(
                    a.as_str() < r.as_str() && r.as_str() < b.as_str(),
                    "{a:?} {r:?} {b:?}"
                );
            }
        });
}
