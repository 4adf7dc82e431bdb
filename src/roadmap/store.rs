//! SQL for the roadmap: a workspace's initiatives with their priorities and roll-up (kept on
//! each initiative by the database), in two queries whatever the number of products and items.

use serde::{Deserialize, Serialize};

use super::{horizon, timeline, Horizon};
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::points::Points;
use crate::strategy::model::PriorityRef;
use crate::strategy::{rollup, today, Quarter};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RoadmapEntry)]
pub struct Entry {
    pub id: i64,
    /// Product key.
    pub product: String,
    pub product_name: String,
    pub title: String,
    pub status: String,
    pub horizon: Horizon,
    pub priorities: Vec<PriorityRef>,
    pub points_done: Points,
    pub points_total: Points,
    pub progress: Option<i64>,
}

impl Entry {
    /// Whether it serves a priority in `quarter` (its place on the timeline).
    pub fn in_quarter(&self, quarter: &str) -> bool {
        self.priorities.iter().any(|p| p.quarter == quarter)
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Roadmap {
    pub current_quarter: String,
    /// The timeline's columns.
    pub quarters: Vec<String>,
    pub entries: Vec<Entry>,
}

/// What to show: all filters are optional and combine.
#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Product key.
    pub product: Option<String>,
    /// Initiative status.
    pub status: Option<String>,
    /// Id of a quarterly priority.
    pub priority: Option<i64>,
    /// Id of a team: the products it works on.
    pub team: Option<i64>,
}

impl Filter {
    pub fn normalized(&self) -> Result<Filter> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        Ok(Filter {
            product: blank(&self.product).map(|p| p.to_uppercase()),
            status: blank(&self.status)
                .map(|s| crate::strategy::validate_status(&s))
                .transpose()?,
            priority: self.priority,
            team: self.team,
        })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    product_id: i64,
    title: String,
    status: String,
    points_total: Points,
    points_done: Points,
}

/// The roadmap of a workspace, filtered.
pub async fn load(db: &Db, workspace_id: i64, filter: &Filter) -> Result<Roadmap> {
    load_read(workspace_id, filter)?.on(db).await?
}

/// [`load`] as a read that may share a round trip with a page's other reads: its statements
/// (the initiatives, their priorities, the products they belong to, and whether the filter's
/// team and product exist) in one command whatever the number of products and items. A filter
/// naming no such team or product answers its error inside.
pub fn load_read(workspace_id: i64, filter: &Filter) -> Result<Read<Result<Roadmap>>> {
    let f = filter.normalized()?;
    let product = f.product.clone().unwrap_or_default();
    let status = f.status.clone().unwrap_or_default();
    let team = f.team.unwrap_or(0);
    let team_known = Read::query(
        "SELECT COUNT(*) FROM teams WHERE id = $1 AND workspace_id = $2",
        vec![team.into(), workspace_id.into()],
        |rows| Ok(rows.one::<(i64,)>()?.0 > 0),
    );
    // The products once, not their key and name on each initiative's row.
    let products = Read::query(
        "SELECT id, key, name FROM products WHERE workspace_id = $1",
        vec![workspace_id.into()],
        |rows| rows.all::<(i64, String, String)>(),
    );
    let rows = Read::query(
        "SELECT n.id, n.product_id, n.title, n.status, n.points_total, n.points_done FROM initiatives n JOIN products p ON p.id = n.product_id
         WHERE p.workspace_id = $1 AND ($2 = '' OR p.key = $2) AND ($3 = '' OR n.status = $3) AND n.status <> 'dropped'
           AND ($4 = 0 OR p.id IN (SELECT product_id FROM team_products WHERE team_id = $4))
         ORDER BY p.key, n.id",
        vec![workspace_id.into(), product.as_str().into(), status.into(), team.into()],
        |rows| rows.all::<Row>(),
    );
    let prios = Read::query(
        "SELECT pi.initiative_id, pr.id, pr.quarter, pr.title,
                (SELECT COUNT(*) FROM priorities o WHERE o.product_id = pr.product_id AND o.quarter = pr.quarter AND o.rank <= pr.rank)
         FROM priority_initiatives pi JOIN priorities pr ON pr.id = pi.priority_id JOIN products p ON p.id = pr.product_id
         WHERE p.workspace_id = $1 AND ($2 = '' OR p.key = $2) ORDER BY pr.quarter",
        vec![workspace_id.into(), product.as_str().into()],
        |rows| rows.all::<(i64, i64, String, String, i64)>(),
    );
    Ok(team_known.and(products).and(rows).and(prios).map(
        move |(((team_known, products), rows), prios)| {
            Ok(assemble(&f, team_known, products, rows, prios))
        },
    ))
}

/// The roadmap from what [`load_read`] read, or why the filter names nothing.
fn assemble(
    f: &Filter,
    team_known: bool,
    products: Vec<(i64, String, String)>,
    rows: Vec<Row>,
    prios: Vec<(i64, i64, String, String, i64)>,
) -> Result<Roadmap> {
    if let Some(team) = f.team.filter(|t| *t != 0 && !team_known) {
        return Err(Error::invalid(
            "team",
            format!("no team {team} in this workspace"),
        ));
    }
    if let Some(key) = &f.product {
        if !products.iter().any(|p| p.1 == *key) {
            return Err(Error::invalid(
                "product",
                format!("no product {key} in this workspace"),
            ));
        }
    }
    let products: std::collections::HashMap<i64, (String, String)> = products
        .into_iter()
        .map(|(id, key, name)| (id, (key, name)))
        .collect();
    let mut by_initiative: std::collections::HashMap<i64, Vec<PriorityRef>> =
        std::collections::HashMap::new();
    for (initiative, id, quarter, title, position) in prios {
        by_initiative
            .entry(initiative)
            .or_default()
            .push(PriorityRef {
                id,
                quarter,
                title,
                position,
            });
    }
    let current = Quarter::of(today());
    let mut used = Vec::new();
    let mut entries = Vec::new();
    for r in rows {
        let priorities = by_initiative.remove(&r.id).unwrap_or_default();
        if f.priority
            .is_some_and(|want| !priorities.iter().any(|p| p.id == want))
        {
            continue;
        }
        let quarters: Vec<Quarter> = priorities
            .iter()
            .filter_map(|p| Quarter::parse(&p.quarter).ok())
            .collect();
        let Some(h) = horizon(&r.status, &quarters, current) else {
            continue;
        };
        used.extend(quarters);
        let (total, done) = (r.points_total, r.points_done);
        let (key, name) = products.get(&r.product_id).cloned().unwrap_or_default();
        entries.push(Entry {
            id: r.id,
            product: key,
            product_name: name,
            title: r.title,
            status: r.status,
            horizon: h,
            priorities,
            points_done: done,
            points_total: total,
            progress: rollup(done, total),
        });
    }
    Ok(Roadmap {
        current_quarter: current.to_string(),
        quarters: timeline(current, &used)
            .iter()
            .map(|q| q.to_string())
            .collect(),
        entries,
    })
}
