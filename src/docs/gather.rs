//! Reads what each document needs through the other rooms' own reads (and the one query no
//! room had: which sprints an initiative's items were in), so a document sees exactly what the
//! pages and the API see.

use std::collections::{BTreeMap, HashMap};

use crate::backlog::query::{Compiled, SqlValue};
use crate::backlog::store::{list as backlog_page, After};
use crate::backlog::{service as items, Item};
use crate::db::batch::Read;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::{InitiativeId, ItemId, SprintId};
use crate::on;
use crate::roadmap::releases::{self, Release};
use crate::roadmap::signoff::{self, Request};
use crate::sprint::review::{self, Review};
use crate::sprint::service::{self as sprints, Planning};
use crate::sprint::Sprint;
use crate::story::questions::{self, Question};
use crate::strategy::competitors::{self, Matrix};
use crate::strategy::decisions::{self, Decision};
use crate::strategy::model::{Initiative, Metric, Objective, Priority};
use crate::strategy::research_model::{Insight, Persona, Vision};
use crate::strategy::{initiatives, objectives, personas, priorities, research, Quarter, SortBy};
use crate::workspace::ProductCtx;

/// How many insights, at most, a document reads: every one of a product in practice.
const INSIGHTS: i64 = 100_000;
/// How many open items a product-wide plan looks at, from the top of the backlog.
pub const PLAN_ITEMS: i64 = 200;

pub struct BriefData {
    pub quarter: Quarter,
    pub vision: Vision,
    /// Most important first, then newest.
    pub insights: Vec<Insight>,
    pub personas: Vec<Persona>,
    pub matrix: Matrix,
    pub objectives: Vec<Objective>,
    pub priorities: Vec<Priority>,
    /// By their priority in the quarter.
    pub initiatives: Vec<Initiative>,
    pub decisions: Vec<Decision>,
    pub signoffs: Vec<Request>,
}

pub async fn brief(db: &Db, ctx: &ProductCtx, quarter: Quarter) -> Result<BriefData> {
    Ok(BriefData {
        quarter,
        vision: personas::vision(db, ctx).await?,
        insights: research::insights(db, ctx, None, INSIGHTS).await?,
        personas: personas::list(db, ctx).await?,
        matrix: competitors::matrix(db, ctx).await?,
        objectives: objectives::list(db, ctx, Some(quarter)).await?,
        priorities: priorities::list(db, ctx, quarter).await?,
        initiatives: initiatives::list(db, ctx, SortBy::Priority, quarter).await?,
        decisions: decisions::list(db, ctx).await?,
        // A document's own sign-offs are not part of it: sending it would change it.
        signoffs: signoff::list(db, ctx)
            .await?
            .into_iter()
            .filter(|r| r.subject != "document")
            .collect(),
    })
}

/// A story with what the blueprint and the plan say about it.
pub struct Story {
    pub item: Item,
    pub questions: Vec<Question>,
    /// The sprints it was committed to (and not taken out of), oldest first.
    pub sprints: Vec<SprintId>,
}

pub struct BlueprintData {
    pub initiative: Initiative,
    pub evidence: Vec<Insight>,
    /// Insights linked to one of its stories, by story key.
    pub story_evidence: BTreeMap<String, Vec<i64>>,
    pub metrics: Vec<Metric>,
    pub personas: Vec<Persona>,
    /// In backlog order.
    pub stories: Vec<Story>,
    pub sprints: Vec<Sprint>,
    /// The reviews of the sprints its stories were in, by sprint id.
    pub reviews: HashMap<SprintId, Review>,
    pub releases: Vec<Release>,
    pub decisions: Vec<Decision>,
    pub signoffs: Vec<Request>,
}

/// An initiative of this product by id.
pub async fn initiative(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Initiative> {
    initiatives::get(db, ctx, InitiativeId(id))
        .await
        .map_err(|e| match e {
            Error::NotFound => {
                Error::invalid("initiative", format!("no initiative {id} in this product"))
            }
            e => e,
        })
}

pub async fn blueprint(db: &Db, ctx: &ProductCtx, id: i64) -> Result<BlueprintData> {
    let initiative = initiative(db, ctx, id).await?;
    let filter = Compiled {
        sql: "i.initiative_id = $4".into(),
        params: vec![SqlValue::Int(id)],
        order: None,
    };
    let stories = stories(db, ctx, &filter, i64::MAX).await?;
    let keys: Vec<&str> = stories.iter().map(|s| s.item.key.as_str()).collect();
    let mut story_evidence: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for i in research::insights(db, ctx, None, INSIGHTS).await? {
        for k in i.items.iter().filter(|k| keys.contains(&k.as_str())) {
            story_evidence.entry(k.clone()).or_default().push(i.id);
        }
    }
    // The review of every sprint the stories were in, read together.
    let mut sprints: Vec<SprintId> = stories.iter().flat_map(|s| s.sprints.clone()).collect();
    sprints.sort_unstable();
    sprints.dedup();
    let each = sprints
        .iter()
        .map(|s| review::review_read(ctx, *s))
        .collect::<Result<Vec<_>>>()?;
    let reviews: HashMap<SprintId, Review> = sprints
        .into_iter()
        .zip(Read::each_on(each, db).await?)
        .map(|(s, r)| Ok((s, r?)))
        .collect::<Result<_>>()?;
    let metrics = objectives::metrics(db, ctx)
        .await?
        .into_iter()
        .filter(|m| initiative.metrics.contains(&m.id))
        .collect();
    let decisions: Vec<Decision> = decisions::list(db, ctx)
        .await?
        .into_iter()
        .filter(|d| d.initiatives.contains(&id))
        .collect();
    let signoffs = signoff::list(db, ctx)
        .await?
        .into_iter()
        .filter(|r| {
            r.decision_id
                .is_some_and(|d| decisions.iter().any(|x| x.id == d))
        })
        .collect();
    Ok(BlueprintData {
        evidence: research::evidence_for(db, ctx, InitiativeId(id)).await?,
        story_evidence,
        metrics,
        personas: personas::list(db, ctx).await?,
        stories,
        sprints: sprints::list(db, ctx, None).await?,
        reviews,
        releases: releases::list(db, ctx)
            .await?
            .into_iter()
            .filter(|r| r.initiatives.contains(&id))
            .collect(),
        decisions,
        signoffs,
        initiative,
    })
}

/// The backlog's items matching `filter`, in backlog order, each read whole.
pub(super) async fn stories(
    db: &Db,
    ctx: &ProductCtx,
    filter: &Compiled,
    limit: i64,
) -> Result<Vec<Story>> {
    let page = backlog_page(
        db,
        ctx.product.id,
        &ctx.product.key,
        filter,
        After::Rank(""),
        limit,
    )
    .await?;
    let ids: Vec<ItemId> = page.iter().map(|s| s.id).collect();
    let mut sprints_of = sprints_of_items(db, &ids).await?;
    // Every story's row, then each whole with its questions: two round trips on SQLite for a
    // document of a hundred stories, which read them one by one in three hundred, and on
    // PostgreSQL each statement once for all the stories (`Read::each_on`), not once a story.
    let rows = Read::each_on(
        ids.iter()
            .map(|id| crate::backlog::store::row_by_id_read(*id))
            .collect(),
        db,
    )
    .await?;
    let wholes = rows
        .into_iter()
        .map(|row| {
            let (id, item) = items::load_read(ctx, row)?;
            Ok(item.and(questions::threads_read(id).map(|(qs, _)| Ok(qs))))
        })
        .collect::<Result<Vec<_>>>()?;
    let stories = Read::each_on(wholes, db).await?;
    Ok(stories
        .into_iter()
        .map(|(item, questions)| Story {
            questions,
            sprints: sprints_of.remove(&item.id).unwrap_or_default(),
            item,
        })
        .collect())
}

/// The sprints each item was committed to and not taken out of, oldest first.
async fn sprints_of_items(db: &Db, ids: &[ItemId]) -> Result<HashMap<ItemId, Vec<SprintId>>> {
    let mut out: HashMap<ItemId, Vec<SprintId>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT si.item_id, si.sprint_id FROM sprint_items si
             WHERE si.removed_at IS NULL AND si.item_id IN ({}) ORDER BY si.sprint_id",
            marks.join(",")
        );
        let rows: Vec<(ItemId, SprintId)> = on!(&mut db.reader().await?.conn(), c => {
            let mut q = sqlx::query_as::<_, (ItemId, SprintId)>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(&mut **c).await
        })?;
        for (item, sprint) in rows {
            out.entry(item).or_default().push(sprint);
        }
    }
    Ok(out)
}

/// What the plan covers: one initiative, a release, or the product's open backlog.
pub enum Scope {
    Initiative(Box<Initiative>),
    Release(Box<Release>),
    Product,
}

/// Which plan is asked for.
#[derive(Clone, Copy, Debug)]
pub enum PlanOf {
    Initiative(i64),
    Release(i64),
    Product,
}

/// A release of this product by id.
pub async fn release(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Release> {
    releases::get(db, ctx, id).await.map_err(|e| match e {
        Error::NotFound => Error::invalid("release", format!("no release {id} in this product")),
        e => e,
    })
}

/// The filter of a release's items: those it ships directly and its initiatives' items.
fn release_items(id: i64) -> Compiled {
    Compiled {
        sql: "(i.id IN (SELECT item_id FROM release_items WHERE release_id = $4)
               OR i.initiative_id IN (SELECT initiative_id FROM release_initiatives WHERE release_id = $4))"
            .into(),
        params: vec![SqlValue::Int(id)],
        order: None,
    }
}

/// A release's blueprint: the blueprint of each initiative it ships, in the release's order,
/// and the stories it ships outside them.
pub struct ReleaseBlueprint {
    pub parts: Vec<BlueprintData>,
    /// The items the release ships directly that none of its initiatives holds.
    pub loose: Vec<Story>,
}

pub async fn release_blueprint(
    db: &Db,
    ctx: &ProductCtx,
    id: i64,
) -> Result<(Release, ReleaseBlueprint)> {
    let r = release(db, ctx, id).await?;
    let mut parts = Vec::with_capacity(r.initiatives.len());
    for i in &r.initiatives {
        parts.push(blueprint(db, ctx, *i).await?);
    }
    let loose = stories(db, ctx, &release_items(id), i64::MAX)
        .await?
        .into_iter()
        .filter(|s| {
            !s.item
                .initiative_id
                .is_some_and(|i| r.initiatives.contains(&i.0))
        })
        .collect();
    Ok((r, ReleaseBlueprint { parts, loose }))
}

pub struct PlanData {
    pub scope: Scope,
    /// In backlog order.
    pub stories: Vec<Story>,
    pub sprints: Vec<Sprint>,
    /// The running sprint's planning (capacity, velocity, committed points), or the next
    /// planned one's when none runs.
    pub planning: Option<Planning>,
    /// Points already committed to each planned sprint, by sprint id: the forecast fills
    /// only what is left of them.
    pub committed: HashMap<SprintId, crate::points::Points>,
    pub releases: Vec<Release>,
    /// Beside each release (same order): the Monte Carlo forecast of its open work, the one
    /// the release page and the roadmap show (planned releases only).
    pub outlooks: Vec<Option<crate::flow::outlook::Outlook>>,
    /// Every initiative, for the tier of each item this quarter.
    pub initiatives: Vec<Initiative>,
    pub quarter: Quarter,
    pub today: chrono::NaiveDate,
}

pub async fn plan(db: &Db, ctx: &ProductCtx, of: PlanOf) -> Result<PlanData> {
    let today = crate::calendar::today();
    let quarter = Quarter::of(today);
    let (scope, stories, releases) = match of {
        PlanOf::Release(id) => {
            let r = release(db, ctx, id).await?;
            let s = stories(db, ctx, &release_items(id), i64::MAX).await?;
            (Scope::Release(Box::new(r.clone())), s, vec![r])
        }
        PlanOf::Initiative(id) => {
            let i = initiative(db, ctx, id).await?;
            let filter = Compiled {
                sql: "i.initiative_id = $4".into(),
                params: vec![SqlValue::Int(id)],
                order: None,
            };
            let rel: Vec<Release> = releases::list(db, ctx)
                .await?
                .into_iter()
                .filter(|r| r.initiatives.contains(&id))
                .collect();
            (
                Scope::Initiative(Box::new(i)),
                stories(db, ctx, &filter, i64::MAX).await?,
                rel,
            )
        }
        PlanOf::Product => {
            let filter = Compiled {
                sql: "i.status <> 'done'".into(),
                params: vec![],
                order: None,
            };
            let s = stories(db, ctx, &filter, PLAN_ITEMS).await?;
            (Scope::Product, s, releases::list(db, ctx).await?)
        }
    };
    let sprints = sprints::list(db, ctx, None).await?;
    let current = sprints.iter().find(|s| s.state == "active").or_else(|| {
        sprints
            .iter()
            .filter(|s| s.state == "planned")
            .min_by_key(|s| (s.start_date, s.id))
    });
    let planning = match current {
        Some(s) => Some(sprints::planning(db, ctx, s.id).await?),
        None => None,
    };
    let mut committed = HashMap::new();
    for s in sprints.iter().filter(|s| s.state == "planned") {
        let scope = crate::sprint::scope_items::current(
            &mut db.reader().await?.conn(),
            s.id,
            &ctx.product.key,
        )
        .await?;
        committed.insert(s.id, scope.iter().map(|i| i.points).sum());
    }
    let planned: Vec<(crate::flow::outlook::Of, Option<chrono::NaiveDate>)> = releases
        .iter()
        .filter(|r| r.status == "planned")
        .map(|r| {
            let target = chrono::NaiveDate::parse_from_str(&r.target_date, "%Y-%m-%d").ok();
            (crate::flow::outlook::Of::Release(r.id), target)
        })
        .collect();
    let mut found = crate::flow::outlook::outlooks(db, ctx, &planned)
        .await?
        .into_iter();
    let outlooks = releases
        .iter()
        .map(|r| {
            if r.status == "planned" {
                found.next()
            } else {
                None
            }
        })
        .collect();
    Ok(PlanData {
        scope,
        stories,
        sprints,
        planning,
        committed,
        releases,
        outlooks,
        initiatives: initiatives::list(db, ctx, SortBy::Priority, quarter).await?,
        quarter,
        today,
    })
}
