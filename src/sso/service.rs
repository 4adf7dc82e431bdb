//! From a provider's checked answer to a session: the account with that verified e-mail, or a
//! new one (just in time) that joins the provider's workspace with its role; the instance's
//! allowed domains hold here as everywhere. One transaction, audited.

use serde_json::json;

use super::{admit, store, Identity, Provider};
use crate::audit::Change;
use crate::auth::store::{insert_user, User};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::{exec, on};

/// Signs the person in: answers the new session's cookie value.
pub async fn sign_in(db: &Db, p: &Provider, who: &Identity, id_token: &str) -> Result<String> {
    let email = admit(p, who)?;
    let user = account_for(db, p, who, &email).await?;
    let secret = crate::auth::store::create_session(db, user.id).await?;
    store::mark_session(db, &secret, &p.slug, id_token).await?;
    Ok(secret)
}

async fn account_for(db: &Db, p: &Provider, who: &Identity, email: &str) -> Result<User> {
    let mut tx = db.begin().await?;
    let found: Option<(i64, String, bool)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT id, name, placeholder FROM users WHERE email = $1")
        .bind(email).fetch_optional(&mut **t).await)?;
    if let Some((id, name, placeholder)) = found {
        let user = User {
            id,
            email: email.to_string(),
            name,
        };
        if placeholder {
            // Someone an import named, now proven to hold the address: the placeholder becomes
            // their account and keeps its history.
            exec!(&mut tx.conn(), t => sqlx::query(
                "UPDATE users SET placeholder = FALSE WHERE id = $1").bind(id))?;
            Change::instance(Some(id), "sso.account.claim", ("user", id))
                .after(&json!({"email": email, "provider": p.slug}))
                .record(&mut tx)
                .await?;
        }
        tx.commit().await?;
        return Ok(user);
    }
    crate::instance::store::settings(db)
        .await?
        .check_email("email", email)
        .map_err(|_| {
            Error::forbidden(format!(
                "this Throughline admits no accounts at {email}'s domain; ask an administrator"
            ))
        })?;
    let name = who
        .name
        .clone()
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_string());
    // No password: this account signs in through its provider (or a reset by an admin).
    let id = insert_user(&mut tx.conn(), email, &name, "").await?;
    let user = User {
        id,
        email: email.to_string(),
        name,
    };
    Change::instance(Some(id), "sso.account.create", ("user", id))
        .after(&json!({"email": email, "name": user.name, "provider": p.slug}))
        .record(&mut tx)
        .await?;
    if let Some(slug) = &p.workspace {
        join(&mut tx, p, slug, &user).await?;
    }
    tx.commit().await?;
    Ok(user)
}

/// Makes the new account a member of the provider's workspace, with its role on every product
/// there. A workspace that no longer exists is left out, and the log says so.
async fn join(tx: &mut crate::db::Tx, p: &Provider, slug: &str, user: &User) -> Result<()> {
    let ws: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT id FROM workspaces WHERE slug = $1").bind(slug).fetch_optional(&mut **t).await)?;
    let Some(ws) = ws else {
        tracing::warn!(provider = %p.slug, workspace = %slug, "no such workspace to join");
        return Ok(());
    };
    crate::workspace::store::join(&mut tx.conn(), ws, user.id).await?;
    let mut products: Vec<String> = Vec::new();
    if let Some(role) = p.role {
        let ids: Vec<(i64, String)> = on!(&mut tx.conn(), t => sqlx::query_as(
            "SELECT id, key FROM products WHERE workspace_id = $1 ORDER BY id")
            .bind(ws).fetch_all(&mut **t).await)?;
        for (product, key) in ids {
            crate::invite::store::grant_role(&mut tx.conn(), product, user.id, role.as_str())
                .await?;
            products.push(key);
        }
    }
    let mut change = Change::instance(Some(user.id), "member.add", ("user", user.id))
        .after(&json!({"email": user.email, "via": p.slug, "role": p.role, "products": products}));
    change.workspace_id = Some(ws);
    change.record(tx).await?;
    Ok(())
}

/// Every provider people may sign in with: the configured one first, then the admin page's.
pub async fn providers(db: &Db, cfg: &crate::config::oidc::OidcSettings) -> Result<Vec<Provider>> {
    let mut all: Vec<Provider> = Provider::configured(cfg)?.into_iter().collect();
    all.extend(store::stored(db).await?);
    Ok(all)
}

/// The provider with this slug, or not found.
pub async fn provider(
    db: &Db,
    cfg: &crate::config::oidc::OidcSettings,
    slug: &str,
) -> Result<Provider> {
    providers(db, cfg)
        .await?
        .into_iter()
        .find(|p| p.slug == slug)
        .ok_or(Error::NotFound)
}

/// For a session that came through a provider publishing a sign-out address: the provider's
/// name and that address (back to our sign-in page afterwards). Read before the session ends;
/// a provider that cannot be reached just leaves the link out.
pub async fn sign_out_url(
    db: &Db,
    cfg: &crate::config::oidc::OidcSettings,
    session_secret: &str,
    base: &str,
) -> Option<(String, String)> {
    let (slug, id_token) = store::session_origin(db, session_secret).await.ok()??;
    let p = provider(db, cfg, &slug).await.ok()?;
    let after = format!("{}/login", base.trim_end_matches('/'));
    let url = super::oidc::end_session_url(&p, &id_token, &after)
        .await
        .ok()??;
    Some((p.name, url))
}

/// Turns local passwords on or off from the admin page. Off needs a provider to sign in with,
/// so that an admin cannot lock everybody out; the way back in is always
/// `throughline sso passwords on` at the server.
pub async fn set_passwords(
    db: &Db,
    cfg: &crate::config::oidc::OidcSettings,
    actor: &User,
    version: i64,
    on: bool,
) -> Result<()> {
    if !on && providers(db, cfg).await?.is_empty() {
        return Err(Error::invalid(
            "local_passwords",
            "add a sign-in provider before turning passwords off, or nobody could sign in",
        ));
    }
    store::set_passwords(db, Some(actor), Some(version), on).await?;
    Ok(())
}

/// Removes a provider from the admin page; the last one goes only while passwords are on.
pub async fn remove_provider(
    db: &Db,
    cfg: &crate::config::oidc::OidcSettings,
    actor: &User,
    id: i64,
    version: i64,
) -> Result<()> {
    let left = providers(db, cfg).await?.len();
    if left <= 1 && !store::passwords(db).await?.local_passwords {
        return Err(Error::Conflict(
            "this is the last way to sign in while passwords are off; turn passwords on first"
                .into(),
        ));
    }
    store::remove(db, actor, id, version).await
}
