//! Delivers webhooks from the `webhook_deliveries` table. Each pass leases due jobs (a lease
//! that expires, so a crashed process's jobs are picked up again), posts them signed, and
//! records the outcome or schedules a retry with exponential backoff. The same loop sends the
//! e-mail outbox ([`crate::mail::outbox`]) the same way.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::db::Db;
use crate::error::Result;
use crate::mail::Mailer;
use crate::{exec, on};

/// How long a leased job is held before another process may take it over: the POST's timeout
/// and ample time to record its outcome. A process killed while it holds jobs delays them by
/// this much at most.
const LEASE: Duration = Duration::from_secs(30);
const BATCH: i64 = 16;
const TIMEOUT: Duration = Duration::from_secs(10);

type Job = (i64, i64, String, String, i64);

/// Runs passes every second until the process ends: webhooks, and e-mail when SMTP is set up.
pub fn spawn(db: Db, mailer: Option<Mailer>) -> tokio::task::JoinHandle<()> {
    let owner = crate::auth::random_secret("worker-");
    tokio::spawn(async move {
        loop {
            let now = crate::db::now();
            let pass = async {
                let mut n = tick(&db, &owner, now).await?;
                if let Some(m) = &mailer {
                    n += mail_tick(&db, m, &owner, now).await?;
                }
                Ok::<usize, crate::error::Error>(n)
            };
            match pass.await {
                Ok(0) => tokio::time::sleep(Duration::from_secs(1)).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "delivery pass failed; retrying shortly");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    })
}

/// Queues the notification e-mail due at `now` and sends what the outbox holds that is due;
/// returns how many messages were tried.
pub async fn mail_tick(db: &Db, mailer: &Mailer, owner: &str, now: DateTime<Utc>) -> Result<usize> {
    super::mailing::queue(db, mailer, now).await?;
    crate::mail::outbox::tick(db, mailer, owner, now).await
}

/// Leases the jobs due at `now` for `owner` and delivers them; returns how many were tried.
pub async fn tick(db: &Db, owner: &str, now: DateTime<Utc>) -> Result<usize> {
    let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let jobs: Vec<Job> = {
        let sql = db.lease_due_sql(
            "webhook_deliveries",
            "id, webhook_id, event, payload, attempts",
        );
        on!(&mut db.writer().await?.conn(), c => sqlx::query_as(&sql)
            .bind(until).bind(owner).bind(now).bind(BATCH)
            .fetch_all(&mut **c).await)?
    };
    let n = jobs.len();
    for job in jobs {
        deliver(db, owner, now, job).await?;
    }
    Ok(n)
}

async fn deliver(
    db: &Db,
    owner: &str,
    now: DateTime<Utc>,
    (id, webhook_id, event, payload, attempts): Job,
) -> Result<()> {
    let hook: Option<(String, String, bool)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT h.url, h.secret, w.allow_private_webhooks FROM webhooks h JOIN workspaces w ON w.id = h.workspace_id WHERE h.id = $1")
        .bind(webhook_id).fetch_optional(&mut **c).await)?;
    let Some((url, secret, allow_private)) = hook else {
        return Ok(());
    };
    if !hold(db, owner, id, now).await? {
        return Ok(());
    }
    let outcome = post(&url, &secret, allow_private, id, &event, &payload).await;
    let attempts = attempts + 1;
    let mut tx = db.begin().await?;
    match outcome {
        Ok(status) if (200..300).contains(&status) => {
            exec!(&mut tx.conn(), t => sqlx::query(
                "UPDATE webhook_deliveries SET state = 'delivered', attempts = $1, last_status = $2, last_error = NULL,
                    delivered_at = $3, leased_until = NULL WHERE id = $4 AND lease_owner = $5")
                .bind(attempts).bind(status).bind(now).bind(id).bind(owner))?;
        }
        other => {
            let (status, error) = match other {
                Ok(s) => (Some(s), format!("answered HTTP {s}")),
                Err(e) => (None, e),
            };
            let failed = attempts >= super::MAX_ATTEMPTS;
            let next =
                now + chrono::Duration::from_std(super::backoff(attempts)).unwrap_or_default();
            exec!(&mut tx.conn(), t => sqlx::query(
                "UPDATE webhook_deliveries SET state = $1, attempts = $2, last_status = $3, last_error = $4,
                    next_attempt_at = $5, leased_until = NULL WHERE id = $6 AND lease_owner = $7")
                .bind(if failed { "failed" } else { "pending" }).bind(attempts).bind(status).bind(&error)
                .bind(next).bind(id).bind(owner))?;
            tracing::info!(
                delivery = id,
                webhook = webhook_id,
                attempts,
                failed,
                error,
                "webhook delivery did not land"
            );
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Takes the job for this one try, right before it is sent. The batch's lease may have run out
/// while the jobs before it were sent, and another process may have taken it over since: then
/// it is theirs to send, and this process skips it. Otherwise its lease starts again from now,
/// long enough for the POST and its outcome, so no two processes send the same try.
async fn hold(db: &Db, owner: &str, id: i64, pass: DateTime<Utc>) -> Result<bool> {
    // From now, or from the pass's time when it runs ahead of the clock (the tests' passes).
    let start = pass.max(crate::db::now());
    let until = start + chrono::Duration::from_std(LEASE).unwrap_or_default();
    let held = exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "UPDATE webhook_deliveries SET leased_until = $1 WHERE id = $2 AND lease_owner = $3 AND state = 'pending'")
        .bind(until).bind(id).bind(owner))?;
    Ok(held == 1)
}

/// One signed POST to the vetted addresses of the URL; no redirects are followed, since a
/// redirect could lead to an address that was never checked.
async fn post(
    url: &str,
    secret: &str,
    allow_private: bool,
    id: i64,
    event: &str,
    payload: &str,
) -> std::result::Result<i64, String> {
    let (parsed, addrs) = super::webhooks::vet(url, allow_private)
        .await
        .map_err(|e| e.to_string())?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .resolve_to_addrs(&host, &addrs)
        .build()
        .map_err(|e| e.to_string())?;
    let res = client
        .post(parsed)
        .header("Content-Type", "application/json")
        .header(
            "User-Agent",
            concat!("Throughline-Webhook/", env!("CARGO_PKG_VERSION")),
        )
        .header("X-Throughline-Event", event)
        .header("X-Throughline-Delivery", id.to_string())
        .header(
            "X-Hub-Signature-256",
            super::signature(secret, payload.as_bytes()),
        )
        .body(payload.to_string())
        .send()
        .await
        .map_err(|e| format!("could not deliver: {e}"))?;
    Ok(i64::from(res.status().as_u16()))
}
