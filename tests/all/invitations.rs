//! Invitations by link (issue 18): admins invite by e-mail or claim a placeholder an import
//! made; the link's page sets name, e-mail and password and signs the person in; the claimed
//! account keeps its imported history; used, revoked and expired links get a clear page; bad
//! input names its field and writes nothing; `user add` claims a placeholder too.

use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use throughline::auth::store as accounts;
use throughline::with_pool;
use throughline::workspace::store as ws_store;

use crate::support::cli::Cli;
use crate::support::session::{between, cookie_client, sign_in};
use crate::support::{spawn_app, Caller, TestApp, PASSWORD};

const INVITATIONS: &str = "/api/v1/workspaces/acme/invitations";

async fn count(app: &TestApp, sql: &str) -> i64 {
    with_pool!(&app.db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

/// A placeholder member of acme, as an import makes one.
async fn placeholder(app: &TestApp, name: &str, email: Option<&str>) -> i64 {
    let ws = count(app, "SELECT id FROM workspaces WHERE slug = 'acme'").await;
    let mut tx = app.db.begin().await.unwrap();
    let id = accounts::create_placeholder(&mut tx, name, email)
        .await
        .unwrap();
    ws_store::join(&mut tx.conn(), ws, id).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn invite(app: &TestApp, who: &Caller, body: Value) -> Response {
    app.post(who, INVITATIONS, body).await
}

/// Creates an invitation that must succeed; its JSON (with `link`).
async fn invited(app: &TestApp, who: &Caller, body: Value) -> Value {
    let r = invite(app, who, body).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    r.json().await.unwrap()
}

/// Opens the link in a fresh browser and posts its form; the browser (signed in on success)
/// and the answer.
async fn accept(app: &TestApp, link: &str, fields: &[(&str, &str)]) -> (Client, Response) {
    let client = cookie_client();
    let page = client.get(app.url(link)).send().await.unwrap();
    assert_eq!(page.status(), 200, "the link's page");
    let html = page.text().await.unwrap();
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = client.post(app.url(link)).form(&form).send().await.unwrap();
    (client, r)
}

fn link(inv: &Value) -> String {
    inv["link"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_invited_placeholder_signs_in_and_keeps_its_imported_history() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let ada = placeholder(&app, "Ada Import", None).await;
    let item = app.story(&owner, "Imported story").await;
    let key = item["key"].as_str().unwrap();
    with_pool!(&app.db.write, p => sqlx::query(
        "UPDATE items SET reporter_id = $1, assignee_id = $1 WHERE id = (SELECT MAX(id) FROM items)")
        .bind(ada).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();
    with_pool!(&app.db.write, p => sqlx::query(
        "INSERT INTO comments (item_id, body, author_id, created_at)
         SELECT MAX(id), 'from the import', $1, $2 FROM items")
        .bind(ada).bind(throughline::db::now()).execute(p).await.map(|r| r.rows_affected()))
    .unwrap();

    let inv = invited(&app, &owner, json!({"placeholder_user_id": ada})).await;
    assert_eq!(inv["placeholder_user_id"], ada);
    assert_eq!(
        inv["email"],
        Value::Null,
        "a placeholder without a real e-mail"
    );
    assert_eq!(inv["status"], "pending");
    assert!(link(&inv).starts_with("/invite/tli_"), "{inv}");
    let listed: Value = app.get(&owner, INVITATIONS).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert!(
        !listed.to_string().contains("tli_"),
        "never the link: {listed}"
    );

    let page = cookie_client()
        .get(app.url(&link(&inv)))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("value=\"Ada Import\""),
        "name prefilled: {html}"
    );
    assert!(!html.contains("readonly"), "the e-mail is theirs to give");
    let (client, r) = accept(
        &app,
        &link(&inv),
        &[
            ("name", "Ada Lovelace"),
            ("email", "ada@example.com"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    assert_eq!(r.headers()["location"], "/w/acme");
    let home = client.get(app.url("/w/acme")).send().await.unwrap();
    assert_eq!(home.status(), 200, "signed in by accepting");

    // Signs in like anyone else, as the same account.
    let (browser, _) = sign_in(&app, "ada@example.com").await;
    let backlog = browser
        .get(app.url("/w/acme/p/ONB/backlog"))
        .send()
        .await
        .unwrap();
    assert!(backlog.text().await.unwrap().contains("Imported story"));
    let member: Value = app
        .get(&owner, &format!("/api/v1/workspaces/acme/members/{ada}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&member["placeholder"], &member["email"], &member["name"]),
        (
            &json!(false),
            &json!("ada@example.com"),
            &json!("Ada Lovelace")
        )
    );
    assert_eq!(app.show(&owner, key).await["assignee"], "ada@example.com");
    let comments: Value = app
        .get(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{key}/comments"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(comments.to_string().contains("Ada Lovelace"), "{comments}");
    let reported = count(
        &app,
        &format!("SELECT COUNT(*) FROM items WHERE reporter_id = {ada}"),
    )
    .await;
    assert_eq!(reported, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'invitation.accept'"
        )
        .await,
        1
    );
    let listed: Value = app.get(&owner, INVITATIONS).await.json().await.unwrap();
    assert_eq!(
        listed,
        json!([]),
        "an accepted invitation is no longer open"
    );
}

#[tokio::test]
async fn an_invitation_by_email_claims_the_placeholder_with_that_email() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let bob = placeholder(&app, "Bob", Some("bob@example.com")).await;
    let inv = invited(
        &app,
        &owner,
        json!({"email": "Bob@Example.com", "roles": [{"product": "onb", "roles": ["dev"]}]}),
    )
    .await;
    assert_eq!(inv["placeholder_user_id"], bob);
    assert_eq!(inv["email"], "bob@example.com");
    assert_eq!(inv["roles"], json!([{"product": "ONB", "roles": ["dev"]}]));
    let html = cookie_client()
        .get(app.url(&link(&inv)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("value=\"bob@example.com\" readonly"),
        "{html}"
    );
    let (_, r) = accept(
        &app,
        &link(&inv),
        &[
            ("name", "Bob"),
            ("email", "someone-else@example.com"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status(), 303);
    let member: Value = app
        .get(&owner, &format!("/api/v1/workspaces/acme/members/{bob}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        member["email"], "bob@example.com",
        "the invited address stays"
    );
    assert_eq!(member["placeholder"], false);
    assert_eq!(
        member["roles"],
        json!([{"product": "ONB", "roles": ["dev"]}])
    );
    sign_in(&app, "bob@example.com").await;
}

#[tokio::test]
async fn a_new_person_joins_with_the_invited_roles_and_a_second_acceptance_is_refused() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let inv = invited(
        &app,
        &owner,
        json!({"email": "cleo@example.com", "roles": [{"product": "ONB", "roles": ["po", "sm"]}], "admin": true}),
    )
    .await;
    assert_eq!(inv["placeholder_user_id"], Value::Null);
    let fields = [("name", "Cleo"), ("email", ""), ("password", PASSWORD)];
    let (client, r) = accept(&app, &link(&inv), &fields).await;
    assert_eq!(r.status(), 303);
    let members: Value = app
        .get(&owner, "/api/v1/workspaces/acme/members")
        .await
        .json()
        .await
        .unwrap();
    let cleo = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "cleo@example.com")
        .unwrap();
    assert_eq!(cleo["admin"], true);
    assert_eq!(
        cleo["roles"],
        json!([{"product": "ONB", "roles": ["po", "sm"]}])
    );
    // The same browser, or anyone holding the link, cannot use it again.
    let again = client.get(app.url(&link(&inv))).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("used already"));
    let post = client
        .post(app.url(&link(&inv)))
        .form(&[("csrf", "x"), ("name", "Mallory"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 410);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE name = 'Mallory'").await,
        0
    );
}

#[tokio::test]
async fn expired_revoked_and_unknown_links_get_a_clear_page() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let expired = invited(&app, &owner, json!({"email": "e@example.com"})).await;
    let revoked = invited(&app, &owner, json!({"email": "r@example.com"})).await;
    with_pool!(&app.db.write, p => sqlx::query("UPDATE invitations SET expires_at = $1 WHERE id = $2")
        .bind(throughline::db::now() - chrono::Duration::days(1)).bind(expired["id"].as_i64().unwrap())
        .execute(p).await.map(|r| r.rows_affected())).unwrap();
    let delete = |id: &Value| format!("{INVITATIONS}/{id}");
    let r = app
        .req(&owner, Method::DELETE, &delete(&revoked["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .req(&owner, Method::DELETE, &delete(&revoked["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "revoked already");
    let r = app
        .req(&owner, Method::DELETE, &format!("{INVITATIONS}/999"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    for (inv, words) in [(&expired, "expired"), (&revoked, "withdrawn")] {
        let client = cookie_client();
        let page = client.get(app.url(&link(inv))).send().await.unwrap();
        assert_eq!(page.status(), 410);
        assert!(page.text().await.unwrap().contains(words), "{words}");
        let post = client
            .post(app.url(&link(inv)))
            .form(&[("csrf", "x"), ("name", "X"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 410, "{words}");
    }
    // A newer invitation for the same person replaces the open one: its link is withdrawn.
    let first = invited(&app, &owner, json!({"email": "twice@example.com"})).await;
    let second = invited(
        &app,
        &owner,
        json!({"email": "twice@example.com", "admin": true}),
    )
    .await;
    let page = cookie_client()
        .get(app.url(&link(&first)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410, "replaced");
    let page = cookie_client()
        .get(app.url(&link(&second)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    app.req(&owner, Method::DELETE, &delete(&second["id"]))
        .send()
        .await
        .unwrap();
    let unknown = cookie_client()
        .get(app.url("/invite/tli_nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("not valid"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM users WHERE email LIKE 'e@%' OR email LIKE 'r@%'"
        )
        .await,
        0
    );
    let listed: Value = app.get(&owner, INVITATIONS).await.json().await.unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        1,
        "the expired one is still listed"
    );
    assert_eq!(listed[0]["status"], "expired");
}

#[tokio::test]
async fn only_workspace_admins_invite_list_and_revoke() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olive", &["po"]).await;
    let inv = invited(&app, &owner, json!({"email": "n@example.com"})).await;
    let r = invite(&app, &po, json!({"email": "m@example.com"})).await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["detail"], "only workspace admins may invite people");
    assert_eq!(app.get(&po, INVITATIONS).await.status(), 403);
    let r = app
        .req(&po, Method::DELETE, &format!("{INVITATIONS}/{}", inv["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let outsider = app.user("Otto").await;
    assert_eq!(app.get(&outsider, INVITATIONS).await.status(), 404);
}

#[tokio::test]
async fn inviting_a_member_again_is_a_conflict() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let po = app.member(&owner, "Olive", &["po"]).await;
    let r = invite(&app, &owner, json!({"email": po.email})).await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("already a member"),
        "{body}"
    );
    let r = invite(&app, &owner, json!({"placeholder_user_id": po.id})).await;
    assert_eq!(r.status(), 409, "a member who signs in is no placeholder");
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let ph = placeholder(&app, "Pat", None).await;
    let audit = count(&app, "SELECT COUNT(*) FROM audit_log").await;
    for (body, field) in [
        (json!({}), "email"),
        (json!({"email": "  "}), "email"),
        (json!({"email": "not-an-address"}), "email"),
        (json!({"placeholder_user_id": 9999}), "placeholder_user_id"),
        (
            json!({"placeholder_user_id": owner.id + 1000}),
            "placeholder_user_id",
        ),
        (
            json!({"email": "x@example.com", "roles": [{"product": "ZZZ", "roles": ["pm"]}]}),
            "roles",
        ),
        (
            json!({"email": "x@example.com", "roles": [{"product": "ONB", "roles": ["boss"]}]}),
            "roles",
        ),
        (json!({"email": "x@example.com", "rank": 1}), "rank"),
        (json!({"email": "x@example.com", "admin": "yes"}), "admin"),
    ] {
        let r = invite(&app, &owner, body.clone()).await;
        assert_eq!(r.status(), 422, "{body}");
        let problem: Value = r.json().await.unwrap();
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM invitations").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_log").await, audit);

    // On the link's page: a short password or a missing e-mail re-shows the form, 422.
    let inv = invited(&app, &owner, json!({"placeholder_user_id": ph})).await;
    for (fields, says) in [
        (
            [
                ("name", "Pat"),
                ("email", "pat@example.com"),
                ("password", "short"),
            ],
            "password",
        ),
        (
            [("name", "Pat"), ("email", "nope"), ("password", PASSWORD)],
            "email",
        ),
        (
            [
                ("name", " "),
                ("email", "pat@example.com"),
                ("password", PASSWORD),
            ],
            "name",
        ),
    ] {
        let (_, r) = accept(&app, &link(&inv), &fields).await;
        assert_eq!(r.status(), 422, "{says}");
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("{says}: ")), "{says}: {html}");
        assert!(html.contains("<form"), "the form again");
    }
    let (_, r) = {
        let client = cookie_client();
        let r = client
            .post(app.url(&link(&inv)))
            .form(&[
                ("csrf", "forged"),
                ("name", "Pat"),
                ("email", "pat@example.com"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        (client, r)
    };
    assert_eq!(r.status(), 403, "a post without the form's token");
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM users WHERE id = {ph} AND placeholder")
        )
        .await,
        1
    );
    let listed: Value = app.get(&owner, INVITATIONS).await.json().await.unwrap();
    assert_eq!(listed[0]["status"], "pending");
}

#[tokio::test]
async fn the_members_page_invites_a_placeholder_and_lists_open_invitations() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let ph = placeholder(&app, "Pat Placeholder", None).await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let page = client.get(app.url("/w/acme/members")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("aria-label=\"Invite Pat Placeholder\""),
        "{html}"
    );
    assert!(html.contains("Invite someone") && html.contains("No open invitations"));
    // A placeholder without an address shows none, not the reserved one it holds.
    assert!(
        html.contains("none yet") && !html.contains("@placeholder.invalid"),
        "{html}"
    );
    let r = client
        .post(app.url("/w/acme/invitations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("placeholder_user_id", &ph.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let shown = between(
        &html,
        "id=\"invite-link-url\" class=\"copy-field\" readonly value=\"",
        "\"",
    )
    .unwrap();
    assert!(
        shown.starts_with(&format!("http://{}/invite/tli_", app.addr)),
        "{shown}"
    );
    assert!(html.contains("id=\"pending-invitations\""));
    assert!(
        html.contains("aria-label=\"Invite Pat Placeholder again\""),
        "marked invited"
    );
    let r = client
        .post(app.url("/w/acme/invitations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "dana@example.com"),
            ("role", "ONB:pm"),
            ("role", "ONB:dev"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("ONB: dev, pm"));
    let listed: Value = app.get(&owner, INVITATIONS).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let id = listed[0]["id"].as_i64().unwrap();
    let r = client
        .post(app.url(&format!("/w/acme/invitations/{id}/revoke")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let listed: Value = app.get(&owner, INVITATIONS).await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let r = client
        .post(app.url("/w/acme/invitations"))
        .form(&[("csrf", csrf.as_str()), ("email", &owner.email)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    assert!(r.text().await.unwrap().contains("already a member"));
    // A member who is not an admin sees no invitations and cannot make one.
    let po = app.member(&owner, "Olive", &["po"]).await;
    let (client, csrf) = sign_in(&app, &po.email).await;
    let html = client
        .get(app.url("/w/acme/members"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("Invite someone") && !html.contains("pending-invitations"));
    let r = client
        .post(app.url("/w/acme/invitations"))
        .form(&[("csrf", csrf.as_str()), ("email", "x@example.com")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn cli_db(cli: &Cli) -> throughline::db::Db {
    let target = match &cli.database_url {
        Some(url) => throughline::db::Target::Postgres(url.clone()),
        None => throughline::db::Target::Sqlite(cli.dir.path().join("throughline.db")),
    };
    throughline::db::Db::connect(&target, false).await.unwrap()
}

/// Ada (made with `user add`) owns workspace acme with product ONB, all through the binary;
/// acme has two imported placeholders: Pat Import (pat@example.com) and Quinn Import (no
/// e-mail).
struct CliPlaceholders {
    cli: Cli,
    db: throughline::db::Db,
    pat: i64,
    quinn: i64,
}

const ADA: &str = "ada@example.com";

impl CliPlaceholders {
    async fn new() -> CliPlaceholders {
        let cli = Cli::new().await;
        cli.ok(&["migrate"]);
        cli.ok(&[
            "user",
            "add",
            "--email",
            ADA,
            "--name",
            "Ada",
            "--password",
            PASSWORD,
        ]);
        cli.ok(&[
            "workspace",
            "create",
            "--as",
            ADA,
            "--slug",
            "acme",
            "--name",
            "Acme",
        ]);
        cli.ok(&[
            "product", "create", "--as", ADA, "-w", "acme", "--key", "ONB", "--name", "Onb",
        ]);
        let db = cli_db(&cli).await;
        let ws: i64 = with_pool!(&db.read, p => sqlx::query_scalar("SELECT id FROM workspaces").fetch_one(p).await).unwrap();
        let mut tx = db.begin().await.unwrap();
        let pat = accounts::create_placeholder(&mut tx, "Pat Import", Some("pat@example.com"))
            .await
            .unwrap();
        ws_store::join(&mut tx.conn(), ws, pat).await.unwrap();
        let quinn = accounts::create_placeholder(&mut tx, "Quinn Import", None)
            .await
            .unwrap();
        ws_store::join(&mut tx.conn(), ws, quinn).await.unwrap();
        tx.commit().await.unwrap();
        CliPlaceholders {
            cli,
            db,
            pat,
            quinn,
        }
    }

    /// New, then the invitations made from the CLI: Quinn's (pm, po; revoked again), one for
    /// new@example.com and one for pat@example.com.
    async fn invited() -> CliPlaceholders {
        let s = CliPlaceholders::new().await;
        let quinn = s.invite_quinn();
        s.invite_new();
        let id = quinn["id"].to_string();
        s.cli
            .ok(&["invite", "revoke", "--as", ADA, "-w", "acme", &id]);
        s.invite_pat();
        s
    }

    /// `invite create --placeholder "quinn  import" --role pm,po --json`, parsed.
    fn invite_quinn(&self) -> Value {
        self.cli.json(&[
            "invite",
            "create",
            "--as",
            ADA,
            "-w",
            "acme",
            "--placeholder",
            "quinn  import",
            "--role",
            "pm,po",
            "--json",
        ])
    }

    /// An invitation for new@example.com with links to https://pm.example.com/; its output.
    fn invite_new(&self) -> String {
        self.cli.ok(&[
            "invite",
            "create",
            "--as",
            ADA,
            "-w",
            "acme",
            "--email",
            "new@example.com",
            "--url",
            "https://pm.example.com/",
        ])
    }

    fn invite_pat(&self) -> Value {
        self.cli.json(&[
            "invite",
            "create",
            "--as",
            ADA,
            "-w",
            "acme",
            "--email",
            "pat@example.com",
            "--json",
        ])
    }

    async fn close(self) {
        self.db.close().await;
    }
}

#[tokio::test]
async fn invite_create_by_placeholder_name_gives_roles_on_the_only_product_and_a_link() {
    let s = CliPlaceholders::new().await;
    // `invite create` by placeholder name, with roles on the only product.
    let created = s.invite_quinn();
    assert_eq!(created["placeholder_user_id"], s.quinn);
    assert_eq!(
        created["roles"],
        json!([{"product": "ONB", "roles": ["pm", "po"]}])
    );
    assert!(created["link"]
        .as_str()
        .unwrap()
        .starts_with("/invite/tli_"));
    s.close().await;
}

#[tokio::test]
async fn invite_create_by_email_shows_the_link_once_at_the_public_url() {
    let s = CliPlaceholders::new().await;
    let text = s.invite_new();
    assert!(
        text.contains("link (shown once): https://pm.example.com/invite/tli_"),
        "{text}"
    );
    s.close().await;
}

#[tokio::test]
async fn invite_list_shows_who_is_invited_and_invite_revoke_withdraws_one() {
    let s = CliPlaceholders::new().await;
    let created = s.invite_quinn();
    s.invite_new();
    let list = s.cli.ok(&["invite", "list", "--as", ADA, "-w", "acme"]);
    assert!(
        list.contains("Quinn Import (placeholder)") && list.contains("new@example.com"),
        "{list}"
    );
    let id = created["id"].to_string();
    let out = s
        .cli
        .ok(&["invite", "revoke", "--as", ADA, "-w", "acme", &id]);
    assert!(out.contains(&format!("revoked invitation {id}")), "{out}");
    s.close().await;
}

#[tokio::test]
async fn invite_create_refuses_a_bad_email_or_an_unknown_placeholder() {
    let s = CliPlaceholders::new().await;
    let err = s.cli.fails(&[
        "invite", "create", "--as", ADA, "-w", "acme", "--email", "bad",
    ]);
    assert!(err.contains("--email: not an e-mail address"), "{err}");
    let err = s.cli.fails(&[
        "invite",
        "create",
        "--as",
        ADA,
        "-w",
        "acme",
        "--placeholder",
        "nobody",
    ]);
    assert!(err.contains("--placeholder"), "{err}");
    s.close().await;
}

#[tokio::test]
async fn an_invitation_to_a_placeholders_email_is_for_that_placeholder() {
    let s = CliPlaceholders::new().await;
    let pending = s.invite_pat();
    assert_eq!(pending["placeholder_user_id"], s.pat);
    s.close().await;
}

#[tokio::test]
async fn member_list_says_a_placeholder_cannot_sign_in_and_how_to_invite_it() {
    let s = CliPlaceholders::invited().await;
    let text = s.cli.ok(&["member", "list", "--as", ADA, "-w", "acme"]);
    assert!(
        text.contains("placeholder (cannot sign in)")
            && text.contains("invite create --placeholder"),
        "{text}"
    );
    s.close().await;
}

#[tokio::test]
async fn user_add_with_a_placeholders_email_claims_it_and_withdraws_its_invitation() {
    let s = CliPlaceholders::invited().await;
    let (cli, db, pat) = (&s.cli, &s.db, s.pat);
    // `user add` with a placeholder's e-mail sets that account up instead of failing.
    let add_pat = [
        "user",
        "add",
        "--email",
        "pat@example.com",
        "--name",
        "Pat",
        "--password",
        PASSWORD,
    ];
    let out = cli.ok(&add_pat);
    assert!(
        out.contains("claimed the placeholder account Pat <pat@example.com> (a member of acme)"),
        "{out}"
    );
    let members = cli.json(&["member", "list", "--as", ADA, "-w", "acme", "--json"]);
    let pat_row = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == pat)
        .unwrap();
    assert_eq!(pat_row["placeholder"], false);
    let open: i64 = with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM invitations WHERE placeholder_id = $1 AND revoked_at IS NULL").bind(pat).fetch_one(p).await).unwrap();
    assert_eq!(open, 0, "its open invitation is withdrawn");
    let hashing = throughline::passwords::Hashing::for_this_machine();
    let signed = throughline::auth::sign_in::authenticate(
        db,
        &hashing,
        "pat@example.com",
        PASSWORD,
        "127.0.0.1",
    )
    .await
    .unwrap();
    assert_eq!(signed.id, pat);
    let err = cli.fails(&add_pat);
    assert!(err.contains("already exists"), "{err}");
    s.close().await;
}

#[tokio::test]
async fn accepting_withdraws_other_workspaces_links_for_the_same_placeholder() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let ph = placeholder(&app, "Pat", None).await;
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces",
            json!({"slug": "beta", "name": "Beta"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let beta = count(&app, "SELECT id FROM workspaces WHERE slug = 'beta'").await;
    let mut tx = app.db.begin().await.unwrap();
    ws_store::join(&mut tx.conn(), beta, ph).await.unwrap();
    tx.commit().await.unwrap();
    let in_beta = app
        .post(
            &owner,
            "/api/v1/workspaces/beta/invitations",
            json!({"placeholder_user_id": ph}),
        )
        .await;
    assert_eq!(in_beta.status(), 201);
    let in_beta: Value = in_beta.json().await.unwrap();
    let in_acme = invited(&app, &owner, json!({"placeholder_user_id": ph})).await;
    let fields = [
        ("name", "Pat"),
        ("email", "pat@example.com"),
        ("password", PASSWORD),
    ];
    let (_, r) = accept(&app, &link(&in_acme), &fields).await;
    assert_eq!(r.status(), 303);
    let page = cookie_client()
        .get(app.url(&link(&in_beta)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    let open: Value = app
        .get(&owner, "/api/v1/workspaces/beta/invitations")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(open, json!([]));
}
