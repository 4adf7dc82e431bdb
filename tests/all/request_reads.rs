//! The connections reads are lent: a read after a write sees it, many requests that read and
//! write at once all finish, and on SQLite a connection goes back at once (db::lent) and
//! serves the next read correctly even when the last one was abandoned half-way.

use std::time::Duration;

use throughline::db::{self, Db, Target};

use crate::support::spawn_app;

async fn users(db: &Db) -> i64 {
    throughline::on!(&mut db.reader().await.unwrap().conn(), c =>
        sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut **c).await)
    .unwrap()
}

async fn add_user(db: &Db, email: &str) {
    let mut tx = db.begin().await.unwrap();
    throughline::exec!(&mut tx.conn(), c => sqlx::query(
        "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, 'Reader Test', '', $2)")
        .bind(email).bind(db::now()))
    .unwrap();
    tx.commit().await.unwrap();
}

/// A database of its own on SQLite, whatever TEST_DATABASE_URL says: the pool under test is
/// SQLite's.
async fn sqlite() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&Target::Sqlite(dir.path().join("t.db")), true)
        .await
        .unwrap();
    db.migrate().await.unwrap();
    (db, dir)
}

#[tokio::test]
async fn a_read_after_a_write_sees_it() {
    let app = spawn_app().await;
    let before = users(&app.db).await;
    add_user(&app.db, "own-write@example.com").await;
    assert_eq!(users(&app.db).await, before + 1);
}

#[tokio::test]
async fn many_requests_that_read_and_write_at_once_all_finish() {
    let app = spawn_app().await;
    let before = users(&app.db).await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let db = app.db.clone();
            tokio::spawn(async move {
                users(&db).await;
                add_user(&db, &format!("concurrent-{i}@example.com")).await;
                users(&db).await
            })
        })
        .collect();
    let all = async {
        for t in tasks {
            t.await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(20), all)
        .await
        .expect("40 requests that read and write finish");
    assert_eq!(users(&app.db).await, before + 40);
}

#[tokio::test]
async fn a_sqlite_read_connection_goes_back_at_once() {
    let (db, _dir) = sqlite().await;
    let reads = db.reads.as_ref().expect("SQLite reads have their pool");
    for _ in 0..20 {
        let mut r = db.reader().await.unwrap();
        let one: i64 = throughline::on!(&mut r.conn(), c =>
            sqlx::query_scalar("SELECT 1").fetch_one(&mut **c).await)
        .unwrap();
        assert_eq!(one, 1);
        drop(r);
        // Back in the pool as it is dropped, not later in a task of its own.
        let s = reads.status();
        assert_eq!(s.available, s.size);
    }
    // One after the other, the same connection serves each read.
    assert_eq!(reads.status().size, 1);
}

#[tokio::test]
async fn a_read_abandoned_half_way_leaves_its_connection_fit_for_the_next() {
    let (db, _dir) = sqlite().await;
    for i in 0..10 {
        add_user(&db, &format!("u{i}@example.com")).await;
    }
    // Start reading a long result and give up after its first row, as a request does when
    // its client goes away.
    {
        use futures_util::StreamExt;
        let mut r = db.reader().await.unwrap();
        throughline::on!(&mut r.conn(), c => {
            let mut rows = sqlx::query_scalar::<_, i64>(
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000)
                 SELECT x FROM n")
                .fetch(&mut **c);
            assert_eq!(rows.next().await.unwrap().unwrap(), 1);
        });
    }
    let reads = db.reads.as_ref().unwrap();
    assert_eq!(
        reads.status().size,
        1,
        "the abandoned connection is the one lent next"
    );
    for _ in 0..5 {
        assert_eq!(users(&db).await, 10);
    }
    add_user(&db, "after@example.com").await;
    assert_eq!(users(&db).await, 11, "and it sees a write made after");
}

/// Reads joined into one round trip (db::batch) answer what each answers alone: each keeps
/// its own `$1…`, a `$` inside a quoted text stays text, a statement that finds nothing still
/// has its (empty) answer, and a missing row is an error, not another read's row.
#[tokio::test]
async fn joined_reads_answer_what_each_answers_alone() {
    use throughline::db::batch::Read;
    let app = spawn_app().await;
    add_user(&app.db, "batch-one@example.com").await;
    add_user(&app.db, "batch-two@example.com").await;
    let count = |like: &str| {
        Read::query(
            "SELECT COUNT(*) FROM users WHERE email LIKE $1",
            vec![like.into()],
            |rows| Ok(rows.one::<(i64,)>()?.0),
        )
    };
    let emails = |min: i64, like: &str| {
        Read::query(
            "SELECT email, '$1 costs' FROM users WHERE id >= $1 AND email LIKE $2 ORDER BY email",
            vec![min.into(), like.into()],
            |rows| rows.all::<(String, String)>(),
        )
    };
    let (((two, listed), none), alone) = count("batch-%")
        .and(emails(0, "batch-%"))
        .and(emails(0, "nobody-%").and(Read::ready(7)))
        .and(count("batch-one%"))
        .on(&app.db)
        .await
        .unwrap();
    assert_eq!(two, 2);
    assert_eq!(
        listed,
        vec![
            ("batch-one@example.com".to_string(), "$1 costs".to_string()),
            ("batch-two@example.com".to_string(), "$1 costs".to_string()),
        ]
    );
    assert_eq!(none, (Vec::new(), 7));
    assert_eq!(alone, 1);
    assert_eq!(count("batch-two%").on(&app.db).await.unwrap(), 1);

    let missing = Read::query(
        "SELECT email FROM users WHERE email = $1",
        vec!["nobody@example.com".into()],
        |rows| rows.one::<(String,)>(),
    )
    .and(count("batch-%"))
    .on(&app.db)
    .await;
    assert!(
        matches!(missing, Err(sqlx::Error::RowNotFound)),
        "{missing:?}"
    );
}

/// On SQLite joined reads run in one read transaction (one snapshot, the file's locks taken
/// once). A run that fails or is given up half-way may leave that transaction open, so its
/// connection must not serve the next read: it would answer from the old snapshot.
#[tokio::test]
async fn a_joined_read_that_fails_or_is_given_up_leaves_no_old_snapshot_behind() {
    use throughline::db::batch::Read;
    let (db, _dir) = sqlite().await;
    let count = || {
        Read::query("SELECT COUNT(*) FROM users", vec![], |rows| {
            Ok(rows.one::<(i64,)>()?.0)
        })
    };
    add_user(&db, "first@example.com").await;
    let failed = count()
        .and(Read::query("SELECT x FROM no_such_table", vec![], |_| {
            Ok(())
        }))
        .on(&db)
        .await;
    assert!(failed.is_err());
    add_user(&db, "second@example.com").await;
    for _ in 0..3 {
        let (a, b) = count().and(count()).on(&db).await.unwrap();
        assert_eq!(
            (a, b),
            (2, 2),
            "a read after the failed one sees the write made since"
        );
    }

    // Given up after the first statement: the second runs long and the caller goes away.
    let long = Read::query(
        "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000000)
         SELECT COUNT(*) FROM n",
        vec![],
        |_| Ok(()),
    );
    let given_up = tokio::time::timeout(Duration::from_millis(50), count().and(long).on(&db)).await;
    assert!(given_up.is_err(), "the long read was given up");
    add_user(&db, "third@example.com").await;
    for _ in 0..3 {
        let (a, b) = count().and(count()).on(&db).await.unwrap();
        assert_eq!((a, b), (3, 3));
        assert_eq!(users(&db).await, 3);
    }
}

/// A joined read's arguments mean what they mean alone, whatever they hold: a batch renumbers
/// its statements' marks (db::batch), so quotes, dollar signs, backslashes, semicolons, a mark
/// used twice, the extremes of a number, NULLs and a time's microseconds all come back
/// unchanged, and compare as they do bound to a statement alone.
#[tokio::test]
async fn joined_reads_take_any_argument_as_it_is() {
    use chrono::TimeZone;
    use throughline::db::batch::{Arg, Read};
    let app = spawn_app().await;
    let texts = [
        "",
        "plain",
        "it's 'quoted'",
        "$q$ ends $q",
        "$q1$q$q2 $$ $1 $2",
        "back\\slash; DROP TABLE users; --",
        "ends with $q",
        "ends with $",
        "émoji 🚀 and\nnew line\ttab",
    ];
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 2, 28, 23, 59, 58)
        .unwrap()
        + chrono::Duration::microseconds(123_456);
    let echo = |t: &str| {
        Read::query(
            "SELECT $1, CAST(LENGTH($1) AS BIGINT), $2 IS NULL, $3, $4, $5, $6 + 1, $7",
            vec![
                t.into(),
                Arg::Text(None),
                i64::MIN.into(),
                i64::MAX.into(),
                Arg::Int(None),
                (-42i64).into(),
                at.into(),
            ],
            |rows| {
                rows.one::<(
                    String,
                    i64,
                    bool,
                    i64,
                    i64,
                    Option<i64>,
                    i64,
                    chrono::DateTime<chrono::Utc>,
                )>()
            },
        )
    };
    for t in texts {
        let joined = Read::all(vec![echo(t), echo(t)]).on(&app.db).await.unwrap();
        let alone = echo(t).on(&app.db).await.unwrap();
        let chars = t.chars().count() as i64;
        assert_eq!(
            joined[0],
            (
                t.to_string(),
                chars,
                true,
                i64::MIN,
                i64::MAX,
                None,
                -41,
                at
            ),
            "{t:?}"
        );
        assert_eq!(joined[1], alone, "{t:?}");
    }
    let flags = Read::query(
        "SELECT $1 AND NOT $2, $3 < $4",
        vec![true.into(), false.into(), at.into(), db::now().into()],
        |rows| rows.one::<(bool, bool)>(),
    );
    let (a, b) = flags
        .and(Read::query("SELECT 1", vec![], |_| Ok(())))
        .on(&app.db)
        .await
        .unwrap();
    assert_eq!(a, (true, true));
    assert_eq!(b, ());
}

/// Independent reads (`Read::each_on`, the workspace home's products) answer in the order
/// asked, each its own, whether they go in one round trip (SQLite) or in groups side by side
/// on a few connections (PostgreSQL), for fewer reads than groups and for many more.
#[tokio::test]
async fn independent_reads_answer_in_the_order_asked() {
    use throughline::db::batch::Read;
    let app = spawn_app().await;
    for n in [0i64, 1, 3, 10, 23] {
        let reads = (0..n)
            .map(|i| {
                Read::query("SELECT $1 * 10", vec![i.into()], |rows| {
                    Ok(rows.one::<(i64,)>()?.0)
                })
            })
            .collect();
        let answers = Read::each_on(reads, &app.db).await.unwrap();
        assert_eq!(
            answers,
            (0..n).map(|i| i * 10).collect::<Vec<_>>(),
            "{n} reads"
        );
    }
}

/// Independent reads that ask the same statement with other arguments (the workspace home's
/// products; on PostgreSQL those go as one statement, db::batch::alike) answer what each
/// answers alone: each its own rows in its statement's order and within its own limit, an
/// asker its statement answers nothing included (the last one too), NULLs, times and flags
/// as given, a statement without arguments, and readers that ask only some of the statements.
#[tokio::test]
async fn reads_asking_alike_answer_what_each_answers_alone() {
    use chrono::TimeZone;
    use throughline::db::batch::{Arg, Read};
    let app = spawn_app().await;
    for e in [
        "alike-a@example.com",
        "alike-b@example.com",
        "alike-c@example.com",
    ] {
        add_user(&app.db, e).await;
    }
    let at = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap()
        + chrono::Duration::microseconds(7);
    let read = |i: i64| {
        let like = ["alike-%", "alike-b%", "nobody-%", "%"][i as usize % 4];
        let listed = Read::query(
            "SELECT email, $3 FROM users WHERE email LIKE $1 ORDER BY email DESC LIMIT $2",
            vec![like.into(), (i % 3 + 1).into(), Arg::Text(None)],
            |rows| rows.all::<(String, Option<String>)>(),
        );
        let counted = Read::query(
            "SELECT 'all', COUNT(*) FROM users WHERE email LIKE $1 \
             UNION ALL SELECT 'flag', CAST($2 AS BIGINT) WHERE $3",
            vec![like.into(), i.into(), (i % 2 == 0).into()],
            |rows| rows.all::<(String, i64)>(),
        );
        let text: Arg = if i % 3 == 0 {
            Arg::Text(None)
        } else {
            format!("t{i}").into()
        };
        let echoed = Read::query(
            "SELECT CAST($1 AS TEXT), $2",
            vec![text, at.into()],
            |rows| rows.one::<(Option<String>, chrono::DateTime<chrono::Utc>)>(),
        );
        let plain = Read::query("SELECT 41 + 1", vec![], |rows| Ok(rows.one::<(i32,)>()?.0));
        // Only every other reader asks the last two, as the home asks by the viewer's roles.
        let more = if i % 2 == 1 {
            echoed.and(plain).map(|e| Ok(Some(e)))
        } else {
            Read::ready(None)
        };
        listed.and(counted).and(more)
    };
    for n in [2i64, 5, 9] {
        let alone = {
            let mut out = Vec::new();
            for i in 0..n {
                out.push(read(i).on(&app.db).await.unwrap());
            }
            out
        };
        let together = Read::each_on((0..n).map(read).collect(), &app.db)
            .await
            .unwrap();
        assert_eq!(together, alone, "{n} readers");
    }
    // What each answers, spelled out for one: the second asker's two newest "alike-%" users.
    let (listed, _) = Read::each_on(vec![read(0), read(1)], &app.db)
        .await
        .unwrap()[1]
        .clone()
        .0;
    assert_eq!(listed, vec![("alike-b@example.com".to_string(), None)]);
    let fourth = Read::each_on((0..4).map(read).collect(), &app.db)
        .await
        .unwrap();
    let ((listed, _), more) = &fourth[3];
    assert_eq!(
        listed.len(),
        1,
        "the fourth asker's limit is 1 whatever the others': {listed:?}"
    );
    let ((none, counted), _) = &fourth[2];
    assert!(none.is_empty(), "{none:?}");
    assert_eq!(counted, &[("all".to_string(), 0), ("flag".to_string(), 2)]);
    let (echoed, plain) = more.as_ref().unwrap();
    assert_eq!(echoed, &(None, at));
    assert_eq!(*plain, 42);
}

/// Every connection of the pool at once, with the names of the statements the batches of
/// reads have prepared on it (PostgreSQL; db::batch::message).
async fn batch_statements(db: &Db) -> Vec<(db::Pooled, Vec<String>)> {
    let mut all = Vec::new();
    for _ in 0..16 {
        let mut c = db.reader().await.unwrap();
        let names: Vec<String> = throughline::on!(&mut c.conn(), c => sqlx::query_scalar(
            "SELECT name FROM pg_prepared_statements WHERE starts_with(name, 'batch_stmt_')")
            .fetch_all(&mut **c).await)
        .unwrap();
        all.push((c, names));
    }
    all
}

/// On PostgreSQL a batch of reads goes as one message of statements each connection prepares
/// once (db::batch::message). A connection that has lost them prepares them again and answers
/// as before, and none keeps more than a hundred, however many texts are asked.
#[tokio::test]
async fn batched_reads_prepare_again_what_a_connection_lost_and_keep_few() {
    use throughline::db::batch::Read;
    let app = spawn_app().await;
    if app.db.is_sqlite() {
        return;
    }
    let batch = |k: i64| {
        Read::query(format!("SELECT $1 + {k}"), vec![1i64.into()], |rows| {
            Ok(rows.one::<(i64,)>()?.0)
        })
        .and(Read::query(
            "SELECT CAST($1 AS TEXT) || 'b' -- a statement may end with a comment",
            vec!["a'\\".into()],
            |rows| Ok(rows.one::<(String,)>()?.0),
        ))
    };
    for _ in 0..20 {
        assert_eq!(batch(0).on(&app.db).await.unwrap(), (1, "a'\\b".into()));
    }
    let held = batch_statements(&app.db).await;
    let prepared: usize = held.iter().map(|(_, n)| n.len()).sum();
    assert!(prepared >= 2, "the batch's two statements were prepared");
    // Lost, as after a `DEALLOCATE` or a pooler's reset.
    for (mut c, names) in held {
        for n in names {
            throughline::on!(&mut c.conn(), c =>
                sqlx::raw_sql(&format!("DEALLOCATE {n}")).execute(&mut **c).await.map(|_| ()))
            .unwrap();
        }
    }
    for _ in 0..20 {
        assert_eq!(batch(0).on(&app.db).await.unwrap(), (1, "a'\\b".into()));
    }
    // Many texts: 2,000 batches of a text of their own, spread over the pool's connections.
    for k in 0..2000 {
        assert_eq!(batch(k).on(&app.db).await.unwrap(), (1 + k, "a'\\b".into()));
    }
    let most = batch_statements(&app.db)
        .await
        .iter()
        .map(|(_, n)| n.len())
        .max()
        .unwrap();
    assert!(
        (2..=100).contains(&most),
        "a connection keeps at most 100 statements: {most}"
    );
}
