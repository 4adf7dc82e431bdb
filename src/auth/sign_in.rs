//! Checking a password under the sign-in limit ([`super::throttle`]). Every password check goes
//! through [`authenticate`].
//!
//! Each try is judged and written in one turn per address and e-mail ([`count_in`]), before its
//! password is checked, so parallel tries count against each other: the n-th sees the n − 1
//! before it, still unchecked ones counting as failures, and no more than the limit pass
//! however many arrive at once. A right password then marks its row `success` and remembers
//! the address for the account.

use chrono::{DateTime, Duration, Utc};

use super::store::User;
use super::throttle::{self, Recent};
use crate::db::{now, Conn, Db};
use crate::error::{Error, Result};
use crate::passwords::Hashing;
use crate::{exec, on};

/// Checks `email`'s password for a request from `address`; the limit's refusal is
/// [`Error::SlowDown`], a saturated server's [`Error::Busy`], a wrong password or unknown
/// e-mail the same [`Error::Invalid`].
pub async fn authenticate(
    db: &Db,
    hashing: &Hashing,
    email: &str,
    password: &str,
    address: &str,
) -> Result<User> {
    let email = email.trim().to_lowercase();
    let at = now();
    let (attempt, verdict) = count_in(db, &email, address, at).await?;
    if let Err(wait) = verdict {
        return Err(Error::SlowDown { retry_after: wait });
    }
    let row: Option<(i64, String, String, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, email, name, password_hash FROM users WHERE email = $1")
        .bind(&email).fetch_optional(&mut **c).await)?;
    // Verify against a dummy hash when the user is unknown, so timing does not reveal accounts.
    let (user, hash) = match row {
        Some((id, email, name, hash)) => (Some(User { id, email, name }), Ok(hash)),
        None => (None, hashing.dummy().await),
    };
    let checked = match hash {
        Ok(hash) => hashing.verify(password, &hash).await,
        Err(e) => Err(e),
    };
    let ok = match checked {
        Ok(ok) => ok,
        Err(e) => {
            // Turned away before any password was tried: not a failure of the account.
            mark(db, attempt, Outcome::Refused).await?;
            return Err(e);
        }
    };
    match user {
        Some(u) if ok => {
            mark(db, attempt, Outcome::Success).await?;
            remember(db, u.id, address).await?;
            Ok(u)
        }
        _ => Err(Error::invalid(
            "password",
            "that e-mail and password do not match",
        )),
    }
}

/// Judges this try against the ones before it and writes it, in one transaction that takes
/// its turn per address and per e-mail: SQLite has a single writer, PostgreSQL takes an
/// advisory lock on each (address first, always, so two tries never wait on each other
/// crosswise). The try is written as a failure until its password proves right; one the limit
/// turns away is written `refused`. Answers its id and the verdict.
async fn count_in(
    db: &Db,
    email: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<(i64, Result<(), u64>)> {
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    if let Conn::Postgres(t) = &mut c {
        for key in [format!("address {address}"), format!("email {email}")] {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(lock_key(&key))
                .execute(&mut **t)
                .await?;
        }
    }
    let recent = recent(&mut c, email, address, at).await?;
    let verdict = throttle::verdict(&recent, at);
    let attempt: i64 = on!(&mut c, t => sqlx::query_scalar(
        "INSERT INTO login_attempts (email, at, success, address, refused)
         VALUES ($1, $2, FALSE, $3, $4) RETURNING id")
        .bind(email).bind(at).bind(address).bind(verdict.is_err()).fetch_one(&mut **t).await)?;
    if attempt % PRUNE_EVERY == 0 {
        prune(&mut c, at).await?;
    }
    tx.commit().await?;
    Ok((attempt, verdict))
}

/// One try in this many also forgets old tries, so that the table stays as small as the limit
/// needs however long the server runs and however many e-mails a flood tries.
const PRUNE_EVERY: i64 = 64;
/// How many of the oldest rows one prune looks at: more than [`PRUNE_EVERY`], so pruning
/// outpaces writing, and few enough that it walks the primary key briefly.
const PRUNE_BATCH: i64 = 512;

/// Deletes the oldest tries that no limit weighs any more (older than the longer window).
async fn prune(c: &mut Conn<'_>, at: DateTime<Utc>) -> Result<()> {
    let window = throttle::ACCOUNT_WINDOW_SECS.max(throttle::ADDRESS_WINDOW_SECS);
    let before = at - Duration::seconds(window);
    on!(c, t => sqlx::query(
        "DELETE FROM login_attempts WHERE at < $1 AND id IN
           (SELECT id FROM login_attempts ORDER BY id LIMIT $2)")
        .bind(before).bind(PRUNE_BATCH).execute(&mut **t).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A 63-bit advisory lock key for the sign-in limit's `what`.
fn lock_key(what: &str) -> i64 {
    let h = super::hash_secret(&format!("throughline sign-in limit: {what}"));
    i64::from_str_radix(&h[..15], 16).unwrap_or_default()
}

/// The tries the limit weighs (all of them before this one: the caller holds the turn).
async fn recent(c: &mut Conn<'_>, email: &str, address: &str, at: DateTime<Utc>) -> Result<Recent> {
    let address_since = at - Duration::seconds(throttle::ADDRESS_WINDOW_SECS);
    let account_since = at - Duration::seconds(throttle::ACCOUNT_WINDOW_SECS);
    let address_failures: i64 = on!(c, t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts WHERE address = $1 AND at > $2 AND success = FALSE")
        .bind(address).bind(address_since).fetch_one(&mut **t).await)?;
    let account_failures: i64 = on!(c, t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_attempts
         WHERE email = $1 AND at > $2 AND success = FALSE AND refused = FALSE")
        .bind(email).bind(account_since).fetch_one(&mut **t).await)?;
    let last_account_failure: Option<DateTime<Utc>> = on!(c, t => sqlx::query_scalar(
        "SELECT at FROM login_attempts
         WHERE email = $1 AND at > $2 AND success = FALSE AND refused = FALSE
         ORDER BY at DESC LIMIT 1")
        .bind(email).bind(account_since).fetch_optional(&mut **t).await)?;
    let known_address: bool = on!(c, t => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sign_in_addresses k JOIN users u ON u.id = k.user_id
                        WHERE u.email = $1 AND k.address = $2)")
        .bind(email).bind(address).fetch_one(&mut **t).await)?;
    Ok(Recent {
        address_failures,
        account_failures,
        last_account_failure,
        known_address,
    })
}

/// How an attempt, written as a failure, turned out otherwise.
enum Outcome {
    /// Turned away untried: counts against its address, not its account.
    Refused,
    Success,
}

async fn mark(db: &Db, attempt: i64, how: Outcome) -> Result<()> {
    let sql = match how {
        Outcome::Success => "UPDATE login_attempts SET success = TRUE WHERE id = $1",
        Outcome::Refused => "UPDATE login_attempts SET refused = TRUE WHERE id = $1",
    };
    exec!(&mut db.writer().await?.conn(), c => sqlx::query(sql).bind(attempt))?;
    Ok(())
}

/// Remembers that the account signed in from `address`.
async fn remember(db: &Db, user_id: i64, address: &str) -> Result<()> {
    exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "INSERT INTO sign_in_addresses (user_id, address, last_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, address) DO UPDATE SET last_at = excluded.last_at")
        .bind(user_id).bind(address).bind(now()))?;
    Ok(())
}
