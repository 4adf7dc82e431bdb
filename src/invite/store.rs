//! SQL for invitations and the roles they grant. Each function takes a [`Conn`]: a pooled
//! read connection or the transaction of a change.

use chrono::{DateTime, Utc};

use crate::db::{now, Conn};
use crate::error::Result;
use crate::{exec, on};

/// An invitation row with the placeholder it claims (name and e-mail as they are now).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub workspace_id: i64,
    pub email: Option<String>,
    pub placeholder_id: Option<i64>,
    pub placeholder_name: Option<String>,
    pub placeholder_email: Option<String>,
    pub admin: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Row {
    pub fn state(&self) -> super::State {
        super::State::of(self.accepted_at, self.revoked_at, self.expires_at, now())
    }
}

const SELECT: &str =
    "SELECT i.id, i.workspace_id, i.email, i.placeholder_id, u.name AS placeholder_name,
        u.email AS placeholder_email, i.admin, i.created_by, i.created_at, i.expires_at,
        i.accepted_at, i.revoked_at
    FROM invitations i LEFT JOIN users u ON u.id = i.placeholder_id";

/// The invitation a link's secret opens, whatever its state.
pub async fn by_token_hash(c: &mut Conn<'_>, hash: &str) -> Result<Option<Row>> {
    let sql = format!("{SELECT} WHERE i.token_hash = $1");
    Ok(on!(c, c => sqlx::query_as(&sql).bind(hash).fetch_optional(&mut **c).await)?)
}

pub async fn one(c: &mut Conn<'_>, workspace_id: i64, id: i64) -> Result<Option<Row>> {
    let sql = format!("{SELECT} WHERE i.id = $1 AND i.workspace_id = $2");
    Ok(
        on!(c, c => sqlx::query_as(&sql).bind(id).bind(workspace_id).fetch_optional(&mut **c).await)?,
    )
}

/// The workspace's invitations not yet accepted or revoked (expired ones included), newest first.
pub async fn open(c: &mut Conn<'_>, workspace_id: i64) -> Result<Vec<Row>> {
    let sql = format!(
        "{SELECT} WHERE i.workspace_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL
         ORDER BY i.id DESC"
    );
    Ok(on!(c, c => sqlx::query_as(&sql).bind(workspace_id).fetch_all(&mut **c).await)?)
}

/// (invitation id, product key, role) of every invitation of the workspace.
pub async fn roles(c: &mut Conn<'_>, workspace_id: i64) -> Result<Vec<(i64, String, String)>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT r.invitation_id, p.key, r.role FROM invitation_roles r JOIN products p ON p.id = r.product_id
         WHERE p.workspace_id = $1 ORDER BY r.invitation_id, p.key, r.role")
        .bind(workspace_id).fetch_all(&mut **c).await)?)
}

/// (product id, role) an invitation grants.
pub async fn grants(c: &mut Conn<'_>, invitation_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT product_id, role FROM invitation_roles WHERE invitation_id = $1")
        .bind(invitation_id).fetch_all(&mut **c).await)?)
}

/// An account as an invitation sees it: (id, name, e-mail, placeholder, member of the workspace).
pub type Account = (i64, String, String, bool, bool);

pub async fn account_by_email(
    c: &mut Conn<'_>,
    workspace_id: i64,
    email: &str,
) -> Result<Option<Account>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.placeholder, m.user_id IS NOT NULL FROM users u
         LEFT JOIN workspace_members m ON m.user_id = u.id AND m.workspace_id = $2 WHERE u.email = $1")
        .bind(email).bind(workspace_id).fetch_optional(&mut **c).await)?)
}

pub async fn account_by_id(
    c: &mut Conn<'_>,
    workspace_id: i64,
    id: i64,
) -> Result<Option<Account>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT u.id, u.name, u.email, u.placeholder, m.user_id IS NOT NULL FROM users u
         LEFT JOIN workspace_members m ON m.user_id = u.id AND m.workspace_id = $2 WHERE u.id = $1")
        .bind(id).bind(workspace_id).fetch_optional(&mut **c).await)?)
}

pub struct Insert<'a> {
    pub workspace_id: i64,
    pub email: Option<&'a str>,
    pub placeholder_id: Option<i64>,
    pub admin: bool,
    pub token_hash: &'a str,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub async fn insert(c: &mut Conn<'_>, i: &Insert<'_>) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar(
        "INSERT INTO invitations (workspace_id, email, placeholder_id, admin, token_hash, created_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(i.workspace_id).bind(i.email).bind(i.placeholder_id).bind(i.admin).bind(i.token_hash)
        .bind(i.created_by).bind(i.created_at).bind(i.expires_at).fetch_one(&mut **c).await)?)
}

pub async fn insert_role(
    c: &mut Conn<'_>,
    invitation_id: i64,
    product_id: i64,
    role: &str,
) -> Result<()> {
    exec!(c, c => sqlx::query(
        "INSERT INTO invitation_roles (invitation_id, product_id, role) VALUES ($1, $2, $3)")
        .bind(invitation_id).bind(product_id).bind(role))?;
    Ok(())
}

/// Open invitations of the workspace for the same person: the same placeholder, or the same
/// e-mail for a new account. Answers their ids.
pub async fn open_for(
    c: &mut Conn<'_>,
    workspace_id: i64,
    placeholder_id: Option<i64>,
    email: Option<&str>,
) -> Result<Vec<i64>> {
    Ok(on!(c, c => sqlx::query_scalar(
        "SELECT id FROM invitations WHERE workspace_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL
         AND ((placeholder_id IS NOT NULL AND placeholder_id = $2)
              OR (placeholder_id IS NULL AND $2 IS NULL AND email = $3))")
        .bind(workspace_id).bind(placeholder_id).bind(email).fetch_all(&mut **c).await)?)
}

/// Open invitations claiming this placeholder, in any workspace: (id, workspace id).
pub async fn open_for_placeholder(c: &mut Conn<'_>, user_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT id, workspace_id FROM invitations WHERE placeholder_id = $1
         AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(user_id).fetch_all(&mut **c).await)?)
}

/// Revokes an open invitation; 1 when it was open.
pub async fn revoke(c: &mut Conn<'_>, workspace_id: i64, id: i64) -> Result<u64> {
    Ok(exec!(c, c => sqlx::query(
        "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3
         AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(now()).bind(id).bind(workspace_id))?)
}

/// Marks a pending, unexpired invitation accepted by `user_id`; 1 when it was still usable, so
/// of two acceptances racing only one passes.
pub async fn accept(c: &mut Conn<'_>, id: i64, user_id: i64) -> Result<u64> {
    let at = now();
    Ok(exec!(c, c => sqlx::query(
        "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1")
        .bind(at).bind(user_id).bind(id))?)
}

pub async fn workspace(c: &mut Conn<'_>, id: i64) -> Result<crate::workspace::Workspace> {
    Ok(
        on!(c, c => sqlx::query_as("SELECT id, slug, name, version FROM workspaces WHERE id = $1")
        .bind(id).fetch_one(&mut **c).await)?,
    )
}

/// (id, slug) of the workspaces an account belongs to.
pub async fn workspaces_of(c: &mut Conn<'_>, user_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT w.id, w.slug FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id
         WHERE m.user_id = $1 ORDER BY w.slug")
        .bind(user_id).fetch_all(&mut **c).await)?)
}

/// The placeholder account holding this (normalised) e-mail.
pub async fn placeholder_by_email(c: &mut Conn<'_>, email: &str) -> Result<Option<i64>> {
    Ok(
        on!(c, c => sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND placeholder")
        .bind(email).fetch_optional(&mut **c).await)?,
    )
}

pub async fn make_admin(c: &mut Conn<'_>, workspace_id: i64, user_id: i64) -> Result<()> {
    exec!(c, c => sqlx::query(
        "UPDATE workspace_members SET is_admin = TRUE WHERE workspace_id = $1 AND user_id = $2")
        .bind(workspace_id).bind(user_id))?;
    Ok(())
}

/// Adds a role on a product; one held already stays as it is.
pub async fn grant_role(c: &mut Conn<'_>, product_id: i64, user_id: i64, role: &str) -> Result<()> {
    exec!(c, c => sqlx::query(
        "INSERT INTO product_roles (product_id, user_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (product_id, user_id, role) DO NOTHING")
        .bind(product_id).bind(user_id).bind(role))?;
    Ok(())
}
