//! Roadmaps this server has rendered, kept while nothing they show has changed.
//!
//! A workspace's roadmap is hundreds of initiatives (500 on the benchmark's *large* set, 220 KB
//! of HTML): reading and rendering it cost about 1.6 ms of CPU on every request, though it
//! changes a few times a day. Each product counts the changes to what its roadmap shows, kept
//! by triggers whichever code path or server process writes (`roadmap_versions`, migration
//! 0032). A request reads the counters of the workspace's products (its [`Fingerprint`])
//! before anything else, and is
//! answered from the kept rendering only when they are the ones it was made under; otherwise it
//! reads and renders again. Since the counters are read before the rows, a rendering is never
//! older than the counters it is kept under, so a change is never followed by the old page.
//! The shelf is one per process, like the import jobs' counters, its entries by database
//! (`crate::db::Db::id`: a server or a test may open several).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::NaiveDate;

use crate::db::batch::Read;

/// Each product of a workspace as the roadmap shows it: id, count of changes, key and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(Vec<(i64, i64, String, String)>);

/// The workspace's [`Fingerprint`], as a read to send with a page's others.
pub fn fingerprint_read(workspace_id: i64) -> Read<Fingerprint> {
    Read::query(
        "SELECT p.id, COALESCE(v.version, -1), p.key, p.name FROM products p
         LEFT JOIN roadmap_versions v ON v.product_id = p.id WHERE p.workspace_id = $1 ORDER BY p.id",
        vec![workspace_id.into()],
        |rows| Ok(Fingerprint(rows.all()?)),
    )
}

/// What a rendering depends on besides the data: the database and workspace, the filter, the
/// view, whether it links into the workspace, and the day (the current quarter and the today
/// line).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// `crate::db::Db::id` of the database read.
    pub db: u64,
    pub workspace_id: i64,
    pub product: Option<String>,
    pub status: Option<String>,
    pub priority: Option<i64>,
    pub view: String,
    pub lanes_by: String,
    pub linked: bool,
    pub day: NaiveDate,
}

/// A rendered roadmap and what the page around it shows of it.
#[derive(Debug)]
pub struct Rendered {
    pub html: String,
    pub current_quarter: String,
    /// The priorities the shown initiatives serve: the filter's choices.
    pub priorities: Vec<(i64, String)>,
}

/// How many renderings a server keeps (a few hundred KB each at most).
const CAPACITY: usize = 32;

/// Kept renderings.
#[derive(Default)]
pub struct Kept(Mutex<Shelf>);

/// This process's kept roadmaps.
pub static KEPT: LazyLock<Kept> = LazyLock::new(Kept::default);

#[derive(Default)]
struct Shelf {
    entries: HashMap<Key, (Fingerprint, Arc<Rendered>, u64)>,
    /// Counts insertions: the oldest entry goes first when the shelf is full.
    stamp: u64,
}

impl Kept {
    fn shelf(&self) -> std::sync::MutexGuard<'_, Shelf> {
        // A panic while holding it leaves a map of complete entries behind, still usable.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The rendering kept for `key` if it was made under `now`.
    pub fn get(&self, key: &Key, now: &Fingerprint) -> Option<Arc<Rendered>> {
        let shelf = self.shelf();
        let (print, rendered, _) = shelf.entries.get(key)?;
        (print == now).then(|| rendered.clone())
    }

    /// Keeps `rendered`, made from rows read after `print` was.
    pub fn put(&self, key: Key, print: Fingerprint, rendered: Arc<Rendered>) {
        let mut shelf = self.shelf();
        if shelf.entries.len() >= CAPACITY && !shelf.entries.contains_key(&key) {
            let oldest = shelf
                .entries
                .iter()
                .min_by_key(|(_, (_, _, stamp))| *stamp)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                shelf.entries.remove(&k);
            }
        }
        shelf.stamp += 1;
        let stamp = shelf.stamp;
        shelf.entries.insert(key, (print, rendered, stamp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(workspace_id: i64) -> Key {
        Key {
            db: 1,
            workspace_id,
            product: None,
            status: None,
            priority: None,
            view: "timeline".into(),
            lanes_by: "product".into(),
            linked: true,
            day: NaiveDate::from_ymd_opt(2026, 12, 3).expect("a date"),
        }
    }

    fn print(version: i64) -> Fingerprint {
        Fingerprint(vec![(1, version, "P01".into(), "Product 01".into())])
    }

    fn rendered(html: &str) -> Arc<Rendered> {
        Arc::new(Rendered {
            html: html.into(),
            current_quarter: "2026-Q4".into(),
            priorities: Vec::new(),
        })
    }

    #[test]
    fn a_rendering_is_served_only_under_the_counters_it_was_made_under() {
        let kept = Kept::default();
        kept.put(key(1), print(3), rendered("three"));
        assert_eq!(kept.get(&key(1), &print(3)).expect("kept").html, "three");
        assert!(kept.get(&key(1), &print(4)).is_none());
        assert!(kept.get(&key(2), &print(3)).is_none());
        let renamed = Fingerprint(vec![(1, 3, "P01".into(), "Renamed".into())]);
        assert!(kept.get(&key(1), &renamed).is_none());
        kept.put(key(1), print(4), rendered("four"));
        assert_eq!(kept.get(&key(1), &print(4)).expect("kept").html, "four");
        assert!(kept.get(&key(1), &print(3)).is_none());
    }

    #[test]
    fn a_full_shelf_lets_the_oldest_rendering_go() {
        let kept = Kept::default();
        for w in 0..CAPACITY as i64 + 1 {
            kept.put(key(w), print(1), rendered("x"));
        }
        assert!(kept.get(&key(0), &print(1)).is_none());
        for w in 1..CAPACITY as i64 + 1 {
            assert!(kept.get(&key(w), &print(1)).is_some(), "workspace {w}");
        }
    }
}
