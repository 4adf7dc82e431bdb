//! Notifications by e-mail: each pass of the worker claims the notifications that are due to be
//! mailed (at once for `immediate`, once the oldest has waited a day for `daily`, never for
//! `off`), marks them mailed, and puts the messages in the outbox, in one transaction. The claim
//! is one UPDATE that re-checks `mailed_at IS NULL`, so two server processes never mail the same
//! notification.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::db::{Conn, Db};
use crate::error::Result;
use crate::mail::message::{Entry, Letter};
use crate::mail::{Mailer, Mode};
use crate::{exec, on};

type Claimed = (i64, i64, String, String, DateTime<Utc>);
type Person = (i64, String, String, String, bool);

/// Queues the e-mail due at `now`; answers how many messages were queued.
pub async fn queue(db: &Db, mailer: &Mailer, now: DateTime<Utc>) -> Result<usize> {
    let digest_before = now - crate::mail::DIGEST_AFTER;
    // A read first: most passes find nothing due, and need not take the write lock.
    let mut reader = db.reader().await?;
    let due: i64 = on!(&mut reader.conn(), t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications n JOIN users u ON u.id = n.user_id
           WHERE n.mailed_at IS NULL AND (u.email_notifications <> 'daily' OR n.created_at <= $1)
           LIMIT 1) due")
        .bind(digest_before).fetch_one(&mut **t).await)?;
    drop(reader);
    if due == 0 {
        return Ok(0);
    }
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    // Old news is never mailed, whoever it was for.
    exec!(&mut c, t => sqlx::query(
        "UPDATE notifications SET mailed_at = $1 WHERE mailed_at IS NULL AND created_at <= $2")
        .bind(now).bind(now - crate::mail::STALE_AFTER))?;
    let claimed: Vec<Claimed> = on!(&mut c, t => sqlx::query_as(
        "UPDATE notifications SET mailed_at = $1 WHERE mailed_at IS NULL AND id IN (
            SELECT n.id FROM notifications n JOIN users u ON u.id = n.user_id
            WHERE n.mailed_at IS NULL AND (u.email_notifications <> 'daily' OR EXISTS (
                SELECT 1 FROM notifications m WHERE m.user_id = n.user_id AND m.mailed_at IS NULL
                  AND m.created_at <= $2)))
         RETURNING user_id, id, title, link, created_at")
        .bind(now).bind(digest_before).fetch_all(&mut **t).await)?;
    if claimed.is_empty() {
        tx.commit().await?;
        return Ok(0);
    }
    let mut by_person: BTreeMap<i64, Vec<Claimed>> = BTreeMap::new();
    for row in claimed {
        by_person.entry(row.0).or_default().push(row);
    }
    let mut queued = 0;
    for (user_id, mut news) in by_person {
        news.sort_by_key(|n| n.1);
        let person: Option<Person> = on!(&mut c, t => sqlx::query_as(
            "SELECT id, email, name, email_notifications, placeholder FROM users WHERE id = $1")
            .bind(user_id).fetch_optional(&mut **t).await)?;
        let Some((id, email, name, mode, placeholder)) = person else {
            continue;
        };
        let mode = Mode::parse(&mode).unwrap_or(Mode::Off);
        if placeholder || mode == Mode::Off || !crate::mail::deliverable(&email) {
            continue;
        }
        let unsubscribe = mailer.link(&format!(
            "/mail/unsubscribe/{}",
            unsubscribe_token(&mut c, id).await?
        ));
        let letters = match mode {
            Mode::Daily => vec![("digest", digest(mailer, &name, &news, &unsubscribe))],
            _ => news
                .iter()
                .map(|n| ("notification", single(mailer, &name, n, &unsubscribe)))
                .collect(),
        };
        for (kind, letter) in letters {
            let out = letter.write(kind, Some(id), &email)?;
            crate::mail::outbox::enqueue(&mut c, &out, now).await?;
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// The person's unsubscribe secret, made the first time a message needs it.
async fn unsubscribe_token(c: &mut Conn<'_>, user_id: i64) -> Result<String> {
    let fresh = crate::auth::random_secret("tlu_");
    exec!(c, t => sqlx::query(
        "UPDATE users SET unsubscribe_token = $1 WHERE id = $2 AND unsubscribe_token IS NULL")
        .bind(&fresh).bind(user_id))?;
    Ok(
        on!(c, t => sqlx::query_scalar("SELECT unsubscribe_token FROM users WHERE id = $1")
        .bind(user_id).fetch_one(&mut **t).await)?,
    )
}

fn why(mailer: &Mailer, what: &str) -> String {
    format!(
        "You get {what} because you watch this work or were mentioned. Choose immediately, a daily digest or off on your account page: {}",
        mailer.link("/account#email")
    )
}

fn single(mailer: &Mailer, name: &str, n: &Claimed, unsubscribe: &str) -> Letter {
    Letter {
        subject: n.2.clone(),
        greeting: format!("Hello {name},"),
        lines: vec![format!("{}.", n.2.trim_end_matches('.'))],
        entries: Vec::new(),
        action: Some(("Open in Throughline".into(), mailer.link(&n.3))),
        why: why(mailer, "this e-mail"),
        unsubscribe: Some(unsubscribe.to_string()),
    }
}

fn digest(mailer: &Mailer, name: &str, news: &[Claimed], unsubscribe: &str) -> Letter {
    let count = news.len();
    Letter {
        subject: if count == 1 {
            "Your Throughline digest: 1 notification".to_string()
        } else {
            format!("Your Throughline digest: {count} notifications")
        },
        greeting: format!("Hello {name},"),
        lines: vec!["Here is what happened since your last digest.".into()],
        entries: news
            .iter()
            .map(|n| Entry {
                title: n.2.clone(),
                url: mailer.link(&n.3),
                when: n.4.format("%Y-%m-%d %H:%M UTC").to_string(),
            })
            .collect(),
        action: Some(("Open your inbox".into(), mailer.link("/inbox"))),
        why: why(mailer, "this daily digest"),
        unsubscribe: Some(unsubscribe.to_string()),
    }
}
