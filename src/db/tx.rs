//! Write transactions on either database.
//!
//! On SQLite a transaction runs on the one writer connection (so it never meets `SQLITE_BUSY`
//! half-way), and every round trip to that connection's worker thread is time that every
//! other write waits behind. sqlx's transactions send `BEGIN` and `COMMIT` as commands of their
//! own, and its pool checks the connection with a third on its way back; here `BEGIN` goes out
//! with the transaction's first statements when the caller has them ([`Db::begin_with`]),
//! `COMMIT` with its last ([`Tx::commit_with`]), and the connection goes back as it is.

use super::batch::Read;
use super::{lent, Conn, Db, Pool};

/// A write transaction on either database.
pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// SQLite's writer connection inside `BEGIN IMMEDIATE`: the write lock is taken at once, so a
/// transaction that reads before it writes never finds the file changed under it by another
/// process. Dropped before its end, the transaction is undone before the connection is lent
/// again.
pub struct SqliteTx {
    conn: Option<lent::Lent>,
}

impl SqliteTx {
    fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        self.conn.as_mut().expect("held until the transaction ends")
    }

    /// Runs `last` and then `end` (COMMIT or ROLLBACK) in one command; the connection goes back
    /// to the pool only once the transaction has ended.
    async fn end<T: Send + 'static>(
        mut self,
        last: Read<T>,
        end: &'static str,
    ) -> Result<T, sqlx::Error> {
        let value = last
            .and(Read::exec(end, Vec::new()))
            .run(&mut Conn::Sqlite(self.conn()))
            .await?
            .0;
        drop(self.conn.take());
        Ok(value)
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        let Some(mut c) = self.conn.take() else {
            return;
        };
        // Given up (an error, a stale version, a request cancelled): undone on the connection
        // before anyone else may have it. A connection that cannot say ROLLBACK (SQLite already
        // ended the transaction, or the connection broke) is closed rather than lent again, as
        // it is when no runtime is left to say it on (the process is ending): closing the
        // connection undoes the transaction too.
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn(async move {
                if sqlx::query("ROLLBACK").execute(&mut *c).await.is_err() {
                    drop(deadpool::managed::Object::take(c));
                }
            })),
            Err(_) => drop(deadpool::managed::Object::take(c)),
        }
    }
}

impl Db {
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(self.begin_with(Read::ready(())).await?.0)
    }

    /// A transaction and the value of its first statements, sent with its `BEGIN` on SQLite.
    pub async fn begin_with<T: Send + 'static>(
        &self,
        first: Read<T>,
    ) -> Result<(Tx, T), sqlx::Error> {
        match (&self.writer, &self.write) {
            (Some(w), _) => {
                let mut tx = SqliteTx {
                    conn: Some(lent::get(w).await?),
                };
                let value = Read::exec("BEGIN IMMEDIATE", Vec::new())
                    .then(first)
                    .run(&mut Conn::Sqlite(tx.conn()))
                    .await?;
                Ok((Tx::Sqlite(tx), value))
            }
            (None, Pool::Postgres(p)) => {
                let mut t = p.begin().await?;
                let value = first.run(&mut Conn::Postgres(&mut t)).await?;
                Ok((Tx::Postgres(t), value))
            }
            (None, Pool::Sqlite(p)) => Err(sqlx::Error::Configuration(
                format!("an SQLite database without its writer ({p:?})").into(),
            )),
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.commit_with(Read::ready(())).await
    }

    /// Runs `last` and commits, in one command on SQLite: the transaction's last statements
    /// (the item as written, for the answer) cost no round trip of their own.
    pub async fn commit_with<T: Send + 'static>(self, last: Read<T>) -> Result<T, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.end(last, "COMMIT").await,
            Tx::Postgres(mut t) => {
                let value = last.run(&mut Conn::Postgres(&mut t)).await?;
                t.commit().await?;
                Ok(value)
            }
        }
    }

    /// Runs `last`, which begins with a write guarded by a version this transaction itself read
    /// and checked, and commits if `held` says the guard held; `None`, rolled back, if not.
    /// On SQLite the check cannot go stale (`BEGIN IMMEDIATE` took the write lock before the
    /// read), so `last` goes with the COMMIT, in one round trip of the writer; a guard found
    /// broken there after all is an error. On PostgreSQL (READ COMMITTED) another commit may
    /// have moved the version since the read: `last` runs, then the commit or the rollback.
    pub async fn commit_guarded<T: Send + 'static>(
        self,
        last: Read<T>,
        held: impl FnOnce(&T) -> bool,
    ) -> Result<Option<T>, sqlx::Error> {
        match self {
            Tx::Sqlite(t) => {
                let value = t.end(last, "COMMIT").await?;
                match held(&value) {
                    true => Ok(Some(value)),
                    false => Err(sqlx::Error::Protocol(
                        "a guarded write found another version under SQLite's write lock".into(),
                    )),
                }
            }
            Tx::Postgres(mut t) => {
                let value = last.run(&mut Conn::Postgres(&mut t)).await?;
                if !held(&value) {
                    t.rollback().await?;
                    return Ok(None);
                }
                t.commit().await?;
                Ok(Some(value))
            }
        }
    }

    /// Undoes the transaction now rather than when it is dropped (a dry run's answer waits
    /// for nothing).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.end(Read::ready(()), "ROLLBACK").await,
            Tx::Postgres(t) => t.rollback().await,
        }
    }

    /// The transaction's connection, for store functions that take a [`Conn`].
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t.conn()),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }
}
