//! SQL and actions for retrospectives. Every write checks authority and records an audit row.

use serde_json::json;

use super::{Action, Entry, Previous, Retro};
use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action as Can;
use crate::backlog::service as backlog_service;
use crate::backlog::store::Fields;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::sprint::store as sprints;
use crate::workspace::ProductCtx;
use crate::{exec, on};

fn change<'a>(
    ctx: &ProductCtx,
    actor: &User,
    action: &'a str,
    sprint: SprintId,
    after: serde_json::Value,
) -> Change<'a> {
    Change {
        workspace_id: Some(ctx.workspace.id),
        actor_id: Some(actor.id),
        action,
        // A retro is known by its sprint in the log.
        entity_type: "retro",
        entity_id: sprint.0,
        before: None,
        after: Some(after),
        reason: None,
    }
}

/// The sprint's retrospective as (id, vote limit, version), if it has been opened.
async fn retro_id(
    c: &mut crate::db::Conn<'_>,
    sprint_id: SprintId,
) -> Result<Option<(i64, i64, i64)>> {
    Ok(on!(c, t => sqlx::query_as(
        "SELECT id, vote_limit, version FROM retros WHERE sprint_id = $1").bind(sprint_id).fetch_optional(&mut **t).await)?)
}

/// Inside a write: the opened retrospective as (id, vote limit), or the reason there is none.
async fn opened(tx: &mut Tx, sprint_id: SprintId) -> Result<(i64, i64)> {
    let (id, limit, _) = retro_id(&mut tx.conn(), sprint_id).await?.ok_or_else(|| {
        Error::Conflict(
            "the retrospective has not been opened yet; the Scrum Master opens it".into(),
        )
    })?;
    Ok((id, limit))
}

async fn actions(db: &Db, retro: i64, product_key: &str) -> Result<Vec<Action>> {
    let rows: Vec<(i64, i64, String, String, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT a.id, i.number, i.title, u.name, i.status FROM retro_actions a
         JOIN items i ON i.id = a.item_id JOIN users u ON u.id = a.owner_id
         WHERE a.retro_id = $1 ORDER BY a.id").bind(retro).fetch_all(&mut **c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, n, title, owner, status)| Action {
            id,
            key: format!("{product_key}-{n}"),
            title,
            owner,
            status,
        })
        .collect())
}

/// The retrospective of a sprint as `viewer` sees it; `None` until it is opened.
pub async fn get(
    db: &Db,
    ctx: &ProductCtx,
    viewer: i64,
    sprint_id: SprintId,
) -> Result<Option<Retro>> {
    ctx.grants.require(Can::ViewBacklog)?;
    let sprint = sprints::sprint(&mut db.reader().await?.conn(), ctx.product.id, sprint_id).await?;
    let Some((id, vote_limit, version)) =
        retro_id(&mut db.reader().await?.conn(), sprint_id).await?
    else {
        return Ok(None);
    };
    let rows: Vec<(i64, String, String, String, i64, i64)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT e.id, e.kind, e.body, u.name,
                (SELECT COUNT(*) FROM retro_votes v WHERE v.entry_id = e.id),
                (SELECT COUNT(*) FROM retro_votes v WHERE v.entry_id = e.id AND v.user_id = $2)
         FROM retro_entries e JOIN users u ON u.id = e.author_id WHERE e.retro_id = $1 ORDER BY e.id")
        .bind(id).bind(viewer).fetch_all(&mut **c).await)?;
    let mut entries: Vec<Entry> = rows
        .into_iter()
        .map(|(id, kind, body, author, votes, mine)| Entry {
            id,
            kind,
            body,
            author,
            votes,
            mine: mine > 0,
        })
        .collect();
    entries.sort_by(|a, b| {
        a.kind
            .cmp(&b.kind)
            .then(b.votes.cmp(&a.votes))
            .then(a.id.cmp(&b.id))
    });
    let used = entries.iter().filter(|e| e.mine).count() as i64;
    let prev: Option<(SprintId, String, i64)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT s.id, s.name, r.id FROM sprints s JOIN retros r ON r.sprint_id = s.id
         WHERE s.team_id = $1 AND s.start_date < $2 ORDER BY s.start_date DESC LIMIT 1")
        .bind(sprint.team_id).bind(&sprint.start_date).fetch_optional(&mut **c).await)?;
    let previous = match prev {
        Some((sid, name, rid)) => Some(Previous {
            sprint_id: sid,
            sprint: name,
            actions: actions(db, rid, &ctx.product.key).await?,
        }),
        None => None,
    };
    Ok(Some(Retro {
        sprint_id,
        sprint: sprint.name,
        vote_limit,
        votes_left: (vote_limit - used).max(0),
        entries,
        actions: actions(db, id, &ctx.product.key).await?,
        previous,
        version,
    }))
}

/// Opens the retrospective of a started sprint, or changes its vote limit.
pub async fn open(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    vote_limit: i64,
) -> Result<()> {
    ctx.grants.require(Can::FacilitateRetro)?;
    let vote_limit = super::validate_vote_limit(vote_limit)?;
    let sprint = sprints::sprint(&mut db.reader().await?.conn(), ctx.product.id, sprint_id).await?;
    if sprint.state == "planned" {
        return Err(Error::Conflict(format!(
            "{} has not started; its retrospective comes at the end",
            sprint.name
        )));
    }
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO retros (sprint_id, vote_limit, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (sprint_id) DO UPDATE SET vote_limit = excluded.vote_limit, version = retros.version + 1")
        .bind(sprint_id).bind(vote_limit).bind(crate::db::now()))?;
    audit::store::record(
        &mut tx,
        change(
            ctx,
            actor,
            "retro.open",
            sprint_id,
            json!({"vote_limit": vote_limit}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn add_entry(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    kind: &str,
    body: &str,
) -> Result<i64> {
    ctx.grants.require(Can::WriteRetro)?;
    let kind = super::validate_kind(kind)?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 2_000 {
        return Err(Error::invalid("body", "write 1 to 2,000 characters"));
    }
    sprints::sprint(&mut db.reader().await?.conn(), ctx.product.id, sprint_id).await?;
    let mut tx = db.begin().await?;
    let (retro, _) = opened(&mut tx, sprint_id).await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO retro_entries (retro_id, kind, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(retro).bind(kind).bind(body).bind(actor.id).bind(crate::db::now()).fetch_one(&mut **t).await)?;
    audit::store::record(
        &mut tx,
        change(
            ctx,
            actor,
            "retro.entry",
            sprint_id,
            json!({"kind": kind, "body": body}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Casts or takes back the caller's vote on an entry.
pub async fn vote(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    entry: i64,
    on: bool,
) -> Result<()> {
    ctx.grants.require(Can::WriteRetro)?;
    sprints::sprint(&mut db.reader().await?.conn(), ctx.product.id, sprint_id).await?;
    let mut tx = db.begin().await?;
    let (retro, limit) = opened(&mut tx, sprint_id).await?;
    let belongs: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT id FROM retro_entries WHERE id = $1 AND retro_id = $2")
        .bind(entry).bind(retro).fetch_optional(&mut **t).await)?;
    if belongs.is_none() {
        return Err(Error::invalid(
            "entry",
            "no such entry in this retrospective",
        ));
    }
    if on {
        let (used, here): (i64, i64) = on!(&mut tx.conn(), t => sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN entry_id = $3 THEN 1 ELSE 0 END), 0) FROM retro_votes WHERE retro_id = $1 AND user_id = $2")
            .bind(retro).bind(actor.id).bind(entry).fetch_one(&mut **t).await)?;
        super::may_vote(used, limit, here > 0).map_err(Error::Conflict)?;
        exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO retro_votes (entry_id, user_id, retro_id) VALUES ($1, $2, $3)")
            .bind(entry).bind(actor.id).bind(retro))?;
    } else {
        exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM retro_votes WHERE entry_id = $1 AND user_id = $2")
            .bind(entry).bind(actor.id))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Turns an action into a backlog task owned by a team member and linked back to the retro.
pub async fn add_action(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    text: &str,
    owner_email: &str,
    entry: Option<i64>,
) -> Result<String> {
    ctx.grants.require(Can::FacilitateRetro)?;
    let title = crate::backlog::validate_title(text)?;
    let sprint = sprints::sprint(&mut db.reader().await?.conn(), ctx.product.id, sprint_id).await?;
    let owner: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT u.id FROM users u JOIN workspace_members m ON m.user_id = u.id WHERE m.workspace_id = $1 AND u.email = $2")
        .bind(ctx.workspace.id).bind(owner_email.trim().to_lowercase()).fetch_optional(&mut **c).await)?
    .ok_or_else(|| Error::invalid("owner", format!("{owner_email} is not a member of this workspace")))?;
    let mut tx = db.begin().await?;
    let (retro, _) = opened(&mut tx, sprint_id).await?;
    if let Some(e) = entry {
        let ok: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT id FROM retro_entries WHERE id = $1 AND retro_id = $2")
            .bind(e).bind(retro).fetch_optional(&mut **t).await)?;
        ok.ok_or_else(|| Error::invalid("entry", "no such entry in this retrospective"))?;
    }
    let fields = Fields {
        kind: "task".into(),
        title,
        description: format!(
            "Action from the [retrospective of {}](/w/{}/p/{}/sprints/{sprint_id}/retro).",
            sprint.name, ctx.workspace.slug, ctx.product.key
        ),
        status: "todo".into(),
        ..Fields::default()
    };
    let new = backlog_service::Checked {
        fields,
        labels: vec!["retro".to_string()],
        criteria: Vec::new(),
        origin: None,
    };
    let none = |_| crate::db::batch::Read::ready(());
    let slots = crate::backlog::store::slots_read(ctx.product.id, 1, false)
        .run(&mut tx.conn())
        .await?;
    let ((item_id, key, _), rest) =
        backlog_service::insert_in_tx(&mut tx, actor, ctx, &new, (false, slots), none).await?;
    rest.run(&mut tx.conn()).await?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO retro_actions (retro_id, entry_id, item_id, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(retro).bind(entry).bind(item_id).bind(owner).bind(crate::db::now()))?;
    audit::store::record(
        &mut tx,
        change(
            ctx,
            actor,
            "retro.action",
            sprint_id,
            json!({"key": key, "owner": owner_email}),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}
