//! `seed --scale tiny`: the benchmark's bulk SQL path, at a size the suite runs on both
//! databases, gives a dataset the product reads like any other.

use throughline::db::{Db, Target};
use throughline::points::Points;
use throughline::with_pool;

use crate::support::cli::Cli;

async fn open(cli: &Cli) -> Db {
    let target = match &cli.database_url {
        Some(url) => Target::Postgres(url.clone()),
        None => Target::Sqlite(cli.dir.path().join("throughline.db")),
    };
    Db::connect(&target, false).await.unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

#[tokio::test]
async fn the_tiny_scale_seeds_products_items_teams_and_sprints() {
    let cli = Cli::new().await;
    let said = cli.ok(&["seed", "--scale", "tiny"]);
    assert!(said.starts_with("seeded 3000 backlog items in "), "{said}");
    let db = open(&cli).await;
    for (sql, want) in [
        ("SELECT COUNT(*) FROM products", 2),
        ("SELECT COUNT(*) FROM items", 3_000),
        ("SELECT COUNT(*) FROM criteria", 6_000),
        // Whoever creates an item watches it, as a create through the product makes them.
        (
            "SELECT COUNT(*) FROM watchers w JOIN items i ON i.id = w.entity_id
             WHERE w.entity_type = 'item' AND w.user_id = i.created_by",
            3_000,
        ),
        ("SELECT COUNT(*) FROM workspace_members", 20),
        ("SELECT COUNT(*) FROM teams", 4),
        ("SELECT COUNT(*) FROM team_members", 20),
        ("SELECT COUNT(*) FROM sprints", 4 * 35),
        (
            "SELECT COUNT(*) FROM sprints WHERE state = 'closed'",
            4 * 33,
        ),
        ("SELECT COUNT(*) FROM sprints WHERE state = 'active'", 4),
        // 12 items in each closed and running sprint.
        ("SELECT COUNT(*) FROM sprint_items", 4 * 34 * 12),
        // Every 50 items, an epic with 9 children.
        (
            "SELECT COUNT(*) FROM items WHERE parent_id IS NOT NULL",
            2 * 30 * 9,
        ),
        ("SELECT COUNT(*) FROM priorities", 2 * 2 * 5),
        ("SELECT COUNT(*) FROM initiatives", 2 * 25),
    ] {
        assert_eq!(count(&db, sql).await, want, "{sql}");
    }
    // Items the benchmark commits and swaps stay open.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM items WHERE number > 1300 AND status = 'done'"
        )
        .await,
        0
    );
    db.close().await;
}

async fn exec(db: &Db, sql: &str) {
    with_pool!(&db.write, p => sqlx::query(sql).execute(p).await.map(|_| ())).unwrap();
}

/// Initiatives whose kept roll-up differs from the sum over their items.
const ROLLUPS_OFF: &str = "SELECT COUNT(*) FROM initiatives n
    WHERE n.points_total <> COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = n.id), 0)
       OR n.points_done <> COALESCE((SELECT SUM(i.points) FROM items i WHERE i.initiative_id = n.id AND i.status = 'done'), 0)";

/// The seed inserts items with their initiatives in bulk, and the database keeps each
/// initiative's roll-up (per statement on PostgreSQL, per row on SQLite): after the seed, and
/// after further bulk inserts, updates and deletes of mixed items, every roll-up must still
/// equal the sum over its items.
#[tokio::test]
async fn bulk_writes_keep_every_initiative_roll_up_exact() {
    let cli = Cli::new().await;
    cli.ok(&["seed", "--scale", "tiny"]);
    let db = open(&cli).await;
    assert!(
        count(
            &db,
            "SELECT CAST(SUM(points_done) AS BIGINT) FROM initiatives"
        )
        .await
            > 0
    );
    assert_eq!(count(&db, ROLLUPS_OFF).await, 0, "after the seed");
    // One statement inserting items of several initiatives, some done, some unestimated,
    // some of no initiative.
    exec(
        &db,
        "INSERT INTO items (product_id, number, kind, title, description, persona, goal, benefit, points, status,
                            rank, ready, readiness, created_by, created_at, updated_at, initiative_id)
         SELECT product_id, number + 100000, kind, title, description, persona, goal, benefit,
                CASE WHEN number % 7 = 0 THEN NULL ELSE points END, status, rank || 'x', ready, readiness,
                created_by, created_at, updated_at,
                CASE WHEN number % 3 = 0 THEN NULL ELSE (SELECT MIN(id) FROM initiatives) + number % 4 END
           FROM items WHERE number <= 200",
    )
    .await;
    assert_eq!(count(&db, ROLLUPS_OFF).await, 0, "after a bulk insert");
    exec(
        &db,
        "UPDATE items SET status = CASE WHEN status = 'done' THEN 'todo' ELSE 'done' END,
                          points = CASE WHEN number % 5 = 0 THEN NULL ELSE points END
          WHERE number % 2 = 0",
    )
    .await;
    exec(
        &db,
        "UPDATE items SET initiative_id = (SELECT MAX(id) FROM initiatives) WHERE number % 11 = 0",
    )
    .await;
    assert_eq!(count(&db, ROLLUPS_OFF).await, 0, "after bulk updates");
    exec(&db, "DELETE FROM items WHERE number % 13 = 0").await;
    assert_eq!(count(&db, ROLLUPS_OFF).await, 0, "after a bulk delete");
    db.close().await;
}

#[tokio::test]
async fn the_seed_leaves_row_estimates_for_the_planner_but_no_value_samples() {
    let cli = Cli::new().await;
    cli.ok(&["seed", "--scale", "tiny"]);
    let db = open(&cli).await;
    if !db.is_sqlite() {
        // PostgreSQL's ANALYZE keeps its statistics in its own catalogue; nothing to drop.
        assert!(
            count(
                &db,
                "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'items'"
            )
            .await
                > 0
        );
        return;
    }
    assert!(count(&db, "SELECT COUNT(*) FROM sqlite_stat1").await > 0);
    // Samples would make SQLite compile a statement again whenever a bound value changes.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sqlite_stat4").await, 0);
}

#[tokio::test]
async fn the_tiny_dataset_reads_like_any_other() {
    let cli = Cli::new().await;
    cli.ok(&["seed", "--scale", "tiny"]);
    let db = open(&cli).await;
    let owner = throughline::auth::store::find_by_email(&db, "bench@example.com")
        .await
        .unwrap()
        .unwrap();
    let ctx = throughline::workspace::store::product_ctx(&db, owner.id, "bench", "P01")
        .await
        .unwrap();
    let running: i64 = count(
        &db,
        "SELECT MIN(s.id) FROM sprints s JOIN products p ON p.id = s.product_id WHERE p.key = 'P01' AND s.state = 'active'",
    )
    .await;
    let a = throughline::governance::alignment::for_sprint(
        &db,
        &ctx,
        throughline::ids::SprintId(running),
    )
    .await
    .unwrap();
    // The report accounts for every point of the running sprint, aligned or not.
    let scope = count(
        &db,
        &format!("SELECT CAST(SUM(points) AS BIGINT) FROM sprint_items WHERE sprint_id = {running} AND removed_at IS NULL"),
    )
    .await;
    // The column holds hundredths of a point.
    let reported = a.priorities.iter().map(|p| p.committed).sum::<Points>() + a.unaligned_committed;
    let reported = reported.hundredths();
    assert!(scope > 0);
    assert_eq!(reported, scope, "{a:?}");
    db.close().await;
}
