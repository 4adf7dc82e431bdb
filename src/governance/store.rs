//! SQL for governance: product settings, priorities of a quarter, items with their priority.

use std::sync::Arc;

use crate::db::batch::{Arg, Read};
use crate::db::Db;
use crate::error::Result;
use crate::ids::ItemId;
use crate::on;
use crate::points::Points;
use crate::strategy::Quarter;

pub struct Settings {
    /// advisory or strict.
    pub policy: String,
    pub allowance_pct: i64,
}

pub async fn settings(db: &Db, product_id: i64) -> Result<Settings> {
    Ok(settings_read(product_id).on(db).await?)
}

/// [`settings`] as a read that may share a round trip with others.
pub fn settings_read(product_id: i64) -> Read<Settings> {
    Read::query(
        "SELECT tier_policy, unaligned_allowance_pct FROM products WHERE id = $1",
        vec![product_id.into()],
        |rows| {
            let (policy, allowance_pct) = rows.one::<(String, i64)>()?;
            Ok(Settings {
                policy,
                allowance_pct,
            })
        },
    )
}

/// The product's priorities of a quarter, top first (index + 1 = tier).
pub async fn priorities(db: &Db, product_id: i64, quarter: Quarter) -> Result<Vec<(i64, String)>> {
    Ok(priorities_read(product_id, quarter).on(db).await?)
}

/// [`priorities`] as a read that may share a round trip with others.
pub fn priorities_read(product_id: i64, quarter: Quarter) -> Read<Vec<(i64, String)>> {
    Read::query(
        "SELECT id, title FROM priorities WHERE product_id = $1 AND quarter = $2 ORDER BY rank",
        vec![product_id.into(), quarter.to_string().into()],
        |rows| rows.all::<(i64, String)>(),
    )
}

/// A sprint item as alignment counts it.
#[derive(sqlx::FromRow)]
pub struct SprintItem {
    pub sprint_id: i64,
    pub sprint_name: String,
    pub number: i64,
    pub title: String,
    pub points: Points,
    pub done: bool,
    pub priority_id: Option<i64>,
    /// The sprint's alignment frozen at close (`Frozen` as JSON), if it is closed.
    pub frozen: Option<String>,
    /// In flow (E11): finished in the period but started before it, so it counts as
    /// completed and not as committed. Never set for a sprint's items.
    #[sqlx(default)]
    pub finished_only: bool,
}

/// A closed sprint's alignment as frozen at close: the quarter's priorities, top first, and
/// the unaligned allowance then.
#[derive(serde::Deserialize)]
pub struct Frozen {
    pub priorities: Vec<(i64, String)>,
    pub allowance_pct: i64,
}

impl SprintItem {
    pub fn frozen(&self) -> Option<Frozen> {
        self.frozen
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
    }
}

/// The ids of one team's sprints on a product.
pub async fn team_sprints(db: &Db, product_id: i64, team: i64) -> Result<Vec<i64>> {
    Ok(on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT id FROM sprints WHERE product_id = $1 AND team_id = $2")
        .bind(product_id).bind(team).fetch_all(&mut **c).await)?)
}

/// Items in the scope of one sprint (`sprint`), or of the product's sprints starting in
/// `quarter`, with the priority their initiative (or their parent's) serves in that quarter.
pub async fn sprint_items(
    db: &Db,
    product_id: i64,
    quarter: Quarter,
    sprint: Option<crate::ids::SprintId>,
) -> Result<Vec<SprintItem>> {
    Ok(sprint_items_read(product_id, quarter, sprint)
        .on(db)
        .await?)
}

/// [`sprint_items`] as a read that may share a round trip with others.
pub fn sprint_items_read(
    product_id: i64,
    quarter: Quarter,
    sprint: Option<crate::ids::SprintId>,
) -> Read<Vec<SprintItem>> {
    Read::query(
        "SELECT s.id AS sprint_id, s.name AS sprint_name, i.number, i.title, si.points,
                CASE WHEN si.outcome = 'accepted' THEN TRUE
                     WHEN si.outcome IS NULL AND i.status = 'done' THEN TRUE ELSE FALSE END AS done,
                CASE WHEN s.alignment_frozen IS NOT NULL THEN si.frozen_priority_id
                     ELSE COALESCE(pi.priority_id, ppi.priority_id) END AS priority_id,
                s.alignment_frozen AS frozen
         FROM sprint_items si JOIN sprints s ON s.id = si.sprint_id JOIN items i ON i.id = si.item_id
         LEFT JOIN items par ON par.id = i.parent_id
         LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
         LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
         WHERE si.removed_at IS NULL AND s.product_id = $1
           AND (s.id = $3 OR ($3 IS NULL AND s.start_date >= $4 AND s.start_date < $5))
         ORDER BY s.start_date, s.id, i.rank",
        vec![
            product_id.into(),
            quarter.to_string().into(),
            sprint.map(i64::from).into(),
            quarter.start().to_string().into(),
            quarter.next().start().to_string().into(),
        ],
        |rows| rows.all::<SprintItem>(),
    )
}

/// Points of a sprint's scope whose items serve one initiative (their own, or their parent's
/// when they have none), and the quarters that initiative serves a priority in.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeGroup {
    pub points: Points,
    pub quarters: Vec<String>,
}

/// An item about to join a sprint, and the quarters its initiative serves a priority in.
pub struct ItemLineage {
    pub item_id: ItemId,
    pub quarters: Vec<String>,
}

/// What a commit weighs against the unaligned allowance before it writes (G2): the sprint's
/// scope by initiative, the items to add, the product's tier policy and allowance, and the
/// quarters it has priorities in. Read whatever the sprint's quarter, which is known only
/// once the sprint is read in the same round trip.
pub struct ScopeLineage {
    pub scope: Arc<Vec<ScopeGroup>>,
    pub items: Vec<ItemLineage>,
    pub policy: String,
    pub allowance: i64,
    pub quarters_with_priorities: Vec<String>,
}

/// A sprint's scope by initiative as a commit found it, with what it was read under: the
/// sprint's version and the product's counts (`crate::backlog::counts`), which every change
/// to the scope rows, the items' initiatives and parents and the priorities' initiatives
/// moves.
#[derive(Clone, Debug)]
pub struct KeptScope {
    pub print: ScopePrint,
    pub groups: Arc<Vec<ScopeGroup>>,
}

/// The sprint's version and the product's backlog and roadmap counts.
pub type ScopePrint = (i64, crate::backlog::counts::Counts);

/// The sprint's version and the product's counts, read in a commit's transaction when
/// `keeping` (see [`scope_lineage_read`]); none otherwise.
pub fn scope_print_read(
    keeping: bool,
    product_id: i64,
    sprint_id: crate::ids::SprintId,
) -> Read<Option<ScopePrint>> {
    if !keeping {
        return Read::ready(None);
    }
    Read::query(
        "SELECT s.version,
                COALESCE((SELECT version FROM backlog_versions WHERE product_id = $1), -1),
                COALESCE((SELECT version FROM roadmap_versions WHERE product_id = $1), -1)
         FROM sprints s WHERE s.id = $2",
        vec![product_id.into(), i64::from(sprint_id).into()],
        |rows| {
            let (v, b, r) = rows.first::<(i64, i64, i64)>()?.unwrap_or((-1, -1, -1));
            Ok(Some((v, (b, r))))
        },
    )
}

/// [`ScopeLineage`] of sprint `sprint_id` and the product's items numbered `numbers`: reads
/// for the commit's BEGIN, with the print they were read under. With `kept`, the scope's rows
/// are read only when the print differs from the kept one (the query's guard is evaluated once,
/// as the index's search key): a scope of hundreds of rows is read again only after something
/// it depends on changed. Only where the reads of one round trip see one state of the database (SQLite,
/// whose writer is alone in its transaction): `keeping` says so, and the print is read (on
/// PostgreSQL, where each statement is a round trip of its own, neither is).
pub fn scope_lineage_read(
    product_id: i64,
    sprint_id: crate::ids::SprintId,
    numbers: &[i64],
    kept: Option<KeptScope>,
    keeping: bool,
) -> Read<(ScopeLineage, Option<ScopePrint>)> {
    let mut args: Vec<Arg> = vec![i64::from(sprint_id).into()];
    // The guard is the index's search key: the sprint's id, or none (no row) while the print
    // is the kept one, so that a kept scope costs a few lookups, not a scan of its rows.
    let sprint = match &kept {
        None => "$1",
        Some(k) => {
            let (version, (backlog, roadmap)) = k.print;
            args.extend([
                version.into(),
                product_id.into(),
                backlog.into(),
                roadmap.into(),
            ]);
            "(SELECT $1 WHERE NOT ((SELECT version FROM sprints WHERE id = $1) = $2
                  AND (SELECT version FROM backlog_versions WHERE product_id = $3) = $4
                  AND (SELECT version FROM roadmap_versions WHERE product_id = $3) = $5))"
        }
    };
    let read = Read::query(
        format!(
            "SELECT g.ini, g.points, pi.quarter
             FROM (SELECT COALESCE(i.initiative_id, par.initiative_id) AS ini,
                          CAST(SUM(si.points) AS BIGINT) AS points
                   FROM sprint_items si JOIN items i ON i.id = si.item_id
                   LEFT JOIN items par ON i.initiative_id IS NULL AND par.id = i.parent_id
                   WHERE si.sprint_id = {sprint} AND si.removed_at IS NULL
                   GROUP BY COALESCE(i.initiative_id, par.initiative_id)) g
             LEFT JOIN priority_initiatives pi ON pi.initiative_id = g.ini"
        ),
        args,
        |rows| {
            let rows = rows.all::<(Option<i64>, Points, Option<String>)>()?;
            let mut groups: Vec<(Option<i64>, ScopeGroup)> = Vec::new();
            for (ini, points, quarter) in rows {
                let at = match groups.iter().position(|(i, _)| *i == ini) {
                    Some(at) => at,
                    None => {
                        let quarters = Vec::new();
                        groups.push((ini, ScopeGroup { points, quarters }));
                        groups.len() - 1
                    }
                };
                groups[at].1.quarters.extend(quarter);
            }
            Ok(groups.into_iter().map(|(_, g)| g).collect::<Vec<_>>())
        },
    );
    let scope = scope_print_read(keeping, product_id, sprint_id)
        .and(read)
        .map(move |(print, rows)| {
            let groups = match kept {
                Some(k) if Some(k.print) == print => k.groups,
                _ => Arc::new(rows),
            };
            Ok((groups, print))
        });
    let items = if numbers.is_empty() {
        Read::ready(Vec::new())
    } else {
        let marks: Vec<String> = (2..2 + numbers.len()).map(|i| format!("${i}")).collect();
        let mut args: Vec<Arg> = vec![product_id.into()];
        args.extend(numbers.iter().map(|n| Arg::from(*n)));
        Read::query(
            format!(
                "SELECT i.id, pi.quarter FROM items i
                 LEFT JOIN items par ON i.initiative_id IS NULL AND par.id = i.parent_id
                 LEFT JOIN priority_initiatives pi ON pi.initiative_id = COALESCE(i.initiative_id, par.initiative_id)
                 WHERE i.product_id = $1 AND i.number IN ({})",
                marks.join(",")
            ),
            args,
            |rows| {
                let mut items: Vec<ItemLineage> = Vec::new();
                for (item_id, quarter) in rows.all::<(ItemId, Option<String>)>()? {
                    match items.iter_mut().find(|l| l.item_id == item_id) {
                        Some(l) => l.quarters.extend(quarter),
                        None => items.push(ItemLineage {
                            item_id,
                            quarters: quarter.into_iter().collect(),
                        }),
                    }
                }
                Ok(items)
            },
        )
    };
    let policy = Read::query(
        "SELECT tier_policy, unaligned_allowance_pct FROM products WHERE id = $1",
        vec![product_id.into()],
        |rows| rows.one::<(String, i64)>(),
    );
    let quarters = Read::query(
        "SELECT DISTINCT quarter FROM priorities WHERE product_id = $1",
        vec![product_id.into()],
        |rows| Ok(rows.all::<(String,)>()?.into_iter().map(|(q,)| q).collect()),
    );
    scope.and(items).and(policy).and(quarters).map(
        |((((scope, print), items), (policy, allowance)), quarters_with_priorities)| {
            let lineage = ScopeLineage {
                scope,
                items,
                policy,
                allowance,
                quarters_with_priorities,
            };
            Ok((lineage, print))
        },
    )
}
