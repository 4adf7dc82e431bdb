//! The sprints a file names (D2): created on the product's team in the import's transaction,
//! found again by name so that a repeat makes none twice, with their items; closed ones are
//! closed through the sprint room's own close ([`crate::sprint::review::freeze_close`]), so
//! velocity and say/do history arrive with them.
//!
//! What the file does not say is not made up: a sprint without dates has none, one without a
//! state is closed only when items were carried over from it (Jira moves unfinished work out
//! of a sprint when it completes), else planned; the report says which.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Batch, SprintInfo};
use crate::auth::store::User;
use crate::db::Tx;
use crate::error::{Error, Result};
use crate::ids::{ItemId, SprintId};
use crate::on;
use crate::points::Points;
use crate::sprint::review::{freeze_close, Closing};
use crate::sprint::store::{self as sprints, NewSprint, NewSprintItem};
use crate::workspace::ProductCtx;

/// One sprint as the file has it, with its items.
#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    pub info: SprintInfo,
    pub state: &'static str,
    /// The file does not give the state: it was told from the items.
    pub inferred: bool,
    /// Record indexes, and whether the item was finished in this sprint (its last one, done).
    pub items: Vec<(usize, bool)>,
}

/// The sprints of a batch, oldest first: by start date where the file gives one (those
/// without come first, as the reports list them), else in the order items pass through them.
pub fn plan(batch: &Batch) -> Vec<Wanted> {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut rank: HashMap<String, usize> = HashMap::new();
    let mut earlier: HashSet<String> = HashSet::new();
    let mut items: HashMap<String, Vec<(usize, bool)>> = HashMap::new();
    for (i, rec) in batch.records.iter().enumerate() {
        let done = rec.status == "done";
        let path: Vec<(&String, bool)> = rec
            .earlier_sprints
            .iter()
            .map(|n| (n, false))
            .chain(rec.sprint.iter().map(|n| (n, true)))
            .collect();
        for (pos, (name, current)) in path.into_iter().enumerate() {
            let name = clean(name);
            if name.is_empty() {
                continue;
            }
            let n = first_seen.len();
            first_seen.entry(name.clone()).or_insert(n);
            let r = rank.entry(name.clone()).or_default();
            *r = (*r).max(pos);
            if !current {
                earlier.insert(name.clone());
            }
            let list = items.entry(name).or_default();
            match list.iter_mut().find(|(j, _)| *j == i) {
                Some(m) => m.1 |= current && done,
                None => list.push((i, current && done)),
            }
        }
    }
    let mut out: Vec<Wanted> = first_seen
        .keys()
        .map(|name| {
            let mut info = SprintInfo::named(name);
            if let Some(known) = batch.sprints.iter().find(|s| clean(&s.name) == *name) {
                info.merge(known);
            }
            if let (Some(s), Some(e)) = (info.start, info.end) {
                if e < s {
                    info.end = None;
                }
            }
            let (state, inferred) = match info.state {
                Some(s) => (s, false),
                None if earlier.contains(name) => ("closed", true),
                None => ("planned", true),
            };
            Wanted {
                state,
                inferred,
                items: items.remove(name).unwrap_or_default(),
                info,
            }
        })
        .collect();
    out.sort_by_key(|w| (w.info.start, rank[&w.info.name], first_seen[&w.info.name]));
    out
}

/// A sprint name as we keep it: trimmed, at most 100 characters.
fn clean(name: &str) -> String {
    name.trim().chars().take(100).collect()
}

/// A sprint an import created, and the version it left it at.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Made {
    pub id: SprintId,
    pub name: String,
    pub version: i64,
}

/// A sprint that was there before an import changed it (new dates, items added, started or
/// closed as a newer export says): what it had, and the version the import left it at.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Prior {
    pub id: SprintId,
    pub name: String,
    pub version: i64,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// planned or active (a closed sprint is never changed).
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub baseline_points: Option<Points>,
}

/// What the import did to sprints.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Landed {
    pub created: Vec<Made>,
    pub updated: Vec<Prior>,
    /// The scope rows (`sprint_items`) added to sprints that were there before.
    pub rows: Vec<i64>,
    pub closed: usize,
    /// The team made for the sprints, when no team worked on the product.
    #[serde(default)]
    pub team: Option<i64>,
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl Landed {
    pub fn changed(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.team.is_none())
    }
}

#[derive(sqlx::FromRow)]
struct Here {
    id: SprintId,
    name: String,
    goal: String,
    state: String,
    version: i64,
    start_date: Option<String>,
    end_date: Option<String>,
    started_at: Option<DateTime<Utc>>,
    baseline_points: Option<Points>,
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn midnight(d: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    d.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc())
}

/// Writes the batch's sprints, whose items `ids` holds by external key.
pub async fn write(
    tx: &mut Tx,
    actor: &User,
    ctx: &ProductCtx,
    batch: &Batch,
    ids: &HashMap<&str, ItemId>,
) -> Result<Landed> {
    let wanted = plan(batch);
    let mut out = Landed::default();
    if wanted.is_empty() {
        return Ok(out);
    }
    let teams: Vec<(i64, String)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT t.id, t.name FROM teams t JOIN team_products tp ON tp.team_id = t.id
         WHERE tp.product_id = $1 ORDER BY t.name, t.id")
        .bind(ctx.product.id).fetch_all(&mut **t).await)?;
    // A product no team works on gets one for the file's sprints, as a Jira board has its own.
    let (team_id, team) = match teams.first().cloned() {
        Some(t) => t,
        None => {
            let name = crate::sprint::team::free_name(tx, ctx).await?;
            let id = crate::sprint::team::insert(tx, ctx, &name).await?;
            out.notes.push(format!(
                "no team worked on this product: the team \"{name}\" was created for the file's sprints (add its members and their availability in Teams)"
            ));
            out.team = Some(id);
            (id, name)
        }
    };
    if teams.len() > 1 {
        out.notes.push(format!(
            "sprints are on the team {team}, the first by name of the {} teams working on this product",
            teams.len()
        ));
    }
    sprints::lock_team(tx, team_id).await?;
    let here: Vec<Here> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT id, name, goal, state, version, start_date, end_date, started_at, baseline_points
         FROM sprints WHERE product_id = $1 ORDER BY id")
        .bind(ctx.product.id).fetch_all(&mut **t).await)?;
    let mut by_name: HashMap<&str, &Here> = HashMap::new();
    for h in &here {
        by_name.entry(h.name.as_str()).or_insert(h);
    }
    let points: HashMap<ItemId, Option<Points>> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT id, points FROM items WHERE product_id = $1")
        .bind(ctx.product.id).fetch_all(&mut **t).await)?
    .into_iter()
    .collect();
    // The team's running sprint, unless the file says it has closed since.
    let mut active = sprints::active_of_team(tx, team_id).await?.filter(|a| {
        !wanted
            .iter()
            .any(|w| w.info.name == *a && w.state == "closed")
    });
    // A team runs one sprint at a time: of several the file calls active, the newest is.
    let newest_active = wanted.iter().rposition(|w| w.state == "active");
    let reason = format!("imported from a {} file", batch.format);
    let (mut inferred_closed, mut inferred_planned, mut busy) = (0, 0, 0);
    let mut not_active = Vec::new();
    let mut state_differs = Vec::new();
    for (n, w) in wanted.iter().enumerate() {
        let members: Vec<(ItemId, bool)> = w
            .items
            .iter()
            .filter_map(|&(i, done)| ids.get(batch.records[i].key.as_str()).map(|&id| (id, done)))
            .collect();
        if let Some(h) = by_name.get(w.info.name.as_str()) {
            if h.state == "closed" {
                continue; // its figures are frozen
            }
            let mut version = h.version;
            let dates = w.info.start.zip(w.info.end);
            let moved = h.state == "planned"
                && dates.is_some()
                && (day(w.info.start) != h.start_date || day(w.info.end) != h.end_date);
            if moved {
                if !sprints::update(tx, h.id, version, &h.name, &h.goal, dates).await? {
                    return Err(Error::Conflict(format!(
                        "{} changed while importing; import again",
                        h.name
                    )));
                }
                version += 1;
            }
            let rows = add_items(
                tx,
                actor,
                h.id,
                h.state != "planned",
                &members,
                &points,
                &reason,
                false,
            )
            .await?;
            busy += rows.1;
            if !rows.0.is_empty() {
                if !sprints::bump(tx, h.id, version).await? {
                    return Err(Error::Conflict(format!(
                        "{} changed while importing; import again",
                        h.name
                    )));
                }
                version += 1;
            }
            // A newer export moves it on: started, or closed with its figures; never back.
            let mut state = h.state.as_str();
            let starts = matches!(w.state, "active" | "closed") && state == "planned";
            if starts && w.state == "active" && active.as_deref().is_some_and(|a| a != h.name) {
                state_differs.push(format!("{} (active in the file)", h.name));
            } else if starts {
                let at = midnight(w.info.start);
                sprints::start(tx, h.id, version, at).await?;
                version += 1;
                state = "active";
                if w.state == "active" {
                    active = Some(h.name.clone());
                }
            }
            if w.state == "closed" && state == "active" {
                version = close(tx, ctx, h.id, &members, w, version).await?;
                out.closed += 1;
                state = "closed";
                if active.as_deref() == Some(h.name.as_str()) {
                    active = None;
                }
            }
            if moved || !rows.0.is_empty() || state != h.state {
                out.rows.extend(rows.0);
                out.updated.push(Prior {
                    id: h.id,
                    name: h.name.clone(),
                    version,
                    start_date: h.start_date.clone(),
                    end_date: h.end_date.clone(),
                    state: h.state.clone(),
                    started_at: h.started_at,
                    baseline_points: h.baseline_points,
                });
            }
            continue;
        }
        let mut state = w.state;
        if state == "active" && (Some(n) != newest_active || active.is_some()) {
            not_active.push(w.info.name.clone());
            state = "planned";
        }
        inferred_closed += usize::from(w.inferred && state == "closed");
        inferred_planned += usize::from(w.inferred && state == "planned");
        let new = NewSprint {
            product_id: ctx.product.id,
            team_id,
            name: &w.info.name,
            goal: "",
            start: w.info.start,
            end: w.info.end,
        };
        let id = sprints::insert(tx, &new).await?;
        let (_, skipped) = add_items(
            tx,
            actor,
            id,
            state != "planned",
            &members,
            &points,
            &reason,
            state == "closed",
        )
        .await?;
        busy += skipped;
        let mut version = 1;
        if state != "planned" {
            sprints::start(tx, id, version, midnight(w.info.start)).await?;
            version += 1;
        }
        if state == "active" {
            active = Some(w.info.name.clone());
        }
        if state == "closed" {
            version = close(tx, ctx, id, &members, w, version).await?;
            out.closed += 1;
        }
        out.created.push(Made {
            id,
            name: w.info.name.clone(),
            version,
        });
    }
    if inferred_closed > 0 {
        out.notes.push(format!(
            "{inferred_closed}: sprints the file gives no state for were closed, as items were carried over from them"
        ));
    }
    if inferred_planned > 0 {
        out.notes.push(format!(
            "{inferred_planned}: sprints the file gives no state for were created planned"
        ));
    }
    let undated = wanted
        .iter()
        .filter(|w| w.info.start.is_none() || w.info.end.is_none())
        .count();
    if undated > 0 {
        out.notes.push(format!(
            "{undated}: sprints without dates, as the file gives none (they belong to no quarter)"
        ));
    }
    if !not_active.is_empty() {
        out.notes.push(format!(
            "{} active in the file, created planned: a team runs one sprint at a time{}",
            not_active.join(", "),
            active
                .as_deref()
                .map(|a| format!(" ({a} is the active one)"))
                .unwrap_or_default()
        ));
    }
    if !state_differs.is_empty() {
        out.notes.push(format!(
            "{}: the team already runs another sprint, so these stay planned (start them in the sprint room)",
            state_differs.join(", ")
        ));
    }
    if busy > 0 {
        out.notes.push(format!(
            "{busy}: items already in another open sprint were left there"
        ));
    }
    Ok(out)
}

/// Closes a started sprint as the sprint room does: the items done in it (their last sprint)
/// are the accepted ones; the file's completion date is when. Returns the new version.
async fn close(
    tx: &mut Tx,
    ctx: &ProductCtx,
    id: SprintId,
    members: &[(ItemId, bool)],
    w: &Wanted,
    version: i64,
) -> Result<i64> {
    let row = sprints::sprint(&mut tx.conn(), ctx.product.id, id).await?;
    let accepted: HashSet<ItemId> = members.iter().filter(|m| m.1).map(|m| m.0).collect();
    let closing = Closing {
        accepted: &accepted,
        available_days: None,
        closed_at: w.info.completed,
        version,
    };
    match freeze_close(tx, &row, ctx.product.id, &closing).await? {
        Some(_) => Ok(version + 1),
        None => Err(Error::Conflict(format!(
            "{} changed while importing; import again",
            w.info.name
        ))),
    }
}

/// Puts the items in the sprint's scope (committed at the start when `in_baseline`), leaving
/// out those already in it and, unless `history` (a sprint the import closes at once), those in
/// another open sprint; returns the new scope rows and how many were left out for being in
/// another open sprint.
#[allow(clippy::too_many_arguments)]
async fn add_items(
    tx: &mut Tx,
    actor: &User,
    sprint_id: SprintId,
    in_baseline: bool,
    members: &[(ItemId, bool)],
    points: &HashMap<ItemId, Option<Points>>,
    reason: &str,
    history: bool,
) -> Result<(Vec<i64>, usize)> {
    let taken: Vec<(ItemId, SprintId)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT si.item_id, si.sprint_id FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id
         WHERE si.removed_at IS NULL AND (si.sprint_id = $1 OR s.state <> 'closed')
           AND s.product_id = (SELECT product_id FROM sprints WHERE id = $1)")
        .bind(sprint_id).fetch_all(&mut **t).await)?;
    let here: HashSet<ItemId> = taken
        .iter()
        .filter(|&&(_, s)| s == sprint_id)
        .map(|&(i, _)| i)
        .collect();
    let elsewhere: HashSet<ItemId> = taken.iter().map(|&(i, _)| i).collect();
    let mut new = Vec::new();
    let mut skipped = 0;
    let mut seen = HashSet::new();
    // A sprint closed at once gets its rows with the outcome its close freezes (the items done
    // in it are the accepted ones), so the close rewrites none of them.
    let accepted: HashSet<ItemId> = members.iter().filter(|m| m.1).map(|m| m.0).collect();
    for &(item, _) in members {
        if !seen.insert(item) || here.contains(&item) {
            continue;
        }
        if !history && elsewhere.contains(&item) {
            skipped += 1;
            continue;
        }
        new.push(NewSprintItem {
            sprint_id,
            item_id: item,
            points: points.get(&item).copied().flatten().unwrap_or_default(),
            in_baseline,
            for_goal: false,
            exception: None,
            added_by: actor.id,
            reason: Some(reason),
            group: None,
            outcome: history.then_some(if accepted.contains(&item) {
                "accepted"
            } else {
                "not_accepted"
            }),
        });
    }
    let rows = sprints::insert_items(tx, &new).await?;
    Ok((rows, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Record;

    fn rec(key: &str, status: &'static str, sprints: &[&str]) -> Record {
        let mut r = Record::new(key, key);
        r.status = status;
        let mut names: Vec<String> = sprints.iter().map(|s| s.to_string()).collect();
        r.sprint = names.pop();
        r.earlier_sprints = names;
        r
    }

    #[test]
    fn carried_over_sprints_are_closed_and_done_items_count_in_their_last_sprint() {
        let batch = Batch {
            records: vec![
                rec("A-1", "done", &["S1", "S2"]),
                rec("A-2", "done", &["S1"]),
                rec("A-3", "todo", &["S2"]),
                rec("A-4", "todo", &[]),
            ],
            ..Batch::default()
        };
        let p = plan(&batch);
        let names: Vec<&str> = p.iter().map(|w| w.info.name.as_str()).collect();
        assert_eq!(names, ["S1", "S2"]);
        assert_eq!((p[0].state, p[0].inferred), ("closed", true));
        assert_eq!(p[0].items, [(0, false), (1, true)]);
        assert_eq!((p[1].state, p[1].inferred), ("planned", true));
        assert_eq!(p[1].items, [(0, true), (2, false)]);
    }

    #[test]
    fn the_file_says_state_and_dates_and_a_backwards_end_is_dropped() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let batch = Batch {
            records: vec![
                rec("A-1", "todo", &["Late"]),
                rec("A-2", "todo", &["Early"]),
            ],
            sprints: vec![
                SprintInfo {
                    name: "Late".into(),
                    state: Some("active"),
                    start: d("2026-02-02"),
                    end: d("2026-01-01"),
                    completed: None,
                },
                SprintInfo {
                    name: "Early".into(),
                    state: Some("closed"),
                    start: d("2026-01-05"),
                    end: d("2026-01-18"),
                    completed: None,
                },
            ],
            ..Batch::default()
        };
        let p = plan(&batch);
        assert_eq!(p[0].info.name, "Early");
        assert_eq!((p[1].state, p[1].info.end), ("active", None));
    }
}
