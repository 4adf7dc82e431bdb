//! Watchers, the inbox, and [`emit`], which turns one event into inbox rows and webhook jobs.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::auth::store::User;
use crate::db::batch::{Arg, Read};
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::{exec, on};

/// Something that happened, told to the entity's watchers and to subscribed webhooks.
pub struct Event<'a> {
    pub workspace_id: i64,
    pub actor: &'a User,
    /// One of [`super::EVENTS`].
    pub name: &'a str,
    pub entity_type: &'a str,
    pub entity_id: i64,
    /// One line for the inbox, e.g. "Sam moved ONB-4 to In review".
    pub title: String,
    /// Where the inbox entry leads.
    pub link: String,
    pub data: serde_json::Value,
    /// Told as well as the watchers (mentions, a new assignee).
    pub also: Vec<i64>,
    /// Those of `also` who were @mentioned: their inbox row says so ("mention"), so that the
    /// inbox can show mentions apart.
    pub mentions: Vec<i64>,
}

/// Makes the user a watcher; true when they were not one already.
pub async fn watch(
    tx: &mut Tx,
    entity_type: &str,
    entity_id: impl Into<i64>,
    user_id: i64,
) -> Result<bool> {
    let entity_id: i64 = entity_id.into();
    let n = exec!(&mut tx.conn(), t => sqlx::query(WATCH)
        .bind(entity_type).bind(entity_id).bind(user_id))?;
    Ok(n == 1)
}

const WATCH: &str =
    "INSERT INTO watchers (entity_type, entity_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/// [`watch`] as a statement that may share its round trip with the change's other side rows.
pub fn watch_read(entity_type: &str, entity_id: impl Into<i64>, user_id: i64) -> Read<()> {
    Read::exec(
        WATCH,
        vec![entity_type.into(), entity_id.into().into(), user_id.into()],
    )
}

pub async fn unwatch(
    tx: &mut Tx,
    entity_type: &str,
    entity_id: impl Into<i64>,
    user_id: i64,
) -> Result<()> {
    let entity_id: i64 = entity_id.into();
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM watchers WHERE entity_type = $1 AND entity_id = $2 AND user_id = $3")
        .bind(entity_type).bind(entity_id).bind(user_id))?;
    Ok(())
}

pub async fn is_watching(
    db: &Db,
    entity_type: &str,
    entity_id: impl Into<i64>,
    user_id: i64,
) -> Result<bool> {
    Ok(is_watching_read(entity_type, entity_id, user_id)
        .on(db)
        .await?)
}

/// [`is_watching`] as a read that may share a round trip with others.
pub fn is_watching_read(entity_type: &str, entity_id: impl Into<i64>, user_id: i64) -> Read<bool> {
    Read::query(
        "SELECT COUNT(*) FROM watchers WHERE entity_type = $1 AND entity_id = $2 AND user_id = $3",
        vec![entity_type.into(), entity_id.into().into(), user_id.into()],
        |rows| Ok(rows.one::<(i64,)>()?.0 > 0),
    )
}

/// The product's Product Owners watch what happens on its backlog and sprints.
pub async fn watch_as_pos(
    tx: &mut Tx,
    entity_type: &str,
    entity_id: impl Into<i64>,
    product_id: i64,
) -> Result<()> {
    Ok(watch_as_pos_read(entity_type, entity_id, product_id)
        .run(&mut tx.conn())
        .await?)
}

/// [`watch_as_pos`] as a statement that may share its round trip with others.
pub fn watch_as_pos_read(
    entity_type: &str,
    entity_id: impl Into<i64>,
    product_id: i64,
) -> Read<()> {
    Read::exec(
        "INSERT INTO watchers (entity_type, entity_id, user_id)
         SELECT $1, $2, user_id FROM product_roles WHERE product_id = $3 AND role = 'po' ON CONFLICT DO NOTHING",
        vec![entity_type.into(), entity_id.into().into(), product_id.into()],
    )
}

/// A new item's first watchers in one statement: the person who made it and the
/// product's Product Owners ([`watch_read`] and [`watch_as_pos_read`] together).
pub fn watch_new_read(
    entity_type: &str,
    entity_id: impl Into<i64>,
    maker: i64,
    product_id: i64,
) -> Read<()> {
    Read::exec(
        "INSERT INTO watchers (entity_type, entity_id, user_id)
         SELECT $1, $2, $3
         UNION SELECT $1, $2, user_id FROM product_roles WHERE product_id = $4 AND role = 'po'
         ON CONFLICT DO NOTHING",
        vec![
            entity_type.into(),
            entity_id.into().into(),
            maker.into(),
            product_id.into(),
        ],
    )
}

/// Workspace members named by `@handle` in `text` (handle = e-mail before the `@`).
pub async fn mentioned(tx: &mut Tx, workspace_id: i64, text: &str) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for handle in super::mentions(text) {
        let pattern = format!("{handle}@%");
        let found: Option<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT u.id FROM users u JOIN workspace_members m ON m.user_id = u.id
             WHERE m.workspace_id = $1 AND u.email LIKE $2 ORDER BY u.id LIMIT 1")
            .bind(workspace_id).bind(pattern).fetch_optional(&mut **t).await)?;
        if let Some(id) = found.filter(|id| !ids.contains(id)) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Writes the event's inbox rows (watchers and `also`, never the actor) and one delivery job
/// per subscribed webhook, in the caller's transaction.
pub async fn emit(tx: &mut Tx, e: Event<'_>) -> Result<()> {
    Ok(emit_read(e).run(&mut tx.conn()).await?)
}

/// [`emit`]'s statements, to run in one round trip with the change's other side rows.
pub fn emit_read(e: Event<'_>) -> Read<()> {
    let now = crate::db::now();
    let watchable = matches!(e.entity_type, "item" | "sprint");
    let mut rows = Read::ready(());
    for id in &e.also {
        if watchable {
            rows = rows.then(watch_read(e.entity_type, e.entity_id, *id));
        } else if *id != e.actor.id {
            // Product-wide news (a priority reorder) goes to the people named, not to watchers.
            rows = rows.then(Read::exec(
                "INSERT INTO notifications (user_id, workspace_id, event, title, link, actor_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                vec![(*id).into(), e.workspace_id.into(), e.name.into(), e.title.as_str().into(),
                     e.link.as_str().into(), e.actor.id.into(), now.into()],
            ));
        }
    }
    // The people @mentioned get one row marked as a mention; the other watchers the event's.
    let mentioned: Vec<i64> = e
        .mentions
        .iter()
        .copied()
        .filter(|id| *id != e.actor.id)
        .collect();
    for id in &mentioned {
        rows = rows.then(Read::exec(
            "INSERT INTO notifications (user_id, workspace_id, event, title, link, actor_id, created_at) VALUES ($1, $2, 'mention', $3, $4, $5, $6)",
            vec![(*id).into(), e.workspace_id.into(), e.title.as_str().into(), e.link.as_str().into(),
                 e.actor.id.into(), now.into()],
        ));
    }
    let not_mentioned = if mentioned.is_empty() {
        String::new()
    } else {
        let marks: Vec<String> = (9..9 + mentioned.len()).map(|i| format!("${i}")).collect();
        format!(" AND w.user_id NOT IN ({})", marks.join(","))
    };
    let watchers = format!(
        "INSERT INTO notifications (user_id, workspace_id, event, title, link, actor_id, created_at)
         SELECT w.user_id, $1, $2, $3, $4, $5, $6 FROM watchers w
         JOIN workspace_members m ON m.user_id = w.user_id AND m.workspace_id = $1
         WHERE w.entity_type = $7 AND w.entity_id = $8 AND w.user_id <> $5{not_mentioned}"
    );
    let mut args: Vec<Arg> = vec![
        e.workspace_id.into(),
        e.name.into(),
        e.title.as_str().into(),
        e.link.as_str().into(),
        e.actor.id.into(),
        now.into(),
        e.entity_type.into(),
        e.entity_id.into(),
    ];
    args.extend(mentioned.iter().map(|id| Arg::from(*id)));
    let payload = json!({
        "event": e.name,
        "title": e.title,
        "link": e.link,
        "entity": {"type": e.entity_type, "id": e.entity_id},
        "actor": {"name": e.actor.name, "email": e.actor.email},
        "data": e.data,
        "at": now,
    })
    .to_string();
    let quoted = format!("%\"{}\"%", e.name);
    rows.then(Read::exec(watchers, args)).then(Read::exec(
        "INSERT INTO webhook_deliveries (webhook_id, event, payload, next_attempt_at, created_at)
         SELECT id, $1, $2, $3, $3 FROM webhooks
         WHERE workspace_id = $4 AND active AND (events LIKE '%\"*\"%' OR events LIKE $5)",
        vec![
            e.name.into(),
            payload.into(),
            now.into(),
            e.workspace_id.into(),
            quoted.into(),
        ],
    ))
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Notification {
    pub id: i64,
    pub event: String,
    pub title: String,
    pub link: String,
    pub actor: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Inbox {
    pub unread: i64,
    pub notifications: Vec<Notification>,
}

pub async fn unread(db: &Db, user_id: i64) -> Result<i64> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id).fetch_one(&mut **c).await)?)
}

/// What the inbox page can narrow to, by the event of the notification.
pub const INBOX_FILTERS: [(&str, &str); 5] = [
    ("all", "All"),
    ("mentions", "Mentions"),
    ("sprints", "Sprints"),
    ("overrides", "Overrides"),
    ("signoffs", "Sign-offs"),
];

fn filter_sql(filter: &str) -> &'static str {
    match filter {
        "mentions" => "n.event = 'mention'",
        "sprints" => "n.event LIKE 'sprint.%'",
        "overrides" => "n.event = 'override'",
        "signoffs" => "n.event LIKE 'signoff.%'",
        _ => "1 = 1",
    }
}

/// One page of the inbox, newest first: those of `filter` (one of [`INBOX_FILTERS`]) older
/// than notification `before`, at most `limit` (one more is read to tell whether more follow).
pub async fn inbox_page(
    db: &Db,
    user_id: i64,
    filter: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<Notification>, bool)> {
    let sql = format!(
        "SELECT n.id, n.event, n.title, n.link, u.name AS actor, n.created_at, n.read_at
         FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
         WHERE n.user_id = $1 AND n.id < $2 AND {} ORDER BY n.id DESC LIMIT $3",
        filter_sql(filter)
    );
    let mut rows = on!(&mut db.reader().await?.conn(), c => sqlx::query_as::<_, Notification>(&sql)
        .bind(user_id).bind(before.unwrap_or(i64::MAX)).bind(limit + 1).fetch_all(&mut **c).await)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// The newest notifications first; `unread_only` hides those already read.
pub async fn inbox(db: &Db, user_id: i64, unread_only: bool, limit: i64) -> Result<Inbox> {
    let notifications = on!(&mut db.reader().await?.conn(), c => sqlx::query_as::<_, Notification>(
        "SELECT n.id, n.event, n.title, n.link, u.name AS actor, n.created_at, n.read_at
         FROM notifications n LEFT JOIN users u ON u.id = n.actor_id
         WHERE n.user_id = $1 AND (NOT $2 OR n.read_at IS NULL) ORDER BY n.id DESC LIMIT $3")
        .bind(user_id).bind(unread_only).bind(limit).fetch_all(&mut **c).await)?;
    Ok(Inbox {
        unread: unread(db, user_id).await?,
        notifications,
    })
}

/// Marks one notification (or, with `None`, all) of the user as read.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<()> {
    let mut tx = db.begin().await?;
    let n = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND ($3 IS NULL OR id = $3)")
        .bind(crate::db::now()).bind(user_id).bind(id))?;
    if id.is_some() && n == 0 {
        let exists: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND id = $2")
            .bind(user_id).bind(id).fetch_one(&mut **t).await)?;
        if exists == 0 {
            return Err(Error::NotFound);
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The id of the item `key` (`ONB-42`) of a product, for watching it.
pub async fn item_id(db: &Db, product_id: i64, key: &str) -> crate::error::Result<i64> {
    let (_, number) = crate::workspace::parse_item_key(key).ok_or(crate::error::Error::NotFound)?;
    let id: Option<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT id FROM items WHERE product_id = $1 AND number = $2")
        .bind(product_id).bind(number).fetch_optional(&mut **c).await)?;
    id.ok_or(crate::error::Error::NotFound)
}
