//! An import: who may, what the file is, and writing it whole or not at all, in one
//! transaction through the backlog's own insert and update paths, with one audit row.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::json;

use super::detect::{self, Format};
use super::{
    asana, datasets, github, jira_csv, jira_json, jira_xml, pivotal, rules, store, tables, taiga,
    trello, undo, Batch, Record, Report,
};
use crate::audit::{self, Change};
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::service as backlog;
use crate::backlog::store::{self as items, Fields};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::ItemId;
use crate::workspace::ProductCtx;

/// Reads a file in the format given, or the one its content shows.
pub fn read(bytes: &[u8], format: Option<Format>) -> Result<Batch> {
    let (text, note) = jira_csv::decode(bytes);
    let format = match format {
        Some(f) => f,
        None => detect::detect(&text).map_err(|m| Error::invalid("file", m))?,
    };
    let mut batch = match format {
        Format::JiraCsv => jira_csv::read(&text),
        Format::JiraXml => jira_xml::read(&text),
        Format::JiraJson => jira_json::read(&text),
        Format::Trello => trello::read(&text),
        Format::Github => github::read(&text),
        Format::Taiga => taiga::read(&text),
        Format::Linear => tables::linear(&text),
        Format::Asana => asana::read(&text),
        Format::Pivotal => pivotal::read(&text),
        Format::Plane => tables::plane(&text),
        Format::Tracker => datasets::tracker(&text),
        Format::StoryPoints => datasets::story_points(&text),
    }
    .map_err(|m| Error::invalid("file", m))?;
    if batch.records.is_empty() {
        return Err(Error::invalid(
            "file",
            format!("a {} file with no work items in it", format.name()),
        ));
    }
    batch.notes.extend(note);
    for c in &mut batch.columns_not_mapped {
        if c.filled == 0 && c.note != "empty in every row" {
            c.note = "empty in every item".into();
        }
    }
    let replaced = super::scrub::scrub_batch(&mut batch);
    if replaced > 0 {
        batch.notes.push(format!(
            "{replaced}: control characters (NUL, escape codes and the like) were replaced by U+FFFD (\u{fffd})"
        ));
    }
    super::order_by_rank(&mut batch.records);
    let tidied = super::tidy(&mut batch.records);
    batch.notes.extend(tidied);
    let loops = super::drop_parent_cycles(&mut batch.records);
    if loops > 0 {
        batch.notes.push(format!(
            "{loops}: parent links that made a loop were left out"
        ));
    }
    Ok(batch)
}

/// A record's fields, checked by the backlog's own rules; `base` keeps what the file lacks.
fn fields_of(rec: &Record, base: Option<&Fields>) -> Result<Fields> {
    let at = |e: Error| match e {
        Error::Invalid { field, message } => {
            Error::invalid("file", format!("{}: {field}: {message}", rec.key))
        }
        other => other,
    };
    let mut f = base.cloned().unwrap_or_default();
    f.kind = crate::backlog::validate_kind(rec.kind).map_err(at)?;
    f.status = crate::backlog::validate_status(rec.status)
        .map_err(at)?
        .to_string();
    f.title = crate::backlog::validate_title(&rec.title).map_err(at)?;
    f.description =
        crate::backlog::validate_text("description", &rec.description, 20_000).map_err(at)?;
    if let Some(p) = rec.points.and_then(rules::round_points) {
        f.points = crate::backlog::validate_points(Some(p)).map_err(at)?;
    }
    Ok(f)
}

/// The labels after an import: the item's own labels stay, the file's are added, and the
/// import's own (original status and type) are replaced.
fn merged_labels(current: &[String], from_file: &[String]) -> Result<Vec<String>> {
    let mut all: Vec<String> = current
        .iter()
        .filter(|l| !super::is_own_label(l))
        .chain(from_file)
        .cloned()
        .collect();
    all.sort();
    all.dedup();
    all.truncate(20);
    crate::backlog::validate_labels(&all)
}

#[derive(Clone, Default)]
pub struct Options {
    pub dry_run: bool,
    /// The file's format; none to recognize it from the content.
    pub format: Option<Format>,
    /// Counts the records written so far, for a job's progress (the API's background imports).
    pub progress: Option<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
    /// Keep epics as parent items, as before (`--epics-as items`); by default they become
    /// initiatives of the product with their children linked.
    pub epics_as_items: bool,
}

impl Options {
    fn step(&self) {
        if let Some(p) = &self.progress {
            p.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Imports `bytes` into the product: creates new items, updates changed ones (matched by
/// external key), leaves the rest; all in one transaction, rolled back in a dry run.
pub async fn import(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    bytes: &[u8],
    opts: Options,
) -> Result<Report> {
    ctx.grants.require(Action::Import)?;
    let started = Instant::now();
    let mut batch = read(bytes, opts.format)?;
    // Initiatives are the PM's (G1): a PO's import keeps epics as parent items for the PM to
    // turn into initiatives; a workspace admin sets a product up and may bring them as such.
    let may_create_initiatives = ctx.grants.admin || ctx.grants.may(Action::ManageStrategy);
    let has_epics = batch
        .records
        .iter()
        .any(|r| super::rules::is_epic(&r.source_type));
    if has_epics && !opts.epics_as_items && !may_create_initiatives {
        batch.notes.push(
            "epics were kept as parent items: initiatives are the PM's to create, so import as a PM \
             (or an admin) to bring them as initiatives"
                .into(),
        );
    }
    let epics = super::epics::split(&mut batch, opts.epics_as_items || !may_create_initiatives);
    let mut report = Report::from_batch(&batch);
    report.epics += epics.records.len();
    report.dry_run = opts.dry_run;
    let ready_rules = backlog::rules_of(ctx);
    let mut tx = db.begin().await?;
    items::lock_product(&mut tx, ctx.product.id).await?;
    let existing = store::existing(&mut tx, ctx.product.id).await?;
    let mut ids: HashMap<&str, ItemId> = existing
        .iter()
        .map(|(k, e)| (k.as_str(), e.row.id))
        .collect();
    // The file's people and epics first, so that new items are written with them.
    let ahead = super::history::ahead(&mut tx, ctx, &batch, &epics).await?;
    // New items first, in the file's order at the bottom of the backlog, written in blocks so
    // that a job's progress moves while a large file lands.
    let mut created: Vec<(usize, ItemId)> = Vec::new();
    let mut last_rank = None;
    let fresh: Vec<usize> = (0..batch.records.len())
        .filter(|&i| !existing.contains_key(&batch.records[i].key))
        .collect();
    for block in fresh.chunks(2_000) {
        let mut rows = Vec::with_capacity(block.len());
        for &i in block {
            let rec = &batch.records[i];
            let mut fields = fields_of(rec, None)?;
            fields.initiative_id = ahead.initiative_of(&rec.key);
            let (assignee, reporter) = ahead.people_of(rec);
            rows.push(backlog::Checked {
                fields,
                labels: merged_labels(&[], &rec.labels)?,
                criteria: crate::backlog::validate_criteria(&rec.criteria)?,
                origin: Some(backlog::Origin {
                    key: rec.key.clone(),
                    created: rec.created,
                    updated: rec.updated,
                    resolved: rec.resolved,
                    assignee,
                    reporter,
                }),
            });
        }
        let made = backlog::insert_rows_in_tx(&mut tx, actor, ctx, &rows, false).await?;
        for (&i, (id, _, rank)) in block.iter().zip(made) {
            ids.insert(&batch.records[i].key, id);
            created.push((i, id));
            opts.step();
            last_rank = Some(rank);
        }
    }
    let mut missing_parent = 0;
    let mut parents = Vec::new();
    for &(i, id) in &created {
        match batch.records[i].parent.as_deref().map(|p| ids.get(p)) {
            Some(Some(&pid)) => parents.push((id, pid)),
            Some(None) => missing_parent += 1,
            None => {}
        }
    }
    store::set_parents(&mut tx, &parents).await?;
    // Items an earlier import brought in: update what changed since.
    let mut updated = Vec::new();
    for rec in &batch.records {
        let Some(e) = existing.get(&rec.key) else {
            continue;
        };
        opts.step();
        if let (Some(new), Some(old)) = (rec.updated, e.external_updated) {
            if new <= old {
                report.unchanged += 1;
                continue;
            }
        }
        let before = Fields::from(&e.row);
        let mut f = fields_of(rec, Some(&before))?;
        match rec.parent.as_deref().map(|p| ids.get(p)) {
            Some(Some(&pid)) => {
                let loops = pid == e.row.id || items::is_ancestor(&mut tx, pid, e.row.id).await?;
                if !loops {
                    f.parent_id = Some(pid);
                }
            }
            Some(None) => missing_parent += 1,
            None => {}
        }
        let labels = merged_labels(&e.labels, &rec.labels)?;
        if f == before && labels == e.labels {
            report.unchanged += 1;
            if rec.updated.is_some() {
                store::set_external_updated(&mut tx, e.row.id, rec.updated).await?;
            }
            continue;
        }
        let criteria = items::criteria(&mut tx.conn(), e.row.id).await?;
        let open = items::open_questions(&mut tx.conn(), e.row.id).await?;
        let readiness = backlog::assess(&ready_rules, &f, &criteria, open);
        if !items::update(&mut tx, e.row.id, e.row.version, &f, &readiness).await? {
            return Err(Error::Conflict(format!(
                "{} changed while importing; import again",
                rec.key
            )));
        }
        if f.status != before.status {
            items::record_status(&mut tx, e.row.id, &f.status).await?;
        }
        if labels != e.labels {
            items::set_labels(&mut tx, e.row.id, &labels).await?;
        }
        store::set_external_updated(&mut tx, e.row.id, rec.updated).await?;
        updated.push(undo::Prior {
            id: e.row.id,
            version: e.row.version + 1,
            fields: before,
            parent_id: e.row.parent_id,
            labels: e.labels.clone(),
            external_updated: e.external_updated,
        });
    }
    // People and comments, once every item has its id.
    let mut history = super::history::write(&mut tx, ctx, &batch, &ids, &created, ahead).await?;
    let history_changed = history.changed();
    let mut trail = std::mem::take(&mut history.trail);
    history.add_to(&mut report);
    // Sprints, once every item has its id.
    let sprints = super::sprints::write(&mut tx, actor, ctx, &batch, &ids).await?;
    report.sprints_created = sprints.created.len();
    report.sprints_updated = sprints.updated.len();
    report.sprints_closed = sprints.closed;
    report.notes.extend(sprints.notes.iter().cloned());
    report.created = created.len();
    report.updated = updated.len();
    report.with_parent = batch
        .records
        .iter()
        .filter(|r| r.parent.as_deref().is_some_and(|p| ids.contains_key(p)))
        .count();
    if missing_parent > 0 {
        report.notes.push(format!(
            "{missing_parent}: parents not in the file nor imported before were left out"
        ));
    }
    // One audit row for the whole import; none when nothing changed, so a repeat leaves no trace.
    if !(created.is_empty() && updated.is_empty()) || history_changed || sprints.changed() {
        trail.versions = undo::versions_of(&mut tx.conn(), &trail.changed_items(&updated)).await?;
        let what = Written {
            created: &created,
            updated: &updated,
            sprints: &sprints,
            trail: &trail,
        };
        report.import_id = Some(record_audit(&mut tx, actor, ctx, &report, &what).await?);
    }
    if opts.dry_run {
        tx.rollback().await?;
        report.import_id = None;
    } else {
        tx.commit().await?;
        if let Some(rank) = last_rank {
            backlog::after_rank_change(db, ctx.product.id, &rank);
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// What an import wrote, for its audit entry (and so for its undo).
struct Written<'a> {
    created: &'a [(usize, ItemId)],
    updated: &'a [undo::Prior],
    sprints: &'a super::sprints::Landed,
    trail: &'a undo::Trail,
}

async fn record_audit(
    tx: &mut crate::db::Tx,
    actor: &User,
    ctx: &ProductCtx,
    report: &Report,
    w: &Written<'_>,
) -> Result<i64> {
    let after = json!({
        "format": report.format,
        "read": report.items_read,
        "created": w.created.iter().map(|(_, id)| id).collect::<Vec<_>>(),
        "updated": w.updated.iter().map(|p| p.id).collect::<Vec<_>>(),
        "sprints_created": w.sprints.created.iter().map(|s| s.id).collect::<Vec<_>>(),
        "sprints_updated": w.sprints.updated.iter().map(|s| s.id).collect::<Vec<_>>(),
        "unchanged": report.unchanged,
        "people_created": report.people_created,
        "comments_added": report.comments_added,
        "initiatives_created": report.initiatives_created,
        "initiatives_updated": report.initiatives_updated,
    });
    // What an undo restores: the items and sprints this import changed, as they were before
    // it, and the rest of what it wrote.
    let mut before = json!(w.trail);
    before["items"] = json!(w.updated);
    before["sprints"] = json!(w.sprints);
    Ok(audit::store::record_id(
        tx,
        Change {
            workspace_id: Some(ctx.workspace.id),
            actor_id: Some(actor.id),
            action: "import",
            entity_type: "product",
            entity_id: ctx.product.id,
            before: Some(before),
            after: Some(after),
            reason: None,
        },
    )
    .await?)
}
