//! Where the domains tell their news: one function per kind of event, called inside the
//! transaction of the change itself.

use serde_json::json;

use super::store::{self, Event};
use crate::auth::store::User;
use crate::db::batch::Read;
use crate::db::Tx;
use crate::error::Result;
use crate::exec;
use crate::workspace::ProductCtx;

fn item_link(ctx: &ProductCtx, key: &str) -> String {
    format!("/w/{}/items/{key}", ctx.workspace.slug)
}

fn sprint_link(ctx: &ProductCtx, id: crate::ids::SprintId) -> String {
    format!(
        "/w/{}/p/{}/sprints/{id}/board",
        ctx.workspace.slug, ctx.product.key
    )
}

/// A new item: its creator and the product's POs watch it; people @mentioned (resolved by
/// the caller with `store::mentioned`) hear of it. Answers the statements that say so, for the
/// caller to run with the item's audit row in one round trip.
pub fn item_created_read(
    ctx: &ProductCtx,
    actor: &User,
    item: crate::ids::ItemId,
    key: &str,
    title: &str,
    mentions: Vec<i64>,
) -> Read<()> {
    let id = item.0;
    store::watch_new_read("item", id, actor.id, ctx.product.id).then(store::emit_read(Event {
        workspace_id: ctx.workspace.id,
        actor,
        name: "item.created",
        entity_type: "item",
        entity_id: id,
        title: format!("{} added {key} {title}", actor.name),
        link: item_link(ctx, key),
        data: json!({"key": key, "title": title, "product": ctx.product.key}),
        also: mentions.clone(),
        mentions,
    }))
}

/// What changed on an item, in a few words ("status → In review", "description").
pub struct ItemChange<'a> {
    pub id: crate::ids::ItemId,
    pub key: &'a str,
    pub title: &'a str,
    pub what: String,
    /// New text that may @mention people (description, a question).
    pub text: Option<&'a str>,
    /// A newly assigned person, who starts watching.
    pub assignee: Option<i64>,
    pub data: serde_json::Value,
}

pub async fn item_changed(
    tx: &mut Tx,
    ctx: &ProductCtx,
    actor: &User,
    c: ItemChange<'_>,
) -> Result<()> {
    let news = item_changed_read(tx, ctx, actor, c).await?;
    Ok(news.run(&mut tx.conn()).await?)
}

/// [`item_changed`]'s statements, for the caller to run with the change's audit row in one
/// round trip (those @mentioned are looked up first).
pub async fn item_changed_read(
    tx: &mut Tx,
    ctx: &ProductCtx,
    actor: &User,
    c: ItemChange<'_>,
) -> Result<Read<()>> {
    let mentions = match c.text {
        Some(t) => store::mentioned(tx, ctx.workspace.id, t).await?,
        None => Vec::new(),
    };
    let mut also = mentions.clone();
    also.extend(c.assignee);
    Ok(store::emit_read(Event {
        workspace_id: ctx.workspace.id,
        actor,
        name: "item.changed",
        entity_type: "item",
        entity_id: c.id.0,
        title: format!("{} changed {} {}: {}", actor.name, c.key, c.title, c.what),
        link: item_link(ctx, c.key),
        data: json!({"key": c.key, "change": c.what, "fields": c.data}),
        also,
        mentions,
    }))
}

/// A question asked or answered on an item: its watchers and anyone @mentioned hear of it.
pub async fn question(
    tx: &mut Tx,
    ctx: &ProductCtx,
    actor: &User,
    item_id: crate::ids::ItemId,
    key: &str,
    body: &str,
    answered: bool,
) -> Result<()> {
    let (name, verb) = if answered {
        ("question.answered", "answered a question on")
    } else {
        ("question.asked", "asked about")
    };
    thread_news(tx, ctx, actor, (item_id, key), body, name, verb).await
}

/// A comment on an item: its watchers and anyone @mentioned hear of it.
pub async fn comment(
    tx: &mut Tx,
    ctx: &ProductCtx,
    actor: &User,
    item_id: crate::ids::ItemId,
    key: &str,
    body: &str,
) -> Result<()> {
    let item = (item_id, key);
    thread_news(
        tx,
        ctx,
        actor,
        item,
        body,
        "comment.created",
        "commented on",
    )
    .await
}

/// News from an item's threads; the author watches the item from then on.
async fn thread_news(
    tx: &mut Tx,
    ctx: &ProductCtx,
    actor: &User,
    (item, key): (crate::ids::ItemId, &str),
    body: &str,
    name: &str,
    verb: &str,
) -> Result<()> {
    let item_id = item.0;
    let also = store::mentioned(tx, ctx.workspace.id, body).await?;
    store::watch(tx, "item", item_id, actor.id).await?;
    store::emit(
        tx,
        Event {
            workspace_id: ctx.workspace.id,
            actor,
            name,
            entity_type: "item",
            entity_id: item_id,
            title: format!("{} {verb} {key}", actor.name),
            link: item_link(ctx, key),
            data: json!({"key": key, "body": body}),
            mentions: also.clone(),
            also,
        },
    )
    .await
}

/// A new sprint is watched by its team and the product's POs.
pub async fn sprint_created(
    tx: &mut Tx,
    ctx: &ProductCtx,
    id: crate::ids::SprintId,
    team_id: i64,
) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO watchers (entity_type, entity_id, user_id) SELECT 'sprint', $1, user_id FROM team_members WHERE team_id = $2
         ON CONFLICT DO NOTHING")
        .bind(id).bind(team_id))?;
    store::watch_as_pos(tx, "sprint", id, ctx.product.id).await
}

/// A sprint's news (started, closed, its scope changed) to its watchers: statements for the
/// caller to run in the change's transaction, with its other rows where it has them.
pub fn sprint_read(
    ctx: &ProductCtx,
    actor: &User,
    id: crate::ids::SprintId,
    name: &str,
    title: String,
    data: serde_json::Value,
) -> Read<()> {
    store::emit_read(Event {
        workspace_id: ctx.workspace.id,
        actor,
        name,
        entity_type: "sprint",
        entity_id: id.0,
        title,
        link: sprint_link(ctx, id),
        data,
        also: Vec::new(),
        mentions: Vec::new(),
    })
}
