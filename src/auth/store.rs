//! SQL for users, sessions and API tokens (sign-in attempts are `sign_in`'s).

use chrono::{DateTime, Duration, Utc};

use crate::db::batch::{Read, Rows};
use crate::db::{now, Db, Tx};
use crate::error::{Error, Result};
use crate::{exec, on};

#[derive(Clone, Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
}

/// A signed-in browser session. Lives in the database so several server processes share it.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    /// Unread notifications, shown in every page's top bar.
    pub unread: i64,
}

pub const SESSION_DAYS: i64 = 14;

/// A local account. The first account of an installation becomes its admin.
pub async fn create_user(db: &Db, email: &str, name: &str, password: &str) -> Result<User> {
    let email = super::validate_email(email)?;
    super::validate_password(password)?;
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "a name is required"));
    }
    let hash = super::hash_password(password)?;
    let id: i64 = on!(&mut db.writer().await?.conn(), c => sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at, instance_admin)
         VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM users WHERE instance_admin)) RETURNING id")
        .bind(&email).bind(name.trim()).bind(&hash).bind(now()).fetch_one(&mut **c).await)
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::invalid("email", "an account with this e-mail already exists"),
            other => other,
        })?;
    Ok(User {
        id,
        email,
        name: name.trim().to_string(),
    })
}

/// An account for someone an import names who has none yet. It has no password, so it cannot
/// sign in until an admin invites them, and it is marked as a placeholder. Its e-mail is theirs
/// when the file gives one, else an address under the reserved `.invalid` domain that no mail
/// can reach; nobody is ever e-mailed about it.
pub async fn create_placeholder(tx: &mut Tx, name: &str, email: Option<&str>) -> Result<i64> {
    let email = match email {
        Some(e) => super::validate_email(e)?,
        None => format!("{}@placeholder.invalid", &super::random_secret("")[..16]),
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::invalid("name", "a name is required"));
    }
    Ok(on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at, placeholder)
         VALUES ($1, $2, '', $3, TRUE) RETURNING id")
        .bind(&email).bind(name).bind(now()).fetch_one(&mut **t).await)?)
}

/// Deletes those of `ids` that are still placeholders nothing refers to (no item assigned to
/// or reported by them, no comment of theirs, nothing they watch, no open invitation): an
/// import's undo. Answers how many went.
pub async fn delete_unused_placeholders(tx: &mut Tx, ids: &[i64]) -> Result<usize> {
    let mut gone = 0;
    for &id in ids {
        gone += exec!(&mut tx.conn(), t => sqlx::query(
            "DELETE FROM users WHERE id = $1 AND placeholder
               AND NOT EXISTS (SELECT 1 FROM items WHERE assignee_id = $1 OR reporter_id = $1)
               AND NOT EXISTS (SELECT 1 FROM comments WHERE author_id = $1)
               AND NOT EXISTS (SELECT 1 FROM watchers WHERE user_id = $1)
               AND NOT EXISTS (SELECT 1 FROM invitations WHERE placeholder_id = $1
                               AND accepted_at IS NULL AND revoked_at IS NULL)")
            .bind(id))?;
    }
    Ok(usize::try_from(gone).unwrap_or(usize::MAX))
}

/// Turns a placeholder into an account that signs in: its name, e-mail and password set, its
/// mark removed. Its id stays, so everything the import attributed to it (items reported and
/// assigned, comments) stays theirs. 1 when it was still a placeholder; an e-mail another
/// account holds is refused naming `email`.
pub async fn claim_placeholder(
    c: &mut crate::db::Conn<'_>,
    id: i64,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<u64> {
    crate::exec!(c, t => sqlx::query(
        "UPDATE users SET email = $1, name = $2, password_hash = $3, placeholder = FALSE
         WHERE id = $4 AND placeholder")
        .bind(email).bind(name).bind(password_hash).bind(id))
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::invalid("email", "an account with this e-mail already exists"),
        other => other,
    })
}

/// A new account that signs in with `password_hash`, in the caller's transaction.
pub async fn insert_user(
    c: &mut crate::db::Conn<'_>,
    email: &str,
    name: &str,
    password_hash: &str,
) -> Result<i64> {
    crate::on!(c, t => sqlx::query_scalar(
        "INSERT INTO users (email, name, password_hash, created_at, instance_admin)
         VALUES ($1, $2, $3, $4, NOT EXISTS (SELECT 1 FROM users WHERE instance_admin)) RETURNING id")
        .bind(email).bind(name).bind(password_hash).bind(now()).fetch_one(&mut **t).await)
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::invalid("email", "an account with this e-mail already exists"),
        other => other,
    })
}

/// The account with this e-mail (any case), inside the caller's transaction.
pub async fn id_by_email(c: &mut crate::db::Conn<'_>, email: &str) -> Result<Option<i64>> {
    Ok(
        on!(c, t => sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email.trim().to_lowercase()).fetch_optional(&mut **t).await)?,
    )
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>> {
    let email = email.trim().to_lowercase();
    Ok(
        on!(&mut db.reader().await?.conn(), c => sqlx::query_as("SELECT id, email, name FROM users WHERE email = $1")
        .bind(&email).fetch_optional(&mut **c).await)?,
    )
}

/// Starts a session; returns the cookie value (only its hash is stored).
pub async fn create_session(db: &Db, user_id: i64) -> Result<String> {
    let secret = super::random_secret("");
    let csrf = super::random_secret("");
    let at = now();
    exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(super::hash_secret(&secret)).bind(user_id).bind(&csrf).bind(at)
        .bind(at + Duration::days(SESSION_DAYS)))?;
    Ok(secret)
}

pub async fn session(db: &Db, secret: &str) -> Result<Option<Session>> {
    Ok(session_read(super::hash_secret(secret)).on(db).await?)
}

/// [`session`] by the hash of its secret, as a read that may share a round trip with others
/// (a product page's prologue: the session and the product the path names). An expired
/// session is none.
pub fn session_read(id_hash: String) -> Read<Option<Session>> {
    Read::query(SESSION_SQL, vec![id_hash.into()], |rows| session_of(&rows))
}

/// [`session_read`]'s statement, `$1` the hash of the session's secret. Its columns are named
/// `h_…` so that a statement joining it to another's rows (a page's prologue) names none twice.
/// The unread count rides along: every page shows it, and this query runs for every page.
pub const SESSION_SQL: &str =
    "SELECT u.id AS h_id, u.email AS h_email, u.name AS h_name, s.csrf_token AS h_csrf,
            s.expires_at AS h_expires,
            (SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL) AS h_unread
     FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1";

/// The session the first row of [`SESSION_SQL`] (alone or first in a joined statement) shows;
/// an expired one is none.
pub fn session_of(rows: &Rows) -> std::result::Result<Option<Session>, sqlx::Error> {
    let row = rows.first::<(i64, String, String, String, DateTime<Utc>, i64)>()?;
    Ok(row
        .filter(|r| r.4 > Utc::now())
        .map(|(id, email, name, csrf, _, unread)| Session {
            user: User { id, email, name },
            csrf,
            unread,
        }))
}

pub async fn end_session(db: &Db, secret: &str) -> Result<()> {
    exec!(&mut db.writer().await?.conn(), c => sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(super::hash_secret(secret)))?;
    Ok(())
}

/// Creates an API token; the clear token is returned once and never stored. A read-only token
/// reads whatever its owner may read and is refused every change (REST API and MCP alike).
pub async fn create_token(db: &Db, user_id: i64, name: &str, read_only: bool) -> Result<String> {
    if name.trim().is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid(
            "name",
            "give the token a name of 1 to 100 characters",
        ));
    }
    let token = super::random_secret("tl_");
    exec!(&mut db.writer().await?.conn(), c => sqlx::query(
    "INSERT INTO api_tokens (user_id, name, token_hash, created_at, read_only) VALUES ($1, $2, $3, $4, $5)")
    .bind(user_id).bind(name.trim()).bind(super::hash_secret(&token)).bind(now()).bind(read_only)
    )?;
    Ok(token)
}

/// Who a bearer token acts for, and whether it may only read.
#[derive(Clone, Debug)]
pub struct TokenHolder {
    pub user: User,
    pub read_only: bool,
}

pub async fn holder_by_token(db: &Db, token: &str) -> Result<Option<TokenHolder>> {
    Ok(holder_read(super::hash_secret(token)).on(db).await?)
}

/// [`holder_by_token`] by the token's hash, as a read that may share a round trip with others
/// (the API's prologue: the holder and the product the route names).
pub fn holder_read(token_hash: String) -> Read<Option<TokenHolder>> {
    Read::query(HOLDER_SQL, vec![token_hash.into()], |rows| holder_of(&rows))
}

/// [`holder_read`]'s statement, `$1` the token's hash, its columns named as [`SESSION_SQL`]'s.
pub const HOLDER_SQL: &str =
    "SELECT u.id AS h_id, u.email AS h_email, u.name AS h_name, t.read_only AS h_read_only
     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";

/// The holder the first row of [`HOLDER_SQL`] (alone or first in a joined statement) shows.
pub fn holder_of(rows: &Rows) -> std::result::Result<Option<TokenHolder>, sqlx::Error> {
    Ok(rows
        .first::<(i64, String, String, bool)>()?
        .map(|(id, email, name, read_only)| TokenHolder {
            user: User { id, email, name },
            read_only,
        }))
}

pub async fn user_by_token(db: &Db, token: &str) -> Result<Option<User>> {
    Ok(holder_by_token(db, token).await?.map(|h| h.user))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub read_only: bool,
}

pub async fn tokens_of(db: &Db, user_id: i64) -> Result<Vec<TokenInfo>> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, name, created_at, read_only FROM api_tokens WHERE user_id = $1 ORDER BY id")
        .bind(user_id).fetch_all(&mut **c).await)?)
}

/// Revokes one of the user's own tokens; another user's token id is simply not found.
pub async fn revoke_token(db: &Db, user_id: i64, id: i64) -> Result<()> {
    let n = exec!(&mut db.writer().await?.conn(), c => sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
        .bind(id).bind(user_id))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Turns the accounts whose e-mail ends in `suffix` into placeholders that cannot sign in
/// (the demo's people, loaded beside a real installation, whose password is public). Their
/// history stays; an admin may invite them like any placeholder. Answers how many.
pub async fn make_placeholders(db: &Db, suffix: &str) -> Result<u64> {
    Ok(exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "UPDATE users SET password_hash = '', placeholder = TRUE
         WHERE email LIKE $1 AND NOT instance_admin")
        .bind(format!("%{suffix}")))?)
}

/// Whether the account administers the installation (its settings, its admins).
pub async fn is_instance_admin(db: &Db, user_id: i64) -> Result<bool> {
    let admin: Option<bool> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT instance_admin FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(&mut **c).await)?;
    Ok(admin.unwrap_or(false))
}
