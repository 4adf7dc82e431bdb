//! A page of a product's backlog as every face shows it (API, pages, CLI, MCP, Overview): the
//! items of a query in backlog order or the query's sort, each with its tier flags. It sits in
//! governance because the flags are governance's; the backlog's core only reads the rows.

use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use super::tiers;
use crate::backlog::counts::{counts_read, Counts};
use crate::backlog::query::{compile_query, Compiled};
use crate::backlog::{store, Summary};
use crate::db::batch::Read;
use crate::db::kept::Shelf;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Backlog query, e.g. `status:todo points>=3 label:api "free text"`.
    pub q: Option<String>,
    /// Opaque cursor from `next_cursor`.
    pub cursor: Option<String>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Page {
    pub items: Vec<Summary>,
    pub next_cursor: Option<String>,
}

/// One page of a product's backlog for any caller (API, page, CLI, MCP, Overview).
pub async fn page(db: &Db, ctx: &ProductCtx, p: &ListParams) -> Result<Page> {
    let (page, ()) = page_with(db, ctx, p, Read::ready(())).await?;
    Ok(Arc::unwrap_or_clone(page))
}

/// What a kept listing depends on besides the data: the database, the product and its key
/// (every item's key shows it), the page asked for, and the quarter (the tiers).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Key {
    /// `crate::db::Db::id` of the database read.
    db: u64,
    product_id: i64,
    product_key: String,
    cursor: Option<String>,
    limit: i64,
    quarter: String,
}

/// This process's kept listings (src/db/kept.rs): a page of 100 items is about 30 KB.
static KEPT: LazyLock<Shelf<Key, Counts, Page>> = LazyLock::new(|| Shelf::new(64));

/// [`page`], with `also` (a page's other reads) joined to one of its round trips. The
/// backlog unfiltered, the page most often opened, is kept while its counts stay the same: its
/// counts are read with `also`, and the rows only when they changed (a read, then two more
/// round trips). A filtered listing is read each time (its filter may look at anything):
/// two round trips, `also` with the second.
pub async fn page_with<A: Send + 'static>(
    db: &Db,
    ctx: &ProductCtx,
    p: &ListParams,
    also: Read<A>,
) -> Result<(Arc<Page>, A)> {
    ctx.grants.require(crate::auth::Action::ViewBacklog)?;
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "from 1 to 500"));
    }
    let q = p.q.as_deref().unwrap_or("");
    let filter = compile_query(q, ctx)?;
    let cursor = p.cursor.as_deref().map(Cursor::decode).transpose()?;
    let unfiltered = q.trim().is_empty() && filter.order.is_none();
    if !unfiltered {
        let (page, more) = list(db, ctx, &filter, cursor, limit, also).await?;
        return Ok((Arc::new(page), more));
    }
    let key = Key {
        db: db.id,
        product_id: ctx.product.id,
        product_key: ctx.product.key.clone(),
        cursor: p.cursor.clone(),
        limit,
        quarter: Quarter::of(crate::strategy::today()).to_string(),
    };
    let (print, more) = counts_read(ctx.product.id).and(also).on(db).await?;
    if let Some(page) = KEPT.get(&key, &print) {
        return Ok((page, more));
    }
    let (page, ()) = list(db, ctx, &filter, cursor, limit, Read::ready(())).await?;
    let page = Arc::new(page);
    KEPT.put(key, print, page.clone());
    Ok((page, more))
}

/// Reads one page of a listing, `also` joined to its second round trip.
async fn list<A: Send + 'static>(
    db: &Db,
    ctx: &ProductCtx,
    filter: &Compiled,
    cursor: Option<Cursor>,
    limit: i64,
    also: Read<A>,
) -> Result<(Page, A)> {
    let after = match (&cursor, filter.order.is_some()) {
        (None, false) => store::After::Rank(""),
        (None, true) => store::After::Rows(0),
        (Some(Cursor::Rank(r)), false) => store::After::Rank(r),
        (Some(Cursor::Rows(n)), true) => store::After::Rows(*n),
        _ => {
            return Err(Error::invalid(
                "cursor",
                "this cursor belongs to a query with another sort",
            ))
        }
    };
    let rows_before = match after {
        store::After::Rows(n) => n,
        store::After::Rank(_) => 0,
    };
    let (pid, pkey) = (ctx.product.id, ctx.product.key.as_str());
    let sorted = filter.order.is_some();
    // Tier flags look below each item in backlog order: one probe for a page in that order,
    // one per item (all in the same round trip) for a page sorted otherwise.
    let flags = |listed: &[(crate::ids::ItemId, String)]| {
        let shown = &listed[..listed.len().min(limit as usize)];
        let flags = if sorted {
            let each = shown
                .iter()
                .map(|one| tiers::flags_read(pid, pkey, std::slice::from_ref(one)))
                .collect();
            Read::all(each).map(|all| Ok(all.into_iter().flatten().collect()))
        } else {
            tiers::flags_read(pid, pkey, shown)
        };
        Ok(flags.and(also))
    };
    let (mut items, (flags, more_reads)) =
        store::list_then(db, (pid, pkey), filter, after, limit + 1, flags).await?;
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    for i in &mut items {
        if let Some((tier, inversion, exempt)) = flags.get(&i.id) {
            i.tier = *tier;
            i.inversion = inversion.clone();
            i.exempt = *exempt && i.status != "done";
        }
    }
    let next_cursor = more
        .then(|| match filter.order {
            None => items.last().map(|i| Cursor::Rank(i.rank.clone()).encode()),
            Some(_) => Some(Cursor::Rows(rows_before + limit).encode()),
        })
        .flatten();
    Ok((Page { items, next_cursor }, more_reads))
}

/// A page cursor, opaque to clients: where the next page starts.
enum Cursor {
    Rank(String),
    Rows(i64),
}

impl Cursor {
    fn encode(&self) -> String {
        let raw = match self {
            Cursor::Rank(r) => format!("r:{r}"),
            Cursor::Rows(n) => format!("o:{n}"),
        };
        hex::encode(raw)
    }

    fn decode(s: &str) -> Result<Cursor> {
        let bad = || {
            Error::invalid(
                "cursor",
                "not a cursor this API gave out; start without one",
            )
        };
        let raw = String::from_utf8(hex::decode(s).map_err(|_| bad())?).map_err(|_| bad())?;
        match raw.split_once(':') {
            Some(("r", r)) => Ok(Cursor::Rank(r.to_string())),
            Some(("o", n)) => n.parse().map(Cursor::Rows).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}
