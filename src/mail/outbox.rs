//! The outbox: messages waiting in the database, sent by the notification worker. Each pass
//! leases due messages (a lease that expires, so a crashed process's messages are picked up
//! again), hands them to the SMTP server, and records the outcome or schedules a retry with the
//! webhooks' backoff. The row stays as the delivery log; its bodies are emptied once sent.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::message::Outgoing;
use super::Mailer;
use crate::db::{Conn, Db};
use crate::error::Result;
use crate::{exec, on};

/// How long a leased message is held before another process may take it over: one SMTP
/// conversation ([`SEND_TIMEOUT`]) and ample time to record its outcome. A process killed while
/// it holds messages delays them by this much at most.
const LEASE: Duration = Duration::from_secs(40);
/// The longest one message's SMTP conversation may take, whatever the server does.
const SEND_TIMEOUT: Duration = Duration::from_secs(25);
const BATCH: i64 = 16;
/// A message is tried this many times before it is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;

/// Wait before the next try after `attempts` failed ones: 10 s, 20 s, 40 s … capped at an hour
/// (the same schedule as webhook deliveries).
pub fn backoff(attempts: i64) -> Duration {
    let exp = attempts.clamp(1, 16) - 1;
    Duration::from_secs((10u64 << exp).min(3_600))
}

/// Puts a message in the outbox, in the caller's transaction or connection.
pub async fn enqueue(c: &mut Conn<'_>, m: &Outgoing, now: DateTime<Utc>) -> Result<i64> {
    Ok(on!(c, t => sqlx::query_scalar(
        "INSERT INTO mail_outbox (kind, user_id, recipient, subject, body_text, body_html, unsubscribe_url, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
        .bind(m.kind).bind(m.user_id).bind(&m.to).bind(&m.subject).bind(&m.text).bind(&m.html)
        .bind(&m.unsubscribe).bind(now).fetch_one(&mut **t).await)?)
}

/// Withdraws a person's notification messages not sent yet (they turned e-mail off).
pub async fn cancel_notifications(c: &mut Conn<'_>, user_id: i64) -> Result<u64> {
    Ok(exec!(c, t => sqlx::query(
        "UPDATE mail_outbox SET state = 'cancelled', body_text = '', body_html = ''
         WHERE user_id = $1 AND state = 'pending' AND kind IN ('notification', 'digest')")
        .bind(user_id))?)
}

type Job = (i64, String, String, String, String, Option<String>, i64);

/// Leases the messages due at `now` for `owner` and sends them; returns how many were tried.
pub async fn tick(db: &Db, mailer: &Mailer, owner: &str, now: DateTime<Utc>) -> Result<usize> {
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let jobs: Vec<Job> = {
        let sql = db.lease_due_sql(
            "mail_outbox",
            "id, recipient, subject, body_text, body_html, unsubscribe_url, attempts",
        );
        on!(&mut db.writer().await?.conn(), c => sqlx::query_as(&sql)
            .bind(until).bind(owner).bind(now).bind(BATCH)
            .fetch_all(&mut **c).await)?
    };
    let n = jobs.len();
    for job in jobs {
        deliver(db, mailer, owner, now, job).await?;
    }
    Ok(n)
}

async fn deliver(
    db: &Db,
    mailer: &Mailer,
    owner: &str,
    now: DateTime<Utc>,
    (id, to, subject, text, html, unsubscribe, attempts): Job,
) -> Result<()> {
    if !hold(db, owner, id, now).await? {
        return Ok(());
    }
    let outcome = match super::message::mime(
        &mailer.smtp.from,
        &to,
        &subject,
        &text,
        &html,
        unsubscribe.as_deref(),
    ) {
        // The transport's own timeout is per command; this bounds the whole conversation, so
        // the lease always outlasts it.
        Ok(m) => tokio::time::timeout(SEND_TIMEOUT, mailer.send(m))
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "the SMTP server took over {} s",
                    SEND_TIMEOUT.as_secs()
                ))
            }),
        Err(e) => Err(e),
    };
    let attempts = attempts + 1;
    let mut tx = db.begin().await?;
    match outcome {
        Ok(()) => {
            exec!(&mut tx.conn(), t => sqlx::query(
                "UPDATE mail_outbox SET state = 'sent', attempts = $1, last_error = NULL, sent_at = $2,
                    leased_until = NULL, body_text = '', body_html = '' WHERE id = $3 AND lease_owner = $4")
                .bind(attempts).bind(now).bind(id).bind(owner))?;
        }
        Err(error) => {
            let failed = attempts >= MAX_ATTEMPTS;
            let next = now + chrono::Duration::from_std(backoff(attempts)).unwrap_or_default();
            exec!(&mut tx.conn(), t => sqlx::query(
                "UPDATE mail_outbox SET state = $1, attempts = $2, last_error = $3, next_attempt_at = $4,
                    leased_until = NULL WHERE id = $5 AND lease_owner = $6")
                .bind(if failed { "failed" } else { "pending" }).bind(attempts).bind(&error)
                .bind(next).bind(id).bind(owner))?;
            tracing::info!(message = id, attempts, failed, error, "e-mail not sent");
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Takes the message for this one try, right before it is sent. The batch's lease may have
/// run out while the messages before it were sent, and another process may have taken it over
/// since: then it is theirs to send, and this process skips it. Otherwise its lease starts
/// again from now, long enough for the conversation and its outcome, so no two processes send
/// the same try.
async fn hold(db: &Db, owner: &str, id: i64, pass: DateTime<Utc>) -> Result<bool> {
    // From now, or from the pass's time when it runs ahead of the clock (the tests' passes).
    let start = pass.max(crate::db::now());
    let until = start + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let held = exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "UPDATE mail_outbox SET leased_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'pending'")
        .bind(until).bind(id).bind(owner))?;
    Ok(held == 1)
}

/// One message of the delivery log: never its body.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Sent {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// pending, sent, failed or cancelled.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A person's messages, newest first.
pub async fn log_for(db: &Db, user_id: i64, limit: i64) -> Result<Vec<Sent>> {
    let mut reader = db.reader().await?;
    let mut c = reader.conn();
    Ok(on!(&mut c, t => sqlx::query_as::<_, Sent>(
        "SELECT id, kind, recipient, subject, state, attempts, last_error, created_at, sent_at
         FROM mail_outbox WHERE user_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(user_id).bind(limit).fetch_all(&mut **t).await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(1), Duration::from_secs(10));
        assert_eq!(backoff(3), Duration::from_secs(40));
        assert_eq!(backoff(12), Duration::from_secs(3_600));
    }
}
