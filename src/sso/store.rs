//! SQL for single sign-on: the providers the admin page keeps (changed through the one guarded
//! write, audited with no workspace), the sign-ins waiting for a provider's answer, which
//! provider each session came from, and whether local passwords sign anyone in.

use chrono::{DateTime, Duration, Utc};

use super::{Provider, ProviderInput, PENDING_MINUTES};
use crate::audit::{Change, Guarded, Load, Versioned};
use crate::auth::store::User;
use crate::auth::Role;
use crate::db::{now, Conn, Db};
use crate::error::{Error, Result};
use crate::instance::parse_domains;
use crate::{exec, on};

type ProviderRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
);

const COLUMNS: &str = "id, slug, name, issuer, client_id, client_secret, allowed_domains, \
                       workspace, role, version";

fn from_row(r: ProviderRow) -> Provider {
    let (id, slug, name, issuer, client_id, client_secret, domains, workspace, role, version) = r;
    Provider {
        id: Some(id),
        slug,
        name,
        issuer,
        client_id,
        client_secret,
        // Stored already checked; a hand-edited list that no longer parses admits nobody.
        allowed_domains: parse_domains(&[domains]).unwrap_or_else(|_| vec!["invalid".into()]),
        workspace,
        role: role.as_deref().and_then(Role::parse),
        version,
    }
}

impl Versioned for Provider {
    const NOUN: &'static str = "the sign-in provider";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Provider {
    type Key = i64;
    async fn load(c: &mut Conn<'_>, id: i64) -> Result<Self> {
        let sql = format!("SELECT {COLUMNS} FROM sso_providers WHERE id = $1");
        let row: Option<ProviderRow> =
            on!(c, t => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **t).await)?;
        row.map(from_row).ok_or(Error::NotFound)
    }
}

/// The providers the admin page added, by name.
pub async fn stored(db: &Db) -> Result<Vec<Provider>> {
    let sql = format!("SELECT {COLUMNS} FROM sso_providers ORDER BY name, id");
    let mut r = db.reader().await?;
    let rows: Vec<ProviderRow> =
        on!(&mut r.conn(), t => sqlx::query_as(&sql).fetch_all(&mut **t).await)?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn stored_one(db: &Db, id: i64) -> Result<Provider> {
    let mut r = db.reader().await?;
    Provider::load(&mut r.conn(), id).await
}

fn slug_taken(e: sqlx::Error) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => Error::invalid("slug", "another provider has this slug"),
        other => other,
    }
}

/// Adds a provider (instance admins); the audit row leaves the secret out.
pub async fn add(db: &Db, actor: &User, input: &ProviderInput) -> Result<Provider> {
    let p = input.checked(None)?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO sso_providers (slug, name, issuer, client_id, client_secret, allowed_domains,
                                    workspace, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
        .bind(&p.slug).bind(&p.name).bind(&p.issuer).bind(&p.client_id).bind(&p.client_secret)
        .bind(p.allowed_domains.join(",")).bind(&p.workspace).bind(p.role.map(Role::as_str))
        .bind(now()).fetch_one(&mut **t).await)
    .map_err(slug_taken)?;
    let p = Provider { id: Some(id), ..p };
    Change::instance(Some(actor.id), "sso.provider.add", ("sso_provider", id))
        .after(&p)
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(p)
}

/// Changes a provider if it is still at `expected`; an empty secret keeps the stored one.
pub async fn update(
    db: &Db,
    actor: &User,
    id: i64,
    expected: i64,
    input: &ProviderInput,
) -> Result<Provider> {
    let (mut w, new) =
        Guarded::<Provider>::merging(db, id, expected, |old| input.checked(Some(old))).await?;
    let n = exec!(&mut w.conn(), t => sqlx::query(
        "UPDATE sso_providers SET slug = $1, name = $2, issuer = $3, client_id = $4,
                client_secret = $5, allowed_domains = $6, workspace = $7, role = $8,
                version = version + 1
         WHERE id = $9 AND version = $10")
        .bind(&new.slug).bind(&new.name).bind(&new.issuer).bind(&new.client_id)
        .bind(&new.client_secret).bind(new.allowed_domains.join(",")).bind(&new.workspace)
        .bind(new.role.map(Role::as_str)).bind(id).bind(expected))
    .map_err(slug_taken)?;
    let after = Provider {
        version: expected + 1,
        ..new
    };
    w.commit(
        n,
        Change::instance(Some(actor.id), "sso.provider.update", ("sso_provider", id)).after(&after),
    )
    .await?;
    Ok(after)
}

/// Removes a provider if it is still at `expected`. People who signed in through it keep their
/// accounts; they sign in another way.
pub async fn remove(db: &Db, actor: &User, id: i64, expected: i64) -> Result<()> {
    let mut w = Guarded::<Provider>::open(db, id, expected).await?;
    let n = exec!(&mut w.conn(), t => sqlx::query(
        "DELETE FROM sso_providers WHERE id = $1 AND version = $2").bind(id).bind(expected))?;
    w.commit(
        n,
        Change::instance(Some(actor.id), "sso.provider.remove", ("sso_provider", id)),
    )
    .await?;
    Ok(())
}

/// Whether local passwords sign people in, and the switch's version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Passwords {
    pub local_passwords: bool,
    pub version: i64,
}

impl Versioned for Passwords {
    const NOUN: &'static str = "the password setting";
    fn version(&self) -> i64 {
        self.version
    }
}

impl Load for Passwords {
    type Key = ();
    async fn load(c: &mut Conn<'_>, _: ()) -> Result<Self> {
        let (local_passwords, version): (bool, i64) = on!(c, t => sqlx::query_as(
            "SELECT local_passwords, version FROM sso_settings WHERE id = 1")
            .fetch_one(&mut **t).await)?;
        Ok(Passwords {
            local_passwords,
            version,
        })
    }
}

pub async fn passwords(db: &Db) -> Result<Passwords> {
    let mut r = db.reader().await?;
    Passwords::load(&mut r.conn(), ()).await
}

/// Turns local passwords on or off if the switch is still at `expected` (None at the server's
/// terminal, which always may: it is the way back in when no provider works).
pub async fn set_passwords(
    db: &Db,
    actor: Option<&User>,
    expected: Option<i64>,
    on: bool,
) -> Result<Passwords> {
    let expected = match expected {
        Some(v) => v,
        None => passwords(db).await?.version,
    };
    let mut w = Guarded::<Passwords>::open(db, (), expected).await?;
    let before = *w.old();
    let n = exec!(&mut w.conn(), t => sqlx::query(
        "UPDATE sso_settings SET local_passwords = $1, version = version + 1
         WHERE id = 1 AND version = $2").bind(on).bind(expected))?;
    let after = Passwords {
        local_passwords: on,
        version: expected + 1,
    };
    w.commit(
        n,
        Change::instance(actor.map(|a| a.id), "sso.passwords", ("instance", 1))
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// A sign-in sent to a provider: what its answer must match.
#[derive(Clone, Debug)]
pub struct Pending {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Keeps a sign-in until the provider answers (and clears ones that expired unanswered).
pub async fn put_pending(db: &Db, state: &str, p: &Pending) -> Result<()> {
    let at = now();
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM sso_pending WHERE expires_at < $1").bind(at))?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO sso_pending (state_hash, provider, nonce, pkce_verifier, expires_at)
         VALUES ($1, $2, $3, $4, $5)")
        .bind(crate::auth::hash_secret(state)).bind(&p.provider).bind(&p.nonce)
        .bind(&p.pkce_verifier).bind(at + Duration::minutes(PENDING_MINUTES)))?;
    tx.commit().await?;
    Ok(())
}

/// Takes the sign-in `state` names, once: a second answer with the same state finds nothing,
/// whichever server process took the first. None when unknown, taken or expired.
pub async fn take_pending(db: &Db, state: &str) -> Result<Option<Pending>> {
    let mut tx = db.begin().await?;
    let row: Option<(String, String, String, DateTime<Utc>)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "DELETE FROM sso_pending WHERE state_hash = $1
         RETURNING provider, nonce, pkce_verifier, expires_at")
        .bind(crate::auth::hash_secret(state)).fetch_optional(&mut **t).await)?;
    tx.commit().await?;
    Ok(row
        .filter(|r| r.3 > Utc::now())
        .map(|(provider, nonce, pkce_verifier, _)| Pending {
            provider,
            nonce,
            pkce_verifier,
        }))
}

/// How many sign-ins wait for an answer (the tests see single use with it).
pub async fn pending_count(db: &Db) -> Result<i64> {
    let mut r = db.reader().await?;
    Ok(
        on!(&mut r.conn(), t => sqlx::query_scalar("SELECT COUNT(*) FROM sso_pending")
        .fetch_one(&mut **t).await)?,
    )
}

/// Notes that the session with cookie `secret` came from `provider`, with its ID token.
pub async fn mark_session(db: &Db, secret: &str, provider: &str, id_token: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO sso_sessions (session_hash, provider, id_token) VALUES ($1, $2, $3)")
        .bind(crate::auth::hash_secret(secret)).bind(provider).bind(id_token))?;
    tx.commit().await?;
    Ok(())
}

/// The provider and ID token of the session with cookie `secret`, if it came from one.
pub async fn session_origin(db: &Db, secret: &str) -> Result<Option<(String, String)>> {
    let mut r = db.reader().await?;
    Ok(on!(&mut r.conn(), t => sqlx::query_as(
        "SELECT provider, id_token FROM sso_sessions WHERE session_hash = $1")
        .bind(crate::auth::hash_secret(secret)).fetch_optional(&mut **t).await)?)
}
