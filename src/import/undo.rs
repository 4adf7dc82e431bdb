//! Undoing an import as a whole (PRODUCT.md D2): the items it created are deleted and the items
//! it updated get back what they had, with the comments, initiatives and placeholder accounts
//! it made and the assignees and initiative links it changed, in one transaction, while nothing
//! has touched any of them since. Anything touched (edited, moved, commented, put in a sprint,
//! given a child, an initiative prioritized) makes the undo refuse and name what, so that no
//! one's later work is thrown away. The sprints it created go too (with their scope), the items
//! it put in sprints that were there come out, and the dates it changed come back, while nothing
//! has touched those sprints since (started, closed, edited, their scope changed, a
//! retrospective opened).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::audit::{self, Change};
use crate::auth::store as accounts;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::service as backlog;
use crate::backlog::store::{self as items, Fields};
use crate::db::{Conn, Db};
use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId, SprintId};
use crate::on;
use crate::strategy::initiatives_imported::{self as initiatives, Before};
use crate::workspace::ProductCtx;

use super::sprints::Landed;

/// An item an import updated, as it was before, and the version the import left it at.
#[derive(Debug, Serialize, Deserialize)]
pub struct Prior {
    pub id: ItemId,
    pub version: i64,
    pub fields: Fields,
    pub parent_id: Option<ItemId>,
    pub labels: Vec<String>,
    pub external_updated: Option<DateTime<Utc>>,
}

/// An item's people and initiative before an import changed them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Was {
    pub id: ItemId,
    pub assignee: Option<i64>,
    pub reporter: Option<i64>,
    pub initiative: Option<InitiativeId>,
}

/// What an import wrote besides its items' own fields, kept in its audit entry so that an undo
/// can take it back. Every list is empty for an import recorded before it was kept.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Trail {
    #[serde(default)]
    pub placeholders: Vec<i64>,
    #[serde(default)]
    pub comments: Vec<i64>,
    #[serde(default)]
    pub initiatives_created: Vec<i64>,
    /// Initiatives it updated, as they were.
    #[serde(default)]
    pub initiatives: Vec<Before>,
    /// Items that were there before it whose assignee or reporter it changed, as they were.
    #[serde(default)]
    pub people: Vec<Was>,
    /// Items that were there before it that it put under an initiative: (item, initiative before).
    #[serde(default)]
    pub links: Vec<(ItemId, Option<InitiativeId>)>,
    /// Watchers it added to items that were there before it: (item, user).
    #[serde(default)]
    pub watchers: Vec<(ItemId, i64)>,
    /// Dependencies it added: (blocker, blocked).
    #[serde(default)]
    pub dependencies: Vec<(ItemId, ItemId)>,
    /// The version it left each item that was there before it at.
    #[serde(default)]
    pub versions: Vec<(i64, i64)>,
}

impl Trail {
    /// The items that were there before the import and that it changed.
    pub fn changed_items(&self, priors: &[Prior]) -> Vec<i64> {
        let mut ids: Vec<i64> = priors.iter().map(|p| p.id.0).collect();
        ids.extend(self.people.iter().map(|w| w.id.0));
        ids.extend(self.links.iter().map(|(id, _)| id.0));
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// The current version of each item among `ids`.
pub async fn versions_of(c: &mut Conn<'_>, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(400) {
        let marks = crate::db::row_marks(c.is_sqlite(), chunk.len(), 1);
        let sql = format!(
            "SELECT id, version FROM items WHERE id IN ({})",
            &marks[1..marks.len() - 1].replace("),(", ",")
        );
        let rows: Vec<(i64, i64)> = on!(c, x => {
            let q = chunk.iter().fold(sqlx::query_as(&sql), |q, id| q.bind(*id));
            q.fetch_all(&mut **x).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// What an undo did.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Undone {
    /// The import's audit entry.
    pub import_id: i64,
    pub deleted: usize,
    pub restored: usize,
    pub comments_deleted: usize,
    pub initiatives_deleted: usize,
    pub initiatives_restored: usize,
    pub people_deleted: usize,
    /// Placeholder accounts the import made that stay: something else refers to them now.
    pub people_kept: usize,
    /// Sprints the import created, deleted with it.
    pub sprints_deleted: usize,
}

impl Undone {
    /// The undo in a sentence, for the CLI and the job page: "3 items deleted, 1 item put back
    /// as it was; also deleted: 2 comments, 1 placeholder account".
    pub fn summary(&self) -> String {
        let n =
            |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let mut s = format!(
            "{} deleted, {} put back as {}",
            n(self.deleted, "item", "items"),
            n(self.restored, "item", "items"),
            if self.restored == 1 {
                "it was"
            } else {
                "they were"
            }
        );
        let also: Vec<String> = [
            (self.comments_deleted, "comment", "comments"),
            (self.sprints_deleted, "sprint", "sprints"),
            (self.initiatives_deleted, "initiative", "initiatives"),
            (
                self.people_deleted,
                "placeholder account",
                "placeholder accounts",
            ),
        ]
        .into_iter()
        .filter(|(k, _, _)| *k > 0)
        .map(|(k, one, many)| n(k, one, many))
        .collect();
        if !also.is_empty() {
            s += &format!("; also deleted: {}", also.join(", "));
        }
        if self.initiatives_restored > 0 {
            s += &format!(
                "; {} put back",
                n(self.initiatives_restored, "initiative", "initiatives")
            );
        }
        if self.people_kept > 0 {
            s += &format!(
                "; {} kept (other work names them)",
                n(
                    self.people_kept,
                    "placeholder account",
                    "placeholder accounts"
                )
            );
        }
        s
    }
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

/// An import undone since, with the versions its undo left what it put back at.
struct PutBack {
    import_id: i64,
    /// None for an undo recorded before these were kept.
    items: Option<Vec<(i64, i64)>>,
    initiatives: Vec<(i64, i64)>,
}

/// The product's imports and undos recorded after entry `since`: each later import's id and
/// the items it updated, and each import undone since.
async fn later(
    c: &mut Conn<'_>,
    product_id: i64,
    since: i64,
) -> Result<(Vec<(i64, Vec<i64>)>, Vec<PutBack>)> {
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
        } else if let Some(import_id) = after["import_id"].as_i64() {
            undone.push(PutBack {
                import_id,
                items: serde_json::from_value(after["versions"].clone()).ok(),
                initiatives: serde_json::from_value(after["initiative_versions"].clone())
                    .unwrap_or_default(),
            });
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
    let own_sprints = list(sprints.created.iter().map(|s| s.id.0).collect());
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
) -> Result<HashMap<SprintId, i64>> {
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
    restored: &HashMap<SprintId, i64>,
) -> Result<Vec<String>> {
    let mine: Vec<(SprintId, &str, i64)> = sprints
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
    let created: Vec<SprintId> = sprints.created.iter().map(|s| s.id).collect();
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
    if undone.iter().any(|u| u.import_id == import_id) {
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
    let sprints: Landed = before
        .get("sprints")
        .map(|s| serde_json::from_value(s.clone()))
        .transpose()
        .map_err(|err| Error::Internal(anyhow::anyhow!("import {import_id}: {err}")))?
        .unwrap_or_default();
    let trail: Trail = serde_json::from_value(before).unwrap_or_default();
    let versions = expected_versions(&created, &priors, &trail, &imports, &undone);
    let mut hit = touched(
        &mut tx.conn(),
        &ctx.product.key,
        import_id,
        &versions,
        &sprints,
    )
    .await?;
    let undone_ids: Vec<i64> = undone.iter().map(|u| u.import_id).collect();
    let restored =
        versions_after_undos(&mut tx.conn(), ctx.product.id, import_id, &undone_ids).await?;
    hit.extend(sprints_touched(&mut tx.conn(), import_id, &sprints, &restored).await?);
    hit.extend(comments_touched(&mut tx, &ctx.product.key, &trail.comments).await?);
    let own: Vec<i64> = created
        .iter()
        .copied()
        .chain(trail.links.iter().map(|(id, _)| id.0))
        .collect();
    let made: Vec<(i64, i64)> = trail
        .initiatives_created
        .iter()
        .map(|id| {
            let put_back = undone.iter().rev().flat_map(|u| &u.initiatives);
            let v = put_back.filter(|(i, _)| i == id).map(|(_, v)| *v).next();
            (*id, v.unwrap_or(1))
        })
        .collect();
    hit.extend(initiatives::touched(&mut tx, &made, import_id, &own).await?);
    if !hit.is_empty() {
        let n = hit.len();
        let named = hit.into_iter().take(5).collect::<Vec<_>>().join(", ");
        let more = if n > 5 {
            format!(" and {} more", n - 5)
        } else {
            String::new()
        };
        return Err(Error::Conflict(format!(
            "{named}{more} changed since import {import_id}; an import is undone only while nothing has touched what it brought (items, sprints, comments, initiatives)"
        )));
    }
    let changed = |what: String| {
        Error::Conflict(format!(
            "{what} changed while undoing import {import_id}; nothing was undone"
        ))
    };
    let mut comments_deleted = 0;
    for id in &trail.comments {
        comments_deleted += crate::exec!(&mut tx.conn(), x => sqlx::query(
            "DELETE FROM comments WHERE id = $1 AND version = 1").bind(*id))?;
    }
    // Sprints: what the import put in them, then the ones it made, each at the version it left
    // (a change committed meanwhile makes the undo refuse and roll back).
    for row in &sprints.rows {
        crate::exec!(&mut tx.conn(), x => sqlx::query("DELETE FROM sprint_items WHERE id = $1").bind(*row))?;
    }
    for s in &sprints.updated {
        let version = restored.get(&s.id).copied().unwrap_or(s.version);
        if !crate::sprint::store::reopen(&mut tx, &reopened(s, version)).await? {
            return Err(changed(s.name.clone()));
        }
    }
    for s in &sprints.created {
        let version = restored.get(&s.id).copied().unwrap_or(s.version);
        let gone = crate::exec!(&mut tx.conn(), x => sqlx::query(
            "DELETE FROM sprints WHERE id = $1 AND version = $2").bind(s.id).bind(version))?;
        if gone != 1 {
            return Err(changed(s.name.clone()));
        }
    }
    // The team made for the sprints goes when nothing else came to it since.
    if let Some(team) = sprints.team {
        crate::exec!(&mut tx.conn(), x => sqlx::query(
            "DELETE FROM teams WHERE id = $1 AND version = 1
               AND NOT EXISTS (SELECT 1 FROM sprints WHERE team_id = $1)
               AND NOT EXISTS (SELECT 1 FROM team_members WHERE team_id = $1)
               AND (SELECT COUNT(*) FROM team_products WHERE team_id = $1) = 1").bind(team))?;
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
            return Err(changed(format!("item {id}")));
        }
        items::forget_watchers(&mut tx, ItemId(*id)).await?;
    }
    let rules = backlog::rules_of(ctx);
    for p in &priors {
        let mut f = p.fields.clone();
        f.parent_id = p.parent_id;
        let now = items::row_by_id(&mut tx.conn(), p.id).await?;
        f.initiative_id = now.initiative_id;
        let criteria = items::criteria(&mut tx.conn(), p.id).await?;
        let open = items::open_questions(&mut tx.conn(), p.id).await?;
        let readiness = backlog::assess(&rules, &f, &criteria, open);
        if !items::update(&mut tx, p.id, now.version, &f, &readiness).await? {
            return Err(changed(format!("item {}", p.id)));
        }
        if now.status != f.status {
            items::record_status(&mut tx, p.id, &f.status).await?;
        }
        items::set_labels(&mut tx, p.id, &p.labels).await?;
        super::store::set_external_updated(&mut tx, p.id, p.external_updated).await?;
    }
    for &(item, user) in &trail.watchers {
        crate::notify::store::unwatch(&mut tx, "item", item, user).await?;
    }
    for &(blocker, blocked) in &trail.dependencies {
        items::remove_dependency(&mut tx, blocker, blocked).await?;
    }
    for w in &trail.people {
        items::restore_people(&mut tx, w.id, w.assignee, w.reporter).await?;
    }
    initiatives::relink(&mut tx, ctx, &trail.links).await?;
    initiatives::delete(&mut tx, ctx, &made).await?;
    let mut put_back = Vec::new();
    for b in &trail.initiatives {
        if !initiatives::restore(&mut tx, ctx, b).await? {
            return Err(changed(format!("initiative \"{}\"", b.title)));
        }
        put_back.push((b.id, b.version + 1));
    }
    let people_deleted = accounts::delete_unused_placeholders(&mut tx, &trail.placeholders).await?;
    let left = versions_of(&mut tx.conn(), &trail.changed_items(&priors)).await?;
    let undone = Undone {
        import_id,
        deleted: created.len(),
        restored: priors.len(),
        comments_deleted: usize::try_from(comments_deleted).unwrap_or(usize::MAX),
        initiatives_deleted: trail.initiatives_created.len(),
        initiatives_restored: put_back.len(),
        people_deleted,
        people_kept: trail.placeholders.len() - people_deleted,
        sprints_deleted: sprints.created.len(),
    };
    let mut after = json!(undone);
    after["versions"] = json!(left);
    after["initiative_versions"] = json!(put_back);
    audit::store::record(
        &mut tx,
        Change {
            workspace_id: Some(ctx.workspace.id),
            actor_id: Some(actor.id),
            action: "import.undo",
            entity_type: "product",
            entity_id: ctx.product.id,
            before: None,
            after: Some(after),
            reason: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(undone)
}

/// The version each of the import's items should be at if nothing touched it since: what the
/// import left, or what the undo of a later import left when one put it back.
fn expected_versions(
    created: &[i64],
    priors: &[Prior],
    trail: &Trail,
    imports: &[(i64, Vec<i64>)],
    undone: &[PutBack],
) -> Vec<(i64, i64)> {
    let left: Vec<(i64, i64)> = if trail.versions.is_empty() {
        priors.iter().map(|p| (p.id.0, p.version)).collect()
    } else {
        trail.versions.clone()
    };
    let mut versions: Vec<(i64, i64)> = created.iter().map(|id| (*id, 1)).chain(left).collect();
    for u in undone {
        match &u.items {
            Some(put_back) => {
                for (item, version) in versions.iter_mut() {
                    if let Some((_, v)) = put_back.iter().find(|(i, _)| i == item) {
                        *version = *v;
                    }
                }
            }
            // An undo recorded before versions were kept: its import updated an item and the
            // undo put it back, two versions.
            None => {
                let updated = imports
                    .iter()
                    .find(|(i, _)| *i == u.import_id)
                    .map(|(_, u)| u.as_slice())
                    .unwrap_or_default();
                for (item, version) in versions.iter_mut() {
                    if updated.contains(item) {
                        *version += 2;
                    }
                }
            }
        }
    }
    versions
}

/// The import's comments that were edited or deleted since: the keys of their items.
async fn comments_touched(
    tx: &mut crate::db::Tx,
    product_key: &str,
    ids: &[i64],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in ids {
        let row: Option<(i64, i64)> = on!(&mut tx.conn(), x => sqlx::query_as(
            "SELECT c.version, i.number FROM comments c JOIN items i ON i.id = c.item_id WHERE c.id = $1")
            .bind(*id).fetch_optional(&mut **x).await)?;
        match row {
            Some((1, _)) => {}
            Some((_, number)) => out.push(format!("a comment on {product_key}-{number}")),
            None => out.push(format!("comment {id} (deleted)")),
        }
    }
    Ok(out)
}
