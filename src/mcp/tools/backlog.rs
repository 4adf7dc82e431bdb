//! Backlog tools: search (the backlog query language), one item with its threads, the next
//! ready item, and the writes: save (with the version check), status and rank (the tier rules
//! of governance decide, as for the API).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{json, object};
use crate::backlog::input::{ItemPatch, MoveInput, NewItem};
use crate::backlog::{service, Points, Summary};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::governance::listing::{page, ListParams};
use crate::governance::moves::{move_items, MoveRequest};
use crate::mcp::{resolve, Caller};
use crate::story::{comments, questions};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchItems {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// A backlog query, e.g. `status:todo is:ready priority:"Onboarding" label:api`; the
    /// whole backlog when omitted.
    pub query: Option<String>,
    /// 1 to 500 items, 50 by default.
    pub limit: Option<i64>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn search_items(db: &Db, caller: &Caller, a: SearchItems) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let params = ListParams {
        q: a.query,
        cursor: a.cursor,
        limit: Some(a.limit.unwrap_or(50)),
    };
    json(
        page(db, &ctx, &params)
            .await
            .map_err(|e| rename(e, "q", "query"))?,
    )
}

/// A service's field name as this tool calls it.
fn rename(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::Invalid { field, message } if field == from => Error::invalid(to, message),
        other => other,
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetItem {
    /// The item's key, e.g. `ONB-42`.
    pub key: String,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_item(db: &Db, caller: &Caller, a: GetItem) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    let item = service::get(db, &ctx, &a.key).await?;
    let questions = questions::for_item(db, item.id).await?;
    let comments = comments::for_item(db, item.id).await?;
    Ok(json!({
        "item": json(&item)?,
        "questions": json(questions)?,
        "comments": json(comments)?,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NextReadyItem {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

/// Items the next ready item is chosen among: ready, nothing unfinished blocking, not started.
const READY_QUERY: &str = "status:todo is:ready is:unblocked";

pub async fn next_ready_item(db: &Db, caller: &Caller, a: NextReadyItem) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let mut candidates: Vec<Summary> = Vec::new();
    let mut cursor = None;
    loop {
        let params = ListParams {
            q: Some(READY_QUERY.to_string()),
            cursor,
            limit: Some(500),
        };
        let page = page(db, &ctx, &params).await?;
        candidates.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let Some(top) = next_in_tier_order(&candidates) else {
        return Ok(json!({ "item": null, "candidates": 0, "query": READY_QUERY }));
    };
    let item = service::get(db, &ctx, &top.key).await?;
    Ok(json!({
        "item": json(item)?,
        "tier": top.tier,
        "candidates": candidates.len(),
        "query": READY_QUERY,
    }))
}

/// The first item of the highest tier (1 before 2, any tier before unaligned); the backlog
/// order, in which `items` come, breaks ties.
pub fn next_in_tier_order(items: &[Summary]) -> Option<&Summary> {
    items
        .iter()
        .enumerate()
        .min_by_key(|(at, s)| (s.tier.unwrap_or(usize::MAX), *at))
        .map(|(_, s)| s)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveItem {
    /// The product to add a new item to, e.g. `ONB` (for a new item).
    pub product: Option<String>,
    /// The item to change, e.g. `ONB-42` (for a change).
    pub key: Option<String>,
    /// The version you read (required with `key`): a stale one is refused with the current item.
    pub version: Option<i64>,
    /// story, bug, task or spike (a new item is a story by default).
    pub kind: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// As a … (the persona's name).
    pub persona: Option<String>,
    /// I want …
    pub goal: Option<String>,
    /// So that …
    pub benefit: Option<String>,
    /// The estimate, e.g. 3 or 0.5.
    pub points: Option<f64>,
    /// todo, in_progress, in_review or done.
    pub status: Option<String>,
    /// Replaces the labels.
    pub labels: Option<Vec<String>>,
    /// Replaces the acceptance criteria, in order.
    pub criteria: Option<Vec<String>>,
    /// The parent item's key.
    pub parent: Option<String>,
    /// E-mail of the member who works on it (changes only).
    pub assignee: Option<String>,
    /// The initiative it belongs to (its id).
    pub initiative: Option<i64>,
    /// Why, recorded in the audit log (changes only).
    pub reason: Option<String>,
    /// `top` or `bottom` (the default) of the backlog (new items only).
    pub position: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

fn points(p: Option<f64>) -> Result<Option<Points>> {
    p.map(|x| serde_json::from_value(json!(x)).map_err(|e| Error::invalid("points", e.to_string())))
        .transpose()
}

pub async fn save_item(db: &Db, caller: &Caller, a: SaveItem) -> Result<Value> {
    let ws = a.workspace.as_deref();
    let (ctx, key) = match (&a.key, &a.product) {
        (Some(key), None) => (resolve::item(db, caller, key, ws).await?, key.clone()),
        (None, Some(product)) => {
            let ctx = resolve::product(db, caller, product, ws).await?;
            if a.version.is_some() || a.assignee.is_some() || a.reason.is_some() {
                return Err(Error::invalid(
                    "version",
                    "version, assignee and reason are for changing an item: give its `key`",
                ));
            }
            let new = NewItem {
                kind: a.kind.unwrap_or_else(|| "story".into()),
                title: a.title.unwrap_or_default(),
                description: a.description.unwrap_or_default(),
                persona: a.persona.unwrap_or_default(),
                goal: a.goal.unwrap_or_default(),
                benefit: a.benefit.unwrap_or_default(),
                points: points(a.points)?,
                status: a.status,
                labels: a.labels.unwrap_or_default(),
                parent: a.parent,
                criteria: a.criteria.unwrap_or_default(),
                position: a.position,
            };
            let item = service::create(db, &caller.user, &ctx, new).await?;
            let item = match a.initiative {
                Some(id) => {
                    crate::strategy::initiatives::link_item(
                        db,
                        &caller.user,
                        &ctx,
                        &item.key,
                        Some(crate::ids::InitiativeId(id)),
                    )
                    .await?
                }
                None => item,
            };
            return object("item", item);
        }
        _ => {
            return Err(Error::invalid(
                "key",
                "give `key` to change an item, or `product` to add one",
            ))
        }
    };
    let version = a.version.ok_or_else(|| {
        Error::invalid(
            "version",
            "give the version you read (get_item shows it) so that no one else's change is overwritten",
        )
    })?;
    if a.position.is_some() {
        return Err(Error::invalid("position", "use rank_item to move an item"));
    }
    let patch = ItemPatch {
        kind: a.kind,
        title: a.title,
        description: a.description,
        persona: a.persona,
        goal: a.goal,
        benefit: a.benefit,
        points: points(a.points)?.map(Some),
        status: a.status,
        labels: a.labels,
        parent: a.parent.map(Some),
        criteria: a.criteria,
        assignee: a.assignee.map(Some),
        reason: a.reason,
    };
    let (mut item, warnings) = if patch.is_empty() {
        (service::get(db, &ctx, &key).await?, Vec::new())
    } else {
        let done = service::update_warned(db, &caller.user, &ctx, &key, version, patch).await?;
        (done.item, done.warnings)
    };
    if let Some(id) = a.initiative {
        item = crate::strategy::initiatives::link_item(
            db,
            &caller.user,
            &ctx,
            &key,
            Some(crate::ids::InitiativeId(id)),
        )
        .await?;
    }
    warned(item, warnings)
}

/// The item with the WIP warnings its change raised (a flow product's column pushed past a
/// limit in warn mode), which an agent should pass on as the board would show them.
fn warned(item: crate::backlog::Item, warnings: Vec<String>) -> Result<Value> {
    let mut out = object("item", item)?;
    if let Value::Object(o) = &mut out {
        o.insert("warnings".into(), json(warnings)?);
    }
    Ok(out)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetItemStatus {
    /// The item's key, e.g. `ONB-42`.
    pub key: String,
    /// todo, in_progress, in_review or done.
    pub status: String,
    /// The version you read; the item's current version when omitted.
    pub version: Option<i64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn set_item_status(db: &Db, caller: &Caller, a: SetItemStatus) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    let version = match a.version {
        Some(v) => v,
        None => service::get(db, &ctx, &a.key).await?.version,
    };
    let patch = ItemPatch {
        status: Some(a.status),
        ..ItemPatch::default()
    };
    let done = service::update_warned(db, &caller.user, &ctx, &a.key, version, patch).await?;
    warned(done.item, done.warnings)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RankItem {
    /// The item to move, e.g. `ONB-42`.
    pub key: String,
    /// Place it just above this item.
    pub before: Option<String>,
    /// Place it just below this item.
    pub after: Option<String>,
    /// `top` or `bottom`.
    pub to: Option<String>,
    /// In strict tier mode: why this item may break the tier order. Recorded as an exemption
    /// that the PM sees and may revoke.
    pub exemption: Option<String>,
    /// A PM's strategic reason to break the tier order: a recorded, counted override.
    pub override_reason: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

/// What a strict-mode refusal adds for an agent: how to ask for the move anyway.
const EXEMPTION_HINT: &str = "To place it anyway, call rank_item again with `exemption` set to the reason this item must come first (it is recorded as an exemption the PM sees and may revoke); a PM may instead give `override_reason`, a strategic override that is counted and shown. Otherwise, place it below the higher-tier items.";

pub async fn rank_item(db: &Db, caller: &Caller, a: RankItem) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    let m = MoveInput {
        before: a.before,
        after: a.after,
        to: a.to,
        exemption: a.exemption,
        override_reason: a.override_reason,
    };
    let request = MoveRequest {
        keys: std::slice::from_ref(&a.key),
        anchor: m.anchor()?,
        exemption: m.exemption.as_deref(),
        override_reason: m.override_reason.as_deref(),
    };
    match move_items(db, &caller.user, &ctx, request).await {
        Ok(()) => {}
        Err(Error::Conflict(msg)) if msg.starts_with("strict tier order") => {
            return Err(Error::Conflict(format!("{msg}. {EXEMPTION_HINT}")));
        }
        Err(e) => return Err(e),
    }
    object("item", service::get(db, &ctx, &a.key).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(key: &str, tier: Option<usize>) -> Summary {
        Summary {
            key: key.into(),
            id: crate::ids::ItemId(0),
            kind: "story".into(),
            title: key.into(),
            status: "todo".into(),
            points: None,
            children_points: None,
            labels: vec![],
            ready: true,
            unready_reasons: 0,
            version: 1,
            rank: String::new(),
            evidence: 0,
            tier,
            inversion: None,
            initiative_id: None,
            initiative: None,
            exempt: false,
        }
    }

    #[test]
    fn the_next_item_is_the_first_of_the_highest_tier() {
        let items = [
            summary("A-1", None),
            summary("A-2", Some(2)),
            summary("A-3", Some(1)),
            summary("A-4", Some(1)),
        ];
        assert_eq!(
            next_in_tier_order(&items).map(|s| s.key.as_str()),
            Some("A-3")
        );
        assert_eq!(
            next_in_tier_order(&items[..1]).map(|s| s.key.as_str()),
            Some("A-1")
        );
        assert!(next_in_tier_order(&[]).is_none());
    }
}
