//! Undoing an import as a whole (PRODUCT.md D2): the items it created are deleted and the items
//! it updated get back what they had, in one transaction, while nothing has touched any of them
//! since. Anything touched (edited, moved, commented, put in a sprint, given a child) makes
//! the undo refuse and name the items, so that no one's later work is thrown away. The sprints
//! it created go too (with their scope), the items it put in sprints that were there come out,
//! and the dates it changed come back, while nothing has touched those sprints since (started,
//! closed, edited, their scope changed, a retrospective opened).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::service as backlog;
use crate::backlog::store::{self as items, Fields};
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::on;
use crate::workspace::ProductCtx;

use super::sprints::Landed;

/// An item an import updated, as it was before, and the version the import left it at.
#[derive(Debug, Serialize, Deserialize)]
pub struct Prior {
    pub id: i64,
    pub version: i64,
    pub fields: Fields,
    pub parent_id: Option<i64>,
    pub labels: Vec<String>,
    pub external_updated: Option<DateTime<Utc>>,
}

/// What an undo did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Undone {
    /// The import's audit entry.
    pub import_id: i64,
    pub deleted: usize,
    pub restored: usize,
    /// Sprints the import created, deleted with it.
    pub sprints_deleted: usize,
}

#[derive(sqlx::FromRow)]
struct Entry {
    action: String,
    entity_type: String,
    entity_id: i64,
    workspace_id: i64,
    before_json: Option<String>,
    after_json: Option<String>,
}

async fn entry(c: &mut Conn<'_>, id: i64) -> Result<Option<Entry>> {
    Ok(on!(c, x => sqlx::query_as(
        "SELECT action, entity_type, entity_id, workspace_id, before_json, after_json
         FROM audit_log WHERE id = $1")
        .bind(id).fetch_optional(&mut **x).await)?)
}

/// The product's imports and undos recorded after entry `since`: each later import's id and
/// the items it updated, and the ids of the imports undone since.
async fn later(
    c: &mut Conn<'_>,
    product_id: i64,
    since: i64,
) -> Result<(Vec<(i64, Vec<i64>)>, Vec<i64>)> {
    let rows: Vec<(i64, String, Option<String>)> = on!(c, x => sqlx::query_as(
        "SELECT id, action, after_json FROM audit_log
         WHERE action IN ('import', 'import.undo') AND entity_type = 'product' AND entity_id = $1
           AND id > $2 ORDER BY id")
        .bind(product_id).bind(since).fetch_all(&mut **x).await)?;
    let (mut imports, mut undone) = (Vec::new(), Vec::new());
    for (id, action, after) in rows {
        let after: Value = after
            .and_then(|a| serde_json::from_str(&a).ok())
            .unwrap_or_default();
        if action == "import" {
            let updated = serde_json::from_value(after["updated"].clone()).unwrap_or_default();
            imports.push((id, updated));
        } else if let Some(i) = after["import_id"].as_i64() {
            undone.push(i);
        }
    }
    Ok((imports, undone))
}

/// The items among `ids` that something touched after entry `since`: a version other than the
/// one the import left, a later audit entry about it, a child that is not the import's own, or
/// a place in a sprint. Answers their keys.
async fn touched(
    c: &mut Conn<'_>,
    product_key: &str,
    since: i64,
    versions: &[(i64, i64)],
    sprints: &Landed,
) -> Result<Vec<String>> {
    // The import's own places in sprints do not count: those in the sprints it created, and
    // the scope rows it added to sprints that were there. (Ids from our own audit entry.)
    let list = |ids: Vec<i64>| {
        let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
        if ids.is_empty() {
            "-1".to_string()
        } else {
            ids.join(",")
        }
    };
    let own_sprints = list(sprints.created.iter().map(|s| s.id).collect());
    let own_rows = list(sprints.rows.clone());
    let mut out = Vec::new();
    let ids: Vec<i64> = versions.iter().map(|(id, _)| *id).collect();
    for chunk in versions.chunks(400) {
        let marks = crate::db::row_marks(c.is_sqlite(), chunk.len(), 1);
        let marks = &marks[1..marks.len() - 1].replace("),(", ",");
        let sql = format!(
            "SELECT i.id, i.number, i.version,
                    EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'item'
                            AND a.entity_id = i.id AND a.id > {since}) AS logged,
                    EXISTS (SELECT 1 FROM sprint_items si WHERE si.item_id = i.id
                            AND si.sprint_id NOT IN ({own_sprints}) AND si.id NOT IN ({own_rows})) AS in_sprint
             FROM items i WHERE i.id IN ({marks})"
        );
        let rows: Vec<(i64, i64, i64, bool, bool)> = on!(c, x => {
            let q = chunk.iter().fold(sqlx::query_as(&sql), |q, (id, _)| q.bind(*id));
            q.fetch_all(&mut **x).await
        })?;
        for (id, number, version, logged, in_sprint) in rows {
            let expected = chunk.iter().find(|(i, _)| *i == id).map(|(_, v)| *v);
            if Some(version) != expected || logged || in_sprint {
                out.push(format!("{product_key}-{number}"));
            }
        }
        // An item deleted since is touched too.
        let found: Vec<i64> = on!(c, x => {
            let sql = format!("SELECT id FROM items WHERE id IN ({marks})");
            let q = chunk.iter().fold(sqlx::query_scalar(&sql), |q, (id, _)| q.bind(*id));
            q.fetch_all(&mut **x).await
        })?;
        if found.len() != chunk.len() {
            out.push(format!("{} deleted item(s)", chunk.len() - found.len()));
        }
    }
    // Children put under an imported item by someone else.
    let kids: Vec<(i64, i64, i64)> = on!(c, x => sqlx::query_as(
        "SELECT k.id, k.number, k.parent_id FROM items k JOIN items p ON p.id = k.parent_id
         WHERE p.product_id = (SELECT product_id FROM items WHERE id = $1)")
        .bind(ids.first().copied().unwrap_or(0)).fetch_all(&mut **x).await)?;
    let ours: std::collections::HashSet<i64> = ids.iter().copied().collect();
    for (kid, number, parent) in kids {
        if ours.contains(&parent) && !ours.contains(&kid) {
            out.push(format!("{product_key}-{number}"));
        }
    }
    Ok(out)
}

/// The versions that later imports, undone since, left sprints at: each such undo put a sprint
/// back with one more version than the import had left it at (the latest one counts).
async fn versions_after_undos(
    c: &mut Conn<'_>,
    product_id: i64,
    since: i64,
    undone: &[i64],
) -> Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, Option<String>)> = on!(c, x => sqlx::query_as(
        "SELECT id, before_json FROM audit_log
         WHERE action = 'import' AND entity_type = 'product' AND entity_id = $1 AND id > $2 ORDER BY id")
        .bind(product_id).bind(since).fetch_all(&mut **x).await)?;
    let mut out = HashMap::new();
    for (_, before) in rows.into_iter().filter(|(id, _)| undone.contains(id)) {
        let before: Value = before
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or_default();
        let landed: Landed = serde_json::from_value(before["sprints"].clone()).unwrap_or_default();
        for s in landed.updated {
            out.insert(s.id, s.version + 1);
        }
    }
    Ok(out)
}

/// The sprints an import created or changed that something touched since entry `since`: a
/// version other than the one the import left (or an undo of a later import put back), a
/// later audit entry about it, a retrospective, or scope rows that are not the import's.
/// Answers their names.
async fn sprints_touched(
    c: &mut Conn<'_>,
    since: i64,
    sprints: &Landed,
    restored: &HashMap<i64, i64>,
) -> Result<Vec<String>> {
    let mine: Vec<(i64, &str, i64)> = sprints
        .created
        .iter()
        .map(|s| (s.id, s.name.as_str(), s.version))
        .chain(
            sprints
                .updated
                .iter()
                .map(|s| (s.id, s.name.as_str(), s.version)),
        )
        .collect();
    let created: Vec<i64> = sprints.created.iter().map(|s| s.id).collect();
    let mut out = Vec::new();
    for (id, name, version) in mine {
        let row: Option<(i64, bool, bool)> = on!(c, x => sqlx::query_as(
            "SELECT s.version,
                    EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'sprint'
                            AND a.entity_id = s.id AND a.id > $2),
                    EXISTS (SELECT 1 FROM retros r WHERE r.sprint_id = s.id)
             FROM sprints s WHERE s.id = $1")
            .bind(id).bind(since).fetch_optional(&mut **x).await)?;
        let Some((now, logged, retro)) = row else {
            out.push(format!("{name} (deleted)"));
            continue;
        };
        // Rows in a sprint it created that it did not write (a later scope change).
        let foreign = if created.contains(&id) {
            let removed: i64 = on!(c, x => sqlx::query_scalar(
                "SELECT COUNT(*) FROM sprint_items WHERE sprint_id = $1 AND removed_at IS NOT NULL")
                .bind(id).fetch_one(&mut **x).await)?;
            removed > 0
        } else {
            false
        };
        let version = restored.get(&id).copied().unwrap_or(version);
        if now != version || logged || retro || foreign {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

fn reopened(s: &super::sprints::Prior, version: i64) -> crate::sprint::store::Reopen<'_> {
    crate::sprint::store::Reopen {
        id: s.id,
        version,
        state: if s.state.is_empty() {
            "planned"
        } else {
            &s.state
        },
        start_date: s.start_date.as_deref(),
        end_date: s.end_date.as_deref(),
        started_at: s.started_at,
        baseline_points: s.baseline_points,
    }
}

/// Reverts import `import_id` of the product as a whole, or refuses and changes nothing.
pub async fn undo(db: &Db, actor: &User, ctx: &ProductCtx, import_id: i64) -> Result<Undone> {
    ctx.grants.require(Action::Import)?;
    let mut tx = db.begin().await?;
    items::lock_product(&mut tx, ctx.product.id).await?;
    let e = entry(&mut tx.conn(), import_id).await?;
    let Some(e) = e.filter(|e| {
        e.action == "import"
            && e.entity_type == "product"
            && e.entity_id == ctx.product.id
            && e.workspace_id == ctx.workspace.id
    }) else {
        return Err(Error::NotFound);
    };
    let (imports, undone) = later(&mut tx.conn(), ctx.product.id, import_id).await?;
    if undone.contains(&import_id) {
        return Err(Error::Conflict(format!(
            "import {import_id} was undone already"
        )));
    }
    let after: Value = e
        .after_json
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    let before: Option<Value> = e
        .before_json
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok());
    let Some(before) = before else {
        return Err(Error::Conflict(format!(
            "import {import_id} was recorded before imports could be undone; delete its items by hand"
        )));
    };
    let created: Vec<i64> = serde_json::from_value(after["created"].clone()).unwrap_or_default();
    let priors: Vec<Prior> = serde_json::from_value(before["items"].clone())
        .map_err(|err| Error::Internal(anyhow::anyhow!("import {import_id}: {err}")))?;
    // Imports undone in the meantime (newest first, as a stack) updated an item and then put
    // it back: two versions each, and nothing else changed.
    let mut versions: Vec<(i64, i64)> = created
        .iter()
        .map(|id| (*id, 1))
        .chain(priors.iter().map(|p| (p.id, p.version)))
        .collect();
    for (_, updated) in imports.iter().filter(|(id, _)| undone.contains(id)) {
        for (item, version) in versions.iter_mut() {
            if updated.contains(item) {
                *version += 2;
            }
        }
    }
    let sprints: Landed = before
        .get("sprints")
        .map(|s| serde_json::from_value(s.clone()))
        .transpose()
        .map_err(|err| Error::Internal(anyhow::anyhow!("import {import_id}: {err}")))?
        .unwrap_or_default();
    let mut hit = touched(
        &mut tx.conn(),
        &ctx.product.key,
        import_id,
        &versions,
        &sprints,
    )
    .await?;
    let restored = versions_after_undos(&mut tx.conn(), ctx.product.id, import_id, &undone).await?;
    hit.extend(sprints_touched(&mut tx.conn(), import_id, &sprints, &restored).await?);
    if !hit.is_empty() {
        let n = hit.len();
        let named = hit.into_iter().take(5).collect::<Vec<_>>().join(", ");
        let more = if n > 5 {
            format!(" and {} more", n - 5)
        } else {
            String::new()
        };
        return Err(Error::Conflict(format!(
            "{named}{more} changed since import {import_id}; an import is undone only while nothing has touched its items and sprints"
        )));
    }
    // Sprints first: what the import put in them, then the ones it made, each at the version
    // it left (a change committed meanwhile makes the undo refuse and roll back).
    for row in &sprints.rows {
        crate::exec!(&mut tx.conn(), x => sqlx::query("DELETE FROM sprint_items WHERE id = $1").bind(*row))?;
    }
    for s in &sprints.updated {
        let version = restored.get(&s.id).copied().unwrap_or(s.version);
        if !crate::sprint::store::reopen(&mut tx, &reopened(s, version)).await? {
            return Err(Error::Conflict(format!(
                "{} changed while undoing import {import_id}; nothing was undone",
                s.name
            )));
        }
    }
    for s in &sprints.created {
        let version = restored.get(&s.id).copied().unwrap_or(s.version);
        let gone = crate::exec!(&mut tx.conn(), x => sqlx::query(
            "DELETE FROM sprints WHERE id = $1 AND version = $2").bind(s.id).bind(version))?;
        if gone != 1 {
            return Err(Error::Conflict(format!(
                "{} changed while undoing import {import_id}; nothing was undone",
                s.name
            )));
        }
    }
    // Each delete repeats the version check, so an edit that commits between the check above
    // and here (PostgreSQL reads committed rows) is never thrown away.
    for id in &created {
        let version = versions
            .iter()
            .find(|(i, _)| i == id)
            .map_or(1, |(_, v)| *v);
        let gone = crate::exec!(&mut tx.conn(), x => sqlx::query(
            "DELETE FROM items WHERE id = $1 AND version = $2").bind(*id).bind(version))?;
        if gone != 1 {
            return Err(Error::Conflict(format!(
                "item {id} changed while undoing import {import_id}; nothing was undone"
            )));
        }
    }
    let rules = backlog::rules_of(ctx);
    for p in &priors {
        let mut f = p.fields.clone();
        f.parent_id = p.parent_id;
        let now = items::row_by_id_tx(&mut tx, p.id).await?;
        let criteria = items::criteria_tx(&mut tx, p.id).await?;
        let open = items::open_questions_tx(&mut tx, p.id).await?;
        let readiness = backlog::assess(&rules, &f, &criteria, open);
        let expected = versions
            .iter()
            .find(|(id, _)| *id == p.id)
            .map_or(p.version, |(_, v)| *v);
        if !items::update(&mut tx, p.id, expected, &f, &readiness).await? {
            return Err(Error::Conflict(format!(
                "item {} changed while undoing; try again",
                p.id
            )));
        }
        if now.status != f.status {
            items::record_status(&mut tx, p.id, &f.status).await?;
        }
        items::set_labels(&mut tx, p.id, &p.labels).await?;
        super::store::set_external_updated(&mut tx, p.id, p.external_updated).await?;
    }
    let undone = Undone {
        import_id,
        deleted: created.len(),
        restored: priors.len(),
        sprints_deleted: sprints.created.len(),
    };
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: ctx.workspace.id,
            actor_id: Some(actor.id),
            action: "import.undo",
            entity_type: "product",
            entity_id: ctx.product.id,
            before: None,
            after: Some(json!(undone)),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(undone)
}
