//! The one versioned write: the record read inside the transaction, its version checked, the
//! caller's versioned SQL, the audit row, one commit. Every versioned record of the strategy, the
//! roadmap and the product settings changes through [`Guarded`], so the stale answer and the
//! audit "before" are the same everywhere, and the "before" is exactly the state the write
//! replaced.
//!
//! ```ignore
//! let (mut w, new) = Guarded::<Objective>::merging(db, (product_id, id), version, |old| merge(old, &input)).await?;
//! let n = exec!(&mut w.conn(), c => sqlx::query("UPDATE objectives … AND version = $7").bind(…));
//! w.commit(n?, Change::by(actor, ctx, "objective.update", ("objective", id)).after(&new)).await?;
//! ```

use std::future::Future;

use serde::Serialize;

use super::Change;
use crate::db::{Conn, Db, Tx};
use crate::error::{Error, Result};

/// A record that carries a version: what a stale answer names and shows.
pub trait Versioned: Serialize {
    /// How the stale answer names it: "the objective".
    const NOUN: &'static str;
    fn version(&self) -> i64;
}

/// A versioned record that can be read on any connection, by a key (its product and id, say).
pub trait Load: Versioned + Sized + Send {
    type Key: Clone + Send + Sync + 'static;
    fn load(c: &mut Conn<'_>, key: Self::Key) -> impl Future<Output = Result<Self>> + Send;
}

/// 412 with the record as it is now, so the client can merge and retry.
pub fn stale<T: Versioned>(current: &T) -> Error {
    stale_named(T::NOUN, current, current.version())
}

/// [`stale`] for a record whose version travels beside it.
pub fn stale_named<T: Serialize>(noun: &str, current: &T, version: i64) -> Error {
    Error::Stale {
        message: format!(
            "{noun} was changed by someone else (now version {version}); reload and apply your change again"
        ),
        etag: Some(format!("\"{version}\"")),
        current: Box::new(serde_json::json!(current)),
    }
}

/// A versioned write in progress: its transaction and the record as read inside it.
pub struct Guarded<T: Load> {
    tx: Tx,
    key: T::Key,
    old: T,
}

impl<T: Load> Guarded<T> {
    /// Begins the write: reads the record in a new transaction and answers [`stale`] unless it is
    /// at `expected` (or not found when it is gone).
    pub async fn open(db: &Db, key: T::Key, expected: i64) -> Result<Self> {
        let mut tx = db.begin().await?;
        let old = T::load(&mut tx.conn(), key.clone()).await?;
        if old.version() != expected {
            return Err(stale(&old));
        }
        Ok(Guarded { tx, key, old })
    }

    /// Begins an update: reads the record in a new transaction and turns it into the new fields
    /// with `merge`, so bad input is refused (422) before a stale version (412), as clients expect.
    pub async fn merging<M>(
        db: &Db,
        key: T::Key,
        expected: i64,
        merge: impl FnOnce(&T) -> Result<M>,
    ) -> Result<(Self, M)> {
        let mut tx = db.begin().await?;
        let old = T::load(&mut tx.conn(), key.clone()).await?;
        let new = merge(&old)?;
        if old.version() != expected {
            return Err(stale(&old));
        }
        Ok((Guarded { tx, key, old }, new))
    }

    /// The record as the write found it.
    pub fn old(&self) -> &T {
        &self.old
    }

    /// The transaction's connection, for the versioned SQL and anything else it changes.
    pub fn conn(&mut self) -> Conn<'_> {
        self.tx.conn()
    }

    /// The transaction itself, for helpers that take one.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Ends the write: `touched` is what the versioned statement answered, which must be one row;
    /// records `change` (its "before" defaults to the record as read) and commits. Answers the
    /// record as it was before the write.
    pub async fn commit(mut self, touched: u64, change: Change<'_>) -> Result<T> {
        if touched != 1 {
            // Only a concurrent writer on PostgreSQL gets here (a statement of a READ COMMITTED
            // transaction sees what others committed): answer with what it wrote.
            let now = T::load(&mut self.tx.conn(), self.key.clone()).await?;
            return Err(stale(&now));
        }
        let change = match change.before {
            Some(_) => change,
            None => change.before(&self.old),
        };
        super::store::record(&mut self.tx, change).await?;
        self.tx.commit().await?;
        Ok(self.old)
    }
}
