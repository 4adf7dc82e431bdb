//! SQLite's connections, lent and taken back without a round trip: the read-only ones and
//! the one writer.
//!
//! sqlx's pool checks every connection on its way back (a ping: on SQLite, a hand-off to the
//! connection's worker thread and back, in a task of its own), and a page takes a connection
//! for each of its 5 to 12 reads. A read connection never holds a transaction, and each
//! statement is reset when it has been read, so there is nothing to check or flush: it goes
//! back to the pool as it is, at once. The writer goes back the same way once its transaction
//! has ended (`super::tx`, which undoes one left open before lending the connection again); on
//! it the ping was worse, as every other write waited behind it.

use std::time::Duration;

use deadpool::managed::{self, Metrics, RecycleResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::ConnectOptions;

/// Opens SQLite's connections for a [`Lender`].
#[derive(Debug)]
pub struct Opener(pub SqliteConnectOptions);

impl managed::Manager for Opener {
    type Type = SqliteConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<SqliteConnection, sqlx::Error> {
        self.0.connect().await
    }

    async fn recycle(&self, _: &mut SqliteConnection, _: &Metrics) -> RecycleResult<sqlx::Error> {
        Ok(())
    }
}

/// A pool of SQLite connections.
pub type Lender = managed::Pool<Opener>;

/// A connection of a [`Lender`]; it goes back when dropped.
pub type Lent = managed::Object<Opener>;

/// Up to `size` connections, the most recently used first (its pages are in its cache),
/// waiting at most as long as sqlx's pool would for one.
pub fn pool(opts: SqliteConnectOptions, size: usize) -> Lender {
    managed::Pool::builder(Opener(opts))
        .max_size(size)
        .queue_mode(managed::QueueMode::Lifo)
        .wait_timeout(Some(Duration::from_secs(30)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .expect("a pool with a runtime and a size builds")
}

/// A connection of the pool, with sqlx's error for one that cannot be had.
pub async fn get(pool: &Lender) -> Result<Lent, sqlx::Error> {
    pool.get().await.map_err(|e| match e {
        managed::PoolError::Backend(e) => e,
        managed::PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
        _ => sqlx::Error::PoolClosed,
    })
}

/// Closes the pool and each connection it holds, so the database file is let go of.
pub async fn close(pool: &Lender) {
    let idle = pool.retain(|_, _| false);
    pool.close();
    for conn in idle.removed {
        let _ = sqlx::Connection::close(conn).await;
    }
}
