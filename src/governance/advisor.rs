//! The team-shape advisor (G5): from roles and recent activity, what shape the PM/PO pair has,
//! what is going wrong, and the remedy the article gives. The rules are pure (`findings`); the
//! facts are gathered once per request (`facts`).

use serde::{Deserialize, Serialize};

use crate::audit::Load;
use crate::auth::Action;
use crate::db::Db;
use crate::error::Result;
use crate::on;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// Thresholds; a product may set its own (stored as JSON), the rest take these defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Weeks without a priority update before PM and PO are "drifting".
    pub stale_priority_weeks: i64,
    /// Share (percent) of recent stories a PM without a PO may write before being "buried".
    pub pm_story_share_pct: i64,
    /// Inversions on the backlog that count as many.
    pub inversions: i64,
    /// Exemptions plus overrides in the quarter that count as many.
    pub exemptions_and_overrides: i64,
    /// Backlog items at which one person holding both roles should consider splitting them.
    pub combined_backlog_items: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            stale_priority_weeks: 4,
            pm_story_share_pct: 50,
            inversions: 5,
            exemptions_and_overrides: 3,
            combined_backlog_items: 150,
        }
    }
}

/// What the advisor looks at.
#[derive(Clone, Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Facts {
    /// sprints or flow: a product in flow (E11) is judged on the items its team started and
    /// finished, where a sprint product is judged on its sprints.
    pub cadence: String,
    pub pms: i64,
    pub pos: i64,
    /// People holding both roles.
    pub both: i64,
    pub sprints_this_quarter: i64,
    /// Items moved to In progress this quarter (flow activity).
    pub items_started_this_quarter: i64,
    /// Items moved to Done this quarter (flow activity).
    pub items_finished_this_quarter: i64,
    pub priorities_this_quarter: i64,
    /// Stories created in the last 90 days, and how many by someone who is PM but not PO.
    pub recent_stories: i64,
    pub recent_stories_by_pm: i64,
    /// Days since a priority of this product last changed; None when there are none.
    pub days_since_priority_update: Option<i64>,
    pub inversions: i64,
    pub exemptions_and_overrides: i64,
    /// Completed-points alignment scores of this quarter's sprints (in flow: of its months),
    /// oldest first.
    pub alignment_trend: Vec<i64>,
    pub backlog_items: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Finding {
    /// po_without_pm, pm_buried, drifting, combined or combined_split.
    pub code: String,
    pub title: String,
    /// What was seen, with the numbers.
    pub evidence: String,
    /// The article's remedy.
    pub remedy: String,
    /// Where to look.
    pub link: String,
}

fn finding(code: &str, title: &str, evidence: String, remedy: &str, link: String) -> Finding {
    Finding {
        code: code.into(),
        title: title.into(),
        evidence,
        remedy: remedy.into(),
        link,
    }
}

impl Facts {
    fn flow(&self) -> bool {
        self.cadence == "flow"
    }

    /// Execution this quarter: sprints, or in flow the items started and finished.
    fn execution(&self) -> i64 {
        if self.flow() {
            self.items_started_this_quarter + self.items_finished_this_quarter
        } else {
            self.sprints_this_quarter
        }
    }

    /// The execution in words, for the evidence.
    fn execution_text(&self) -> String {
        if self.flow() {
            format!(
                "{} item(s) started and {} finished this quarter",
                self.items_started_this_quarter, self.items_finished_this_quarter
            )
        } else {
            format!("{} sprint(s) this quarter", self.sprints_this_quarter)
        }
    }
}

/// The article's remedies ("Mistakes to avoid"), in the words of each cadence.
const REMEDY_NO_PM_SPRINTS: &str = "Sprint work happens without strategic direction. Hire first for the PM function (strategy), or have someone own it: the PM sets quarterly priorities and the PO works within them.";
const REMEDY_NO_PM_FLOW: &str = "Work flows without strategic direction. Hire first for the PM function (strategy), or have someone own it: the PM sets quarterly priorities and the PO orders the flow of work within them.";
const REMEDY_BURIED: &str = "The PM has no time for customer research. Add PO support for execution management, and keep the PM on strategy.";
const REMEDY_DRIFT_SPRINTS: &str = "Define clearly: the PM sets quarterly priorities; the PO manages sprint-level execution within those priorities. The PM overrides sprint priorities only for major strategic reasons.";
const REMEDY_DRIFT_FLOW: &str = "Define clearly: the PM sets quarterly priorities; the PO manages the flow of work (the order of the board's To do) within those priorities. The PM overrides that order only for major strategic reasons.";
const REMEDY_HEALTHY_SPRINTS: &str = "Keep the division clear: the PM sets quarterly priorities; the PO manages sprint-level execution within those priorities; the PM overrides only for major strategic reasons.";
const REMEDY_HEALTHY_FLOW: &str = "Keep the division clear: the PM sets quarterly priorities; the PO manages the flow of work within those priorities; the PM overrides only for major strategic reasons.";

/// The rules. `base` is the product's page prefix, e.g. `/w/acme/p/ONB`.
pub fn findings(f: &Facts, t: &Thresholds, base: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let flow = f.flow();
    let solo_pm = f.pms - f.both;
    let solo_po = f.pos - f.both;
    if f.both > 0 {
        out.push(finding(
            "combined",
            "One person is both PM and PO",
            format!("{} member(s) hold both roles", f.both),
            "A valid shape for small teams: combine both in one role at early stage.",
            format!("{base}/backlog"),
        ));
        if f.backlog_items >= t.combined_backlog_items {
            out.push(finding("combined_split", "Time to consider splitting the role",
                format!("the backlog holds {} items (threshold {})", f.backlog_items, t.combined_backlog_items),
                "The split usually happens when backlog management alone needs a full-time person: hire first for the PM function (strategy), then add PO support (execution).",
                format!("{base}/backlog")));
        }
    }
    let has_pm = f.pms > 0;
    let has_po = f.pos > 0;
    let undirected = f.execution() > 0 && f.priorities_this_quarter == 0;
    let mut no_direction = false;
    if has_po && (!has_pm || undirected) {
        no_direction = true;
        // Only where work runs without priorities is it "without strategic direction"; a PO
        // alone with priorities set still lacks the role that keeps them.
        let title = match (undirected || f.priorities_this_quarter == 0, flow) {
            (true, false) => "A PO without a PM: sprints without strategic direction",
            (true, true) => "A PO without a PM: work without strategic direction",
            (false, _) => "A PO without a PM: no one owns the strategy",
        };
        out.push(finding(
            "po_without_pm",
            title,
            format!(
                "{} PM(s); {} against {} quarterly priorities",
                f.pms,
                f.execution_text(),
                f.priorities_this_quarter
            ),
            if flow {
                REMEDY_NO_PM_FLOW
            } else {
                REMEDY_NO_PM_SPRINTS
            },
            format!("{base}/strategy"),
        ));
    }
    if has_pm
        && !has_po
        && f.recent_stories > 0
        && f.recent_stories_by_pm * 100 >= t.pm_story_share_pct * f.recent_stories
    {
        out.push(finding(
            "pm_buried",
            "A PM without a PO, buried in user stories",
            format!(
                "the PM wrote {} of the {} stories of the last 90 days",
                f.recent_stories_by_pm, f.recent_stories
            ),
            REMEDY_BURIED,
            format!("{base}/backlog"),
        ));
    }
    if solo_pm + f.both > 0 && solo_po + f.both > 0 && (solo_pm > 0 || solo_po > 0) {
        let mut signs = Vec::new();
        if let Some(d) = f
            .days_since_priority_update
            .filter(|d| *d > t.stale_priority_weeks * 7)
        {
            signs.push(format!("no priority update for {d} days"));
        }
        if f.inversions >= t.inversions {
            signs.push(format!("{} inversions on the backlog", f.inversions));
        }
        if f.exemptions_and_overrides >= t.exemptions_and_overrides {
            signs.push(format!(
                "{} exemptions and overrides this quarter",
                f.exemptions_and_overrides
            ));
        }
        if f.alignment_trend.len() >= 3 && f.alignment_trend.windows(2).all(|w| w[1] < w[0]) {
            let by = if flow { "by month" } else { "by sprint" };
            signs.push(format!("alignment falling {by}: {:?}", f.alignment_trend));
        }
        if !signs.is_empty() {
            out.push(finding(
                "drifting",
                "PM and PO are drifting apart",
                signs.join("; "),
                if flow {
                    REMEDY_DRIFT_FLOW
                } else {
                    REMEDY_DRIFT_SPRINTS
                },
                format!("{base}/alignment"),
            ));
        } else if !no_direction && f.priorities_this_quarter > 0 {
            let updated = f
                .days_since_priority_update
                .map_or("never".to_string(), |d| format!("{d} days ago"));
            out.push(finding(
                "healthy",
                "PM and PO work as one",
                format!(
                    "{} quarterly priorities, last updated {updated}; {}; {} inversions; {} exemptions and overrides this quarter",
                    f.priorities_this_quarter,
                    f.execution_text(),
                    f.inversions,
                    f.exemptions_and_overrides
                ),
                if flow {
                    REMEDY_HEALTHY_FLOW
                } else {
                    REMEDY_HEALTHY_SPRINTS
                },
                format!("{base}/alignment"),
            ));
        }
    }
    out
}

/// Gathers the facts for the current quarter.
pub async fn facts(db: &Db, ctx: &ProductCtx) -> Result<Facts> {
    ctx.grants.require(Action::ViewBacklog)?;
    let q = Quarter::of(crate::strategy::today());
    let (from, to) = (q.start().to_string(), q.next().start().to_string());
    let pid = ctx.product.id;
    let (pms, pos, both): (i64, i64, i64) = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM product_roles WHERE product_id = $1 AND role = 'pm'),
                (SELECT COUNT(*) FROM product_roles WHERE product_id = $1 AND role = 'po'),
                (SELECT COUNT(*) FROM product_roles a JOIN product_roles b ON b.product_id = a.product_id AND b.user_id = a.user_id AND b.role = 'po'
                  WHERE a.product_id = $1 AND a.role = 'pm')")
        .bind(pid).fetch_one(&mut **c).await)?;
    let cadence = crate::backlog::wip::FlowSettings::load(&mut db.reader().await?.conn(), pid)
        .await?
        .cadence;
    let qstart = q.start().and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let qend = q
        .next()
        .start()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    // Flow activity: items moved to In progress, and to Done, in the quarter.
    let (started, finished): (i64, i64) = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT COUNT(DISTINCT CASE WHEN e.status = 'in_progress' THEN e.item_id END),
                COUNT(DISTINCT CASE WHEN e.status = 'done' THEN e.item_id END)
         FROM item_status_events e JOIN items i ON i.id = e.item_id
         WHERE i.product_id = $1 AND e.at >= $2 AND e.at < $3")
        .bind(pid).bind(qstart).bind(qend).fetch_one(&mut **c).await)?;
    let since = crate::db::now() - chrono::Duration::days(90);
    let (sprints, priorities, stories, by_pm, items): (i64, i64, i64, i64, i64) = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM sprints WHERE product_id = $1 AND start_date >= $2 AND start_date < $3),
                (SELECT COUNT(*) FROM priorities WHERE product_id = $1 AND quarter = $4),
                (SELECT COUNT(*) FROM items WHERE product_id = $1 AND kind = 'story' AND created_at >= $5),
                (SELECT COUNT(*) FROM items i WHERE i.product_id = $1 AND i.kind = 'story' AND i.created_at >= $5
                   AND EXISTS (SELECT 1 FROM product_roles r WHERE r.product_id = $1 AND r.user_id = i.created_by AND r.role = 'pm')
                   AND NOT EXISTS (SELECT 1 FROM product_roles r WHERE r.product_id = $1 AND r.user_id = i.created_by AND r.role = 'po')),
                (SELECT COUNT(*) FROM items WHERE product_id = $1 AND status <> 'done')")
        .bind(pid).bind(&from).bind(&to).bind(q.to_string()).bind(since).fetch_one(&mut **c).await)?;
    let last: Option<chrono::DateTime<chrono::Utc>> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT MAX(updated_at) FROM priorities WHERE product_id = $1").bind(pid).fetch_one(&mut **c).await)?;
    let ex: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM tier_exemptions WHERE product_id = $1 AND created_at >= $2)
              + (SELECT COUNT(*) FROM overrides WHERE product_id = $1 AND created_at >= $2)")
        .bind(pid).bind(qstart).fetch_one(&mut **c).await)?;
    let (_, order) = super::tiers::order(db, pid, q).await?;
    let placed: Vec<super::Placed> = order.iter().map(|o| o.placed.clone()).collect();
    // A flow product's trend is its months' scores, a sprint product's its sprints'.
    let trend = if cadence == "flow" {
        super::periods::month_trend(db, ctx, q, None).await?
    } else {
        super::alignment::for_quarter(db, ctx, &q.to_string(), None)
            .await?
            .trend
    };
    Ok(Facts {
        cadence,
        items_started_this_quarter: started,
        items_finished_this_quarter: finished,
        pms,
        pos,
        both,
        sprints_this_quarter: sprints,
        priorities_this_quarter: priorities,
        recent_stories: stories,
        recent_stories_by_pm: by_pm,
        days_since_priority_update: last.map(|l| (crate::db::now() - l).num_days()),
        inversions: super::inversions(&placed).len() as i64,
        exemptions_and_overrides: ex,
        alignment_trend: trend.iter().filter_map(|(_, s)| *s).collect(),
        backlog_items: items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: &Facts) -> Vec<String> {
        findings(f, &Thresholds::default(), "/w/a/p/X")
            .into_iter()
            .map(|f| f.code)
            .collect()
    }

    #[test]
    fn a_flow_product_is_judged_on_its_flow_not_on_sprints() {
        let t = Thresholds::default();
        let title = |f: &Facts| findings(f, &t, "/w/a/p/X")[0].title.clone();
        // A PO alone with priorities set: the role is missing, the direction is not.
        let po_alone = Facts {
            cadence: "flow".into(),
            pos: 1,
            priorities_this_quarter: 2,
            items_started_this_quarter: 4,
            ..Facts::default()
        };
        assert_eq!(codes(&po_alone), vec!["po_without_pm"]);
        assert_eq!(
            title(&po_alone),
            "A PO without a PM: no one owns the strategy"
        );
        // Work flowing without priorities is without direction, and says so in flow's words.
        let undirected = Facts {
            pms: 1,
            priorities_this_quarter: 0,
            ..po_alone.clone()
        };
        let f = findings(&undirected, &t, "/w/a/p/X");
        assert_eq!(
            f[0].title,
            "A PO without a PM: work without strategic direction"
        );
        assert!(
            f[0].evidence.contains("4 item(s) started and 0 finished"),
            "{:?}",
            f[0]
        );
        assert!(f[0].remedy.contains("Hire first for the PM function"));
        assert!(!f
            .iter()
            .any(|f| f.title.contains("sprint") || f.evidence.contains("sprint")));
        // No flow this quarter and no priorities: nothing is claimed either way.
        let idle = Facts {
            items_started_this_quarter: 0,
            ..undirected.clone()
        };
        assert!(codes(&idle).is_empty());
        // PM and PO with priorities and flow: healthy, with the article's division as remedy.
        let healthy = Facts {
            pms: 1,
            pos: 1,
            priorities_this_quarter: 3,
            days_since_priority_update: Some(3),
            items_started_this_quarter: 5,
            items_finished_this_quarter: 4,
            cadence: "flow".into(),
            ..Facts::default()
        };
        let f = findings(&healthy, &t, "/w/a/p/X");
        assert_eq!(codes(&healthy), vec!["healthy"]);
        assert!(
            f[0].remedy.contains("the PO manages the flow of work"),
            "{:?}",
            f[0]
        );
        // Falling monthly alignment drifts, by month.
        let falling = Facts {
            alignment_trend: vec![90, 70, 40],
            ..healthy
        };
        let f = findings(&falling, &t, "/w/a/p/X");
        assert_eq!(f[0].code, "drifting");
        assert!(
            f[0].evidence.contains("alignment falling by month"),
            "{:?}",
            f[0]
        );
        assert!(f[0].remedy.contains("the order of the board's To do"));
    }

    #[test]
    fn shapes_and_their_findings() {
        // A PO alone runs sprints: no strategic direction.
        let po_only = Facts {
            pos: 1,
            sprints_this_quarter: 2,
            ..Facts::default()
        };
        assert_eq!(codes(&po_only), vec!["po_without_pm"]);
        // A PM alone who wrote 6 of 10 recent stories is buried; 4 of 10 is not.
        let pm_only = Facts {
            pms: 1,
            recent_stories: 10,
            recent_stories_by_pm: 6,
            ..Facts::default()
        };
        assert_eq!(codes(&pm_only), vec!["pm_buried"]);
        assert!(codes(&Facts {
            recent_stories_by_pm: 4,
            ..pm_only.clone()
        })
        .is_empty());
        // Both present: drifting only on a sign.
        let pair = Facts {
            pms: 1,
            pos: 1,
            priorities_this_quarter: 3,
            days_since_priority_update: Some(10),
            ..Facts::default()
        };
        assert_eq!(codes(&pair), vec!["healthy"]);
        let stale = Facts {
            days_since_priority_update: Some(40),
            ..pair.clone()
        };
        assert_eq!(codes(&stale), vec!["drifting"]);
        let falling = Facts {
            alignment_trend: vec![80, 70, 55],
            ..pair.clone()
        };
        let f = findings(&falling, &Thresholds::default(), "/w/a/p/X");
        assert_eq!(f[0].code, "drifting");
        assert!(f[0].evidence.contains("alignment falling") && f[0].link.ends_with("/alignment"));
        // Sprints this quarter with a PM but no priorities: still no direction.
        let no_prios = Facts {
            pms: 1,
            pos: 1,
            sprints_this_quarter: 1,
            ..Facts::default()
        };
        assert!(codes(&no_prios).contains(&"po_without_pm".to_string()));
        // One person in both roles: a valid shape, and a sign to split at 150 items.
        let combined = Facts {
            pms: 1,
            pos: 1,
            both: 1,
            priorities_this_quarter: 2,
            backlog_items: 40,
            ..Facts::default()
        };
        assert_eq!(codes(&combined), vec!["combined"]);
        assert_eq!(
            codes(&Facts {
                backlog_items: 200,
                ..combined
            }),
            vec!["combined", "combined_split"]
        );
    }
}

/// The advice for a product: its facts, thresholds and findings.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Advice {
    pub facts: Facts,
    pub thresholds: Thresholds,
    pub findings: Vec<Finding>,
}

pub async fn advise(db: &Db, ctx: &ProductCtx) -> Result<Advice> {
    let raw: String = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar("SELECT advisor_thresholds FROM products WHERE id = $1")
        .bind(ctx.product.id).fetch_one(&mut **c).await)?;
    let thresholds: Thresholds = serde_json::from_str(&raw).unwrap_or_default();
    let facts = facts(db, ctx).await?;
    let base = format!("/w/{}/p/{}", ctx.workspace.slug, ctx.product.key);
    Ok(Advice {
        findings: findings(&facts, &thresholds, &base),
        facts,
        thresholds,
    })
}

/// The PM sets the product's thresholds, as of its version `expected`.
pub async fn set_thresholds(
    db: &Db,
    actor: &crate::auth::store::User,
    ctx: &ProductCtx,
    expected: i64,
    t: &Thresholds,
) -> Result<()> {
    ctx.grants.require(Action::ManageStrategy)?;
    let fields = [
        ("stale_priority_weeks", t.stale_priority_weeks, 1, 52),
        ("pm_story_share_pct", t.pm_story_share_pct, 1, 100),
        ("inversions", t.inversions, 1, 10_000),
        (
            "exemptions_and_overrides",
            t.exemptions_and_overrides,
            1,
            1_000,
        ),
        (
            "combined_backlog_items",
            t.combined_backlog_items,
            1,
            1_000_000,
        ),
    ];
    for (name, v, lo, hi) in fields {
        if !(lo..=hi).contains(&v) {
            return Err(crate::error::Error::invalid(
                name,
                format!("from {lo} to {hi}"),
            ));
        }
    }
    let json = serde_json::to_string(t).unwrap_or_else(|_| "{}".into());
    let mut tx = db.begin().await?;
    crate::workspace::settings::bump(
        &mut tx,
        ctx.product.id,
        crate::workspace::settings::Setting::Advisor,
        expected,
    )
    .await?;
    crate::exec!(&mut tx.conn(), x => sqlx::query("UPDATE products SET advisor_thresholds = $1 WHERE id = $2")
        .bind(&json).bind(ctx.product.id))?;
    crate::audit::Change::by(actor, ctx, "product.advisor", ("product", ctx.product.id))
        .after(&serde_json::json!(t))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
