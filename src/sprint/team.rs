//! Teams (E5): who works on which products, each member's default availability, WIP limits.

use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::workspace::store::WsRef;
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct WipLimits {
    pub todo: Option<i64>,
    pub in_progress: Option<i64>,
    pub in_review: Option<i64>,
}

impl WipLimits {
    pub fn of(&self, status: &str) -> Option<i64> {
        match status {
            "todo" => self.todo,
            "in_progress" => self.in_progress,
            "in_review" => self.in_review,
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TeamMember {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub points_per_day: f64,
    pub focus_pct: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Team {
    pub id: i64,
    pub name: String,
    /// How many closed sprints velocity averages over.
    pub velocity_window: i64,
    pub wip: WipLimits,
    /// Keys of the products the team works on.
    pub products: Vec<String>,
    pub members: Vec<TeamMember>,
    pub version: i64,
}

/// Answered with its version as the ETag, so the next write can send `If-Match`.
impl crate::audit::Versioned for Team {
    const NOUN: &'static str = "the team";
    fn version(&self) -> i64 {
        self.version
    }
}

type TeamRow = (i64, String, i64, Option<i64>, Option<i64>, Option<i64>, i64);

fn audit_team<'a>(
    ctx: &ProductCtx,
    actor: &User,
    action: &'a str,
    id: i64,
    after: serde_json::Value,
) -> Change<'a> {
    Change {
        workspace_id: Some(ctx.workspace.id),
        actor_id: Some(actor.id),
        action,
        entity_type: "team",
        entity_id: id,
        before: None,
        after: Some(after),
        reason: None,
    }
}

pub async fn works_on(db: &Db, team_id: i64, product_id: i64) -> Result<bool> {
    let n: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM team_products WHERE team_id = $1 AND product_id = $2")
        .bind(team_id).bind(product_id).fetch_one(&mut **c).await)?;
    Ok(n > 0)
}

pub async fn wip_limits(db: &Db, team_id: i64) -> Result<WipLimits> {
    Ok(wip_limits_read(team_id).on(db).await?)
}

/// [`wip_limits`] as a read that may share a round trip with others.
pub fn wip_limits_read(team_id: i64) -> Read<WipLimits> {
    Read::query(
        "SELECT wip_todo, wip_in_progress, wip_in_review FROM teams WHERE id = $1",
        vec![team_id.into()],
        |rows| {
            let (todo, in_progress, in_review) = rows.one()?;
            Ok(WipLimits {
                todo,
                in_progress,
                in_review,
            })
        },
    )
}

/// Every team of a workspace, by name: (id, name).
pub async fn of_workspace(db: &Db, workspace_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(of_workspace_read(WsRef::Id(workspace_id)).on(db).await?)
}

/// [`of_workspace`] as a read that may share a round trip with others.
pub fn of_workspace_read(ws: WsRef<'_>) -> Read<Vec<(i64, String)>> {
    Read::query(
        ws.sql("SELECT id, name FROM teams WHERE workspace_id = {ws} ORDER BY name"),
        vec![ws.arg()],
        |rows| rows.all::<(i64, String)>(),
    )
}

/// The teams working on a product, with their members.
pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<Team>> {
    ctx.grants.require(Action::ViewBacklog)?;
    let ids: Vec<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT t.id FROM teams t JOIN team_products tp ON tp.team_id = t.id WHERE tp.product_id = $1 ORDER BY t.name")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(load(db, ctx.workspace.id, id).await?);
    }
    Ok(out)
}

/// A team of the workspace that works on the product in `ctx`.
pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Team> {
    ctx.grants.require(Action::ViewBacklog)?;
    if !works_on(db, id, ctx.product.id).await? {
        return Err(Error::NotFound);
    }
    load(db, ctx.workspace.id, id).await
}

async fn load(db: &Db, workspace_id: i64, id: i64) -> Result<Team> {
    let row: TeamRow = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, name, velocity_window, wip_todo, wip_in_progress, wip_in_review, version FROM teams
         WHERE id = $1 AND workspace_id = $2")
        .bind(id).bind(workspace_id).fetch_optional(&mut **c).await)?
    .ok_or(Error::NotFound)?;
    let products: Vec<String> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT pr.key FROM team_products tp JOIN products pr ON pr.id = tp.product_id WHERE tp.team_id = $1 ORDER BY pr.key")
        .bind(id).fetch_all(&mut **c).await)?;
    let members: Vec<TeamMember> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT m.user_id, u.name, u.email, m.points_per_day, m.focus_pct FROM team_members m
         JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.name")
        .bind(id).fetch_all(&mut **c).await)?;
    Ok(Team {
        id: row.0,
        name: row.1,
        velocity_window: row.2,
        wip: WipLimits {
            todo: row.3,
            in_progress: row.4,
            in_review: row.5,
        },
        products,
        members,
        version: row.6,
    })
}

fn validate_name(name: &str) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 80 {
        return Err(Error::invalid(
            "name",
            "give the team a name of 1 to 80 characters",
        ));
    }
    Ok(n.to_string())
}

/// Creates a team in the product's workspace, working on that product.
pub async fn create(db: &Db, actor: &User, ctx: &ProductCtx, name: &str) -> Result<Team> {
    ctx.grants.require(Action::ManageTeam)?;
    let name = validate_name(name)?;
    let mut tx = db.begin().await?;
    let id = insert(&mut tx, ctx, &name).await?;
    audit::store::record(
        &mut tx,
        audit_team(
            ctx,
            actor,
            "team.create",
            id,
            json!({"name": name, "product": ctx.product.key}),
        ),
    )
    .await?;
    tx.commit().await?;
    load(db, ctx.workspace.id, id).await
}

/// Inserts a team working on the product, in the caller's transaction (creating a team, and an
/// import whose sprints need one).
pub async fn insert(tx: &mut Tx, ctx: &ProductCtx, name: &str) -> Result<i64> {
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO teams (workspace_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(ctx.workspace.id).bind(name).bind(crate::db::now()).fetch_one(&mut **t).await)
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::invalid(
            "name",
            format!("the workspace already has a team called {name}"),
        ),
        other => other,
    })?;
    link_product(tx, id, ctx.product.id).await?;
    Ok(id)
}

/// A team name the workspace does not use yet, for a team an import makes: "Onboarding team",
/// else with the product's key, else numbered.
pub async fn free_name(tx: &mut Tx, ctx: &ProductCtx) -> Result<String> {
    let taken: Vec<String> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT name FROM teams WHERE workspace_id = $1").bind(ctx.workspace.id).fetch_all(&mut **t).await)?;
    let first = [
        format!("{} team", ctx.product.name),
        format!("{} team", ctx.product.key),
    ];
    let name = first
        .into_iter()
        .chain((2..).map(|n| format!("{} team {n}", ctx.product.key)))
        .map(|n| n.chars().take(80).collect::<String>())
        .find(|n| !taken.contains(n))
        .unwrap_or_default();
    Ok(name)
}

async fn link_product(tx: &mut Tx, team_id: i64, product_id: i64) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO team_products (team_id, product_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(team_id).bind(product_id))?;
    Ok(())
}

/// Has an existing team of the workspace also work on this product.
pub async fn attach(db: &Db, actor: &User, ctx: &ProductCtx, name: &str) -> Result<Team> {
    ctx.grants.require(Action::ManageTeam)?;
    let id: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar("SELECT id FROM teams WHERE workspace_id = $1 AND name = $2")
        .bind(ctx.workspace.id).bind(name.trim()).fetch_optional(&mut **c).await)?
    .ok_or_else(|| Error::invalid("team", format!("no team called {name:?} in this workspace")))?;
    let mut tx = db.begin().await?;
    link_product(&mut tx, id, ctx.product.id).await?;
    audit::store::record(
        &mut tx,
        audit_team(
            ctx,
            actor,
            "team.attach",
            id,
            json!({"product": ctx.product.key}),
        ),
    )
    .await?;
    tx.commit().await?;
    load(db, ctx.workspace.id, id).await
}

pub struct TeamPatch {
    pub name: Option<String>,
    pub velocity_window: Option<i64>,
    pub wip: Option<WipLimits>,
}

pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    version: i64,
    p: TeamPatch,
) -> Result<Team> {
    ctx.grants.require(Action::ManageTeam)?;
    let team = get(db, ctx, id).await?;
    let name = validate_name(p.name.as_deref().unwrap_or(&team.name))?;
    let window = p.velocity_window.unwrap_or(team.velocity_window);
    if !(1..=12).contains(&window) {
        return Err(Error::invalid(
            "velocity_window",
            "average over 1 to 12 closed sprints",
        ));
    }
    let wip = p.wip.unwrap_or(team.wip);
    for (field, v) in [
        ("wip_todo", wip.todo),
        ("wip_in_progress", wip.in_progress),
        ("wip_in_review", wip.in_review),
    ] {
        if v.is_some_and(|v| v < 1) {
            return Err(Error::invalid(
                field,
                "a WIP limit is at least 1, or empty for none",
            ));
        }
    }
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query(
    "UPDATE teams SET name = $1, velocity_window = $2, wip_todo = $3, wip_in_progress = $4, wip_in_review = $5,
        version = version + 1 WHERE id = $6 AND version = $7")
    .bind(&name).bind(window).bind(wip.todo).bind(wip.in_progress).bind(wip.in_review).bind(id).bind(version)
    )?;
    if n != 1 {
        drop(tx);
        let current = get(db, ctx, id).await?;
        return Err(Error::Stale {
            message: format!(
                "{} was changed by someone else (now version {})",
                current.name, current.version
            ),
            etag: Some(format!("\"{}\"", current.version)),
            current: Box::new(json!(current)),
        });
    }
    audit::store::record(
        &mut tx,
        audit_team(
            ctx,
            actor,
            "team.update",
            id,
            json!({"name": name, "velocity_window": window, "wip": wip}),
        ),
    )
    .await?;
    tx.commit().await?;
    load(db, ctx.workspace.id, id).await
}

/// Adds a workspace member to the team (or updates their defaults) and to its open sprints.
pub async fn set_member(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    email: &str,
    points_per_day: f64,
    focus_pct: i64,
) -> Result<Team> {
    ctx.grants.require(Action::ManageTeam)?;
    get(db, ctx, id).await?;
    if !(0.0..=100.0).contains(&points_per_day) || !points_per_day.is_finite() {
        return Err(Error::invalid("points_per_day", "a number from 0 to 100"));
    }
    if !(0..=100).contains(&focus_pct) {
        return Err(Error::invalid("focus_pct", "a percentage from 0 to 100"));
    }
    let user_id: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN workspace_members m ON m.user_id = u.id WHERE m.workspace_id = $1 AND u.email = $2")
        .bind(ctx.workspace.id).bind(email.trim().to_lowercase()).fetch_optional(&mut **c).await)?
    .ok_or_else(|| Error::invalid("email", format!("{email} is not a member of this workspace")))?;
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO team_members (team_id, user_id, points_per_day, focus_pct) VALUES ($1, $2, $3, $4)
         ON CONFLICT (team_id, user_id) DO UPDATE SET points_per_day = excluded.points_per_day, focus_pct = excluded.focus_pct")
        .bind(id).bind(user_id).bind(points_per_day).bind(focus_pct))?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO sprint_availability (sprint_id, user_id, focus_pct)
         SELECT id, $1, $2 FROM sprints WHERE team_id = $3 AND state <> 'closed' ON CONFLICT DO NOTHING")
        .bind(user_id).bind(focus_pct).bind(id))?;
    audit::store::record(
        &mut tx,
        audit_team(
            ctx,
            actor,
            "team.member",
            id,
            json!({"email": email, "points_per_day": points_per_day, "focus_pct": focus_pct}),
        ),
    )
    .await?;
    tx.commit().await?;
    load(db, ctx.workspace.id, id).await
}

pub async fn remove_member(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    user_id: i64,
) -> Result<Team> {
    ctx.grants.require(Action::ManageTeam)?;
    get(db, ctx, id).await?;
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND user_id = $2")
        .bind(id).bind(user_id))?;
    if n == 0 {
        return Err(Error::invalid("user", "not on this team"));
    }
    exec!(&mut tx.conn(), t => sqlx::query(
        "DELETE FROM sprint_availability WHERE user_id = $1 AND sprint_id IN (SELECT id FROM sprints WHERE team_id = $2 AND state = 'planned')")
        .bind(user_id).bind(id))?;
    audit::store::record(
        &mut tx,
        audit_team(
            ctx,
            actor,
            "team.member.remove",
            id,
            json!({"user_id": user_id}),
        ),
    )
    .await?;
    tx.commit().await?;
    load(db, ctx.workspace.id, id).await
}
