//! Results a server keeps while the counts they were made under stay the same.
//!
//! A page that is read far more often than what it shows changes (a roadmap, a backlog) can be
//! kept: triggers count the changes to what it shows, whichever code path or server process
//! writes, and a request reads those counts (its fingerprint) *before* any row it shows. A kept
//! result is served only under the fingerprint it was made under; otherwise the request reads
//! and keeps again. Since the counts are read before the rows, a result is never older than
//! the counts it is kept under, so a change is never followed by the old result.
//!
//! A shelf is one per process, like the import jobs' counters, its keys naming the database
//! (`crate::db::Db::id`: a server or a test may open several).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};

/// Kept results by key `K`, each with the fingerprint `F` it was made under; the oldest goes
/// when the shelf is full.
pub struct Shelf<K, F, V> {
    capacity: usize,
    entries: Mutex<Entries<K, F, V>>,
}

struct Entries<K, F, V> {
    map: HashMap<K, (F, Arc<V>, u64)>,
    /// Counts insertions: the oldest entry goes first when the shelf is full.
    stamp: u64,
}

impl<K: Eq + Hash + Clone, F: PartialEq, V> Shelf<K, F, V> {
    pub fn new(capacity: usize) -> Self {
        Shelf {
            capacity,
            entries: Mutex::new(Entries {
                map: HashMap::new(),
                stamp: 0,
            }),
        }
    }

    fn entries(&self) -> MutexGuard<'_, Entries<K, F, V>> {
        // A panic while holding it leaves a map of complete entries behind, still usable.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The result kept for `key` if it was made under `now`.
    pub fn get(&self, key: &K, now: &F) -> Option<Arc<V>> {
        let entries = self.entries();
        let (print, kept, _) = entries.map.get(key)?;
        (print == now).then(|| kept.clone())
    }

    /// The result kept for `key` and the fingerprint it was made under, whatever it is: for a
    /// writer that checks the fingerprint inside its transaction before it trusts the result.
    pub fn peek(&self, key: &K) -> Option<(F, Arc<V>)>
    where
        F: Clone,
    {
        let entries = self.entries();
        let (print, kept, _) = entries.map.get(key)?;
        Some((print.clone(), kept.clone()))
    }

    /// Keeps `value`, made from rows read after `print` was.
    pub fn put(&self, key: K, print: F, value: Arc<V>) {
        let mut entries = self.entries();
        if entries.map.len() >= self.capacity && !entries.map.contains_key(&key) {
            let oldest = entries
                .map
                .iter()
                .min_by_key(|(_, (_, _, stamp))| *stamp)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                entries.map.remove(&k);
            }
        }
        entries.stamp += 1;
        let stamp = entries.stamp;
        entries.map.insert(key, (print, value, stamp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_served_only_under_the_counts_it_was_made_under() {
        let kept: Shelf<i64, (i64, String), &str> = Shelf::new(4);
        kept.put(1, (3, "P01".into()), Arc::new("three"));
        assert_eq!(*kept.get(&1, &(3, "P01".into())).expect("kept"), "three");
        assert!(kept.get(&1, &(4, "P01".into())).is_none());
        assert!(kept.get(&2, &(3, "P01".into())).is_none());
        assert!(kept.get(&1, &(3, "Renamed".into())).is_none());
        kept.put(1, (4, "P01".into()), Arc::new("four"));
        assert_eq!(*kept.get(&1, &(4, "P01".into())).expect("kept"), "four");
        assert!(kept.get(&1, &(3, "P01".into())).is_none());
    }

    #[test]
    fn a_full_shelf_lets_the_oldest_result_go() {
        let kept: Shelf<i64, i64, i64> = Shelf::new(8);
        for k in 0..9 {
            kept.put(k, 1, Arc::new(k));
        }
        assert!(kept.get(&0, &1).is_none());
        for k in 1..9 {
            assert!(kept.get(&k, &1).is_some(), "key {k}");
        }
    }
}
