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
        for s in 0..SPRINTS_PER_TEAM {
            let start = first + chrono::Duration::days(14 * s as i64);
            let end = start + chrono::Duration::days(13);
            let state = match s {
                s if s + 2 < SPRINTS_PER_TEAM => "closed",
                s if s + 2 == SPRINTS_PER_TEAM => "active",
                _ => "planned",
            };
            let numbers: Vec<i64> = if state == "planned" {
                Vec::new()
            } else {
                (0..ITEMS_PER_SPRINT)
                    .map(|k| base + s as i64 * ITEMS_PER_SPRINT + k)
                    .collect()
            };
            let points: Vec<i64> = numbers
                .iter()
                .map(|n| [1, 2, 3, 5, 8][(*n % 5) as usize])
                .collect();
            let committed: i64 = points.iter().sum();
            let completed = committed * (70 + (s as i64 * 7 + t as i64) % 30) / 100;
            let closed = state == "closed";
            let started = (state != "planned")
                .then(|| start.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc());
            let sprint_id: i64 = on!(&mut tx.conn(), x => sqlx::query_scalar(
                "INSERT INTO sprints (product_id, team_id, name, goal, start_date, end_date, state, started_at, closed_at, goal_met,
                    baseline_points, added_points, removed_points, completed_points, say_do_points, available_days, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id")
                .bind(product).bind(team_id).bind(format!("Sprint {}", s + 1)).bind("Ship the next slice")
                .bind(start.to_string()).bind(end.to_string()).bind(state).bind(started)
                .bind(closed.then(|| end.and_hms_opt(16, 0, 0).unwrap_or_default().and_utc()))
                .bind(closed.then_some(s % 4 != 1)).bind(started.map(|_| Points::whole(committed)))
                .bind(closed.then_some(Points::whole(3))).bind(closed.then_some(Points::whole(2)))
                .bind(closed.then_some(Points::whole(completed)))
                .bind(closed.then_some(Points::whole(completed - 3))).bind(closed.then_some(45.0f64)).bind(at)
                .fetch_one(&mut **x).await)?;
            let sql = format!(
                "INSERT INTO sprint_availability (sprint_id, user_id, focus_pct) VALUES {}",
                values(db, crew.len(), 3)
            );
            on!(&mut tx.conn(), x => {
                let mut q = sqlx::query(&sql);
                for u in &crew {
                    q = q.bind(sprint_id).bind(*u).bind(90i64);
                }
                q.execute(&mut **x).await.map(|r| r.rows_affected())
            })?;
            if !numbers.is_empty() {
                let sql =
                    "INSERT INTO sprint_items (sprint_id, item_id, points, in_baseline, for_goal, added_at, added_by, outcome)
                     SELECT $1, i.id, i.points, TRUE, i.number % 3 = 0, $2, $3, $4 FROM items i
                     WHERE i.product_id = $5 AND i.number BETWEEN $6 AND $7";
                exec!(&mut tx.conn(), x => sqlx::query(sql)
                .bind(sprint_id).bind(at).bind(members[0]).bind(closed.then_some("accepted"))
                .bind(product).bind(numbers[0]).bind(numbers[numbers.len() - 1])
                )?;
            }
            sprints += 1;
        }
    }
    tx.commit().await?;
    Ok(sprints)
}
