//! Initiatives another tool's export brings (its epics), found again by that tool's key so a
//! repeat import updates them and never makes a second one. Written in the import's
//! transaction through the initiatives' own insert, update and link.

use std::collections::{HashMap, HashSet};

use super::initiatives::{insert_all_in, insert_in, merge, update_on};
use super::item_edit::set_initiatives_in;
use super::model::{Initiative, InitiativeInput};
use crate::audit::Load;
use crate::db::Tx;
use crate::error::Result;
use crate::ids::{InitiativeId, ItemId};
use crate::workspace::ProductCtx;
use crate::{exec, on};

/// An epic as an import gives it: its key in the other tool, title, description and status.
pub struct Epic<'a> {
    pub key: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    /// One of the initiative statuses (idea, discovery, planned, in_progress, shipped, dropped).
    pub status: &'a str,
}

impl Epic<'_> {
    /// The initiative's fields the epic gives.
    fn input(&self) -> InitiativeInput {
        InitiativeInput {
            title: Some(self.title.to_string()),
            description: Some(self.description.to_string()),
            status: Some(self.status.to_string()),
            ..InitiativeInput::default()
        }
    }
}

/// What became of an epic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Landed {
    Created,
    /// Updated from what it was: the epic's fields before, and the version the update left.
    Updated(Before),
    Unchanged,
}

/// An imported initiative's fields as an import found them, so that its undo can put them back.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Before {
    pub id: InitiativeId,
    /// The version the import left it at.
    pub version: i64,
    pub title: String,
    pub description: String,
    pub status: String,
}

/// Creates the epic's initiative, or updates the one an earlier import made when the title,
/// description or status changed; returns its id.
pub async fn land(
    tx: &mut Tx,
    ctx: &ProductCtx,
    epic: &Epic<'_>,
) -> Result<(InitiativeId, Landed)> {
    let found: Option<InitiativeId> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT id FROM initiatives WHERE product_id = $1 AND external_key = $2")
        .bind(ctx.product.id).bind(epic.key).fetch_optional(&mut **t).await)?;
    let input = epic.input();
    let Some(id) = found else {
        let f = merge(None, &input)?;
        let id = insert_in(tx, ctx.product.id, &f, Some(epic.key)).await?;
        return Ok((id, Landed::Created));
    };
    let key = (ctx.product.id, ctx.product.key.clone(), id);
    let old = Initiative::load(&mut tx.conn(), key).await?;
    let f = merge(Some(&old), &input)?;
    if (&f.title, &f.description, &f.status) == (&old.title, &old.description, &old.status) {
        return Ok((id, Landed::Unchanged));
    }
    update_on(&mut tx.conn(), ctx.product.id, id, old.version, &f).await?;
    let before = Before {
        id,
        version: old.version + 1,
        title: old.title,
        description: old.description,
        status: old.status,
    };
    Ok((id, Landed::Updated(before)))
}

/// [`land`] for every epic of a file, in its order: the initiatives earlier imports made are
/// found in one query and the new ones written in blocks, so that thousands of epics take a
/// few round trips. An epic the file names again after its first is landed on its own.
pub async fn land_all(
    tx: &mut Tx,
    ctx: &ProductCtx,
    epics: &[Epic<'_>],
) -> Result<Vec<(InitiativeId, Landed)>> {
    let known: HashSet<String> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT external_key FROM initiatives WHERE product_id = $1 AND external_key IS NOT NULL")
        .bind(ctx.product.id).fetch_all(&mut **t).await)?
    .into_iter()
    .collect();
    let mut first = HashSet::new();
    let mut fresh = Vec::new();
    for e in epics {
        if !known.contains(e.key) && first.insert(e.key) {
            fresh.push((merge(None, &e.input())?, e.key));
        }
    }
    let rows: Vec<_> = fresh.iter().map(|(f, key)| (f, Some(*key))).collect();
    let made: HashMap<String, InitiativeId> = insert_all_in(tx, ctx.product.id, &rows)
        .await?
        .into_iter()
        .filter_map(|(key, id)| key.map(|k| (k, id)))
        .collect();
    let mut out = Vec::with_capacity(epics.len());
    for e in epics {
        match made.get(e.key) {
            Some(&id) if first.remove(e.key) => out.push((id, Landed::Created)),
            _ => out.push(land(tx, ctx, e).await?),
        }
    }
    Ok(out)
}

/// Puts back what an import changed on an initiative, while nothing else changed it since;
/// false when something did.
pub async fn restore(tx: &mut Tx, ctx: &ProductCtx, b: &Before) -> Result<bool> {
    let key = (ctx.product.id, ctx.product.key.clone(), b.id);
    let Ok(now) = Initiative::load(&mut tx.conn(), key).await else {
        return Ok(false);
    };
    let input = InitiativeInput {
        title: Some(b.title.clone()),
        description: Some(b.description.clone()),
        status: Some(b.status.clone()),
        ..InitiativeInput::default()
    };
    let f = merge(Some(&now), &input)?;
    Ok(update_on(&mut tx.conn(), ctx.product.id, b.id, b.version, &f).await? == 1)
}

/// The initiatives among `made` (id, the version it should be at) that anything but the
/// import's own items refers to, or that changed since (version, a later audit entry): their
/// titles.
pub async fn touched(
    tx: &mut Tx,
    made: &[(i64, i64)],
    since_audit: i64,
    own_items: &[i64],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for &(id, expected) in made {
        let row: Option<(String, i64, bool)> = on!(&mut tx.conn(), t => sqlx::query_as(
            "SELECT i.title, i.version,
                    EXISTS (SELECT 1 FROM priority_initiatives x WHERE x.initiative_id = i.id)
                 OR EXISTS (SELECT 1 FROM initiative_metrics x WHERE x.initiative_id = i.id)
                 OR EXISTS (SELECT 1 FROM initiative_evidence x WHERE x.initiative_id = i.id)
                 OR EXISTS (SELECT 1 FROM decision_initiatives x WHERE x.initiative_id = i.id)
                 OR EXISTS (SELECT 1 FROM release_initiatives x WHERE x.initiative_id = i.id)
                 OR EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_type = 'initiative'
                            AND a.entity_id = i.id AND a.id > $2)
             FROM initiatives i WHERE i.id = $1")
            .bind(id).bind(since_audit).fetch_optional(&mut **t).await)?;
        let Some((title, version, linked)) = row else {
            out.push(format!("initiative {id} (deleted)"));
            continue;
        };
        let items: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT id FROM items WHERE initiative_id = $1")
            .bind(id).fetch_all(&mut **t).await)?;
        if version != expected || linked || items.iter().any(|i| !own_items.contains(i)) {
            out.push(format!("initiative \"{title}\""));
        }
    }
    Ok(out)
}

/// Deletes initiatives an import created, each at the version it should be at (their items
/// are gone or unlinked by then).
pub async fn delete(tx: &mut Tx, ctx: &ProductCtx, made: &[(i64, i64)]) -> Result<()> {
    for &(id, version) in made {
        exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM initiatives WHERE id = $1 AND product_id = $2 AND version = $3")
            .bind(id).bind(ctx.product.id).bind(version))?;
    }
    Ok(())
}

/// Puts items under initiatives, as (item, initiative, fresh): `fresh` when the item was
/// created in this transaction, so it keeps its first version. The caller leaves out items
/// already under theirs.
pub async fn link(
    tx: &mut Tx,
    ctx: &ProductCtx,
    links: &[(ItemId, InitiativeId, bool)],
) -> Result<()> {
    let links: Vec<_> = links
        .iter()
        .map(|&(item, initiative, fresh)| (item, Some(initiative), !fresh))
        .collect();
    set_initiatives_in(tx, ctx, &links).await
}

/// Puts items an import moved back under the initiatives they had, as (item, initiative
/// before, none for none); a change of each item, so its version moves as the import's link
/// moved it.
pub async fn relink(
    tx: &mut Tx,
    ctx: &ProductCtx,
    links: &[(ItemId, Option<InitiativeId>)],
) -> Result<()> {
    let links: Vec<_> = links
        .iter()
        .map(|&(item, before)| (item, before, true))
        .collect();
    set_initiatives_in(tx, ctx, &links).await
}
