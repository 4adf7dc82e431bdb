//! Demo data for a first look, and deterministic datasets for the benchmark and the tests
//! (`--scale tiny|large|huge`), written through the bulk SQL path.

mod demo_flow;
pub mod demo_sprints;
pub mod demo_strategy;
mod demo_strategy_more;
mod scale_sprints;
mod scale_strategy;

use clap::ValueEnum;
use serde_json::json;

use crate::auth::store as accounts;
use crate::auth::Role;
use crate::backlog::input::NewItem;
use crate::backlog::{rank, service};
use crate::db::{now, Db};
use crate::points::Points;
use crate::story::questions;
use crate::story::readiness::{assess, ItemFacts, ReadyRules};
use crate::workspace::store as ws;
use crate::{exec, on};

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Scale {
    /// 2 products × 1,500 items and 4 teams: the bulk path at a size the test suite runs.
    Tiny,
    /// 20 products × 5,000 items, 50 teams, 1,750 sprints: what the benchmark measures.
    Large,
    /// 20 products × 50,000 items: reads must stay within 2× of large.
    Huge,
}

/// How much a scale seeds.
struct Shape {
    products: usize,
    per_product: usize,
    members: usize,
    teams: usize,
}

impl Scale {
    fn shape(self) -> Shape {
        match self {
            // Items up to 1,300 fill the seeded sprints, so a product needs more than that.
            Scale::Tiny => Shape {
                products: 2,
                per_product: 1_500,
                members: 20,
                teams: 4,
            },
            Scale::Large => Shape {
                products: 20,
                per_product: 5_000,
                members: 250,
                teams: 50,
            },
            Scale::Huge => Shape {
                products: 20,
                per_product: 50_000,
                members: 250,
                teams: 50,
            },
        }
    }
}

pub const DEMO_EMAIL: &str = "demo@throughline.local";
pub const DEMO_PASSWORD: &str = "throughline-demo";

fn e(err: crate::error::Error) -> anyhow::Error {
    anyhow::anyhow!("{err}")
}

/// Title, persona, goal, benefit, criteria, labels.
type DemoStory = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// Seeds a small, realistic workspace when the database has no accounts yet.
pub async fn demo_if_empty(db: &Db) -> anyhow::Result<Option<(String, String)>> {
    let users: i64 = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut **c).await)?;
    if users > 0 {
        return Ok(None);
    }
    demo(db).await.map(Some)
}

/// The demo workspace `demo` and its people (whose e-mails end in `@throughline.local`);
/// answers the demo login. The first-run setup loads it beside a real workspace.
pub async fn demo(db: &Db) -> anyhow::Result<(String, String)> {
    let demo = accounts::create_user(db, DEMO_EMAIL, "Dana Demo", DEMO_PASSWORD)
        .await
        .map_err(e)?;
    let dev = accounts::create_user(db, "dev@throughline.local", "Devi Developer", DEMO_PASSWORD)
        .await
        .map_err(e)?;
    let w = ws::create_workspace(db, &demo, "demo", "Demo Company")
        .await
        .map_err(e)?;
    ws::add_member(db, &demo, &w, true, &dev.email, false)
        .await
        .map_err(e)?;
    let p = ws::create_product(
        db,
        &demo,
        &w,
        true,
        "ONB",
        "Onboarding",
        "Get new customers to their first success",
    )
    .await
    .map_err(e)?;
    let admin_ctx = ws::product_ctx(db, demo.id, "demo", "ONB")
        .await
        .map_err(e)?;
    ws::set_roles(db, &demo, &admin_ctx, demo.id, &[Role::Pm, Role::Po])
        .await
        .map_err(e)?;
    ws::set_roles(db, &demo, &admin_ctx, dev.id, &[Role::Dev])
        .await
        .map_err(e)?;
    let po = ws::product_ctx(db, demo.id, "demo", &p.key)
        .await
        .map_err(e)?;
    let devctx = ws::product_ctx(db, dev.id, "demo", &p.key)
        .await
        .map_err(e)?;
    let stories: &[DemoStory] = &[
        ("Sign up with a work e-mail", "new admin", "sign up with my work e-mail", "my team can join the same workspace",
         &["Given a work e-mail When I sign up Then a workspace named after my domain is created", "Given a personal e-mail When I sign up Then I am asked for a company name"], &["signup"]),
        ("Invite teammates from the welcome screen", "new admin", "invite up to 20 teammates at once", "we start working together on day one",
         &["Given 20 addresses When I send invites Then each address gets one e-mail within 1 minute"], &["signup", "growth"]),
        ("Import a Jira CSV during onboarding", "product owner", "import our Jira backlog", "I do not retype 400 stories",
         &["Given a Jira CSV export When I import it Then every issue appears with its key, points and sprint"], &["import"]),
        ("Make the setup checklist fast and easy", "new admin", "a quick and easy checklist", "setup is user-friendly",
         &["It works well"], &["ux"]),
        ("Empty states explain the next step", "new user", "see what to do on empty pages", "I am never stuck",
         &["Given an empty backlog When I open it Then I see a button that adds the first item"], &["ux"]),
        ("Export and import and share onboarding reports", "account manager", "export and import and share reports", "customers see their progress",
         &[], &["reports"]),
    ];
    for (title, persona, goal, benefit, criteria, labels) in stories {
        service::create(
            db,
            &demo,
            &po,
            NewItem {
                kind: "story".into(),
                title: (*title).into(),
                persona: (*persona).into(),
                goal: (*goal).into(),
                benefit: (*benefit).into(),
                criteria: criteria.iter().map(|s| s.to_string()).collect(),
                labels: labels.iter().map(|s| s.to_string()).collect(),
                ..NewItem::default()
            },
        )
        .await
        .map_err(e)?;
    }
    service::create(db, &demo, &po, NewItem { kind: "bug".into(), title: "Welcome e-mail links to a 404".into(),
        description: "The **Get started** link in the welcome e-mail points to `/start`, which no longer exists.".into(),
        criteria: vec!["Given a new account When the welcome e-mail arrives Then its link opens the setup checklist".into()],
        ..NewItem::default() }).await.map_err(e)?;
    service::create(
        db,
        &demo,
        &po,
        NewItem {
            kind: "spike".into(),
            title: "How long does a 10,000-issue Jira import take?".into(),
            ..NewItem::default()
        },
    )
    .await
    .map_err(e)?;
    // The developer estimates and asks, as they would in refinement; the spike is half a point.
    for (key, points) in [
        ("ONB-1", Points::whole(3)),
        ("ONB-2", Points::whole(5)),
        ("ONB-3", Points::whole(8)),
        ("ONB-5", Points::whole(2)),
        ("ONB-7", Points::from_hundredths(50)),
    ] {
        let v = service::get(db, &devctx, key).await.map_err(e)?.version;
        service::update(
            db,
            &dev,
            &devctx,
            key,
            v,
            crate::backlog::input::ItemPatch {
                points: Some(Some(points)),
                ..Default::default()
            },
        )
        .await
        .map_err(e)?;
    }
    service::link(db, &demo, &po, "ONB-1", "ONB-2", false)
        .await
        .map_err(e)?;
    let open = questions::ask(
        db,
        &dev,
        &devctx,
        "ONB-3",
        "Should sprints from the CSV become our sprints, or only be kept as labels?",
    )
    .await
    .map_err(e)?;
    // A thread to read: a follow-up on the open question, and a comment with a mention.
    crate::story::comments::add(
        db,
        &dev,
        &devctx,
        "ONB-3",
        "Closed sprints would give us velocity history from day one.",
        Some(open.id),
    )
    .await
    .map_err(e)?;
    crate::story::comments::add(
        db,
        &demo,
        &po,
        "ONB-3",
        "@dev the first customer's export has 12 sprints; I attached it to the research source.",
        None,
    )
    .await
    .map_err(e)?;
    let q = questions::ask(db, &dev, &devctx, "ONB-2", "Do invites expire?")
        .await
        .map_err(e)?;
    questions::answer(
        db,
        &demo,
        &po,
        "ONB-2",
        q.id,
        q.version,
        "Yes, after 7 days; the admin can resend.",
    )
    .await
    .map_err(e)?;
    // Answer times that read like a real team's: the answered question waited most of a
    // working day, the open one has waited two days (the PO's Overview flags it).
    let at = now();
    let hours = |h: i64| at - chrono::Duration::hours(h);
    exec!(&mut db.writer().await?.conn(), c => sqlx::query("UPDATE questions SET asked_at = $1, answered_at = $2 WHERE id = $3")
        .bind(hours(53)).bind(hours(47)).bind(q.id))?;
    exec!(&mut db.writer().await?.conn(), c => sqlx::query("UPDATE questions SET asked_at = $1 WHERE id = $2")
        .bind(hours(50)).bind(open.id))?;
    demo_scrum(db, &demo, &w, &dev, &devctx).await?;
    // Strategy (S0–S10)
    demo_strategy::demo(db, &demo, &po).await?;
    demo_sprints::link_to_strategy(db, po.product.id).await?;
    demo_sprints::governance_demo(db, &demo, &po).await?;
    // A second product, run in flow (E11), so a first start shows both cadences.
    demo_flow::seed(db, &demo, &w).await?;
    // Seeding replays months of work as notifications; a first start should show each person
    // the latest news unread, not a hundred, with the rest kept in the inbox as read.
    exec!(&mut db.writer().await?.conn(), c => sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE read_at IS NULL AND id NOT IN (
            SELECT n.id FROM notifications n WHERE n.user_id = notifications.user_id ORDER BY n.id DESC LIMIT 8)")
        .bind(crate::db::now()))?;
    spread_inbox_times(db).await?;
    Ok((DEMO_EMAIL.to_string(), DEMO_PASSWORD.to_string()))
}

/// Seeding writes every notification in the same second, so the inbox would read as one day's
/// news. Each person's are spread back in time, newest first: the unread eight over the last
/// hours, the rest every seven hours before that (a month for a hundred).
async fn spread_inbox_times(db: &Db) -> crate::error::Result<()> {
    let rows: Vec<(i64, i64)> = on!(&mut db.reader().await?.conn(), c => sqlx::query_as(
        "SELECT id, user_id FROM notifications ORDER BY user_id, id DESC")
        .fetch_all(&mut **c).await)?;
    let at = now();
    let mut tx = db.begin().await?;
    let mut c = tx.conn();
    let (mut user, mut rank) = (None, 0i64);
    for (id, uid) in rows {
        rank = if user == Some(uid) { rank + 1 } else { 0 };
        user = Some(uid);
        let ago = if rank < 8 {
            chrono::Duration::minutes(25 + rank * rank * 20)
        } else {
            chrono::Duration::hours(24 + (rank - 8) * 7)
        };
        crate::exec!(&mut c, t => sqlx::query("UPDATE notifications SET created_at = $1 WHERE id = $2")
            .bind(at - ago).bind(id))?;
    }
    tx.commit().await?;
    Ok(())
}

/// A Scrum Master and a second developer join, and the team gets two months of sprints.
async fn demo_scrum(
    db: &Db,
    demo: &accounts::User,
    w: &crate::workspace::Workspace,
    dev: &accounts::User,
    devctx: &crate::workspace::ProductCtx,
) -> anyhow::Result<()> {
    let sam = accounts::create_user(db, "sam@throughline.local", "Sam Scrum", DEMO_PASSWORD)
        .await
        .map_err(e)?;
    let priya = accounts::create_user(db, "priya@throughline.local", "Priya Patel", DEMO_PASSWORD)
        .await
        .map_err(e)?;
    let admin_ctx = ws::product_ctx(db, demo.id, "demo", "ONB")
        .await
        .map_err(e)?;
    for (u, role) in [(&sam, Role::Sm), (&priya, Role::Dev)] {
        ws::add_member(db, demo, w, true, &u.email, false)
            .await
            .map_err(e)?;
        ws::set_roles(db, demo, &admin_ctx, u.id, &[role])
            .await
            .map_err(e)?;
    }
    let po = ws::product_ctx(db, demo.id, "demo", "ONB")
        .await
        .map_err(e)?;
    let smctx = ws::product_ctx(db, sam.id, "demo", "ONB")
        .await
        .map_err(e)?;
    let pctx = ws::product_ctx(db, priya.id, "demo", "ONB")
        .await
        .map_err(e)?;
    let cast = demo_sprints::Cast {
        po: (demo, &po),
        sm: (&sam, &smctx),
        devs: [(dev, devctx), (&priya, &pctx)],
    };
    demo_sprints::seed(db, &cast).await
}

/// Deterministic pseudo-random numbers, so every run seeds the same dataset.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const PERSONAS: [&str; 5] = [
    "admin",
    "product owner",
    "developer",
    "account manager",
    "new user",
];
const GOALS: [&str; 6] = [
    "export the audit log",
    "invite my team",
    "import a Jira backlog",
    "see sprint progress",
    "filter the backlog by label",
    "answer open questions",
];
const LABELS: [&str; 6] = ["api", "ux", "growth", "import", "billing", "reports"];

/// `(…),(…)` placeholders for a multi-row insert: see [`crate::db::row_marks`].
pub(super) fn values(db: &Db, rows: usize, cols: usize) -> String {
    crate::db::row_marks(db.is_sqlite(), rows, cols)
}

/// The products, items (2 criteria each), members, teams and sprints of a [`Scale`].
pub async fn scale_dataset(db: &Db, scale: Scale) -> anyhow::Result<usize> {
    let shape = scale.shape();
    let per_product = shape.per_product;
    let owner = match accounts::find_by_email(db, "bench@example.com").await? {
        Some(u) => u,
        None => accounts::create_user(db, "bench@example.com", "Bench Owner", "bench-password-1")
            .await
            .map_err(e)?,
    };
    let w = ws::create_workspace(db, &owner, "bench", "Bench Inc")
        .await
        .map_err(e)?;
    // One Argon2 hash for every member: hashing 250 passwords would dominate the seed time.
    let hash = crate::auth::hash_password("bench-password-1")?;
    // The members in two statements rather than two per member (round trips add up on
    // PostgreSQL). Both databases number the rows of one INSERT in the order of its VALUES.
    let mut tx = db.begin().await?;
    let others = shape.members - 1;
    let sql = format!(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES {}",
        values(db, others, 4)
    );
    let at = now();
    on!(&mut tx.conn(), t => {
        let mut q = sqlx::query(&sql);
        for m in 0..others {
            q = q.bind(format!("member{m}@example.com")).bind(format!("Member {m}")).bind(&hash).bind(at);
        }
        q.execute(&mut **t).await.map(|r| r.rows_affected())
    })?;
    let ids: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE 'member%@example.com' ORDER BY id")
        .fetch_all(&mut **t).await)?;
    let sql = format!(
        "INSERT INTO workspace_members (workspace_id, user_id, is_admin) VALUES {}",
        values(db, ids.len(), 3)
    );
    on!(&mut tx.conn(), t => {
        let mut q = sqlx::query(&sql);
        for uid in &ids {
            q = q.bind(w.id).bind(*uid).bind(false);
        }
        q.execute(&mut **t).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    let mut members = vec![owner.id];
    members.extend(ids);
    let rules = ReadyRules::default();
    let ranks = rank::spread(per_product);
    let mut rng = Lcg(42);
    let mut total = 0;
    let mut products = Vec::new();
    for pi in 1..=shape.products {
        let p = ws::create_product(
            db,
            &owner,
            &w,
            true,
            &format!("P{pi:02}"),
            &format!("Product {pi:02}"),
            "benchmark product",
        )
        .await
        .map_err(e)?;
        let ctx = ws::product_ctx(db, owner.id, "bench", &p.key)
            .await
            .map_err(e)?;
        ws::set_roles(
            db,
            &owner,
            &ctx,
            owner.id,
            &[Role::Pm, Role::Po, Role::Sm, Role::Dev],
        )
        .await
        .map_err(e)?;
        products.push(p.id);
        let mut tx = db.begin().await?;
        let initiatives = scale_strategy::initiatives(&mut tx, pi - 1, p.id).await?;
        let at = now();
        for chunk_start in (0..per_product).step_by(500) {
            let chunk_end = (chunk_start + 500).min(per_product);
            let mut sql = String::from("INSERT INTO items (product_id, number, kind, title, description, persona, goal, benefit, points, status, rank, ready, readiness, created_by, created_at, updated_at, initiative_id) VALUES ");
            let mut rows = Vec::new();
            for (i, rank) in ranks.iter().enumerate().take(chunk_end).skip(chunk_start) {
                let number = i as i64 + 1;
                let persona = PERSONAS[rng.next(5) as usize];
                let goal = GOALS[rng.next(6) as usize];
                let points = Points::whole([1i64, 2, 3, 5, 8, 13][rng.next(6) as usize]);
                let kind = ["story", "story", "story", "bug", "task"][rng.next(5) as usize];
                let mut status =
                    ["todo", "todo", "todo", "in_progress", "done"][rng.next(5) as usize];
                // Items of running and planned sprints, and past the seeded ones, stay open so
                // that the benchmark can swap and commit them.
                if scale_sprints::kept_open(number) && status == "done" {
                    status = "todo";
                }
                let criteria = vec![
                    format!(
                        "Given a {persona} When they {goal} Then it completes within 2 seconds"
                    ),
                    format!(
                        "Given item {number} When it is saved Then the audit log shows the change"
                    ),
                ];
                let facts = ItemFacts {
                    kind,
                    title: &format!("{goal} #{number}"),
                    description: "",
                    persona,
                    goal,
                    benefit: "the team saves time",
                    points: Some(points),
                    criteria: &criteria,
                    open_questions: 0,
                    // Assessed as before the items were linked to their initiatives, which
                    // the seed did afterwards: the benchmark's dataset stays the same.
                    has_initiative: false,
                };
                let initiative = initiatives
                    .get(((number - 1) / scale_strategy::ITEMS_PER_INITIATIVE) as usize)
                    .copied();
                let r = assess(&rules, &facts);
                let readiness = json!({"reasons": r.reasons, "lint": r.lint}).to_string();
                rows.push((
                    number,
                    kind,
                    format!("{goal} #{number}"),
                    persona,
                    goal,
                    points,
                    status,
                    rank.clone(),
                    r.ready,
                    readiness,
                    initiative,
                ));
            }
            sql.push_str(&values(db, rows.len(), 17));
            on!(&mut tx.conn(), t => {
                let mut q = sqlx::query(&sql);
                for (number, kind, title, persona, goal, points, status, rk, ready, readiness, initiative) in &rows {
                    q = q.bind(p.id).bind(*number).bind(*kind).bind(title).bind("").bind(*persona).bind(*goal)
                        .bind("the team saves time").bind(*points).bind(*status).bind(rk).bind(*ready).bind(readiness)
                        .bind(owner.id).bind(at).bind(at).bind(*initiative);
                }
                q.execute(&mut **t).await.map(|r| r.rows_affected())
            })?;
            // Criteria and labels for the chunk, by number → id.
            let ids: Vec<(i64, i64)> = on!(&mut tx.conn(), t => sqlx::query_as(
                "SELECT id, number FROM items WHERE product_id = $1 AND number > $2 AND number <= $3 ORDER BY number")
                .bind(p.id).bind(chunk_start as i64).bind(chunk_end as i64).fetch_all(&mut **t).await)?;
            let mut csql = String::from("INSERT INTO criteria (item_id, position, text) VALUES ");
            csql.push_str(&values(db, ids.len() * 2, 3));
            let mut lsql = String::from("INSERT INTO item_labels (item_id, label) VALUES ");
            lsql.push_str(&values(db, ids.len(), 2));
            on!(&mut tx.conn(), t => {
                let mut q = sqlx::query(&csql);
                for (id, number) in &ids {
                    let (persona, goal) = (PERSONAS[(*number % 5) as usize], GOALS[(*number % 6) as usize]);
                    q = q.bind(*id).bind(1i64).bind(format!("Given a {persona} When they {goal} Then it completes within 2 seconds"))
                        .bind(*id).bind(2i64).bind(format!("Given item {number} When it is saved Then the audit log shows the change"));
                }
                q.execute(&mut **t).await.map(|r| r.rows_affected())
            })?;
            on!(&mut tx.conn(), t => {
                let mut q = sqlx::query(&lsql);
                for (id, number) in &ids {
                    q = q.bind(*id).bind(LABELS[(*number % 6) as usize]);
                }
                q.execute(&mut **t).await.map(|r| r.rows_affected())
            })?;
            total += rows.len();
        }
        // Every 50 items, one epic with 9 children, so parents and roll-ups carry real weight.
        exec!(&mut tx.conn(), t => sqlx::query(
            "UPDATE items SET parent_id = (SELECT e.id FROM items e WHERE e.product_id = items.product_id
                                                                 AND e.number = items.number - ((items.number - 1) % 50))
             WHERE product_id = $1 AND (number - 1) % 50 BETWEEN 1 AND 9")
            .bind(p.id))?;
        exec!(&mut tx.conn(), t => sqlx::query("UPDATE products SET next_number = $1 WHERE id = $2")
            .bind(per_product as i64 + 1).bind(p.id))?;
        // Whoever creates an item watches it, as every create through the product does; an
        // empty table would also leave PostgreSQL planning the benchmark's writes for one.
        exec!(&mut tx.conn(), t => sqlx::query(
            "INSERT INTO watchers (entity_type, entity_id, user_id)
             SELECT 'item', id, created_by FROM items WHERE product_id = $1 AND created_by IS NOT NULL")
            .bind(p.id))?;
        tx.commit().await?;
    }
    let sprints = scale_sprints::seed(db, w.id, &products, &members, shape.teams).await?;
    tracing::info!(sprints, "seeded teams and sprints");
    // Strategy (S0–S10)
    scale_strategy::scale(db, w.id, owner.id).await?;
    db.analyze().await?;
    Ok(total)
}
