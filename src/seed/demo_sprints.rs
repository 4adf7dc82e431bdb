//! Demo history for the Scrum cycle: a team, four closed sprints, a running one and the next,
//! with retrospectives. Everything goes through the same services as the UI; afterwards the
//! timestamps are moved back into each sprint's own days, so burndowns, velocity and cycle
//! times look as they would after two months of real use.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::auth::store::User;
use crate::backlog::input::NewItem;
use crate::backlog::service as items;
use crate::db::Db;
use crate::ids::{ItemId, SprintId};
use crate::points::Points;
use crate::retro::store as retro;
use crate::sprint::review::{self, VerdictInput};
use crate::sprint::scope::{self, ScopeChange};
use crate::sprint::service::{self as sprints, Schedule};
use crate::sprint::{board, team};
use crate::workspace::ProductCtx;
use crate::{exec, on};

use super::e;

pub struct Cast<'a> {
    pub po: (&'a User, &'a ProductCtx),
    pub sm: (&'a User, &'a ProductCtx),
    pub devs: [(&'a User, &'a ProductCtx); 2],
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

/// A ready story, estimated by a developer.
async fn story(db: &Db, c: &Cast<'_>, title: &str, points: i64) -> anyhow::Result<String> {
    let (po, ctx) = c.po;
    let item = items::create(
        db,
        po,
        ctx,
        NewItem {
            kind: "story".into(),
            title: title.into(),
            persona: "new admin".into(),
            goal: title.to_lowercase(),
            benefit: "my team gets going in the first week".into(),
            criteria: vec![
                format!(
                    "Given a new workspace When I {} Then it is saved",
                    title.to_lowercase()
                ),
                "Given a slow network When the page loads Then it answers within 2 seconds".into(),
            ],
            ..NewItem::default()
        },
    )
    .await
    .map_err(e)?;
    let (dev, dctx) = c.devs[0];
    items::update(
        db,
        dev,
        dctx,
        &item.key,
        item.version,
        crate::backlog::input::ItemPatch {
            points: Some(Some(Points::whole(points))),
            ..Default::default()
        },
    )
    .await
    .map_err(e)?;
    Ok(item.key)
}

async fn item_id(db: &Db, ctx: &ProductCtx, key: &str) -> anyhow::Result<ItemId> {
    Ok(crate::backlog::store::row_by_key(db, ctx.workspace.id, key)
        .await
        .map_err(e)?
        .id)
}

/// Moves a card through the columns, then dates its status history at `days` into the sprint.
async fn work(
    db: &Db,
    c: &Cast<'_>,
    sprint: SprintId,
    key: &str,
    start: NaiveDate,
    days: &[i64],
) -> anyhow::Result<()> {
    let (dev, dctx) = c.devs[(key.len() + days.len()) % 2];
    let steps = ["in_progress", "in_review", "done"];
    for s in steps.iter().take(days.len()) {
        board::move_card(db, dev, dctx, sprint, key, s)
            .await
            .map_err(e)?;
    }
    let id = item_id(db, dctx, key).await?;
    let events: Vec<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT id FROM item_status_events WHERE item_id = $1 AND status <> 'todo' ORDER BY id DESC LIMIT $2")
        .bind(id).bind(days.len() as i64).fetch_all(&mut **c).await)?;
    let mut tx = db.begin().await?;
    // Whoever works a card is on it, so the board shows a face on each card in flight.
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET assignee_id = $1 WHERE id = $2 AND assignee_id IS NULL")
        .bind(dev.id).bind(id))?;
    for (ev, d) in events.iter().rev().zip(days) {
        let when = at(start + Duration::days(*d), 10 + (*d as u32 % 6));
        exec!(&mut tx.conn(), t => sqlx::query("UPDATE item_status_events SET at = $1 WHERE id = $2")
            .bind(when).bind(*ev))?;
        exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET updated_at = $1 WHERE id = $2")
            .bind(when).bind(id))?;
    }
    tx.commit().await?;
    Ok(())
}

async fn backdate_sprint(
    db: &Db,
    sprint: SprintId,
    start: NaiveDate,
    end: NaiveDate,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let started = at(start, 9);
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE sprints SET started_at = $1, closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE $2 END WHERE id = $3")
        .bind(started).bind(at(end, 16)).bind(sprint))?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE sprint_items SET added_at = $1 WHERE sprint_id = $2 AND in_baseline")
        .bind(at(start - Duration::days(3), 14)).bind(sprint))?;
    // Items were written today; their first "to do" belongs before the sprint.
    exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE item_status_events SET at = $1 WHERE status = 'todo' AND item_id IN (SELECT item_id FROM sprint_items WHERE sprint_id = $2)")
        .bind(at(start - Duration::days(5), 10)).bind(sprint))?;
    tx.commit().await?;
    Ok(())
}

/// Dates the sprint's scope changes on the given day of the sprint.
async fn backdate_changes(db: &Db, sprint: SprintId, day: NaiveDate) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE sprint_items SET added_at = $1 WHERE sprint_id = $2 AND NOT in_baseline")
        .bind(at(day, 11)).bind(sprint))?;
    exec!(&mut tx.conn(), t => sqlx::query("UPDATE sprint_items SET removed_at = $1 WHERE sprint_id = $2 AND removed_at IS NOT NULL")
        .bind(at(day, 11)).bind(sprint))?;
    tx.commit().await?;
    Ok(())
}

async fn accept_all(
    db: &Db,
    c: &Cast<'_>,
    sprint: SprintId,
    keys: &[String],
    failed: Option<&str>,
) -> anyhow::Result<()> {
    let (po, ctx) = c.po;
    for k in keys {
        let pass = Some(k.as_str()) != failed;
        let v = [
            VerdictInput {
                position: 1,
                pass: true,
                note: String::new(),
            },
            VerdictInput {
                position: 2,
                pass,
                note: if pass {
                    String::new()
                } else {
                    "slow on the 3G profile".into()
                },
            },
        ];
        let call = review::Call {
            verdicts: &v,
            carry: None,
            accept_reason: None,
        };
        review::record_verdicts(db, po, ctx, sprint, k, call)
            .await
            .map_err(e)?;
    }
    Ok(())
}

pub async fn seed(db: &Db, c: &Cast<'_>) -> anyhow::Result<()> {
    let (sm, smctx) = c.sm;
    let (po, ctx) = c.po;
    let core = team::create(db, sm, smctx, "Core").await.map_err(e)?;
    for (email, ppd, focus) in [
        ("dev@throughline.local", 1.5, 90),
        ("priya@throughline.local", 1.2, 100),
        ("sam@throughline.local", 0.3, 50),
    ] {
        team::set_member(db, sm, smctx, core.id, email, ppd, focus)
            .await
            .map_err(e)?;
    }
    let wip = team::WipLimits {
        todo: None,
        in_progress: Some(3),
        in_review: Some(2),
    };
    let v = team::get(db, smctx, core.id).await.map_err(e)?.version;
    team::update(
        db,
        sm,
        smctx,
        core.id,
        v,
        team::TeamPatch {
            name: None,
            velocity_window: None,
            wip: Some(wip),
        },
    )
    .await
    .map_err(e)?;

    // The clock the rest of the demo reads (THROUGHLINE_TODAY fixes it), so a fixed day
    // gives the same sprints every time.
    let today = crate::calendar::today();
    let this_monday = today - Duration::days(today.weekday().num_days_from_monday() as i64);
    // The running sprint is half-way: started last week early in the week, this week otherwise.
    let active_start = if today.weekday().num_days_from_monday() < 3 {
        this_monday - Duration::days(7)
    } else {
        this_monday
    };
    // Closed sprints: (points of each story, index of the story left unfinished, a failed one, goal met).
    let history: [(&[i64], &str, bool); 4] = [
        (&[5, 3, 8, 2, 3], "Workspace basics", true),
        (&[8, 5, 3, 5], "Invitations that land", false),
        (&[3, 5, 5, 2, 3, 2], "A first project in five minutes", true),
        (&[8, 8, 3, 2], "Import without retyping", true),
    ];
    let titles = [
        "Create a workspace",
        "Name the first project",
        "Pick a template",
        "Invite by link",
        "Resend an invite",
        "Set the time zone",
        "Upload a logo",
        "Choose a plan",
        "Connect Slack",
        "Map Jira fields",
        "Preview an import",
        "Undo an import",
        "Welcome tour",
        "Skip the tour",
        "Sample data",
        "Clear sample data",
        "Keyboard tour",
        "Dark mode for setup",
        "Help links",
        "Progress bar",
    ];
    let mut t = 0;
    for (n, (points, goal, goal_met)) in history.iter().enumerate() {
        let start = active_start - Duration::days(14 * (4 - n as i64));
        let end = start + Duration::days(13);
        let s = sprints::create(
            db,
            sm,
            smctx,
            Schedule {
                team_id: core.id,
                name: format!("Sprint {}", n + 1),
                goal: goal.to_string(),
                start: start.to_string(),
                end: end.to_string(),
            },
        )
        .await
        .map_err(e)?;
        let mut keys = Vec::new();
        for p in points.iter() {
            keys.push(story(db, c, titles[t % titles.len()], *p).await?);
            t += 1;
        }
        crate::governance::scope::commit(
            db,
            po,
            ctx,
            s.id,
            None,
            scope::Commit {
                keys: &keys,
                for_goal: true,
                exception: None,
            },
        )
        .await
        .map_err(e)?;
        let s = sprints::start(
            db,
            sm,
            smctx,
            s.id,
            sprints::get(db, ctx, s.id).await.map_err(e)?.version,
        )
        .await
        .map_err(e)?;
        // Mid-sprint, one bug comes in (and in sprint 2 a story goes out for it).
        let bug = story(db, c, &format!("Hotfix {}", n + 1), 2).await?;
        let out = (n == 1).then(|| keys[0].clone());
        let change = ScopeChange {
            add: Some(bug.clone()),
            remove: out.clone(),
            reason: "a customer-facing bug from support".into(),
            ..Default::default()
        };
        crate::governance::scope::change_scope(db, po, ctx, s.id, s.version, &change, true)
            .await
            .map_err(e)?;
        backdate_sprint(db, s.id, start, end).await?;
        backdate_changes(db, s.id, start + Duration::days(4)).await?;
        let mut done: Vec<String> = keys
            .iter()
            .filter(|k| Some(*k) != out.as_ref())
            .cloned()
            .collect();
        done.push(bug);
        // The last story of each sprint is left unfinished; the rest finish across the days.
        let unfinished = done.remove(done.len() - 2);
        for (i, k) in done.iter().enumerate() {
            let d = 1 + (i as i64 * 9) / done.len().max(1) as i64;
            work(db, c, s.id, k, start, &[d, d + 1, (d + 2).min(11)]).await?;
        }
        work(db, c, s.id, &unfinished, start, &[8]).await?;
        let failed = (n == 2).then(|| done[1].as_str());
        accept_all(db, c, s.id, &done, failed).await?;
        review::record_goal(db, po, ctx, s.id, *goal_met)
            .await
            .map_err(e)?;
        let v = sprints::get(db, ctx, s.id).await.map_err(e)?.version;
        review::close(db, sm, smctx, s.id, v).await.map_err(e)?;
        exec!(&mut db.writer().await?.conn(), c => sqlx::query("UPDATE sprints SET closed_at = $1 WHERE id = $2").bind(at(end, 16)).bind(s.id))?;
        if n >= 2 {
            retro::open(db, sm, smctx, s.id, 3).await.map_err(e)?;
            let (dev, dctx) = c.devs[0];
            let (dev2, dctx2) = c.devs[1];
            let good = retro::add_entry(
                db,
                dev,
                dctx,
                s.id,
                "went_well",
                "Pairing on the import mapping",
            )
            .await
            .map_err(e)?;
            let slow = retro::add_entry(
                db,
                dev2,
                dctx2,
                s.id,
                "to_improve",
                "Reviews waited two days",
            )
            .await
            .map_err(e)?;
            retro::add_entry(
                db,
                sm,
                smctx,
                s.id,
                "idea",
                "A review rota with a daily slot",
            )
            .await
            .map_err(e)?;
            retro::vote(db, dev, dctx, s.id, slow, true)
                .await
                .map_err(e)?;
            retro::vote(db, dev2, dctx2, s.id, slow, true)
                .await
                .map_err(e)?;
            retro::vote(db, dev2, dctx2, s.id, good, true)
                .await
                .map_err(e)?;
            let text = if n == 2 {
                "Set up a review rota"
            } else {
                "Time-box reviews to one working day"
            };
            retro::add_action(
                db,
                sm,
                smctx,
                s.id,
                text,
                "dev@throughline.local",
                Some(slow),
            )
            .await
            .map_err(e)?;
        }
    }

    // The running sprint: started last Monday, a swap on Wednesday, cards across the board.
    let end = active_start + Duration::days(13);
    let s = sprints::create(
        db,
        sm,
        smctx,
        Schedule {
            team_id: core.id,
            name: "Sprint 5".into(),
            goal: "Admins finish setup without help".into(),
            start: active_start.to_string(),
            end: end.to_string(),
        },
    )
    .await
    .map_err(e)?;
    let mut keys = Vec::new();
    for (title, p) in [
        ("Setup checklist shows progress", 5),
        ("Resume setup where I left", 3),
        ("Checklist e-mail digest", 3),
        ("Admin can skip a step", 2),
        ("Explain each setup step", 5),
    ] {
        keys.push(story(db, c, title, p).await?);
    }
    crate::governance::scope::commit(
        db,
        po,
        ctx,
        s.id,
        None,
        scope::Commit {
            keys: &keys[..4],
            for_goal: true,
            exception: None,
        },
    )
    .await
    .map_err(e)?;
    crate::governance::scope::commit(
        db,
        po,
        ctx,
        s.id,
        None,
        scope::Commit {
            keys: &keys[4..],
            for_goal: false,
            exception: None,
        },
    )
    .await
    .map_err(e)?;
    let v = sprints::get(db, ctx, s.id).await.map_err(e)?.version;
    let s = sprints::start(db, sm, smctx, s.id, v).await.map_err(e)?;
    let bug = story(db, c, "Checklist crashes on Safari", 3).await?;
    let swap = ScopeChange {
        add: Some(bug.clone()),
        remove: Some(keys[2].clone()),
        reason: "Safari users cannot finish setup; the digest can wait".into(),
        ..Default::default()
    };
    crate::governance::scope::change_scope(db, po, ctx, s.id, s.version, &swap, true)
        .await
        .map_err(e)?;
    backdate_sprint(db, s.id, active_start, end).await?;
    backdate_changes(db, s.id, active_start + Duration::days(2)).await?;
    let elapsed = (today - active_start).num_days();
    let plan: [(&String, &[i64]); 4] = [
        (&keys[0], &[1, 2, 3]),
        (&bug, &[2, 3]),
        (&keys[1], &[4]),
        (&keys[3], &[3, 6, 7]),
    ];
    for (k, days) in plan {
        let days: Vec<i64> = days.iter().copied().filter(|d| *d <= elapsed).collect();
        if !days.is_empty() {
            work(db, c, s.id, k, active_start, &days).await?;
        }
    }

    // The next sprint, planned with the top of the backlog.
    let next_start = end + Duration::days(1);
    let next = sprints::create(
        db,
        sm,
        smctx,
        Schedule {
            team_id: core.id,
            name: "Sprint 6".into(),
            goal: "Imports from Jira keep their sprints".into(),
            start: next_start.to_string(),
            end: (next_start + Duration::days(13)).to_string(),
        },
    )
    .await
    .map_err(e)?;
    crate::governance::scope::commit(
        db,
        po,
        ctx,
        next.id,
        None,
        scope::Commit {
            keys: &[keys[2].clone()],
            for_goal: false,
            exception: None,
        },
    )
    .await
    .map_err(e)?;
    Ok(())
}

/// Links most of the sprints' stories to the initiatives that serve this quarter's priorities,
/// leaving some unaligned, so the alignment page has a story to tell.
pub async fn link_to_strategy(db: &Db, product_id: i64) -> anyhow::Result<()> {
    let quarter = crate::strategy::Quarter::of(crate::calendar::today()).to_string();
    let initiatives: Vec<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT pi.initiative_id FROM priority_initiatives pi JOIN priorities p ON p.id = pi.priority_id
         WHERE p.product_id = $1 AND pi.quarter = $2 ORDER BY p.rank")
        .bind(product_id).bind(&quarter).fetch_all(&mut **c).await)?;
    if initiatives.is_empty() {
        return Ok(());
    }
    let items: Vec<(i64, i64)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT DISTINCT i.id, i.number FROM items i JOIN sprint_items si ON si.item_id = i.id
         WHERE i.product_id = $1 AND i.initiative_id IS NULL ORDER BY i.number")
        .bind(product_id).fetch_all(&mut **c).await)?;
    let mut tx = db.begin().await?;
    for (id, number) in items {
        // Three in five go to the top priority's initiative, one to the next, one stays unaligned.
        let pick = match number % 5 {
            0 | 1 | 3 => initiatives.first(),
            4 => initiatives.get(1).or(initiatives.first()),
            _ => None,
        };
        if let Some(init) = pick {
            exec!(&mut tx.conn(), t => sqlx::query("UPDATE items SET initiative_id = $1 WHERE id = $2")
                .bind(*init).bind(id))?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// A PM override and a PO exemption, so the governance pages have something to show.
pub async fn governance_demo(db: &Db, pm: &User, ctx: &ProductCtx) -> anyhow::Result<()> {
    let sprints = sprints::list(db, ctx, None).await.map_err(e)?;
    let Some(active) = sprints.iter().find(|s| s.state == "active") else {
        return Ok(());
    };
    let backlog: Vec<(i64, i64)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT i.number, i.id FROM items i WHERE i.product_id = $1 AND i.status = 'todo' AND i.ready
         AND NOT EXISTS (SELECT 1 FROM sprint_items si WHERE si.item_id = i.id AND si.removed_at IS NULL) ORDER BY i.rank LIMIT 2")
        .bind(ctx.product.id).fetch_all(&mut **c).await)?;
    if let Some((n, _)) = backlog.first() {
        let change = ScopeChange {
            add: Some(format!("{}-{n}", ctx.product.key)),
            reason: "a launch customer needs it this sprint".into(),
            override_reason: Some(
                "the enterprise pilot starts next week; the board asked for it".into(),
            ),
            exception: Some("agreed with the team".into()),
            ..Default::default()
        };
        crate::governance::scope::change_scope(
            db,
            pm,
            ctx,
            active.id,
            active.version,
            &change,
            true,
        )
        .await
        .map_err(e)?;
    }
    if let Some((n, _)) = backlog.get(1) {
        crate::governance::tiers::exempt(
            db,
            pm,
            ctx,
            &format!("{}-{n}", ctx.product.key),
            "a fix promised to support; it serves no priority",
        )
        .await
        .map_err(e)?;
    }
    Ok(())
}
