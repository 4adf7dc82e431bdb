//! An undo takes back everything an import wrote, not only its items: the comments it added
//! (on items that were there before too), the initiatives it made from epics or updated, the
//! assignees and initiative links it changed, and the placeholder accounts nobody else needs.
//! And it refuses while someone has worked on one of those since.

use serde_json::{json, Value};
use throughline::db::Db;
use throughline::with_pool;

use super::undo::imported;
use crate::support::spawn_app;
use crate::support::{Caller, TestApp};

const UNDO: &str = "/api/v1/workspaces/acme/products/ONB/imports/undo";
const HEAD: &str =
    "Summary,Issue key,Issue Type,Status,Updated,Assignee,Reporter,Custom field (Epic Link),Comment,Comment\n";

fn v1() -> String {
    HEAD.to_string()
        + "Onboarding,B-1,Epic,To Do,2025-11-01 10:00,,,,,\n\
           Sign up,B-2,Story,To Do,2025-11-01 10:00,Ann Lee,Bo Chen,B-1,01/Nov/25 10:00 AM;;First note,\n\
           Reset a password,B-3,Story,To Do,2025-11-01 10:00,,Bo Chen,,,\n"
}

/// A later export: the epic renamed and started, a second comment on B-2, B-3 given to a new
/// person and put under a new epic.
fn v2() -> String {
    HEAD.to_string()
        + "Onboarding v2,B-1,Epic,In Progress,2025-11-20 10:00,,,,,\n\
           Sign up,B-2,Story,To Do,2025-11-20 10:00,Ann Lee,Bo Chen,B-1,01/Nov/25 10:00 AM;;First note,20/Nov/25 10:00 AM;;Second note\n\
           Reset a password,B-3,Story,To Do,2025-11-20 10:00,Cy Diaz,Bo Chen,B-4,,\n\
           Billing,B-4,Epic,To Do,2025-11-20 10:00,,,,,\n"
}

/// What the product holds besides its items' own fields.
#[derive(Debug, PartialEq)]
struct Held {
    items: i64,
    comments: i64,
    /// Initiatives as (title, status), by title.
    initiatives: Vec<(String, String)>,
    placeholders: Vec<String>,
    /// B-3's assignee and initiative.
    b3: (Option<String>, Option<String>),
}

async fn held(db: &Db) -> Held {
    let count = |sql: &'static str| async move {
        with_pool!(&db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
    };
    let items = count("SELECT COUNT(*) FROM items").await;
    let comments = count("SELECT COUNT(*) FROM comments").await;
    let initiatives = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT title, status FROM initiatives ORDER BY title").fetch_all(p).await)
    .unwrap();
    let placeholders = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT name FROM users WHERE placeholder ORDER BY name").fetch_all(p).await)
    .unwrap();
    let b3: Option<(Option<String>, Option<String>)> = with_pool!(&db.read, p => sqlx::query_as(
        "SELECT u.name, n.title FROM items i LEFT JOIN users u ON u.id = i.assignee_id
         LEFT JOIN initiatives n ON n.id = i.initiative_id WHERE i.external_key = 'B-3'")
        .fetch_optional(p).await)
    .unwrap();
    Held {
        items,
        comments,
        initiatives,
        placeholders,
        b3: b3.unwrap_or_default(),
    }
}

async fn undo(app: &TestApp, who: &Caller, report: &Value) -> (u16, Value) {
    let r = app
        .post(who, UNDO, json!({ "import_id": report["import_id"] }))
        .await;
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn an_undo_takes_back_comments_initiatives_people_and_links() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let before = held(&app.db).await;
    let first = imported(&app, &owner, &v1()).await;
    let after_first = held(&app.db).await;
    assert_eq!(
        after_first.items, 2,
        "the epic is an initiative, not an item"
    );
    assert_eq!(after_first.comments, 1);
    assert_eq!(after_first.initiatives, pairs(&[("Onboarding", "planned")]));
    assert_eq!(
        after_first.placeholders,
        ["Ann Lee", "Bo Chen", "Unknown author"]
    );
    assert_eq!(after_first.b3, (None, None));

    let second = imported(&app, &owner, &v2()).await;
    assert_eq!(second["comments_added"], 1, "{second}");
    assert_eq!(second["initiatives_created"], 1, "{second}");
    assert_eq!(second["initiatives_updated"], 1, "{second}");
    assert_eq!(second["people_created"], 1, "{second}");
    let after_second = held(&app.db).await;
    assert_eq!(after_second.comments, 2);
    assert_eq!(
        after_second.initiatives,
        pairs(&[("Billing", "planned"), ("Onboarding v2", "in_progress")])
    );
    assert_eq!(
        after_second.b3,
        (Some("Cy Diaz".into()), Some("Billing".into()))
    );

    let (code, undone) = undo(&app, &owner, &second).await;
    assert_eq!(code, 200, "{undone}");
    assert_eq!(undone["comments_deleted"], 1, "{undone}");
    assert_eq!(undone["initiatives_deleted"], 1, "{undone}");
    assert_eq!(undone["initiatives_restored"], 1, "{undone}");
    assert_eq!(undone["people_deleted"], 1, "{undone}");
    assert_eq!(held(&app.db).await, after_first);

    // The first import then goes too, people and all, and the product is as it was.
    let (code, undone) = undo(&app, &owner, &first).await;
    assert_eq!(code, 200, "{undone}");
    assert_eq!(undone["people_deleted"], 3, "{undone}");
    assert_eq!(held(&app.db).await, before);
}

#[tokio::test]
async fn an_undo_refuses_once_its_initiative_or_comment_was_worked_on() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let report = imported(&app, &owner, &v1()).await;
    let at_import = held(&app.db).await;
    // The PM sharpens the initiative the epic became.
    let path = "/api/v1/workspaces/acme/products/ONB/initiatives";
    let list: Value = app.get(&owner, path).await.json().await.unwrap();
    let id = list["items"][0]["id"]
        .as_i64()
        .or_else(|| list[0]["id"].as_i64())
        .expect("the imported initiative");
    let r = app
        .patch(
            &owner,
            &format!("{path}/{id}"),
            1,
            json!({"title": "Onboarding, sharper"}),
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let (code, problem) = undo(&app, &owner, &report).await;
    assert_eq!(code, 409, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Onboarding, sharper"),
        "{problem}"
    );
    let mut now = held(&app.db).await;
    now.initiatives = at_import.initiatives.clone();
    assert_eq!(now, at_import, "nothing else changed");
}

#[tokio::test]
async fn a_po_import_keeps_epics_as_items_for_the_pm() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Pia", &["po"]).await;
    let report = imported(&app, &po, &v1()).await;
    assert_eq!(report["initiatives_created"], 0, "{report}");
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("initiatives are the PM's")),
        "{report}"
    );
    let h = held(&app.db).await;
    assert_eq!((h.items, h.initiatives.len()), (3, 0));
}

#[tokio::test]
async fn an_undo_keeps_a_placeholder_an_admin_has_invited() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let report = imported(&app, &owner, &v1()).await;
    let ann: i64 = with_pool!(&app.db.read, p => sqlx::query_scalar(
        "SELECT id FROM users WHERE name = 'Ann Lee' AND placeholder").fetch_one(p).await)
    .unwrap();
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/invitations",
            json!({ "placeholder_user_id": ann }),
        )
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    let (code, undone) = undo(&app, &owner, &report).await;
    assert_eq!(code, 200, "{undone}");
    assert_eq!(
        (
            undone["people_deleted"].clone(),
            undone["people_kept"].clone()
        ),
        (json!(2), json!(1)),
        "{undone}"
    );
    assert_eq!(held(&app.db).await.placeholders, ["Ann Lee"]);
}
