//! The sprint board a server keeps (`web::sprint::board_pages`, `db::kept`) is never served
//! after a change to what it shows: each kind of change, made through the API or straight in
//! the database (as another server process or an import would), shows on the next request.

use crate::roadmap::page;
use crate::roadmap_kept::{id_of, sql};
use crate::support::scrum::{commit_and_start, json_ok, ready_story, sprint, P};
use crate::support::{spawn_app, Caller, TestApp};

use reqwest::Method;
use serde_json::json;

/// The board twice (the second answer may come from what the server kept); both the same.
async fn board(app: &TestApp, who: &Caller, id: i64) -> String {
    let path = format!("/w/acme/p/ONB/sprints/{id}/board");
    let main = |h: String| h.split("<main").nth(1).unwrap_or_default().to_string();
    let first = main(page(app, who, &path).await);
    let again = main(page(app, who, &path).await);
    // The forms' CSRF token is the session's, the same on both.
    assert_eq!(first, again, "two requests with no change between them");
    again
}

/// The card of `key` on the board, and the column it is in.
fn card<'h>(html: &'h str, key: &str) -> Option<(&'h str, &'h str)> {
    let at = html.find(&format!(
        "<li class=\"card\" tabindex=\"0\" data-key=\"{key}\""
    ))?;
    let end = at + html[at..].find("</li>")?;
    let column = html[..at].rsplit("data-status=\"").next()?;
    let column = &column[..column.find('"')?];
    Some((&html[at..end], column))
}

/// A workspace whose owner holds every role on ONB, and its team's id.
async fn owner_and_team(app: &TestApp) -> (Caller, i64) {
    let owner = app.workspace().await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let team = json_ok(
        app.post(&owner, &format!("{P}/teams"), json!({"name": "Core"}))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    (owner, team)
}

/// Sprint 1 of `team`, started with `keys`; its id.
async fn started(app: &TestApp, owner: &Caller, team: i64, keys: &[String]) -> i64 {
    let id = sprint(app, owner, team, "Sprint 1", "2027-01-04", "2027-01-17").await["id"]
        .as_i64()
        .unwrap();
    commit_and_start(app, owner, id, keys).await;
    id
}

/// Moves the card `key` of sprint `id` to `status` through the API.
async fn move_card(app: &TestApp, who: &Caller, id: i64, key: &str, status: &str) {
    let path = format!("{P}/sprints/{id}/board/move");
    let r = app
        .post(who, &path, json!({"item": key, "status": status}))
        .await;
    assert_eq!(r.status(), 200, "{key} to {status}");
}

#[tokio::test]
async fn a_kept_board_follows_every_change_it_shows() {
    let app = spawn_app().await;
    let (owner, team) = owner_and_team(&app).await;
    let mut keys = Vec::new();
    for (title, points) in [("sign up", 3), ("invite", 5), ("export", 2)] {
        keys.push(ready_story(&app, &owner, title, points, &["Given a When b Then c"]).await);
    }
    let id = started(&app, &owner, team, &keys).await;
    let html = board(&app, &owner, id).await;
    assert_eq!(card(&html, &keys[0]).expect("on the board").1, "todo");
    let item = |k: &str| format!("SELECT id FROM items WHERE number = {}", &k[4..]);
    let (a, b) = (
        id_of(&app, &item(&keys[0])).await,
        id_of(&app, &item(&keys[1])).await,
    );

    // A move through the API.
    move_card(&app, &owner, id, &keys[0], "in_progress").await;
    let html = board(&app, &owner, id).await;
    assert_eq!(card(&html, &keys[0]).unwrap().1, "in_progress");

    // Straight in the database: the sprint, its scope, a dependency, the team, a person.
    sql(
        &app,
        &format!("UPDATE sprints SET goal = 'Kept goal' WHERE id = {id}"),
    )
    .await;
    assert!(board(&app, &owner, id).await.contains("Kept goal"));
    sql(
        &app,
        &format!("INSERT INTO item_dependencies (blocker_id, blocked_id) VALUES ({a}, {b})"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(
        card(&html, &keys[1])
            .unwrap()
            .0
            .contains(&format!("Blocked by {}", keys[0])),
        "{html}"
    );
    sql(
        &app,
        &format!("UPDATE teams SET name = 'Renamed team', wip_in_progress = 1 WHERE id = {team}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(html.contains("Renamed team"), "{html}");
    sql(
        &app,
        &format!("UPDATE items SET status = 'in_progress' WHERE id = {b}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(html.contains("over its WIP limit of 1"), "{html}");
    let me = id_of(
        &app,
        &format!("SELECT id FROM users WHERE email = '{}'", owner.email),
    )
    .await;
    sql(
        &app,
        &format!("UPDATE items SET assignee_id = {me} WHERE id = {a}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    let name: String = throughline::with_pool!(&app.db.read, p => sqlx::query_scalar(
        "SELECT name FROM users WHERE id = $1").bind(me).fetch_one(p).await)
    .unwrap();
    let initials = throughline::backlog::cards::initials(&name);
    assert!(
        card(&html, &keys[0])
            .unwrap()
            .0
            .contains(&format!(">{initials}<")),
        "{html}"
    );
    sql(
        &app,
        &format!("UPDATE users SET name = 'Zed Young' WHERE id = {me}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(card(&html, &keys[0]).unwrap().0.contains(">ZY<"), "{html}");
    sql(
        &app,
        &format!("UPDATE sprint_items SET removed_at = '2027-01-05T00:00:00Z' WHERE item_id = {b}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(card(&html, &keys[1]).is_none(), "taken out of the scope");
    // Days in the column come from the status events: three days ago, as an import says.
    let three_days_ago = (chrono::Utc::now() - chrono::Duration::days(3))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    sql(
        &app,
        &format!("UPDATE item_status_events SET at = '{three_days_ago}' WHERE item_id = {a}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(card(&html, &keys[0]).unwrap().0.contains(">3 d<"), "{html}");
    move_card(&app, &owner, id, &keys[2], "in_review").await;
    let html = board(&app, &owner, id).await;
    assert_eq!(card(&html, &keys[2]).unwrap().1, "in_review");

    // What the trace chips show: an initiative's title, an exemption.
    let r = app
        .post(
            &owner,
            &format!("{P}/initiatives"),
            json!({"title": "Onboarding", "status": "planned"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let initiative = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .req(
            &owner,
            Method::PUT,
            &format!("/api/v1/workspaces/acme/items/{}/initiative", keys[0]),
        )
        .json(&json!({"initiative": initiative}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(card(&board(&app, &owner, id).await, &keys[0])
        .unwrap()
        .0
        .contains("Onboarding"));
    sql(
        &app,
        &format!("UPDATE initiatives SET title = 'Guided onboarding' WHERE id = {initiative}"),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(
        card(&html, &keys[0])
            .unwrap()
            .0
            .contains("Guided onboarding"),
        "{html}"
    );
    let product = id_of(&app, "SELECT id FROM products WHERE key = 'ONB'").await;
    sql(
        &app,
        &format!(
            "INSERT INTO tier_exemptions (product_id, item_id, reason, created_by, created_at)
         VALUES ({product}, {a}, 'kept', {me}, '2027-01-05T00:00:00Z')"
        ),
    )
    .await;
    let html = board(&app, &owner, id).await;
    assert!(
        card(&html, &keys[0]).unwrap().0.contains("Exempt"),
        "{html}"
    );

    // A new candidate for the scope form, through the API.
    let fresh = ready_story(
        &app,
        &owner,
        "a fresh candidate",
        1,
        &["Given a When b Then c"],
    )
    .await;
    assert!(
        board(&app, &owner, id).await.contains(&fresh),
        "offered to add"
    );
}

/// A kept board is one sprint's, one product's, shown as the reader may see it.
#[tokio::test]
async fn a_kept_board_is_one_sprint_for_one_reader() {
    let app = spawn_app().await;
    let (owner, team) = owner_and_team(&app).await;
    let stake = app.member(&owner, "Stacy", &["stakeholder"]).await;
    let k = ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
    let spare = ready_story(&app, &owner, "spare", 1, &["Given a When b Then c"]).await;
    let one = started(&app, &owner, team, std::slice::from_ref(&k)).await;
    let two = sprint(&app, &owner, team, "Sprint 2", "2027-01-18", "2027-01-31").await["id"]
        .as_i64()
        .unwrap();
    let first = board(&app, &owner, one).await;
    let second = board(&app, &owner, two).await;
    assert!(card(&first, &k).is_some() && card(&second, &k).is_none());
    // The owner may change the scope (the spare is offered); a stakeholder may not.
    assert!(first.contains(&spare));
    let seen = board(&app, &stake, one).await;
    assert!(card(&seen, &k).is_some());
    assert!(!seen.contains(&spare), "no scope form for a stakeholder");
    let r = app
        .get(&stake, &format!("/w/acme/p/ONB/sprints/{one}/board"))
        .await;
    assert_eq!(r.status(), 200);
    let outsider = app.user("Olga").await;
    let r = app
        .get(&outsider, &format!("/w/acme/p/ONB/sprints/{one}/board"))
        .await;
    assert_eq!(r.status(), 404);
}

/// A card blocked by another product's item names it by its own key, and the kept board drops
/// the mark when that item is done, though only the other product's items changed.
#[tokio::test]
async fn a_blocker_of_another_product_shows_by_its_key_until_done() {
    let app = spawn_app().await;
    let (owner, team) = owner_and_team(&app).await;
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products",
            json!({"key": "GRO", "name": "Growth"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    app.roles(&owner, &owner, "GRO", &["pm", "po", "dev"]).await;
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products/GRO/items",
            json!({"title": "referral API"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let blocker = r.json::<serde_json::Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let k = ready_story(
        &app,
        &owner,
        "invite by link",
        3,
        &["Given a When b Then c"],
    )
    .await;
    let id = started(&app, &owner, team, std::slice::from_ref(&k)).await;
    let r = app
        .post(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{blocker}/dependencies"),
            json!({"blocks": k}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let html = board(&app, &owner, id).await;
    let (c, _) = card(&html, &k).unwrap();
    assert!(c.contains(&format!("Blocked by {blocker}")), "{c}");
    assert!(blocker.starts_with("GRO-"));
    let v = app.show(&owner, &blocker).await["version"]
        .as_i64()
        .unwrap();
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{blocker}"),
            v,
            json!({"status": "done"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = board(&app, &owner, id).await;
    assert!(!card(&html, &k).unwrap().0.contains("Blocked by"), "{html}");
}
