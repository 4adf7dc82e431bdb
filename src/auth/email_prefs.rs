//! How a person hears of notifications by e-mail (immediately, a daily digest, or off), and the
//! one-click unsubscribe that turns it off without signing in.

use crate::db::Db;
use crate::error::{Error, Result};
use crate::mail::Mode;
use crate::{exec, on};

pub async fn mode(db: &Db, user_id: i64) -> Result<Mode> {
    let mut reader = db.reader().await?;
    let mode: Option<String> = on!(&mut reader.conn(), t => sqlx::query_scalar(
        "SELECT email_notifications FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(&mut **t).await)?;
    mode.and_then(|m| Mode::parse(&m)).ok_or(Error::NotFound)
}

/// Sets the person's mode; turning it off also withdraws their notification e-mail not sent yet.
pub async fn set_mode(db: &Db, user_id: i64, mode: Mode) -> Result<Mode> {
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE users SET email_notifications = $1 WHERE id = $2")
        .bind(mode.as_str()).bind(user_id))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    if mode == Mode::Off {
        crate::mail::outbox::cancel_notifications(&mut tx.conn(), user_id).await?;
    }
    tx.commit().await?;
    Ok(mode)
}

/// A mode named in a form, the API or the command line; a wrong one names `field`.
pub fn parse_mode(field: &'static str, text: &str) -> Result<Mode> {
    Mode::parse(text).ok_or_else(|| {
        Error::invalid(
            field,
            format!("{text:?} is not a choice; use immediate, daily or off"),
        )
    })
}

/// The e-mail address whose notification e-mail an unsubscribe link turns off.
pub async fn unsubscribe_target(db: &Db, token: &str) -> Result<String> {
    if !token.starts_with("tlu_") || token.len() > 100 {
        return Err(Error::NotFound);
    }
    let mut reader = db.reader().await?;
    let email: Option<String> = on!(&mut reader.conn(), t => sqlx::query_scalar(
        "SELECT email FROM users WHERE unsubscribe_token = $1")
        .bind(token).fetch_optional(&mut **t).await)?;
    email.ok_or(Error::NotFound)
}

/// Turns off the notification e-mail of the person the link was made for; answers their address.
pub async fn unsubscribe(db: &Db, token: &str) -> Result<String> {
    let email = unsubscribe_target(db, token).await?;
    let mut reader = db.reader().await?;
    let id: i64 = on!(&mut reader.conn(), t => sqlx::query_scalar(
        "SELECT id FROM users WHERE unsubscribe_token = $1")
        .bind(token).fetch_one(&mut **t).await)?;
    drop(reader);
    set_mode(db, id, Mode::Off).await?;
    Ok(email)
}
