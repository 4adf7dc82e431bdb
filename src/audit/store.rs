//! SQL for the audit log.

use super::{Change, Entry};
use crate::db::batch::Read;
use crate::db::{Db, Tx};
use crate::on;
use chrono::{DateTime, Utc};

pub async fn record(tx: &mut Tx, c: Change<'_>) -> Result<(), sqlx::Error> {
    record_id(tx, c).await.map(|_| ())
}

/// [`record`], answering the entry's id (an import is undone by it).
pub async fn record_id(tx: &mut Tx, c: Change<'_>) -> Result<i64, sqlx::Error> {
    record_read(c).run(&mut tx.conn()).await
}

/// [`record_id`] as a statement that may share its round trip with the change's other side
/// rows (its notifications), run inside the change's transaction.
pub fn record_read(c: Change<'_>) -> Read<i64> {
    Read::query(
        "INSERT INTO audit_log (workspace_id, actor_id, action, entity_type, entity_id, before_json, after_json, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        vec![
            c.workspace_id.into(),
            c.actor_id.into(),
            c.action.into(),
            c.entity_type.into(),
            c.entity_id.into(),
            c.before.map(|v| v.to_string()).into(),
            c.after.map(|v| v.to_string()).into(),
            c.reason.into(),
            crate::db::now().into(),
        ],
        |rows| Ok(rows.one::<(i64,)>()?.0),
    )
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    actor: Option<String>,
    action: String,
    entity_type: String,
    entity_id: i64,
    before_json: Option<String>,
    after_json: Option<String>,
    reason: Option<String>,
    at: DateTime<Utc>,
}

impl From<Row> for Entry {
    fn from(r: Row) -> Entry {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Entry {
            id: r.id,
            actor: r.actor,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            reason: r.reason,
            at: r.at,
        }
    }
}

/// The history of one entity, newest first.
pub async fn for_entity(
    db: &Db,
    entity_type: &str,
    entity_id: impl Into<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    for_entity_read(entity_type, entity_id, limit).on(db).await
}

/// [`for_entity`] as a read that may share a round trip with others.
pub fn for_entity_read(
    entity_type: &str,
    entity_id: impl Into<i64>,
    limit: i64,
) -> Read<Vec<Entry>> {
    Read::query(
        "SELECT a.id, u.name AS actor, a.action, a.entity_type, a.entity_id, a.before_json, a.after_json, a.reason, a.at
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.entity_type = $1 AND a.entity_id = $2 ORDER BY a.id DESC LIMIT $3",
        vec![entity_type.into(), entity_id.into().into(), limit.into()],
        |rows| Ok(rows.all::<Row>()?.into_iter().map(Entry::from).collect()),
    )
}

/// A workspace's log, newest first, paged by id.
pub async fn for_workspace(
    db: &Db,
    workspace_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    filtered(db, workspace_id, &Filter::default(), before_id, limit).await
}

/// Which entries to read: each part given narrows them (all together).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Whose changes: the account's e-mail (lower case).
    pub actor: Option<String>,
    /// One action, as recorded (`item.update`).
    pub action: Option<String>,
    /// From this instant on.
    pub since: Option<DateTime<Utc>>,
    /// Before this instant.
    pub until: Option<DateTime<Utc>>,
}

/// [`for_workspace`] narrowed by `f`.
pub async fn filtered(
    db: &Db,
    workspace_id: i64,
    f: &Filter,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    // Each part given adds a condition with the next parameter number; values stay bound.
    let mut sql = String::from(
        "SELECT a.id, u.name AS actor, a.action, a.entity_type, a.entity_id, a.before_json, a.after_json, a.reason, a.at
         FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.workspace_id = $1 AND a.id < $2",
    );
    let mut n = 3;
    for (given, cond) in [
        (f.actor.is_some(), "u.email = $"),
        (f.action.is_some(), "a.action = $"),
        (f.since.is_some(), "a.at >= $"),
        (f.until.is_some(), "a.at < $"),
    ] {
        if given {
            sql.push_str(&format!(" AND {cond}{n}"));
            n += 1;
        }
    }
    sql.push_str(&format!(" ORDER BY a.id DESC LIMIT ${n}"));
    let rows: Vec<Row> = on!(&mut db.reader().await?.conn(), c => {
        let mut q = sqlx::query_as(&sql).bind(workspace_id).bind(before_id.unwrap_or(i64::MAX));
        if let Some(a) = &f.actor { q = q.bind(a); }
        if let Some(a) = &f.action { q = q.bind(a); }
        if let Some(t) = f.since { q = q.bind(t); }
        if let Some(t) = f.until { q = q.bind(t); }
        q.bind(limit).fetch_all(&mut **c).await
    })?;
    Ok(rows.into_iter().map(Entry::from).collect())
}

/// The actions a workspace's log holds, for choosing one.
pub async fn actions(db: &Db, workspace_id: i64) -> Result<Vec<String>, sqlx::Error> {
    on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT DISTINCT action FROM audit_log WHERE workspace_id = $1 ORDER BY action")
        .bind(workspace_id).fetch_all(&mut **c).await)
}
