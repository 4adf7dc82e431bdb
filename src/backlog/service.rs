//! Backlog actions: check who may act, validate, write in one transaction with its audit row.
//! The API, the pages and the CLI all call these.

use serde_json::json;

use super::input::{ItemPatch, NewItem};
use super::readiness::{self, ItemFacts, ReadyRules};
use super::readiness_store;
use super::store::{self, Fields, ItemRow};
use super::{rank, Anchor, Item, Updated};
use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::ItemId;
use crate::on;
use crate::workspace::ProductCtx;

pub fn rules_of(ctx: &ProductCtx) -> ReadyRules {
    serde_json::from_str(&ctx.product.ready_rules).unwrap_or_default()
}

/// Assesses an item against the product's Definition of Ready, ready to be stored with it.
pub fn assess(
    rules: &ReadyRules,
    f: &Fields,
    criteria: &[String],
    open_questions: i64,
) -> store::Assessed {
    let facts = ItemFacts {
        kind: &f.kind,
        title: &f.title,
        description: &f.description,
        persona: &f.persona,
        goal: &f.goal,
        benefit: &f.benefit,
        points: f.points,
        criteria,
        open_questions: u32::try_from(open_questions).unwrap_or(u32::MAX),
        has_initiative: f.initiative_id.is_some(),
    };
    let r = readiness::assess(rules, &facts);
    store::Assessed {
        ready: r.ready,
        json: json!({"reasons": r.reasons, "lint": r.lint}).to_string(),
    }
}

/// Recomputes and stores an item's readiness from its current rows (after a question or a
/// rules change, which do not touch the item itself).
pub async fn refresh_readiness(tx: &mut Tx, rules: &ReadyRules, id: ItemId) -> Result<()> {
    refresh_readiness_after(tx, rules, id, Read::ready(())).await
}

/// [`refresh_readiness`] after `first`, a write to the item sent in the same round trip as the
/// reads of its row, criteria and open questions: two round trips in all (were four, and one
/// more for the write).
pub async fn refresh_readiness_after(
    tx: &mut Tx,
    rules: &ReadyRules,
    id: ItemId,
    first: Read<()>,
) -> Result<()> {
    refresh_readiness_of(tx, rules, &[id], first).await
}

/// [`refresh_readiness_after`] for many items: two round trips per [`READINESS_PER_TRIP`]
/// items (`first` goes with the first of them), where each item took two.
pub async fn refresh_readiness_of(
    tx: &mut Tx,
    rules: &ReadyRules,
    ids: &[ItemId],
    first: Read<()>,
) -> Result<()> {
    let mut first = Some(first);
    for chunk in ids.chunks(READINESS_PER_TRIP) {
        let before = first.take().unwrap_or_else(|| Read::ready(()));
        let inputs = before
            .then(readiness_store::readiness_inputs_read(chunk))
            .run(&mut tx.conn())
            .await?;
        let set = inputs
            .iter()
            .map(|(row, criteria, open)| {
                let a = assess(rules, &Fields::from(row), criteria, *open);
                (row.id, a.ready, a.json)
            })
            .collect();
        readiness_store::set_readiness_many_read(set)
            .run(&mut tx.conn())
            .await?;
    }
    if let Some(first) = first {
        first.run(&mut tx.conn()).await?;
    }
    Ok(())
}

/// Items [`refresh_readiness_of`] reads per round trip: one bound parameter each in three
/// statements.
const READINESS_PER_TRIP: usize = 1_000;

fn audit_change<'a>(
    ctx: &ProductCtx,
    actor: &User,
    action: &'a str,
    id: ItemId,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    reason: Option<&'a str>,
) -> Change<'a> {
    Change {
        workspace_id: Some(ctx.workspace.id),
        actor_id: Some(actor.id),
        action,
        entity_type: "item",
        entity_id: id.0,
        before,
        after,
        reason,
    }
}

async fn resolve_parent(tx: &mut Tx, ctx: &ProductCtx, key: &str) -> Result<ItemId> {
    match store::id_by_key(&mut tx.conn(), ctx.workspace.id, key).await? {
        Some((id, product_id)) if product_id == ctx.product.id => Ok(id),
        Some(_) => Err(Error::invalid(
            "parent",
            format!("{key} belongs to another product"),
        )),
        None => Err(Error::invalid(
            "parent",
            format!("no item {key} in this workspace"),
        )),
    }
}

pub async fn create(db: &Db, actor: &User, ctx: &ProductCtx, input: NewItem) -> Result<Item> {
    let g = &ctx.grants;
    g.require(Action::CreateItem)?;
    if input.points.is_some() {
        g.require(Action::Estimate)?;
    }
    let status = match &input.status {
        Some(s) => super::validate_status(s)?.to_string(),
        None => super::Status::Todo.to_string(),
    };
    if status != "todo" {
        g.require(Action::ChangeStatus)?;
    }
    let mut fields = Fields {
        kind: super::validate_kind(&input.kind)?,
        title: super::validate_title(&input.title)?,
        description: super::validate_text("description", &input.description, 20_000)?,
        persona: super::validate_text("persona", &input.persona, 200)?,
        goal: super::validate_text("goal", &input.goal, 1_000)?,
        benefit: super::validate_text("benefit", &input.benefit, 1_000)?,
        points: super::validate_points(input.points)?,
        status,
        parent_id: None,
        initiative_id: None,
    };
    let labels = super::validate_labels(&input.labels)?;
    let criteria = super::validate_criteria(&input.criteria)?;
    let top = match input.position.as_deref() {
        None | Some("bottom") => false,
        Some("top") => true,
        Some(_) => return Err(Error::invalid("position", "must be top or bottom")),
    };
    // The item's number and the rank beside which it lands are taken with the transaction's
    // BEGIN: one round trip fewer on SQLite's one writer.
    let slots = store::slots_read(ctx.product.id, 1, top);
    let (mut tx, slots) = db.begin_with(slots).await?;
    let mut parent_number = None;
    if let Some(parent) = input.parent.as_deref().filter(|p| !p.trim().is_empty()) {
        fields.parent_id = Some(resolve_parent(&mut tx, ctx, parent.trim()).await?);
        parent_number = super::parse_key(parent.trim()).map(|(_, n)| n);
    }
    let new = Checked {
        fields,
        labels,
        criteria,
        origin: None,
    };
    // The answer is read inside the write, joined to its last round trip: the item as created.
    let key = ctx.product.key.as_str();
    let (labels, criteria) = (new.labels.clone(), new.criteria.clone());
    let ((_, _, new_rank), rest) = insert_in_tx(&mut tx, actor, ctx, &new, (top, slots), |id| {
        store::created_read(key, id, parent_number, &labels, &criteria)
    })
    .await?;
    let item = tx.commit_with(rest).await?;
    after_rank_change(db, ctx.product.id, &new_rank);
    Ok(item)
}

/// Writes a validated new item inside `tx`, at the top of the backlog or the bottom with the
/// [`store::Slots`] read for it in `tx`; answers its id, key and rank, and the statements
/// still to send: its labels, criteria, first status, audit row and news, then `then`'s
/// (given the new id), for the caller to send with its next statements or its COMMIT
/// ([`Tx::commit_with`]). Callers check authority and commit.
pub async fn insert_in_tx<A: Send + 'static>(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    new: &Checked,
    (top, slots): (bool, store::Slots),
    then: impl FnOnce(ItemId) -> Read<A>,
) -> Result<((ItemId, String, String), Read<A>)> {
    let f = &new.fields;
    let mentions = crate::notify::store::mentioned(tx, ctx.workspace.id, &f.description).await?;
    let rows = std::slice::from_ref(new);
    let (mut made, more) = insert_rows_then(tx, actor, ctx, rows, (top, slots), |made| {
        let (id, key, _) = made
            .first()
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("no item was inserted")))?;
        let after =
            json!({"key": key, "fields": f, "labels": new.labels, "criteria": new.criteria});
        let news =
            crate::notify::hooks::item_created_read(ctx, actor, *id, key, &f.title, mentions);
        let audit = audit_change(ctx, actor, "item.create", *id, None, Some(after), None);
        Ok(audit::store::record_read(audit).then(news).then(then(*id)))
    })
    .await?;
    let made = made
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("no item was inserted")))?;
    Ok((made, more))
}

/// A checked new item for [`insert_rows_in_tx`]: fields, labels and criteria already validated, and where an import found it.
pub struct Checked {
    pub fields: Fields,
    pub labels: Vec<String>,
    pub criteria: Vec<String>,
    pub origin: Option<Origin>,
}

/// An imported item's key in its source, and the source's created and updated times.
pub struct Origin {
    pub key: String,
    pub created: Option<chrono::DateTime<chrono::Utc>>,
    pub updated: Option<chrono::DateTime<chrono::Utc>>,
    pub resolved: Option<chrono::DateTime<chrono::Utc>>,
    /// The assignee and reporter the source names (their accounts here).
    pub assignee: Option<i64>,
    pub reporter: Option<i64>,
}

/// The rows of new items, in the order given, at the bottom of the backlog (or the top) as one
/// block, without audit rows or notifications: for writers that audit a whole batch at once
/// (imports). Answers each item's id, key and rank.
pub async fn insert_rows_in_tx(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    items: &[Checked],
    top: bool,
) -> Result<Vec<(ItemId, String, String)>> {
    let none = |_: &[(ItemId, String, String)]| Ok(Read::ready(()));
    let slots = store::slots_read(ctx.product.id, items.len(), top)
        .run(&mut tx.conn())
        .await?;
    let (made, rest) = insert_rows_then(tx, actor, ctx, items, (top, slots), none).await?;
    rest.run(&mut tx.conn()).await?;
    Ok(made)
}

/// [`insert_rows_in_tx`], answering, unsent, the new items' labels, criteria and first status
/// with the statements `then` makes of them (their audit row, their news): one round trip,
/// the caller's to send.
async fn insert_rows_then<A: Send + 'static>(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    items: &[Checked],
    (top, slots): (bool, store::Slots),
    then: impl FnOnce(&[(ItemId, String, String)]) -> Result<Read<A>>,
) -> Result<(Vec<(ItemId, String, String)>, Read<A>)> {
    if items.is_empty() {
        return Ok((Vec::new(), then(&[])?));
    }
    let store::Slots { first, edge } = slots;
    let ranks = if top {
        rank::block_between(None, edge.as_deref(), items.len())?
    } else {
        rank::block_between(edge.as_deref(), None, items.len())?
    };
    let rules = rules_of(ctx);
    let rows: Vec<store::NewRow> = items
        .iter()
        .zip(ranks)
        .enumerate()
        .map(|(i, (it, rank))| store::NewRow {
            number: first + i as i64,
            rank,
            fields: &it.fields,
            readiness: assess(&rules, &it.fields, &it.criteria, 0),
            labels: &it.labels,
            criteria: &it.criteria,
            origin: it.origin.as_ref().map(|o| store::Origin {
                key: &o.key,
                created: o.created,
                updated: o.updated,
                resolved: o.resolved,
                assignee: o.assignee,
                reporter: o.reporter,
            }),
        })
        .collect();
    let (ids, side) = store::insert_many(&mut tx.conn(), ctx.product.id, actor.id, &rows).await?;
    let made: Vec<(ItemId, String, String)> = ids
        .into_iter()
        .zip(rows)
        .map(|(id, r)| (id, format!("{}-{}", ctx.product.key, r.number), r.rank))
        .collect();
    let rest = side.then(then(&made)?);
    Ok((made, rest))
}

pub async fn get(db: &Db, ctx: &ProductCtx, key: &str) -> Result<Item> {
    Ok(get_read(db, ctx, key).await?.1.on(db).await?)
}

/// The item `key` as a read that may share a round trip with others (the item page's), with
/// its id for theirs; its row is read first, to know that the item exists and is readable.
pub async fn get_read(db: &Db, ctx: &ProductCtx, key: &str) -> Result<(ItemId, Read<Item>)> {
    ctx.grants.require(Action::ViewBacklog)?;
    let row = row_in_product(db, ctx, key).await?;
    load_read(ctx, row)
}

/// [`get_read`] of a row already read (with the page's prologue); a row of another product is
/// NotFound.
pub fn load_read(ctx: &ProductCtx, row: ItemRow) -> Result<(ItemId, Read<Item>)> {
    ctx.grants.require(Action::ViewBacklog)?;
    if row.product_id != ctx.product.id {
        return Err(Error::NotFound);
    }
    Ok((row.id, store::load_read(&ctx.product.key, row)))
}

async fn row_in_product(db: &Db, ctx: &ProductCtx, key: &str) -> Result<ItemRow> {
    let row = store::row_by_key(db, ctx.workspace.id, key).await?;
    if row.product_id != ctx.product.id {
        return Err(Error::NotFound);
    }
    Ok(row)
}

/// Which actions a patch needs: each field belongs to the role that owns it.
fn required_actions(p: &ItemPatch) -> Vec<Action> {
    let mut out = Vec::new();
    let edits = p.kind.is_some()
        || p.title.is_some()
        || p.description.is_some()
        || p.persona.is_some()
        || p.goal.is_some()
        || p.benefit.is_some()
        || p.labels.is_some()
        || p.parent.is_some();
    if edits {
        out.push(Action::EditItem);
    }
    if p.points.is_some() {
        out.push(Action::Estimate);
    }
    if p.status.is_some() || p.assignee.is_some() {
        out.push(Action::ChangeStatus);
    }
    if p.criteria.is_some() {
        out.push(Action::EditCriteria);
    }
    out
}

/// Applies a patch if `expected_version` is still current; otherwise `Stale` with the item now.
pub async fn update(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    expected_version: i64,
    patch: ItemPatch,
) -> Result<Item> {
    Ok(update_warned(db, actor, ctx, key, expected_version, patch)
        .await?
        .item)
}

/// [`update`], with the WIP warning a status change raised (the item API, the CLI and MCP
/// pass it on; a flow product in warn mode lets the change through and says so).
pub async fn update_warned(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    expected_version: i64,
    patch: ItemPatch,
) -> Result<Updated> {
    let reason = check_patch(ctx, &patch)?;
    // The item is read with the transaction's BEGIN: one round trip fewer on the writer.
    let (mut tx, editing) = db.begin_with(editing_read(ctx, key)).await?;
    let edit = Edit {
        key,
        expected_version,
        patch,
        reason,
    };
    let Some((last, warnings)) = update_edited(&mut tx, actor, ctx, edit, editing).await? else {
        drop(tx);
        return Err(stale(db, ctx, key).await);
    };
    // The update and its side rows go with the COMMIT where the version read cannot go stale.
    match tx.commit_guarded(last, |(updated, _)| *updated).await? {
        Some((_, item)) => Ok(Updated { item, warnings }),
        None => Err(stale(db, ctx, key).await),
    }
}

/// [`update_warned`] as a step of the caller's transaction, for a room above that changes
/// more of the item in the same commit (its initiative, its persona): `None` when the item is
/// no longer at `expected_version` (answer it with [`stale`] once the transaction is gone).
/// The item in the answer is as this write left it.
pub async fn update_in(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    expected_version: i64,
    patch: ItemPatch,
) -> Result<Option<Updated>> {
    let reason = check_patch(ctx, &patch)?;
    let editing = editing_read(ctx, key).run(&mut tx.conn()).await?;
    let edit = Edit {
        key,
        expected_version,
        patch,
        reason,
    };
    let Some((last, warnings)) = update_edited(tx, actor, ctx, edit, editing).await? else {
        return Ok(None);
    };
    let (updated, item) = last.run(&mut tx.conn()).await?;
    Ok(updated.then_some(Updated { item, warnings }))
}

/// An edit of one item, its patch checked ([`check_patch`]).
struct Edit<'a> {
    key: &'a str,
    expected_version: i64,
    patch: ItemPatch,
    reason: Option<String>,
}

/// The patch's own faults and the authority it needs, before anything is read; answers its
/// reason, checked.
fn check_patch(ctx: &ProductCtx, patch: &ItemPatch) -> Result<Option<String>> {
    if patch.is_empty() {
        return Err(Error::invalid("body", "nothing to change"));
    }
    for a in required_actions(patch) {
        ctx.grants.require(a)?;
    }
    patch
        .reason
        .as_deref()
        .map(|r| super::validate_text("reason", r, 1_000))
        .transpose()
}

type Editing = Option<(ItemRow, Vec<String>, i64)>;

fn editing_read(ctx: &ProductCtx, key: &str) -> Read<Editing> {
    store::editing_read(ctx.product.id, &ctx.product.key, key)
}

/// The statements still to send of an edit: the update (unless made already), its side rows
/// and the item as written, and whether the update found the version read; `None` when the
/// item read was at another version already.
type LastOfEdit = (Read<(bool, Item)>, Vec<String>);

/// [`update_in`] of an item read by [`editing_read`] in the same transaction, up to its last
/// round trip ([`LastOfEdit`]), for the caller to send alone or with the COMMIT.
async fn update_edited(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    edit: Edit<'_>,
    editing: Editing,
) -> Result<Option<LastOfEdit>> {
    let Edit {
        key,
        expected_version,
        patch,
        reason,
    } = edit;
    let (row, old_criteria, open) = editing.ok_or(Error::NotFound)?;
    if row.version != expected_version {
        return Ok(None);
    }
    let before_fields = Fields::from(&row);
    let mut f = before_fields.clone();
    if let Some(v) = &patch.kind {
        f.kind = super::validate_kind(v)?;
    }
    if let Some(v) = &patch.title {
        f.title = super::validate_title(v)?;
    }
    if let Some(v) = &patch.description {
        f.description = super::validate_text("description", v, 20_000)?;
    }
    if let Some(v) = &patch.persona {
        f.persona = super::validate_text("persona", v, 200)?;
    }
    if let Some(v) = &patch.goal {
        f.goal = super::validate_text("goal", v, 1_000)?;
    }
    if let Some(v) = &patch.benefit {
        f.benefit = super::validate_text("benefit", v, 1_000)?;
    }
    if let Some(v) = patch.points {
        f.points = super::validate_points(v)?;
    }
    if let Some(v) = &patch.status {
        f.status = super::validate_status(v)?.to_string();
    }
    if let Some(parent) = &patch.parent {
        f.parent_id = match parent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => {
                let pid = resolve_parent(tx, ctx, p).await?;
                if pid == row.id || store::is_ancestor(tx, pid, row.id).await? {
                    return Err(Error::invalid(
                        "parent",
                        format!("{p} is {key} or one of its children: that would make a loop"),
                    ));
                }
                Some(pid)
            }
        };
    }
    let labels = patch
        .labels
        .as_deref()
        .map(super::validate_labels)
        .transpose()?;
    let criteria = patch
        .criteria
        .as_deref()
        .map(super::validate_criteria)
        .transpose()?;
    let mut before = json!({"fields": before_fields});
    let mut after = json!({"fields": f});
    let readiness = assess(
        &rules_of(ctx),
        &f,
        criteria.as_deref().unwrap_or(&old_criteria),
        open,
    );
    let mut warnings = Vec::new();
    if f.status != before_fields.status {
        let warning =
            super::wip::guard(tx, ctx.product.id, &ctx.product.key, row.id, &f.status).await?;
        warnings.extend(warning);
    }
    let mut update = store::update_read(row.id, expected_version, &f, &readiness);
    let related_too = patch.assignee.is_some() || labels.is_some() || criteria.is_some();
    if related_too {
        // The item's row first, as before any related rows: every write takes its locks in
        // that order on PostgreSQL.
        if !update.run(&mut tx.conn()).await? {
            return Ok(None);
        }
        update = Read::ready(true);
    }
    let mut new_assignee = None;
    if let Some(a) = &patch.assignee {
        let id = match a.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(email) => Some(
                store::member_id(&mut tx.conn(), ctx.workspace.id, email)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid(
                            "assignee",
                            format!("{email} is not a member of this workspace"),
                        )
                    })?,
            ),
        };
        before["assignee_id"] = json!(store::assignee(&mut tx.conn(), row.id).await?);
        after["assignee_id"] = json!(id);
        store::set_assignee(tx, row.id, id).await?;
        new_assignee = id;
    }
    if let Some(labels) = &labels {
        before["labels"] = json!(store::labels(&mut tx.conn(), row.id).await?);
        after["labels"] = json!(labels);
        store::set_labels(tx, row.id, labels).await?;
    }
    if let Some(criteria) = &criteria {
        before["criteria"] = json!(old_criteria);
        after["criteria"] = json!(criteria);
        store::set_criteria(tx, row.id, criteria).await?;
    }
    // The status event, the audit row and the news in one round trip.
    let side = if f.status != before_fields.status {
        store::record_status_read(row.id, &f.status)
    } else {
        Read::ready(())
    };
    let audited = side.then(audit::store::record_read(audit_change(
        ctx,
        actor,
        "item.update",
        row.id,
        Some(before.clone()),
        Some(after.clone()),
        reason.as_deref(),
    )));
    let change = crate::notify::hooks::ItemChange {
        id: row.id,
        key,
        title: &f.title,
        what: changed_fields(&before, &after),
        text: patch.description.as_deref(),
        assignee: new_assignee,
        data: after,
    };
    let news = crate::notify::hooks::item_changed_read(tx, ctx, actor, change).await?;
    // The update (unless made above), the side rows and the item as written, in one round
    // trip; read before the commit, so that the answer and its ETag are this write's whatever
    // follows it. When the update found another version, the caller drops the transaction
    // and with it what ran after.
    let last = update
        .and(audited.then(news))
        .map(|(updated, ())| Ok(updated))
        .and(store::written_read(&ctx.product.key, row.id, f.parent_id));
    Ok(Some((last, warnings)))
}

/// "status → done, points" from the audit row's before and after.
fn changed_fields(before: &serde_json::Value, after: &serde_json::Value) -> String {
    let mut out = Vec::new();
    if let (Some(b), Some(a)) = (before["fields"].as_object(), after["fields"].as_object()) {
        for (k, v) in a {
            if b.get(k) != Some(v) {
                out.push(match (k.as_str(), v.as_str()) {
                    ("status", Some(s)) => format!("status → {}", super::status_title(s)),
                    _ => k.clone(),
                });
            }
        }
    }
    for k in ["labels", "criteria", "assignee_id"] {
        if after.get(k).is_some() && before.get(k) != after.get(k) {
            out.push(k.trim_end_matches("_id").to_string());
        }
    }
    if out.is_empty() {
        "no visible change".into()
    } else {
        out.join(", ")
    }
}

/// The answer to a write that found the item at another version: 412 with the item as it is.
pub async fn stale(db: &Db, ctx: &ProductCtx, key: &str) -> Error {
    match get(db, ctx, key).await {
        Ok(current) => Error::Stale {
            message: format!("{key} was changed by someone else (now version {}); reload and apply your change again", current.version),
            etag: Some(format!("\"{}\"", current.version)),
            current: Box::new(json!(current)),
        },
        Err(e) => e,
    }
}

/// Where a move will put its items: the moved rows in the order given (repeats once) and the two
/// ranks they land between. Governance checks tiers on it before [`apply`] writes it.
pub struct Placement {
    pub rows: Vec<ItemRow>,
    pub lo: Option<String>,
    pub hi: Option<String>,
}

impl Placement {
    pub fn ids(&self) -> Vec<ItemId> {
        self.rows.iter().map(|r| r.id).collect()
    }

    pub fn between(&self) -> (Option<&str>, Option<&str>) {
        (self.lo.as_deref(), self.hi.as_deref())
    }

    /// The moved items' keys, in the order they land.
    pub fn keys(&self, ctx: &ProductCtx) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| format!("{}-{}", ctx.product.key, r.number))
            .collect()
    }
}

/// How the audit log and the override record write an anchor.
pub fn anchor_json(anchor: &Anchor) -> serde_json::Value {
    match anchor {
        Anchor::Before(k) => json!({"before": k}),
        Anchor::After(k) => json!({"after": k}),
        Anchor::Top => json!({"to": "top"}),
        Anchor::Bottom => json!({"to": "bottom"}),
    }
}

/// What the first step of a move reads: each moved key's row, and the row of the item it lands
/// beside with the rank next to it (past the moved items).
pub struct Placing {
    found: Vec<Option<ItemRow>>,
    beside: Option<(ItemRow, Option<String>)>,
}

/// The reads of a move's first step, for the statements that begin the caller's transaction
/// ([`store::begin_locked`]: the product's order locked, then these, in one round trip on
/// SQLite's writer); `also` (the tier policy governance weighs the move by) goes with them.
pub fn place_read<A: Send + 'static>(
    ctx: &ProductCtx,
    keys: &[String],
    anchor: &Anchor,
    also: Read<A>,
) -> Result<Read<(Placing, A)>> {
    if keys.is_empty() || keys.len() > 500 {
        return Err(Error::invalid("keys", "select 1 to 500 items"));
    }
    let (pid, pkey) = (ctx.product.id, ctx.product.key.as_str());
    let target = match anchor {
        Anchor::Before(k) | Anchor::After(k) => Some(k),
        Anchor::Top | Anchor::Bottom => None,
    };
    let found = keys
        .iter()
        .map(|k| store::row_in_product_read(pid, pkey, k))
        .collect();
    let numbers = numbers_in(ctx, keys);
    let beside = match (anchor, target.and_then(|k| super::parse_key(k))) {
        (Anchor::Before(k) | Anchor::After(k), Some((_, n))) => {
            let after = matches!(anchor, Anchor::After(_));
            store::row_in_product_read(pid, pkey, k)
                .and(store::neighbour_of_read(pid, n, after, &numbers))
                .map(|(row, next)| Ok(row.map(|r| (r, next))))
        }
        _ => Read::ready(None),
    };
    Ok(Read::all(found)
        .and(beside)
        .and(also)
        .map(|((found, beside), more)| Ok((Placing { found, beside }, more))))
}

/// The numbers of those keys that name an item of this product.
pub fn numbers_in(ctx: &ProductCtx, keys: &[String]) -> Vec<i64> {
    let pkey = ctx.product.key.as_str();
    keys.iter()
        .filter_map(|k| {
            super::parse_key(k)
                .filter(|(p, _)| p == pkey)
                .map(|(_, n)| n)
        })
        .collect()
}

/// The first step of a move, in the transaction [`place_read`]'s reads began: resolves the
/// moved items and the two ranks they will land between.
pub async fn place(
    tx: &mut Tx,
    ctx: &ProductCtx,
    keys: &[String],
    anchor: &Anchor,
    read: Placing,
) -> Result<Placement> {
    let Placing {
        found,
        beside: target_row,
    } = read;
    let mut rows = Vec::with_capacity(keys.len());
    for (k, row) in keys.iter().zip(found) {
        let row =
            row.ok_or_else(|| Error::invalid("keys", format!("{k} is not in this backlog")))?;
        if !rows.iter().any(|r: &ItemRow| r.id == row.id) {
            rows.push(row);
        }
    }
    // The block lands in the order the keys were given (repeats count once).
    let moving: Vec<ItemId> = rows.iter().map(|r| r.id).collect();
    let (lo, hi) = match anchor {
        Anchor::Top => (None, first_other(tx, ctx, &moving).await?),
        Anchor::Bottom => (last_other(tx, ctx, &moving).await?, None),
        Anchor::Before(k) | Anchor::After(k) => {
            let before = matches!(anchor, Anchor::Before(_));
            let field = if before { "before" } else { "after" };
            let (target, next) = target_row
                .ok_or_else(|| Error::invalid(field, format!("{k} is not in this backlog")))?;
            if moving.contains(&target.id) {
                return Err(Error::invalid(
                    field,
                    format!("{k} is one of the items being moved"),
                ));
            }
            if before {
                (next, Some(target.rank))
            } else {
                (Some(target.rank), next)
            }
        }
    };
    Ok(Placement { rows, lo, hi })
}

/// The second step: the block's ranks and one audit row per item, as statements for the
/// caller to send in one round trip (with its COMMIT, [`Tx::commit_with`]). Answers them and
/// the longest new rank, for [`after_rank_change`] once the caller has committed.
pub fn apply(
    actor: &User,
    ctx: &ProductCtx,
    p: &Placement,
    anchor: &Anchor,
) -> Result<(Option<String>, Read<()>)> {
    let ranks = rank::block_between(p.lo.as_deref(), p.hi.as_deref(), p.rows.len())?;
    let mut writes = Vec::with_capacity(p.rows.len() * 2);
    for (row, r) in p.rows.iter().zip(&ranks) {
        writes.push(store::set_rank_read(row.id, r));
    }
    let placed = anchor_json(anchor);
    for (row, key) in p.rows.iter().zip(p.keys(ctx)) {
        let change = Change::by(actor, ctx, "item.move", ("item", row.id))
            .before(&json!({"rank": row.rank}))
            .after(&json!({"key": key, "placed": placed}));
        writes.push(audit::store::record_read(change).map(|_| Ok(())));
    }
    let longest = ranks.into_iter().max_by_key(|r| r.len());
    Ok((longest, Read::all(writes).map(|_| Ok(()))))
}

pub fn describe_anchor(a: &Anchor) -> String {
    match a {
        Anchor::Before(k) => format!("before {k}"),
        Anchor::After(k) => format!("after {k}"),
        Anchor::Top => "to the top".into(),
        Anchor::Bottom => "to the bottom".into(),
    }
}

async fn first_other(tx: &mut Tx, ctx: &ProductCtx, moving: &[ItemId]) -> Result<Option<String>> {
    store::neighbour_rank(tx, ctx.product.id, "", true, moving).await
}

async fn last_other(tx: &mut Tx, ctx: &ProductCtx, moving: &[ItemId]) -> Result<Option<String>> {
    // '~' sorts after every rank digit.
    store::neighbour_rank(tx, ctx.product.id, "~", false, moving).await
}

/// Long ranks are rebalanced in the background; the visible order never changes.
pub fn after_rank_change(db: &Db, product_id: i64, new_rank: &str) {
    if rank::needs_rebalance(new_rank) {
        let db = db.clone();
        tokio::spawn(async move {
            match store::rebalance(&db, product_id).await {
                Ok(n) => tracing::info!(product_id, items = n, "rebalanced backlog ranks"),
                Err(e) => {
                    tracing::warn!(product_id, error = %e, "rebalancing ranks failed; will retry on the next long rank")
                }
            }
        });
    }
}

/// Records that `blocker` blocks `blocked`; refuses self-links and cycles.
pub async fn link(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    blocker: &str,
    blocked: &str,
    remove: bool,
) -> Result<()> {
    ctx.grants.require(Action::ManageDependencies)?;
    let mut tx = db.begin().await?;
    let (a, b) = (blocker.to_string(), blocked.to_string());
    let a_id = store::id_by_key(&mut tx.conn(), ctx.workspace.id, &a)
        .await?
        .ok_or_else(|| Error::invalid("blocks", format!("no item {a} in this workspace")))?
        .0;
    let b_id = store::id_by_key(&mut tx.conn(), ctx.workspace.id, &b)
        .await?
        .ok_or_else(|| Error::invalid("blocked_by", format!("no item {b} in this workspace")))?
        .0;
    if a_id == b_id {
        return Err(Error::invalid("blocks", "an item cannot block itself"));
    }
    let changed = if remove {
        store::remove_dependency(&mut tx, a_id, b_id).await?
    } else {
        if store::blocks_transitively(&mut tx, b_id, a_id).await? {
            return Err(Error::Conflict(format!(
                "{b} already blocks {a} (directly or through other items): that would make a cycle"
            )));
        }
        store::add_dependency(&mut tx, a_id, b_id).await?
    };
    if changed {
        let action = if remove {
            "dependency.remove"
        } else {
            "dependency.add"
        };
        let edge = json!({"blocker": a, "blocked": b});
        let (before, after) = if remove {
            (Some(edge), None)
        } else {
            (None, Some(edge))
        };
        audit::store::record(
            &mut tx,
            audit_change(ctx, actor, action, b_id, before, after, None),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn delete(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    expected_version: i64,
) -> Result<()> {
    ctx.grants.require(Action::DeleteItem)?;
    let mut tx = db.begin().await?;
    let row = store::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key).await?;
    if row.version != expected_version {
        drop(tx);
        return Err(stale(db, ctx, key).await);
    }
    // Deleting would shrink a running sprint's scope with no record of who and why (PRODUCT.md,
    // Definitions: scope); the scope change is the one way out of a running sprint.
    let running: Option<String> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT s.name FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id
         WHERE si.item_id = $1 AND si.removed_at IS NULL AND s.state = 'active'")
        .bind(row.id).fetch_optional(&mut **t).await)?;
    if let Some(sprint) = running {
        return Err(Error::Conflict(format!(
            "{key} is in {sprint}, which is running: remove it from the sprint's scope first (a scope change records who and why), then delete it"
        )));
    }
    store::delete(&mut tx, row.id).await?;
    audit::store::record(
        &mut tx,
        audit_change(
            ctx,
            actor,
            "item.delete",
            row.id,
            Some(json!({"key": key, "fields": Fields::from(&row)})),
            None,
            None,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
