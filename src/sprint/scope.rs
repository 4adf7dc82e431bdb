//! A sprint's scope: committing items before the start, and recorded adds, removes and swaps after.

use serde::Serialize;
use serde_json::json;

use super::store::{self as sprint_store, SprintRow};
use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::store::{self as items, ItemRow};
use crate::db::batch::Read;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::exec;
use crate::ids::{ItemId, SprintId};
use crate::points::Points;
use crate::workspace::ProductCtx;

/// The open sprint (planned or active) an item is in: its id and name.
type OpenSprint = Option<(SprintId, String)>;

/// The item `key` of the product with the open sprint it is already in, before its id is
/// known (a commit reads all its items in one round trip).
fn item_and_open_sprint_read(ctx: &ProductCtx, key: &str) -> Read<(Option<ItemRow>, OpenSprint)> {
    let row = items::row_in_product_read(ctx.product.id, &ctx.product.key, key);
    let Some((_, number)) = crate::backlog::parse_key(key) else {
        return row.map(|r| Ok((r, None)));
    };
    row.and(Read::query(
        "SELECT s.id, s.name FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id
         JOIN items i ON i.id = si.item_id
         WHERE i.product_id = $1 AND i.number = $2 AND si.removed_at IS NULL AND s.state <> 'closed' LIMIT 1",
        vec![ctx.product.id.into(), number.into()],
        |rows| rows.first::<(SprintId, String)>(),
    ))
}

pub struct Adding<'a> {
    pub in_baseline: bool,
    pub for_goal: bool,
    pub exception: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub group: Option<&'a str>,
}

/// Takes the product's lock before a change that may put items into an open sprint, as its
/// first lock: an item may be in one open sprint only, which no constraint can say (the state
/// is the sprint's), so the check and the insert must not interleave with another's. SQLite's
/// single writer already runs them one at a time.
pub async fn lock_scope(tx: &mut Tx, ctx: &ProductCtx) -> Result<()> {
    items::lock_product(tx, ctx.product.id).await
}

/// Whether an item may join the sprint, given the open sprint it is already in: the scope row
/// to insert, or why not.
fn admit<'a>(
    actor: &User,
    sprint: &SprintRow,
    key: &str,
    row: &ItemRow,
    open: OpenSprint,
    a: &Adding<'a>,
) -> Result<sprint_store::NewSprintItem<'a>> {
    if row.status == "done" {
        return Err(Error::invalid("items", format!("{key} is already done")));
    }
    if let Some((id, name)) = open {
        let msg = if id == sprint.id {
            format!("{key} is already in this sprint")
        } else {
            format!("{key} is already in {name}; remove it there first")
        };
        return Err(Error::Conflict(msg));
    }
    if !row.ready && a.exception.is_none() {
        let why = super::scope_items::readiness_messages(&row.readiness).join("; ");
        return Err(Error::invalid(
            "items",
            format!("{key} is not ready ({why}); the Product Owner may commit it with an exception and a reason"),
        ));
    }
    Ok(sprint_store::NewSprintItem {
        sprint_id: sprint.id,
        item_id: row.id,
        points: row.points.unwrap_or_default(),
        in_baseline: a.in_baseline,
        for_goal: a.for_goal,
        exception: a.exception,
        added_by: actor.id,
        reason: a.reason,
        group: a.group,
        outcome: None,
    })
}

/// Ends an item's stretch in the sprint, once it is known to be in scope: a statement for the
/// rest of the change's round trip.
fn remove_read(
    actor: &User,
    sprint_id: SprintId,
    item_id: ItemId,
    reason: &str,
    group: Option<&str>,
) -> Read<()> {
    Read::exec(
        "UPDATE sprint_items SET removed_at = $1, removed_by = $2, remove_reason = $3, change_group = COALESCE($4, change_group)
         WHERE sprint_id = $5 AND item_id = $6 AND removed_at IS NULL",
        vec![crate::db::now().into(), actor.id.into(), reason.into(), group.into(),
             i64::from(sprint_id).into(), i64::from(item_id).into()],
    )
}

/// The row an item key named, or the error [`item`] gives.
fn found(row: Option<ItemRow>, field: &str, key: &str) -> Result<ItemRow> {
    row.ok_or_else(|| Error::invalid(field, format!("{key} is not in this product's backlog")))
}

async fn item(tx: &mut Tx, ctx: &ProductCtx, field: &str, key: &str) -> Result<ItemRow> {
    items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key)
        .await
        .map_err(|_| Error::invalid(field, format!("{key} is not in this product's backlog")))
}

fn change<'a>(
    ctx: &ProductCtx,
    actor: &User,
    action: &'a str,
    sprint_id: SprintId,
    after: serde_json::Value,
    reason: Option<&'a str>,
) -> Change<'a> {
    Change {
        workspace_id: Some(ctx.workspace.id),
        actor_id: Some(actor.id),
        action,
        entity_type: "sprint",
        entity_id: sprint_id.0,
        before: None,
        after: Some(after),
        reason,
    }
}

fn refuse_unless_planned(s: &SprintRow) -> Result<()> {
    match s.state.as_str() {
        "planned" => Ok(()),
        "active" => Err(Error::Conflict(format!(
            "{} has started: add, remove or swap items as a recorded scope change with a reason",
            s.name
        ))),
        _ => Err(Error::Conflict(format!(
            "{} is closed; its scope can no longer change",
            s.name
        ))),
    }
}

/// What a commit or uncommit leaves: the sprint's new version and committed points.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Committed {
    /// E.g. the unaligned share over the product's allowance (advisory mode).
    pub warnings: Vec<String>,
    #[schema(value_type = i64)]
    pub sprint_id: SprintId,
    pub version: i64,
    pub committed_points: Points,
    /// Points of the items this call committed (or took out).
    pub points: Points,
}

async fn committed(
    tx: &mut Tx,
    sprint_id: SprintId,
    version: i64,
    points: Points,
) -> Result<Committed> {
    let total = sprint_store::scope_points_read(sprint_id)
        .run(&mut tx.conn())
        .await?;
    Ok(committed_as(sprint_id, version, points, total))
}

fn committed_as(sprint_id: SprintId, version: i64, points: Points, total: Points) -> Committed {
    Committed {
        warnings: Vec::new(),
        sprint_id,
        version,
        committed_points: total,
        points,
    }
}

/// Commits backlog items to a planned sprint. Not-ready items need the PO's exception reason.
/// What a commit adds to a planned sprint.
pub struct Commit<'a> {
    pub keys: &'a [String],
    /// The items serve the sprint goal.
    pub for_goal: bool,
    /// Why items that are not ready are committed anyway.
    pub exception: Option<&'a str>,
}

/// Refuses a change made against another version of the sprint than the one in `tx`
/// (`If-Match`, optional for commits: they only add rows, and the sprint's version still moves).
fn check_expected(sprint: &SprintRow, expected: Option<i64>) -> Result<()> {
    match expected {
        Some(v) if v != sprint.version => Err(Error::Stale {
            message: format!(
                "{} changed since you read it (version {} now); reload and plan again",
                sprint.name, sprint.version
            ),
            current: Box::new(json!({"version": sprint.version})),
            etag: Some(format!("\"{}\"", sprint.version)),
        }),
        _ => Ok(()),
    }
}

/// Commits the items to a planned sprint in a transaction of its own; governance's
/// `scope::commit` wraps it with the unaligned-allowance check. `first` (the caller's reads,
/// made of the sprint's id and the keys) goes with the transaction's BEGIN; once the items are
/// admitted, `decide` weighs the sprint, the rows to insert and those reads, and answers the
/// scope's points once they are in with the caller's value, or refuses the commit; `last` is
/// read after the writes, in the same transaction. Two round trips on SQLite's writer whatever
/// the number of items: the sprint, the items and `first` with BEGIN, the checks in memory,
/// then the rows written and `last` read with the COMMIT.
#[allow(clippy::too_many_arguments)]
pub async fn commit_with<B: Send + 'static, A, C: Send + 'static>(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    expected: Option<i64>,
    c: Commit<'_>,
    first: Read<B>,
    decide: impl FnOnce(&SprintRow, &[sprint_store::NewSprintItem<'_>], B) -> Result<(Points, A)>,
    last: Read<C>,
) -> Result<(Committed, A, C)> {
    let Commit {
        keys,
        for_goal,
        exception,
    } = c;
    ctx.grants.require(Action::CommitItems)?;
    if keys.is_empty() || keys.len() > 200 {
        return Err(Error::invalid("items", "commit 1 to 200 items at a time"));
    }
    let exception = clean_reason("exception", exception)?;
    // Whether an item is already in an open sprint is read, then written on: on PostgreSQL two
    // commits into two sprints would both read "in none" (see `lock_scope`).
    let found = keys
        .iter()
        .map(|k| item_and_open_sprint_read(ctx, k))
        .collect();
    let reads = sprint_store::sprint_read(ctx.product.id, sprint_id)
        .and(Read::all(found))
        .and(first);
    let (tx, ((sprint, found), theirs)) = items::begin_locked(db, ctx.product.id, reads).await?;
    let sprint = sprint.ok_or(Error::NotFound)?;
    refuse_unless_planned(&sprint)?;
    check_expected(&sprint, expected)?;
    let mut total = Points::ZERO;
    let mut adding = Vec::with_capacity(keys.len());
    let mut seen = std::collections::HashSet::new();
    for (key, (row, open)) in keys.iter().zip(found) {
        let row = row.ok_or_else(|| {
            Error::invalid("items", format!("{key} is not in this product's backlog"))
        })?;
        // Named twice: the second finds it in this sprint, as one at a time would.
        let open = match seen.insert(row.id) {
            true => open,
            false => Some((sprint.id, sprint.name.clone())),
        };
        let a = Adding {
            in_baseline: false,
            for_goal,
            exception: exception.as_deref().filter(|_| !row.ready),
            reason: None,
            group: None,
        };
        let new = admit(actor, &sprint, key, &row, open, &a)?;
        total += new.points;
        adding.push(new);
    }
    let after = json!({"committed": keys, "points": total, "exception": exception});
    let audit = audit::store::record_read(change(
        ctx,
        actor,
        "sprint.commit",
        sprint.id,
        after,
        exception.as_deref(),
    ));
    let (points, theirs) = decide(&sprint, &adding, theirs)?;
    let writes = sprint_store::insert_items_read(&adding)
        .then(sprint_store::bump_read(sprint.id, sprint.version))
        .then(audit)
        .then(last);
    let after = tx.commit_with(writes).await?;
    let out = committed_as(sprint.id, sprint.version + 1, total, points);
    Ok((out, theirs, after))
}

/// Takes items back out of a planned sprint (planning, not a scope change).
pub async fn uncommit(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    expected: Option<i64>,
    keys: &[String],
) -> Result<Committed> {
    ctx.grants.require(Action::CommitItems)?;
    let mut tx = db.begin().await?;
    let sprint = sprint_store::sprint(&mut tx.conn(), ctx.product.id, sprint_id).await?;
    refuse_unless_planned(&sprint)?;
    check_expected(&sprint, expected)?;
    let mut total = Points::ZERO;
    for key in keys {
        let row = item(&mut tx, ctx, "items", key).await?;
        total += row.points.unwrap_or_default();
        let n = exec!(&mut tx.conn(), t => sqlx::query(
            "DELETE FROM sprint_items WHERE sprint_id = $1 AND item_id = $2 AND removed_at IS NULL")
            .bind(sprint.id).bind(row.id))?;
        if n == 0 {
            return Err(Error::invalid(
                "items",
                format!("{key} is not in this sprint"),
            ));
        }
    }
    sprint_store::bump(&mut tx, sprint.id, sprint.version).await?;
    audit::store::record(
        &mut tx,
        change(
            ctx,
            actor,
            "sprint.uncommit",
            sprint.id,
            json!({"removed": keys}),
            None,
        ),
    )
    .await?;
    let out = committed(&mut tx, sprint.id, sprint.version + 1, total).await?;
    tx.commit().await?;
    Ok(out)
}

pub fn clean_reason(field: &str, r: Option<&str>) -> Result<Option<String>> {
    match r.map(str::trim) {
        None | Some("") => Ok(None),
        Some(r) => Ok(Some(crate::backlog::validate_text(field, r, 1_000)?)),
    }
}

/// A scope change after the start: add, remove, or both at once (a swap).
#[derive(Debug, Default)]
pub struct ScopeChange {
    pub add: Option<String>,
    pub remove: Option<String>,
    pub reason: String,
    pub for_goal: bool,
    pub exception: Option<String>,
    /// The PM's strategic reason: makes the change a recorded override (G3).
    pub override_reason: Option<String>,
}

/// What a scope change does to the sprint, shown before it is confirmed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Effect {
    #[schema(value_type = i64)]
    pub sprint_id: SprintId,
    pub committed_before: Points,
    pub committed_after: Points,
    pub delta: Points,
    pub capacity: f64,
    pub over_capacity: bool,
    /// Goal items the change takes out.
    pub goal_items_removed: Vec<String>,
    /// The goal still holds when no goal item leaves and the scope stays within capacity.
    pub goal_holds: bool,
    /// True once applied; false for a preview.
    pub applied: bool,
    pub version: i64,
}

/// A scope change made inside its transaction, for governance to record as an override (when
/// it is one) and commit; a preview has no transaction left.
pub struct Prepared {
    pub effect: Effect,
    /// A change to make: its transaction and its rows, unsent, led by the sprint's version
    /// bump (false when the sprint is no longer at the version read): for the caller to send
    /// with the COMMIT ([`Tx::commit_guarded`]) or before its own rows.
    pub tx: Option<(Tx, Read<bool>)>,
    /// "swapped ONB-4 in for ONB-9", for the override log.
    pub what: String,
    pub sprint_id: SprintId,
    pub sprint_name: String,
    pub after: serde_json::Value,
}

/// Previews or makes a scope change to an active sprint, checked against the version read;
/// governance's `scope::change_scope` authorizes overrides first and commits.
pub async fn prepare_change(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    sprint_id: SprintId,
    version: i64,
    c: &ScopeChange,
    apply: bool,
) -> Result<Prepared> {
    if c.add.is_none() && c.remove.is_none() {
        return Err(Error::invalid(
            "add",
            "name an item to add, to remove, or both",
        ));
    }
    let reason = clean_reason("reason", Some(&c.reason))?
        .ok_or_else(|| Error::invalid("reason", "say why the scope changes"))?;
    let exception = clean_reason("exception", c.exception.as_deref())?;
    // What the capacity is made of, by the sprint's id: one round trip on a reader (it was
    // two, the sprint's row first); the row comes with the transaction's first.
    let inputs = super::service::capacity_inputs_read(sprint_id)
        .on(db)
        .await?;
    // The sprint, its scope and both items in the transaction's first round trip; the checks
    // in memory; then every row written with the commit (two in all on SQLite's writer).
    let named = |key: &Option<String>| match key {
        Some(k) => item_and_open_sprint_read(ctx, k).map(|r| Ok(Some(r))),
        None => Read::ready(None),
    };
    let first = sprint_store::sprint_read(ctx.product.id, sprint_id)
        .and(super::scope_items::current_read(
            sprint_id,
            &ctx.product.key,
        ))
        .and(named(&c.remove).and(named(&c.add)));
    let (tx, ((sprint, scope), (removing, adding))) =
        items::begin_locked(db, ctx.product.id, first).await?;
    let sprint = sprint.ok_or(Error::NotFound)?;
    let capacity = inputs.of(&sprint).capacity.points;
    match sprint.state.as_str() {
        "active" => {}
        "planned" => {
            return Err(Error::Conflict(format!(
                "{} has not started; commit or uncommit items while planning",
                sprint.name
            )))
        }
        _ => {
            return Err(Error::Conflict(format!(
                "{} is closed; its scope can no longer change",
                sprint.name
            )))
        }
    }
    if sprint.version != version {
        drop(tx);
        return Err(super::service::stale(db, ctx, sprint_id).await);
    }
    let before: Points = scope.iter().map(|s| s.points).sum();
    let group = crate::auth::random_secret("chg_");
    let group = (c.add.is_some() && c.remove.is_some()).then_some(group.as_str());
    let mut after = before;
    let mut removed_goal = Vec::new();
    let mut writes = Read::ready(());
    let mut removed = None;
    if let (Some(key), Some((row, _))) = (&c.remove, removing) {
        let row = found(row, "remove", key)?;
        let Some(s) = scope.iter().find(|s| s.item_id == row.id) else {
            return Err(Error::invalid(
                "remove",
                format!("{key} is not in this sprint"),
            ));
        };
        if s.for_goal {
            removed_goal.push(key.clone());
        }
        after -= s.points;
        removed = Some(row.id);
        writes = writes.then(remove_read(actor, sprint.id, row.id, &reason, group));
    }
    if let (Some(key), Some((row, open))) = (&c.add, adding) {
        let row = found(row, "add", key)?;
        // Swapped for itself: the removal above has already taken it out of this sprint.
        let open = open.filter(|_| removed != Some(row.id));
        let a = Adding {
            in_baseline: false,
            for_goal: c.for_goal,
            exception: exception.as_deref().filter(|_| !row.ready),
            reason: Some(&reason),
            group,
        };
        let new = admit(actor, &sprint, key, &row, open, &a)?;
        after += new.points;
        writes = writes.then(sprint_store::insert_items_read(std::slice::from_ref(&new)));
    }
    let effect = Effect {
        sprint_id: sprint.id,
        committed_before: before,
        committed_after: after,
        delta: after - before,
        capacity,
        over_capacity: after.as_f64() > capacity + 1e-9,
        goal_holds: removed_goal.is_empty() && after.as_f64() <= capacity + 1e-9,
        goal_items_removed: removed_goal,
        applied: apply,
        version: sprint.version + i64::from(apply),
    };
    if !apply {
        // A preview runs every check and then rolls back.
        drop(tx);
        return Ok(Prepared {
            effect,
            tx: None,
            what: String::new(),
            sprint_id: sprint.id,
            sprint_name: sprint.name,
            after: serde_json::Value::Null,
        });
    }
    let action = match (&c.add, &c.remove) {
        (Some(_), Some(_)) => "sprint.swap",
        (Some(_), None) => "sprint.add",
        _ => "sprint.remove",
    };
    let after_json = json!({"add": c.add, "remove": c.remove, "effect": effect});
    let audit = audit::store::record_read(change(
        ctx,
        actor,
        action,
        sprint.id,
        after_json.clone(),
        Some(&reason),
    ));
    let what = match (&c.add, &c.remove) {
        (Some(a), Some(r)) => format!("swapped {a} in for {r}"),
        (Some(a), None) => format!("added {a}"),
        (None, Some(r)) => format!("removed {r}"),
        (None, None) => String::new(),
    };
    let title = format!(
        "{} {what} in {} ({:+} points): {reason}",
        actor.name, sprint.name, effect.delta
    );
    let news = crate::notify::hooks::sprint_read(
        ctx,
        actor,
        sprint.id,
        "sprint.scope_changed",
        title,
        after_json.clone(),
    );
    // The version first: on PostgreSQL another change may have moved it since the read (the
    // product's lock does not cover the sprint's row); then nothing written here is kept.
    let rows = sprint_store::bump_read(sprint.id, version)
        .and(writes.then(audit).then(news))
        .map(|(bumped, ())| Ok(bumped));
    Ok(Prepared {
        effect,
        tx: Some((tx, rows)),
        what,
        sprint_id: sprint.id,
        sprint_name: sprint.name,
        after: after_json,
    })
}
