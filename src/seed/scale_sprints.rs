//! The Scrum part of the benchmark dataset: 50 teams (4 at the tiny scale) of 5 members, each working on one of the
//! 20 products, with 35 two-week sprints each (1,750): 33 closed with frozen figures, one
//! running and one planned. Sprint ids are predictable (team t, sprint s → t × 35 + s + 1),
//! which scripts/bench relies on. Items 1 to 1,300 of each product fill the sprints; items
//! above 1,300 are never done, so that the benchmark can commit them.

use super::values;
use crate::db::{now, Db};
use crate::points::Points;
use crate::{exec, on};

pub const SPRINTS_PER_TEAM: usize = 35;
pub const ITEMS_PER_SPRINT: i64 = 12;
/// Items below this number may be in seeded sprints; the rest are left for commits.
pub const SPRINT_ITEMS_END: i64 = 1_300;

/// Items the benchmark moves in and out of sprints: never done.
pub fn kept_open(number: i64) -> bool {
    let run = SPRINTS_PER_TEAM as i64 * ITEMS_PER_SPRINT;
    number > SPRINT_ITEMS_END
        || (number - 1) % run >= (SPRINTS_PER_TEAM as i64 - 2) * ITEMS_PER_SPRINT
}

pub async fn seed(
    db: &Db,
    workspace_id: i64,
    products: &[i64],
    members: &[i64],
    teams: usize,
) -> anyhow::Result<usize> {
    let mut tx = db.begin().await?;
    let first = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default();
    let at = now();
    let mut sprints = 0;
    for t in 0..teams {
        let product = products[t % products.len()];
        let team_id: i64 = on!(&mut tx.conn(), x => sqlx::query_scalar(
            "INSERT INTO teams (workspace_id, name, wip_in_progress, wip_in_review, created_at) VALUES ($1, $2, 6, 4, $3) RETURNING id")
            .bind(workspace_id).bind(format!("Team {:02}", t + 1)).bind(at).fetch_one(&mut **x).await)?;
        exec!(&mut tx.conn(), x => sqlx::query("INSERT INTO team_products (team_id, product_id) VALUES ($1, $2)")
            .bind(team_id).bind(product))?;
        let crew: Vec<i64> = members.iter().skip(t * 5).take(5).copied().collect();
        let sql = format!(
            "INSERT INTO team_members (team_id, user_id, points_per_day, focus_pct) VALUES {}",
            values(db, crew.len(), 4)
        );
        on!(&mut tx.conn(), x => {
            let mut q = sqlx::query(&sql);
            for (i, u) in crew.iter().enumerate() {
                q = q.bind(team_id).bind(*u).bind(0.8 + 0.1 * i as f64).bind(90i64);
            }
            q.execute(&mut **x).await.map(|r| r.rows_affected())
        })?;
        // Each of a product's (up to three) teams takes its own run of items.
        let base = (t / products.len()) as i64 * (SPRINTS_PER_TEAM as i64 * ITEMS_PER_SPRINT) + 1;
        // A team's sprints, their availability and their items go in one statement each (not
        // three per sprint): on PostgreSQL the 5,250 round trips were a second of the seed.
        let plans: Vec<Plan> = (0..SPRINTS_PER_TEAM)
            .map(|s| Plan::new(first, s, t, base))
            .collect();
        let sql = format!(
            "INSERT INTO sprints (product_id, team_id, name, goal, start_date, end_date, state, started_at, closed_at, goal_met,
                baseline_points, added_points, removed_points, completed_points, say_do_points, available_days, created_at)
             VALUES {}",
            values(db, plans.len(), 17)
        );
        on!(&mut tx.conn(), x => {
            let mut q = sqlx::query(&sql);
            for (s, p) in plans.iter().enumerate() {
                let closed = p.state == "closed";
                q = q.bind(product).bind(team_id).bind(format!("Sprint {}", s + 1)).bind("Ship the next slice")
                    .bind(p.start.to_string()).bind(p.end.to_string()).bind(p.state).bind(p.started)
                    .bind(closed.then(|| p.end.and_hms_opt(16, 0, 0).unwrap_or_default().and_utc()))
                    .bind(closed.then_some(s % 4 != 1)).bind(p.started.map(|_| Points::whole(p.committed)))
                    .bind(closed.then_some(Points::whole(3))).bind(closed.then_some(Points::whole(2)))
                    .bind(closed.then_some(Points::whole(p.completed)))
                    .bind(closed.then_some(Points::whole(p.completed - 3))).bind(closed.then_some(45.0f64)).bind(at);
            }
            q.execute(&mut **x).await.map(|r| r.rows_affected())
        })?;
        // Both databases number the rows of one INSERT in the order of its VALUES.
        let ids: Vec<i64> = on!(&mut tx.conn(), x => sqlx::query_scalar(
            "SELECT id FROM sprints WHERE team_id = $1 ORDER BY id")
            .bind(team_id).fetch_all(&mut **x).await)?;
        let sql = format!(
            "INSERT INTO sprint_availability (sprint_id, user_id, focus_pct) VALUES {}",
            values(db, ids.len() * crew.len(), 3)
        );
        on!(&mut tx.conn(), x => {
            let mut q = sqlx::query(&sql);
            for id in &ids {
                for u in &crew {
                    q = q.bind(*id).bind(*u).bind(90i64);
                }
            }
            q.execute(&mut **x).await.map(|r| r.rows_affected())
        })?;
        // The items of the closed and running sprints, read once and written as values
        // (sprint by sprint, each sprint's items in number order, as they were when each
        // sprint was filled by a statement of its own): a join of the sprints to the items
        // was planned without statistics during the seed, and took seconds on PostgreSQL.
        let last = base + (SPRINTS_PER_TEAM as i64 - 1) * ITEMS_PER_SPRINT - 1;
        let items: Vec<(i64, i64, Points)> = on!(&mut tx.conn(), x => sqlx::query_as(
            "SELECT id, number, points FROM items WHERE product_id = $1 AND number BETWEEN $2 AND $3 ORDER BY number")
            .bind(product).bind(base).bind(last).fetch_all(&mut **x).await)?;
        let mut rows = Vec::new();
        for (id, plan) in ids.iter().zip(&plans) {
            if plan.state == "planned" {
                continue;
            }
            let outcome = (plan.state == "closed").then_some("accepted");
            let of_sprint = items
                .iter()
                .filter(|(_, n, _)| (plan.first..plan.first + ITEMS_PER_SPRINT).contains(n));
            rows.extend(
                of_sprint.map(|(item, n, points)| (*id, *item, *points, n % 3 == 0, outcome)),
            );
        }
        let sql = format!(
            "INSERT INTO sprint_items (sprint_id, item_id, points, in_baseline, for_goal, added_at, added_by, outcome) VALUES {}",
            values(db, rows.len(), 8)
        );
        on!(&mut tx.conn(), x => {
            let mut q = sqlx::query(&sql);
            for (sprint, item, points, for_goal, outcome) in &rows {
                q = q.bind(*sprint).bind(*item).bind(*points).bind(true).bind(*for_goal)
                    .bind(at).bind(members[0]).bind(*outcome);
            }
            q.execute(&mut **x).await.map(|r| r.rows_affected())
        })?;
        sprints += plans.len();
    }
    tx.commit().await?;
    Ok(sprints)
}

/// One seeded sprint: its dates, state, first item number and figures.
struct Plan {
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
    state: &'static str,
    started: Option<chrono::DateTime<chrono::Utc>>,
    first: i64,
    committed: i64,
    completed: i64,
}

impl Plan {
    fn new(first_day: chrono::NaiveDate, s: usize, t: usize, base: i64) -> Plan {
        let start = first_day + chrono::Duration::days(14 * s as i64);
        let end = start + chrono::Duration::days(13);
        let state = match s {
            s if s + 2 < SPRINTS_PER_TEAM => "closed",
            s if s + 2 == SPRINTS_PER_TEAM => "active",
            _ => "planned",
        };
        let first = base + s as i64 * ITEMS_PER_SPRINT;
        // A planned sprint has no items, so no points.
        let committed: i64 = if state == "planned" {
            0
        } else {
            (first..first + ITEMS_PER_SPRINT)
                .map(|n| [1, 2, 3, 5, 8][(n % 5) as usize])
                .sum()
        };
        let completed = committed * (70 + (s as i64 * 7 + t as i64) % 30) / 100;
        let started =
            (state != "planned").then(|| start.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc());
        Plan {
            start,
            end,
            state,
            started,
            first,
            committed,
            completed,
        }
    }
}
