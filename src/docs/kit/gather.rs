//! What a hand-off kit is made from: the product's context, the initiatives in scope and the
//! open backlog items of the initiative, release or sprint, in backlog order, with who let an
//! unready item in and why.

use std::collections::{HashMap, HashSet};

use super::Scope;
use crate::backlog::query::{Compiled, SqlValue};
use crate::db::Db;
use crate::docs::gather::{initiative, stories, Story};
use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId, SprintId};
use crate::on;
use crate::roadmap::releases::{self, Release};
use crate::sprint::service as sprints;
use crate::sprint::Sprint;
use crate::strategy::model::Initiative;
use crate::strategy::research_model::{Persona, Vision};
use crate::strategy::{initiatives, personas, Quarter, SortBy};
use crate::workspace::ProductCtx;

pub struct KitData {
    pub vision: Vision,
    pub personas: Vec<Persona>,
    /// The initiatives in scope: the one, the release's, or those of the sprint's items.
    pub initiatives: Vec<Initiative>,
    /// Open items in scope, in backlog order.
    pub stories: Vec<Story>,
    /// Why the Product Owner let an item that is not ready in, by item id.
    pub exceptions: HashMap<ItemId, String>,
    pub release: Option<Release>,
    pub sprint: Option<Sprint>,
    /// Keys of the items blocking one in scope that are done: no longer in the way.
    pub done: HashSet<String>,
}

pub async fn kit(db: &Db, ctx: &ProductCtx, scope: Scope) -> Result<KitData> {
    let open = "i.status <> 'done'";
    let (filter, release, sprint, only) = match scope {
        Scope::Initiative(id) => {
            initiative(db, ctx, id).await?;
            let f = Compiled {
                sql: format!("i.initiative_id = $4 AND {open}"),
                params: vec![SqlValue::Int(id)],
                order: None,
            };
            (f, None, None, Some(vec![id]))
        }
        Scope::Release(id) => {
            let r = releases::get(db, ctx, id).await.map_err(|e| match e {
                Error::NotFound => {
                    Error::invalid("release", format!("no release {id} in this product"))
                }
                e => e,
            })?;
            // The release's initiatives' items and the items it ships directly.
            let f = Compiled {
                sql: format!(
                    "(i.id IN (SELECT item_id FROM release_items WHERE release_id = $4)
                      OR i.initiative_id IN (SELECT initiative_id FROM release_initiatives WHERE release_id = $4))
                     AND {open}"
                ),
                params: vec![SqlValue::Int(id)],
                order: None,
            };
            let only = Some(r.initiatives.clone());
            (f, Some(r), None, only)
        }
        Scope::Sprint(id) => {
            let s = sprints::get(db, ctx, SprintId(id))
                .await
                .map_err(|e| match e {
                    Error::NotFound => {
                        Error::invalid("sprint", format!("no sprint {id} in this product"))
                    }
                    e => e,
                })?;
            let f = Compiled {
                sql: format!(
                    "i.id IN (SELECT item_id FROM sprint_items WHERE sprint_id = $4 AND removed_at IS NULL) AND {open}"
                ),
                params: vec![SqlValue::Int(id)],
                order: None,
            };
            (f, None, Some(s), None)
        }
    };
    let stories = stories(db, ctx, &filter, i64::MAX).await?;
    let wanted: Vec<InitiativeId> = match only {
        Some(ids) => ids.into_iter().map(InitiativeId).collect(),
        None => stories
            .iter()
            .filter_map(|s| s.item.initiative_id)
            .collect(),
    };
    let quarter = Quarter::of(crate::calendar::today());
    let initiatives = initiatives::list(db, ctx, SortBy::Priority, quarter)
        .await?
        .into_iter()
        .filter(|i| wanted.contains(&i.id))
        .collect();
    let ids: Vec<ItemId> = stories.iter().map(|s| s.item.id).collect();
    let exceptions = exceptions(db, &ids, sprint.as_ref().map(|s| s.id)).await?;
    let mut done = HashSet::new();
    for key in stories.iter().flat_map(|s| &s.item.blocked_by) {
        // Open items in scope are read already; a blocker outside them is read here.
        if !done.contains(key) && !stories.iter().any(|s| &s.item.key == key) {
            match crate::backlog::service::get(db, ctx, key).await {
                Ok(b) if b.status == "done" => {
                    done.insert(key.clone());
                }
                Ok(_) | Err(Error::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(KitData {
        vision: personas::vision(db, ctx).await?,
        personas: personas::list(db, ctx).await?,
        initiatives,
        stories,
        exceptions,
        release,
        sprint,
        done,
    })
}

/// The kit exceptions of these items, and for a sprint's kit the exceptions the PO gave when
/// committing them (a kit exception, being about kits, wins over the commitment's).
async fn exceptions(
    db: &Db,
    ids: &[ItemId],
    sprint: Option<SprintId>,
) -> Result<HashMap<ItemId, String>> {
    let mut out = HashMap::new();
    if let Some(s) = sprint {
        let rows: Vec<(ItemId, String)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
            "SELECT item_id, exception FROM sprint_items
             WHERE sprint_id = $1 AND removed_at IS NULL AND exception IS NOT NULL")
            .bind(s).fetch_all(&mut **c).await)?;
        out.extend(
            rows.into_iter()
                .map(|(i, r)| (i, format!("committed to the sprint with an exception: {r}"))),
        );
    }
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT item_id, reason FROM kit_exceptions WHERE item_id IN ({})",
            marks.join(",")
        );
        let rows: Vec<(ItemId, String)> = on!(&mut db.reader().await?.conn(), c => {
            let mut q = sqlx::query_as::<_, (ItemId, String)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}
