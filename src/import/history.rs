//! What an import brings besides the items themselves: the people (assignees, reporters and
//! comment authors, see [`super::people`]), the comments, and the epics as initiatives. Written once the items are, in the
//! import's transaction, from the map of each record's external key to its item; a repeat of
//! the same file finds everything there and writes nothing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::epics::{self, Epics};
use super::undo::{Trail, Was};
use super::{people, Batch, Person, Record, Report};
use crate::backlog::store as items;
use crate::db::Tx;
use crate::error::Result;
use crate::ids::{InitiativeId, ItemId};
use crate::story::comments;
use crate::strategy::initiatives_imported::{self as initiatives, Epic, Landed};
use crate::workspace::ProductCtx;

/// The author of comments a file does not sign: a placeholder, so they are not put in anyone's
/// mouth.
pub const UNKNOWN_AUTHOR: &str = "Unknown author";

/// What was written besides the items.
#[derive(Debug, Default)]
pub struct History {
    pub people_created: usize,
    pub people_matched: usize,
    /// Items whose assignee or reporter was set or changed.
    pub assigned: usize,
    pub comments_added: usize,
    pub initiatives_created: usize,
    pub initiatives_updated: usize,
    pub linked: usize,
    pub watchers: usize,
    pub dependencies: usize,
    pub notes: Vec<String>,
    /// What an undo needs to take it all back.
    pub trail: Trail,
}

impl History {
    /// Whether anything was written (a repeat of the same file writes nothing).
    pub fn changed(&self) -> bool {
        self.people_created
            + self.assigned
            + self.comments_added
            + self.initiatives_created
            + self.initiatives_updated
            + self.linked
            + self.dependencies
            + self.watchers
            > 0
    }

    pub fn add_to(self, r: &mut Report) {
        r.people_created = self.people_created;
        r.people_matched = self.people_matched;
        r.comments_added = self.comments_added;
        r.initiatives_created = self.initiatives_created;
        r.initiatives_updated = self.initiatives_updated;
        r.linked_to_initiatives = self.linked;
        r.dependencies_added = self.dependencies;
        r.watchers_added = self.watchers;
        r.notes.extend(self.notes);
    }
}

/// An item's people as the file names them, and who it had before (for the undo).
struct Setting {
    item: ItemId,
    assignee: Option<i64>,
    reporter: Option<i64>,
    was: Option<Was>,
}

/// What an import settles before it writes its items: the people the file names (found, or
/// created as placeholders) and its epics as initiatives, so that new items are written with
/// their assignee, reporter and initiative rather than updated after (three more writes of
/// each row, which on PostgreSQL also fire its triggers again).
pub struct Ahead {
    people: people::People,
    unknown: Person,
    unsigned: usize,
    /// The initiative of each child of an epic, by the child's key.
    initiatives: HashMap<String, InitiativeId>,
    h: History,
}

impl Ahead {
    /// The accounts of the record's assignee and reporter.
    pub fn people_of(&self, rec: &Record) -> (Option<i64>, Option<i64>) {
        let id = |p: &Option<Person>| p.as_ref().and_then(|p| self.people.id(p));
        (id(&rec.assignee), id(&rec.reporter))
    }

    /// The initiative the record's epic became.
    pub fn initiative_of(&self, key: &str) -> Option<InitiativeId> {
        self.initiatives.get(key).copied()
    }
}

/// Finds or creates the people `batch` names and lands its epics as initiatives.
pub async fn ahead(tx: &mut Tx, ctx: &ProductCtx, batch: &Batch, e: &Epics) -> Result<Ahead> {
    let unknown = Person {
        name: UNKNOWN_AUTHOR.into(),
        email: None,
    };
    let unsigned = batch
        .records
        .iter()
        .flat_map(|r| &r.comments)
        .filter(|c| c.author.is_none())
        .count();
    let mut wanted = super::people_of(&batch.records);
    if unsigned > 0 {
        wanted.insert(&unknown);
    }
    let people = people::resolve(tx, ctx.workspace.id, wanted).await?;
    let mut h = History {
        people_created: people.created.len(),
        people_matched: people.matched,
        ..History::default()
    };
    h.trail.placeholders.clone_from(&people.created);
    let landed = land_epics(tx, ctx, e, &mut h).await?;
    // The last epic the file names for a child is the one it goes under.
    let initiatives = e
        .children
        .iter()
        .filter_map(|(child, epic)| Some((child.clone(), *landed.get(epic.as_str())?)))
        .collect();
    Ok(Ahead {
        people,
        unknown,
        unsigned,
        initiatives,
        h,
    })
}

/// Writes the people, links and comments of `batch` (whose items `ids` holds by external key)
/// that its new items were not written with: those of items imported before.
pub async fn write(
    tx: &mut Tx,
    ctx: &ProductCtx,
    batch: &Batch,
    ids: &HashMap<&str, ItemId>,
    created: &[(usize, ItemId)],
    ahead: Ahead,
) -> Result<History> {
    let Ahead {
        people,
        unknown,
        unsigned,
        initiatives,
        mut h,
    } = ahead;
    let fresh: HashSet<ItemId> = created.iter().map(|&(_, id)| id).collect();
    // New items were written with their people and initiative.
    for &(i, _) in created {
        let rec = &batch.records[i];
        let named = |p: &Option<Person>| p.as_ref().and_then(|p| people.id(p)).is_some();
        if named(&rec.assignee) || named(&rec.reporter) {
            h.assigned += 1;
        }
        if initiatives.contains_key(&rec.key) {
            h.linked += 1;
        }
    }
    // Who each item has now, read once: only a change is written, and an item that was there
    // before the import keeps what it had for the undo.
    let was: HashMap<ItemId, Was> = items::people_and_initiatives(&mut tx.conn(), ctx.product.id)
        .await?
        .into_iter()
        .map(|(id, assignee, reporter, initiative)| {
            let w = Was {
                id,
                assignee,
                reporter,
                initiative,
            };
            (id, w)
        })
        .collect();
    if unsigned > 0 {
        h.notes.push(format!(
            "{unsigned}: comments the file does not sign are by the placeholder \"{UNKNOWN_AUTHOR}\""
        ));
    }
    // The people to set, a thousand items a statement (one statement each, on SQLite's
    // writer, was most of a large import's time); the watchers one by one, as they are few.
    let mut setting: Vec<Setting> = Vec::new();
    for rec in &batch.records {
        let Some(&item) = ids.get(rec.key.as_str()) else {
            continue;
        };
        let assignee = rec.assignee.as_ref().and_then(|p| people.id(p));
        let reporter = rec.reporter.as_ref().and_then(|p| people.id(p));
        let now = was.get(&item);
        let differs = |new: Option<i64>, old: Option<i64>| new.is_some() && new != old;
        if now.is_some_and(|w| differs(assignee, w.assignee) || differs(reporter, w.reporter)) {
            setting.push(Setting {
                item,
                assignee,
                reporter,
                was: now.cloned(),
            });
        }
        for w in rec.watchers.iter().filter_map(|p| people.id(p)) {
            if crate::notify::store::watch(tx, "item", item, w).await? {
                h.watchers += 1;
                if !fresh.contains(&item) {
                    h.trail.watchers.push((item, w));
                }
            }
        }
    }
    let people_of: Vec<_> = setting
        .iter()
        .map(|s| (s.item, s.assignee, s.reporter))
        .collect();
    let changed: HashSet<ItemId> = items::set_people_read(&people_of)
        .run(&mut tx.conn())
        .await?
        .into_iter()
        .collect();
    for s in setting.iter().filter(|s| changed.contains(&s.item)) {
        h.assigned += 1;
        if !fresh.contains(&s.item) {
            h.trail.people.extend(s.was.clone());
        }
    }
    write_comments(tx, ctx, batch, ids, &people, &unknown, &mut h).await?;
    link_children(tx, ctx, &initiatives, ids, &was, &mut h).await?;
    write_dependencies(tx, batch, ids, &mut h).await?;
    Ok(h)
}

/// The file's "Blocks" links as dependencies, between items of the file or imported before; a
/// link to an item that is not there, or one that would close a loop, is left out and counted.
async fn write_dependencies(
    tx: &mut Tx,
    batch: &Batch,
    ids: &HashMap<&str, ItemId>,
    h: &mut History,
) -> Result<()> {
    let (mut missing, mut loops) = (0, 0);
    for rec in &batch.records {
        let pairs = rec
            .blocks
            .iter()
            .map(|k| (rec.key.as_str(), k.as_str()))
            .chain(
                rec.blocked_by
                    .iter()
                    .map(|k| (k.as_str(), rec.key.as_str())),
            );
        for (blocker, blocked) in pairs {
            let (Some(&a), Some(&b)) = (ids.get(blocker), ids.get(blocked)) else {
                missing += 1;
                continue;
            };
            if a == b || items::blocks_transitively(tx, b, a).await? {
                loops += 1;
                continue;
            }
            if items::add_dependency(tx, a, b).await? {
                h.dependencies += 1;
                h.trail.dependencies.push((a, b));
            }
        }
    }
    if missing > 0 {
        h.notes.push(format!(
            "{missing}: blocking links to items that are not in the file nor imported before were left out"
        ));
    }
    if loops > 0 {
        h.notes.push(format!(
            "{loops}: blocking links that would make a loop were left out"
        ));
    }
    Ok(())
}

/// Each epic as an initiative (created, or updated by its key): the initiatives by epic key.
async fn land_epics<'e>(
    tx: &mut Tx,
    ctx: &ProductCtx,
    e: &'e Epics,
    h: &mut History,
) -> Result<HashMap<&'e str, InitiativeId>> {
    let mut landed = HashMap::new();
    let all: Vec<Epic> = e
        .records
        .iter()
        .map(|rec| Epic {
            key: &rec.key,
            title: &rec.title,
            description: &rec.description,
            status: epics::status_of(rec.status),
        })
        .collect();
    let made = initiatives::land_all(tx, ctx, &all).await?;
    for (rec, (id, what)) in e.records.iter().zip(made) {
        match what {
            Landed::Created => {
                h.initiatives_created += 1;
                h.trail.initiatives_created.push(id.0);
            }
            Landed::Updated(before) => {
                h.initiatives_updated += 1;
                h.trail.initiatives.push(before);
            }
            Landed::Unchanged => {}
        }
        landed.insert(rec.key.as_str(), id);
    }
    Ok(landed)
}

/// Items imported before put under their epic's initiative, unless they are there already
/// (`was`: what every item of the product is under now).
async fn link_children(
    tx: &mut Tx,
    ctx: &ProductCtx,
    initiatives: &HashMap<String, InitiativeId>,
    ids: &HashMap<&str, ItemId>,
    was: &HashMap<ItemId, Was>,
    h: &mut History,
) -> Result<()> {
    let links: Vec<(ItemId, InitiativeId, bool)> = initiatives
        .iter()
        .filter_map(|(child, &initiative)| {
            let item = *ids.get(child.as_str())?;
            let now = was.get(&item).and_then(|w| w.initiative);
            (now != Some(initiative)).then_some((item, initiative, false))
        })
        .collect();
    initiatives::link(tx, ctx, &links).await?;
    h.linked += links.len();
    for &(item, _, _) in &links {
        h.trail
            .links
            .push((item, was.get(&item).and_then(|w| w.initiative)));
    }
    Ok(())
}

/// A comment as it is matched against those already there: undated ones by item, author and
/// text, dated ones by their date too.
type Seen = HashSet<(ItemId, i64, Option<DateTime<Utc>>, String)>;

async fn write_comments(
    tx: &mut Tx,
    ctx: &ProductCtx,
    batch: &Batch,
    ids: &HashMap<&str, ItemId>,
    people: &people::People,
    unknown: &Person,
    h: &mut History,
) -> Result<()> {
    if batch.records.iter().all(|r| r.comments.is_empty()) {
        return Ok(());
    }
    let mut seen: Seen = HashSet::new();
    for (item, author, at, body) in comments::of_product(&mut tx.conn(), ctx.product.id).await? {
        seen.insert((item, author, Some(at), body.clone()));
        seen.insert((item, author, None, body));
    }
    let mut cut = 0;
    for rec in &batch.records {
        let Some(&item) = ids.get(rec.key.as_str()) else {
            continue;
        };
        let mut notes: Vec<_> = rec.comments.iter().collect();
        notes.sort_by_key(|n| n.at);
        for n in notes {
            let Some(author) = people.id(n.author.as_ref().unwrap_or(unknown)) else {
                continue;
            };
            let body = if n.body.chars().count() > 10_000 {
                cut += 1;
                n.body.chars().take(9_990).collect::<String>() + "\n\n[cut]"
            } else {
                n.body.clone()
            };
            if seen.contains(&(item, author, n.at, body.clone())) {
                continue;
            }
            // Undated comments take the item's date from the file, else today's.
            let at = n.at.or(rec.created).unwrap_or_else(crate::db::now);
            let id = comments::insert(tx, item, None, &body, author, at).await?;
            h.comments_added += 1;
            h.trail.comments.push(id);
        }
    }
    if cut > 0 {
        h.notes.push(format!(
            "{cut}: comments longer than 10,000 characters were cut"
        ));
    }
    Ok(())
}
