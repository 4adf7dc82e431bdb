//! Outgoing webhooks of a workspace: admins add and remove them; targets are checked so that
//! a webhook cannot reach the server's own network unless an admin allows private targets.

use std::net::SocketAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::store::workspace_for;
use crate::workspace::Workspace;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// Deliveries waiting, delivered and failed.
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// http:// or https:// URL that receives a POST per event.
    pub url: String,
    /// Event names (see the list in the docs), or `["*"]` for all.
    pub events: Vec<String>,
    /// The HMAC key for `X-Hub-Signature-256`, at least 16 characters.
    pub secret: String,
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub event: String,
    /// pending, delivered or failed.
    pub state: String,
    pub attempts: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

async fn admin_of(db: &Db, user: &User, ws: &str) -> Result<Workspace> {
    let (w, admin) = workspace_for(db, user.id, ws).await?;
    if !admin {
        return Err(Error::forbidden("only workspace admins manage webhooks"));
    }
    Ok(w)
}

pub async fn allows_private(db: &Db, workspace_id: i64) -> Result<bool> {
    Ok(
        on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar("SELECT allow_private_webhooks FROM workspaces WHERE id = $1")
        .bind(workspace_id).fetch_one(&mut **c).await)?,
    )
}

/// Resolves the URL's host and refuses non-public addresses unless allowed; returns the
/// addresses the delivery must connect to, so a later DNS answer cannot swap them.
pub async fn vet(url: &str, allow_private: bool) -> Result<(url::Url, Vec<SocketAddr>)> {
    let parsed = url::Url::parse(url.trim())
        .map_err(|e| Error::invalid("url", format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid("url", "use an http:// or https:// URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::invalid(
            "url",
            "put credentials in the secret, not in the URL",
        ));
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| Error::invalid("url", "the URL has no host"))?;
    let port = parsed.port_or_known_default().unwrap_or(443);
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await
        .map_err(|e| Error::invalid("url", format!("{host} does not resolve: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(Error::invalid("url", format!("{host} does not resolve")));
    }
    if let Some(bad) = addrs
        .iter()
        .find(|a| !super::is_public(a.ip()))
        .filter(|_| !allow_private)
    {
        return Err(Error::invalid(
            "url",
            format!("{host} resolves to {}, a private, loopback or link-local address; a workspace admin must allow private targets first", bad.ip()),
        ));
    }
    Ok((parsed, addrs))
}

fn validate_events(events: &[String]) -> Result<Vec<String>> {
    if events.is_empty() {
        return Err(Error::invalid(
            "events",
            "subscribe to at least one event, or \"*\"",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for e in events {
        if !super::EVENTS.contains(&e.as_str()) {
            return Err(Error::invalid(
                "events",
                format!("unknown event {e:?}; known: {}", super::EVENTS.join(", ")),
            ));
        }
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    Ok(out)
}

pub async fn create(db: &Db, actor: &User, ws: &str, input: NewWebhook) -> Result<Webhook> {
    let w = admin_of(db, actor, ws).await?;
    let events = validate_events(&input.events)?;
    if input.secret.chars().count() < 16 || input.secret.len() > 200 {
        return Err(Error::invalid(
            "secret",
            "use a secret of 16 to 200 characters",
        ));
    }
    let (url, _) = vet(&input.url, allows_private(db, w.id).await?).await?;
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO webhooks (workspace_id, url, secret, events, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
        .bind(w.id).bind(url.as_str()).bind(&input.secret).bind(json!(events).to_string()).bind(actor.id).bind(crate::db::now())
        .fetch_one(&mut **t).await)?;
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(w.id),
            actor_id: Some(actor.id),
            action: "webhook.create",
            entity_type: "webhook",
            entity_id: id,
            before: None,
            after: Some(json!({"url": url.as_str(), "events": events})),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    get(db, w.id, id).await
}

async fn get(db: &Db, workspace_id: i64, id: i64) -> Result<Webhook> {
    list_in(db, workspace_id)
        .await?
        .into_iter()
        .find(|h| h.id == id)
        .ok_or(Error::NotFound)
}

async fn list_in(db: &Db, workspace_id: i64) -> Result<Vec<Webhook>> {
    type Row = (i64, String, String, bool, DateTime<Utc>, i64, i64, i64);
    let rows: Vec<Row> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT h.id, h.url, h.events, h.active, h.created_at,
                COALESCE(SUM(CASE WHEN d.state = 'pending' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN d.state = 'delivered' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN d.state = 'failed' THEN 1 ELSE 0 END), 0)
         FROM webhooks h LEFT JOIN webhook_deliveries d ON d.webhook_id = h.id
         WHERE h.workspace_id = $1 GROUP BY h.id, h.url, h.events, h.active, h.created_at ORDER BY h.id")
        .bind(workspace_id).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, url, events, active, created_at, pending, delivered, failed)| Webhook {
                id,
                url,
                events: serde_json::from_str(&events).unwrap_or_default(),
                active,
                created_at,
                pending,
                delivered,
                failed,
            },
        )
        .collect())
}

pub async fn list(db: &Db, actor: &User, ws: &str) -> Result<(Workspace, bool, Vec<Webhook>)> {
    let w = admin_of(db, actor, ws).await?;
    let allow = allows_private(db, w.id).await?;
    let hooks = list_in(db, w.id).await?;
    Ok((w, allow, hooks))
}

pub async fn delete(db: &Db, actor: &User, ws: &str, id: i64) -> Result<()> {
    let w = admin_of(db, actor, ws).await?;
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM webhooks WHERE id = $1 AND workspace_id = $2")
        .bind(id).bind(w.id))?;
    if n == 0 {
        return Err(Error::NotFound);
    }
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(w.id),
            actor_id: Some(actor.id),
            action: "webhook.delete",
            entity_type: "webhook",
            entity_id: id,
            before: None,
            after: None,
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The delivery log of one webhook, newest first.
pub async fn deliveries(db: &Db, actor: &User, ws: &str, id: i64) -> Result<Vec<Delivery>> {
    let w = admin_of(db, actor, ws).await?;
    get(db, w.id, id).await?;
    Ok(
        on!(&mut db.reader().await?.conn(), c => sqlx::query_as::<_, Delivery>(
        "SELECT id, event, state, attempts, last_status, last_error, next_attempt_at, created_at, delivered_at
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 200")
        .bind(id).fetch_all(&mut **c).await)?,
    )
}

/// Lets (or stops) webhooks reach private, loopback and link-local addresses.
pub async fn allow_private(db: &Db, actor: &User, ws: &str, allow: bool) -> Result<()> {
    let w = admin_of(db, actor, ws).await?;
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE workspaces SET allow_private_webhooks = $1 WHERE id = $2")
        .bind(allow).bind(w.id))?;
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(w.id),
            actor_id: Some(actor.id),
            action: "workspace.allow_private_webhooks",
            entity_type: "workspace",
            entity_id: w.id,
            before: None,
            after: Some(json!({"allow_private_webhooks": allow})),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues a `webhook.ping` to one webhook, to check it end to end.
pub async fn ping(db: &Db, actor: &User, ws: &str, id: i64) -> Result<()> {
    let w = admin_of(db, actor, ws).await?;
    get(db, w.id, id).await?;
    let now = crate::db::now();
    let payload = json!({"event": "webhook.ping", "title": "ping", "actor": {"name": actor.name, "email": actor.email}, "at": now}).to_string();
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO webhook_deliveries (webhook_id, event, payload, next_attempt_at, created_at) VALUES ($1, 'webhook.ping', $2, $3, $3)")
        .bind(id).bind(payload).bind(now))?;
    tx.commit().await?;
    Ok(())
}
