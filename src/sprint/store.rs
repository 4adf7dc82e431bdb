//! SQL for sprints, their scope and members' availability.

use chrono::{DateTime, NaiveDate, Utc};

use super::capacity::{Availability, Delivered};
use super::{Figures, Sprint};
use crate::backlog::counts::{self, Counts};
use crate::db::batch::Read;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::ids::SprintId;
use crate::points::Points;
use crate::workspace::prologue::{self, CtxWith};
use crate::workspace::store::Caller;
use crate::{exec, on};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SprintRow {
    pub id: SprintId,
    pub product_id: i64,
    pub team_id: i64,
    pub team: String,
    pub name: String,
    pub goal: String,
    /// None for a sprint imported from a file that does not give its dates.
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub state: String,
    pub started_at: Option<DateTime<Utc>>,
    pub goal_met: Option<bool>,
    pub baseline_points: Option<Points>,
    pub added_points: Option<Points>,
    pub removed_points: Option<Points>,
    pub completed_points: Option<Points>,
    pub say_do_points: Option<Points>,
    pub version: i64,
}

impl SprintRow {
    pub fn start(&self) -> Option<NaiveDate> {
        self.start_date.as_deref().and_then(|d| d.parse().ok())
    }
    pub fn end(&self) -> Option<NaiveDate> {
        self.end_date.as_deref().and_then(|d| d.parse().ok())
    }
    /// Both dates, when the sprint has them.
    pub fn dates(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((self.start()?, self.end()?))
    }
    pub fn into_sprint(self, product_key: &str) -> Sprint {
        Sprint {
            id: self.id,
            product: product_key.to_string(),
            team_id: self.team_id,
            start_date: self.start(),
            end_date: self.end(),
            figures: self.baseline_points.map(|committed| Figures {
                committed,
                added: self.added_points,
                removed: self.removed_points,
                completed: self.completed_points,
                say_do_points: self.say_do_points,
            }),
            team: self.team,
            name: self.name,
            goal: self.goal,
            state: self.state,
            goal_met: self.goal_met,
            version: self.version,
        }
    }
}

const SPRINT_COLUMNS: &str = "s.id, s.product_id, s.team_id, t.name AS team, s.name, s.goal, s.start_date, \
    s.end_date, s.state, s.started_at, s.goal_met, s.baseline_points, s.added_points, s.removed_points, \
    s.completed_points, s.say_do_points, s.version";

/// One sprint of the product, on a reader's connection or inside a write's transaction.
pub async fn sprint(
    c: &mut crate::db::Conn<'_>,
    product_id: i64,
    id: SprintId,
) -> Result<SprintRow> {
    sprint_read(product_id, id)
        .run(c)
        .await?
        .ok_or(Error::NotFound)
}

/// [`sprint`] as a read that may share a round trip with others.
pub fn sprint_read(product_id: i64, id: SprintId) -> Read<Option<SprintRow>> {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {SPRINT_COLUMNS} FROM sprints s JOIN teams t ON t.id = s.team_id WHERE s.id = $1 AND s.product_id = $2")
    });
    Read::query(
        SQL.as_str(),
        vec![i64::from(id).into(), product_id.into()],
        |rows| rows.first::<SprintRow>(),
    )
}

/// The sprint `id` of the product a page's path names, and the product's counts
/// ([`crate::backlog::counts`]), joined to the page's first statement
/// ([`prologue::ctx_with_read`]): a kept board's whole read is one statement, where it took
/// three (on PostgreSQL three round trips). None for no sprint of that product.
pub fn board_prologue_read(
    caller: Caller<'_>,
    at: (&str, &str),
    id: Option<SprintId>,
) -> CtxWith<(Option<SprintRow>, Counts)> {
    static SQL: std::sync::LazyLock<[String; 2]> = std::sync::LazyLock::new(|| {
        prologue::ctx_sql_with(
            &format!("{SPRINT_COLUMNS}, {}", counts::columns("c.p_id")),
            "LEFT JOIN sprints s ON s.id = $4 AND s.product_id = c.p_id
             LEFT JOIN teams t ON t.id = s.team_id",
        )
    });
    let id = id.map_or(0, i64::from);
    prologue::ctx_with_read(caller, at, &SQL, vec![id.into()], |rows| {
        // The sprint's id is the only `id` of the joined row (the caller's and the product's
        // columns are named `h_…` and `p_…`).
        #[derive(sqlx::FromRow)]
        struct WithSprint {
            id: Option<i64>,
        }
        let sprint = match rows.first::<WithSprint>()?.and_then(|s| s.id) {
            Some(_) => rows.first::<SprintRow>()?,
            None => None,
        };
        Ok((sprint, counts::of_columns(rows)?))
    })
}

/// The product's running sprint (the newest, should several teams run one) and its last closed
/// one by end date: where the product stands, without listing its every sprint.
pub fn running_and_last_closed_read(
    product_id: i64,
) -> Read<(Option<SprintRow>, Option<SprintRow>)> {
    static RUNNING: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {SPRINT_COLUMNS} FROM sprints s JOIN teams t ON t.id = s.team_id
             WHERE s.product_id = $1 AND s.state = 'active'
             ORDER BY s.start_date DESC NULLS LAST, s.id DESC LIMIT 1"
        )
    });
    static CLOSED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "SELECT {SPRINT_COLUMNS} FROM sprints s JOIN teams t ON t.id = s.team_id
             WHERE s.product_id = $1 AND s.state = 'closed'
             ORDER BY s.end_date DESC NULLS LAST, s.id DESC LIMIT 1"
        )
    });
    Read::query(RUNNING.as_str(), vec![product_id.into()], |rows| {
        rows.first::<SprintRow>()
    })
    .and(Read::query(
        CLOSED.as_str(),
        vec![product_id.into()],
        |rows| rows.first::<SprintRow>(),
    ))
}

/// A product's sprints, newest first; `team` narrows to one team.
pub async fn list(db: &Db, product_id: i64, team: Option<i64>) -> Result<Vec<SprintRow>> {
    let sql = format!(
        "SELECT {SPRINT_COLUMNS} FROM sprints s JOIN teams t ON t.id = s.team_id
         WHERE s.product_id = $1 AND ($2 IS NULL OR s.team_id = $2) ORDER BY s.start_date DESC NULLS LAST, s.id DESC"
    );
    Ok(
        on!(&mut db.reader().await?.conn(), c => sqlx::query_as::<_, SprintRow>(&sql).bind(product_id).bind(team).fetch_all(&mut **c).await)?,
    )
}

/// Serialises scheduling on one team (PostgreSQL row lock; SQLite has a single writer).
pub async fn lock_team(tx: &mut Tx, team_id: i64) -> Result<()> {
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE teams SET version = version WHERE id = $1")
        .bind(team_id))?;
    Ok(())
}

/// The first of the team's sprints sharing a day with `start..=end`, other than `except`.
pub async fn overlapping(
    tx: &mut Tx,
    team_id: i64,
    start: NaiveDate,
    end: NaiveDate,
    except: SprintId,
) -> Result<Option<(String, String, String)>> {
    Ok(on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT name, start_date, end_date FROM sprints
         WHERE team_id = $1 AND start_date <= $2 AND end_date >= $3 AND id <> $4 ORDER BY start_date LIMIT 1")
        .bind(team_id).bind(end.to_string()).bind(start.to_string()).bind(except)
        .fetch_optional(&mut **t).await)?)
}

pub struct NewSprint<'a> {
    pub product_id: i64,
    pub team_id: i64,
    pub name: &'a str,
    pub goal: &'a str,
    /// None for a sprint imported from a file that does not give its dates.
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

pub async fn insert(tx: &mut Tx, s: &NewSprint<'_>) -> Result<SprintId> {
    let id: SprintId = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO sprints (product_id, team_id, name, goal, start_date, end_date, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(s.product_id).bind(s.team_id).bind(s.name).bind(s.goal)
        .bind(s.start.map(|d| d.to_string())).bind(s.end.map(|d| d.to_string())).bind(crate::db::now())
        .fetch_one(&mut **t).await)?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO sprint_availability (sprint_id, user_id, focus_pct)
         SELECT $1, user_id, focus_pct FROM team_members WHERE team_id = $2")
        .bind(id).bind(s.team_id))?;
    Ok(id)
}

/// Writes name, goal and dates if the version still matches.
pub async fn update(
    tx: &mut Tx,
    id: SprintId,
    version: i64,
    name: &str,
    goal: &str,
    dates: Option<(NaiveDate, NaiveDate)>,
) -> Result<bool> {
    let (start, end) = (
        dates.map(|d| d.0.to_string()),
        dates.map(|d| d.1.to_string()),
    );
    let n = exec!(&mut tx.conn(), t => sqlx::query(
    "UPDATE sprints SET name = $1, goal = $2, start_date = $3, end_date = $4, version = version + 1
     WHERE id = $5 AND version = $6")
    .bind(name).bind(goal).bind(start).bind(end).bind(id).bind(version)
    )?;
    Ok(n == 1)
}

/// Bumps the sprint's version if it is still `version`: every scope change goes through this,
/// so two changes decided on the same view cannot both land.
pub async fn bump(tx: &mut Tx, id: SprintId, version: i64) -> Result<bool> {
    Ok(bump_read(id, version).run(&mut tx.conn()).await?)
}

/// [`bump`] as a statement that may share a round trip with the rest of its write.
pub fn bump_read(id: SprintId, version: i64) -> Read<bool> {
    Read::query(
        "UPDATE sprints SET version = version + 1 WHERE id = $1 AND version = $2 RETURNING id",
        vec![i64::from(id).into(), version.into()],
        |rows| Ok(rows.first::<(i64,)>()?.is_some()),
    )
}

pub async fn availability(db: &Db, sprint_id: SprintId) -> Result<Vec<Availability>> {
    Ok(availability_read(sprint_id).on(db).await?)
}

/// Each member's focus and days off in the sprint, by name; [`Availability::compute`] counts
/// the days.
pub fn availability_read(sprint_id: SprintId) -> Read<Vec<Availability>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        user_id: i64,
        name: String,
        focus_pct: i64,
        points_per_day: Option<f64>,
        days_off: String,
    }
    Read::query(
        "SELECT a.user_id, u.name, a.focus_pct, m.points_per_day, a.days_off
         FROM sprint_availability a JOIN users u ON u.id = a.user_id
         JOIN sprints s ON s.id = a.sprint_id
         LEFT JOIN team_members m ON m.team_id = s.team_id AND m.user_id = a.user_id
         WHERE a.sprint_id = $1 ORDER BY u.name",
        vec![i64::from(sprint_id).into()],
        |rows| {
            Ok(rows
                .all::<Row>()?
                .into_iter()
                .map(|r| Availability {
                    user_id: r.user_id,
                    name: r.name,
                    focus_pct: r.focus_pct,
                    points_per_day: r.points_per_day.unwrap_or(0.0),
                    days_off: serde_json::from_str(&r.days_off).unwrap_or_default(),
                    available_days: 0.0,
                })
                .collect())
        },
    )
}

pub async fn set_availability(
    tx: &mut Tx,
    sprint_id: SprintId,
    user_id: i64,
    focus_pct: i64,
    days_off: &[NaiveDate],
) -> Result<bool> {
    let off = serde_json::to_string(days_off).unwrap_or_else(|_| "[]".into());
    let n = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE sprint_availability SET focus_pct = $1, days_off = $2 WHERE sprint_id = $3 AND user_id = $4")
        .bind(focus_pct).bind(off).bind(sprint_id).bind(user_id))?;
    Ok(n == 1)
}

/// The velocity window of sprint `id`'s team (how many closed sprints its velocity averages)
/// and the team's closed sprints in it: those that started before sprint `id`, newest first,
/// with what each delivered. Sprints imported without dates count as older than every dated
/// one, newest imported first; for a sprint without dates, every closed sprint counts.
pub fn delivered_before_read(id: SprintId) -> Read<(i64, Vec<Delivered>)> {
    // By the sprint's id rather than its team and start, so that the sprint's own row can be
    // read in the same round trip; no window (0) for a sprint that is not there.
    let window = Read::query(
        "SELECT t.velocity_window FROM sprints s JOIN teams t ON t.id = s.team_id WHERE s.id = $1",
        vec![i64::from(id).into()],
        |rows| Ok(rows.first::<(i64,)>()?.map_or(0, |(w,)| w)),
    );
    let delivered = Read::query(
        "SELECT d.name, d.completed_points, d.available_days
         FROM sprints s JOIN sprints d ON d.team_id = s.team_id
         WHERE s.id = $1 AND d.state = 'closed'
           AND (s.start_date IS NULL OR d.start_date IS NULL OR d.start_date < s.start_date)
         ORDER BY d.start_date DESC NULLS LAST, d.closed_at DESC NULLS LAST, d.id DESC
         LIMIT COALESCE((SELECT t.velocity_window FROM sprints w JOIN teams t ON t.id = w.team_id
                         WHERE w.id = $1), 0)",
        vec![i64::from(id).into()],
        |rows| {
            Ok(rows
                .all::<(String, Option<Points>, Option<f64>)>()?
                .into_iter()
                .map(|(sprint, c, d)| Delivered {
                    sprint,
                    completed: c.unwrap_or_default(),
                    available_days: d.unwrap_or(0.0),
                })
                .collect())
        },
    );
    window.and(delivered)
}

pub async fn active_of_team(tx: &mut Tx, team_id: i64) -> Result<Option<String>> {
    Ok(on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT name FROM sprints WHERE team_id = $1 AND state = 'active' LIMIT 1")
        .bind(team_id).fetch_optional(&mut **t).await)?)
}

/// What a sprint had before an import moved it on (an undo puts it back).
pub struct Reopen<'a> {
    pub id: SprintId,
    pub version: i64,
    /// planned or active.
    pub state: &'a str,
    pub start_date: Option<&'a str>,
    pub end_date: Option<&'a str>,
    pub started_at: Option<DateTime<Utc>>,
    pub baseline_points: Option<Points>,
}

/// Puts a sprint back as it was before an import started or closed it, or changed its dates:
/// the figures frozen since are cleared, and a sprint back to planned has no baseline. False
/// when the sprint is no longer at `version`.
pub async fn reopen(tx: &mut Tx, r: &Reopen<'_>) -> Result<bool> {
    let n = exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE sprints SET state = $1, start_date = $2, end_date = $3, started_at = $4,
            baseline_points = $5, closed_at = NULL, added_points = NULL, removed_points = NULL,
            completed_points = NULL, say_do_points = NULL, available_days = NULL,
            alignment_frozen = NULL, version = version + 1
         WHERE id = $6 AND version = $7")
        .bind(r.state).bind(r.start_date).bind(r.end_date).bind(r.started_at).bind(r.baseline_points)
        .bind(r.id).bind(r.version))?;
    if n != 1 {
        return Ok(false);
    }
    exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE sprint_items SET outcome = NULL, frozen_priority_id = NULL,
            in_baseline = CASE WHEN $2 = 'planned' THEN FALSE ELSE in_baseline END
         WHERE sprint_id = $1")
        .bind(r.id).bind(r.state))?;
    Ok(true)
}

/// One stretch of an item in a sprint's scope.
pub struct NewSprintItem<'a> {
    pub sprint_id: SprintId,
    pub item_id: crate::ids::ItemId,
    pub points: Points,
    pub in_baseline: bool,
    pub for_goal: bool,
    pub exception: Option<&'a str>,
    pub added_by: i64,
    pub reason: Option<&'a str>,
    pub group: Option<&'a str>,
    /// Set only by an import writing a sprint it closes at once: the outcome the close will
    /// freeze, so that the close has no row to rewrite.
    pub outcome: Option<&'static str>,
}

/// Puts an item in a sprint's scope (the caller has checked it may); returns the row's id.
pub async fn insert_item(tx: &mut Tx, a: &NewSprintItem<'_>) -> Result<i64> {
    let ids = insert_items(tx, std::slice::from_ref(a)).await?;
    ids.into_iter()
        .next()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the scope row was not inserted")))
}

/// [`insert_items`] as statements that may share a round trip with the rest of their write
/// (a commit's version bump, audit row and new totals).
pub fn insert_items_read(rows: &[NewSprintItem<'_>]) -> Read<()> {
    let now = crate::db::now();
    let rows = rows
        .iter()
        .map(|a| {
            [
                i64::from(a.sprint_id).into(),
                i64::from(a.item_id).into(),
                a.points.hundredths().into(),
                a.in_baseline.into(),
                a.for_goal.into(),
                a.exception.into(),
                now.into(),
                a.added_by.into(),
                a.reason.into(),
                a.group.into(),
                a.outcome.into(),
            ]
        })
        .collect();
    Read::insert_rows(
        "INSERT INTO sprint_items (sprint_id, item_id, points, in_baseline, for_goal, exception,
                                   added_at, added_by, add_reason, change_group, outcome) VALUES",
        rows,
        CHUNK,
    )
}

/// The points in a sprint's scope now.
pub fn scope_points_read(id: SprintId) -> Read<Points> {
    Read::query(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM sprint_items WHERE sprint_id = $1 AND removed_at IS NULL",
        vec![i64::from(id).into()],
        |rows| Ok(rows.one::<(Points,)>()?.0),
    )
}

/// Scope rows added at most this many per statement: 11 columns each stays far below the
/// bound-parameter limits (32,766 on SQLite, 65,535 on PostgreSQL).
const CHUNK: usize = 400;

/// [`insert_item`] for many rows, a statement per 400 (an import fills thousands of sprints'
/// scopes); answers the new rows' ids, in no particular order.
pub async fn insert_items(tx: &mut Tx, rows: &[NewSprintItem<'_>]) -> Result<Vec<i64>> {
    let now = crate::db::now();
    let sqlite = tx.conn().is_sqlite();
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO sprint_items (sprint_id, item_id, points, in_baseline, for_goal, exception,
                                       added_at, added_by, add_reason, change_group, outcome)
             VALUES {} RETURNING id",
            crate::db::row_marks(sqlite, chunk.len(), 11)
        );
        let got: Vec<i64> = on!(&mut tx.conn(), t => {
            let mut q = sqlx::query_scalar(&sql);
            for a in chunk {
                q = q.bind(a.sprint_id).bind(a.item_id).bind(a.points).bind(a.in_baseline)
                    .bind(a.for_goal).bind(a.exception).bind(now).bind(a.added_by)
                    .bind(a.reason).bind(a.group).bind(a.outcome);
            }
            q.fetch_all(&mut **t).await
        })?;
        ids.extend(got);
    }
    Ok(ids)
}

/// Marks the sprint active and freezes the committed scope as the baseline; returns its points.
/// `started_at` is now in the sprint room; an import gives the file's start (or none).
pub async fn start(
    tx: &mut Tx,
    id: SprintId,
    version: i64,
    started_at: Option<DateTime<Utc>>,
) -> Result<Points> {
    // Only the rows not yet committed: on PostgreSQL every row an UPDATE names is rewritten,
    // and an import writes its started sprints' rows committed already.
    exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE sprint_items SET in_baseline = TRUE
         WHERE sprint_id = $1 AND removed_at IS NULL AND NOT in_baseline")
        .bind(id))?;
    let baseline: Points = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM sprint_items WHERE sprint_id = $1 AND removed_at IS NULL")
        .bind(id).fetch_one(&mut **t).await)?;
    let n = exec!(&mut tx.conn(), t => sqlx::query(
    "UPDATE sprints SET state = 'active', started_at = $1, baseline_points = $2, version = version + 1
     WHERE id = $3 AND version = $4")
    .bind(started_at).bind(baseline).bind(id).bind(version)
    )?;
    if n != 1 {
        return Err(Error::Conflict(
            "the sprint changed while starting; reload".into(),
        ));
    }
    Ok(baseline)
}

/// At close, freezes the sprint's alignment (PRODUCT.md, Definitions): the priority each item
/// in scope served in `quarter`, and the quarter's priorities and allowance as JSON
/// (`{"priorities": [[id, title], …], "allowance_pct": n}`), so that a later priority change
/// never rewrites a closed sprint's score. A sprint without dates is in no quarter: it serves
/// no priority.
pub async fn freeze_alignment(
    tx: &mut Tx,
    sprint_id: SprintId,
    product_id: i64,
    quarter: Option<&str>,
) -> Result<()> {
    // Only the rows whose priority differs: most serve none, and on PostgreSQL every row an
    // UPDATE names is rewritten (an import closes sprints of hundreds of items).
    let served = "(SELECT COALESCE(pi.priority_id, ppi.priority_id) FROM items i
               LEFT JOIN items par ON par.id = i.parent_id
               LEFT JOIN priority_initiatives pi ON pi.initiative_id = i.initiative_id AND pi.quarter = $2
               LEFT JOIN priority_initiatives ppi ON i.initiative_id IS NULL AND ppi.initiative_id = par.initiative_id AND ppi.quarter = $2
              WHERE i.id = sprint_items.item_id)";
    Read::exec(
        format!(
            "UPDATE sprint_items SET frozen_priority_id = {served}
             WHERE sprint_id = $1 AND frozen_priority_id IS DISTINCT FROM {served}"
        ),
        vec![i64::from(sprint_id).into(), quarter.into()],
    )
    .run(&mut tx.conn())
    .await?;
    let priorities: Vec<(i64, String)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT id, title FROM priorities WHERE product_id = $1 AND quarter = $2 ORDER BY rank")
        .bind(product_id).bind(quarter).fetch_all(&mut **t).await)?;
    let allowance: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT unaligned_allowance_pct FROM products WHERE id = $1")
        .bind(product_id).fetch_one(&mut **t).await)?;
    let frozen = serde_json::json!({"priorities": priorities, "allowance_pct": allowance});
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE sprints SET alignment_frozen = $1 WHERE id = $2")
        .bind(frozen.to_string()).bind(sprint_id))?;
    Ok(())
}
