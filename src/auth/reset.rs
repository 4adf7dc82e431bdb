//! Password reset by e-mail. Asking answers the same whether or not the address has an account
//! (nobody learns who has one); an account gets a link whose secret only the e-mail holds (its
//! hash is kept), that works once and for [`VALID_MINUTES`]. Setting the new password ends the
//! account's sessions and every other open link.

use chrono::{DateTime, Duration, Utc};

use super::store::User;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::mail::message::Letter;
use crate::mail::Mailer;
use crate::{exec, on};

pub const VALID_MINUTES: i64 = 60;
/// Links sent to one account per hour at most; more asks are answered alike and send nothing,
/// so the form cannot be used to flood someone's mailbox.
pub const PER_HOUR: i64 = 3;
pub const TOKEN_PREFIX: &str = "tlr_";

/// Asks for a reset link for `email`. Answers nothing either way, on purpose.
pub async fn request(db: &Db, mailer: &Mailer, email: &str, now: DateTime<Utc>) -> Result<()> {
    let email = email.trim().to_lowercase();
    if !crate::mail::deliverable(&email) {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    // Placeholders an import made have no password to reset: an admin invites them instead.
    let found: Option<(i64, String)> = on!(&mut c, t => sqlx::query_as(
        "SELECT id, name FROM users WHERE email = $1 AND NOT placeholder")
        .bind(&email).fetch_optional(&mut **t).await)?;
    let Some((user_id, name)) = found else {
        return Ok(());
    };
    let recent: i64 = on!(&mut c, t => sqlx::query_scalar(
        "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at > $2")
        .bind(user_id).bind(now - Duration::hours(1)).fetch_one(&mut **t).await)?;
    if recent >= PER_HOUR {
        tracing::info!(
            user = user_id,
            "password reset asked too often; nothing sent"
        );
        return Ok(());
    }
    let token = super::random_secret(TOKEN_PREFIX);
    exec!(&mut c, t => sqlx::query(
        "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(user_id).bind(super::hash_secret(&token)).bind(now)
        .bind(now + Duration::minutes(VALID_MINUTES)))?;
    let letter = Letter {
        subject: "Reset your Throughline password".into(),
        greeting: format!("Hello {name},"),
        lines: vec![
            format!("Someone, probably you, asked to reset the password of the Throughline account {email}."),
            format!("The link below works once, for the next {VALID_MINUTES} minutes. If you did not ask for it, ignore this e-mail: your password stays as it is."),
        ],
        entries: Vec::new(),
        action: Some((
            "Choose a new password".into(),
            mailer.link(&format!("/password/reset/{token}")),
        )),
        why: format!(
            "You get this e-mail because a password reset was asked for at {}.",
            mailer.link("/password/forgot")
        ),
        unsubscribe: None,
    };
    let out = letter.write("password_reset", Some(user_id), &email)?;
    crate::mail::outbox::enqueue(&mut c, &out, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The account a live link resets; a used, expired or unknown link is NotFound.
pub async fn open(db: &Db, token: &str, now: DateTime<Utc>) -> Result<User> {
    if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
        return Err(Error::NotFound);
    }
    let mut reader = db.reader().await?;
    let user: Option<User> = on!(&mut reader.conn(), t => sqlx::query_as(
        "SELECT u.id, u.email, u.name FROM password_resets r JOIN users u ON u.id = r.user_id
         WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2")
        .bind(super::hash_secret(token)).bind(now).fetch_optional(&mut **t).await)?;
    user.ok_or(Error::NotFound)
}

/// Sets the new password through a live link, once: the link and every other open one are
/// used up, and the account's sessions end.
pub async fn complete(
    db: &Db,
    hashing: &crate::passwords::Hashing,
    token: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<User> {
    let user = open(db, token, now).await?;
    super::validate_password(password)?;
    let hash = hashing.hash(password).await?;
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    // The guard: of two submissions of one link, only the first finds it unused.
    let used = exec!(&mut c, t => sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(now).bind(super::hash_secret(token)))?;
    if used != 1 {
        return Err(Error::NotFound);
    }
    exec!(&mut c, t => sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&hash).bind(user.id))?;
    exec!(&mut c, t => sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now).bind(user.id))?;
    exec!(&mut c, t => sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.id))?;
    tx.commit().await?;
    Ok(user)
}
