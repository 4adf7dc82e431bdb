//! Roadmaps this server has rendered, kept while nothing they show has changed
//! ([`crate::db::kept`]).
//!
//! A workspace's roadmap is hundreds of initiatives (500 on the benchmark's *large* set, 220 KB
//! of HTML): reading and rendering it cost about 1.6 ms of CPU on every request, though it
//! changes a few times a day. Each product counts the changes to what its roadmap shows, kept
//! by triggers whichever code path or server process writes (`roadmap_versions`, migration
//! 0032); the counters of the workspace's products are the page's [`Fingerprint`].

use std::sync::LazyLock;

use chrono::NaiveDate;

use crate::db::batch::Read;
use crate::db::kept::Shelf;
use crate::workspace::store::WsRef;

/// Each product of a workspace as the roadmap shows it: id, count of changes, key and name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint(Vec<(i64, i64, String, String)>);

/// The workspace's [`Fingerprint`], as a read to send with a page's others.
pub fn fingerprint_read(ws: WsRef<'_>) -> Read<Fingerprint> {
    Read::query(
        ws.sql(
            "SELECT p.id, COALESCE(v.version, -1), p.key, p.name FROM products p
         LEFT JOIN roadmap_versions v ON v.product_id = p.id WHERE p.workspace_id = {ws} ORDER BY p.id",
        ),
        vec![ws.arg()],
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

/// This process's kept roadmaps: 32 renderings (a few hundred KB each at most).
pub static KEPT: LazyLock<Shelf<Key, Fingerprint, Rendered>> = LazyLock::new(|| Shelf::new(32));
