//! The instance's settings and admins: only its admins read and change them, with the version
//! check; each rule holds through the API (who creates workspaces, closed sign-up, allowed
//! e-mail domains); the CLI scripts the same.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::cli::Cli;
use crate::support::{spawn_app, TestApp};

const SETTINGS: &str = "/api/v1/instance/settings";

async fn settings(app: &TestApp, who: &crate::support::Caller) -> (i64, Value) {
    let r = app.get(who, SETTINGS).await;
    assert_eq!(r.status(), 200);
    let etag: i64 = r.headers()["etag"]
        .to_str()
        .unwrap()
        .trim_matches('"')
        .parse()
        .unwrap();
    (etag, r.json().await.unwrap())
}

#[tokio::test]
async fn only_instance_admins_change_settings_with_the_version_check() {
    let app = spawn_app().await;
    let owner = app.workspace().await; // the first account: the instance's admin
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    assert_eq!(app.get(&dev, SETTINGS).await.status(), 403);
    let (v, s) = settings(&app, &owner).await;
    assert_eq!(s["workspace_creation"], "anyone");
    assert_eq!(s["signup"], "invitation");
    assert_eq!(s["allowed_domains"], json!([]));
    let body = json!({"signup": "closed"});
    let r = app
        .req(&owner, Method::PATCH, SETTINGS)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 428, "If-Match is required");
    let r = app
        .patch(&owner, SETTINGS, v, json!({"signup": "open"}))
        .await;
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.unwrap();
    assert!(problem.to_string().contains("signup"), "{problem}");
    let r = app
        .patch(
            &owner,
            SETTINGS,
            v,
            json!({"allowed_domains": ["not a domain"]}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .patch(&owner, SETTINGS, v, json!({"colour": "red"}))
        .await;
    assert_eq!(r.status(), 422, "unknown fields are refused");
    assert_eq!(settings(&app, &owner).await.0, v, "nothing changed");
    let r = app
        .patch(&dev, SETTINGS, v, json!({"signup": "closed"}))
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .patch(
            &owner,
            SETTINGS,
            v,
            json!({"allowed_domains": ["@Example.com"]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let s: Value = r.json().await.unwrap();
    assert_eq!(s["allowed_domains"], json!(["example.com"]));
    let stale = app
        .patch(&owner, SETTINGS, v, json!({"signup": "closed"}))
        .await;
    assert_eq!(stale.status(), 412, "an old version is refused");
}

#[tokio::test]
async fn workspace_creation_signup_and_domains_are_enforced() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let (v, _) = settings(&app, &owner).await;
    let r = app
        .patch(&owner, SETTINGS, v, json!({"workspace_creation": "admins", "signup": "closed", "allowed_domains": ["example.com"]}))
        .await;
    assert_eq!(r.status(), 200);
    let new_ws = json!({"slug": "devs", "name": "Devs"});
    let r = app.post(&dev, "/api/v1/workspaces", new_ws.clone()).await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("instance's admins"));
    assert_eq!(
        app.post(&owner, "/api/v1/workspaces", new_ws)
            .await
            .status(),
        201
    );

    // A workspace admin who is not an instance admin cannot invite strangers when closed.
    let lead = app.user("Lead").await;
    app.invite_and_accept(&owner, &lead, json!({"email": lead.email, "admin": true}))
        .await;
    let invite = json!({"email": "new@example.com"});
    let r = app
        .post(&lead, "/api/v1/workspaces/acme/invitations", invite.clone())
        .await;
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("sign-up is closed"));
    let r = app
        .post(&owner, "/api/v1/workspaces/acme/invitations", invite)
        .await;
    assert_eq!(r.status(), 201);
    // Outside the allowed domains: refused, naming the field.
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/invitations",
            json!({"email": "x@elsewhere.org"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("example.com"));
    let outsider = app.user("Out").await; // out@example.com is allowed; make one that is not
    let _ = outsider;
    throughline::auth::store::create_user(&app.db, "z@other.org", "Zed", crate::support::PASSWORD)
        .await
        .unwrap();
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/members",
            json!({"email": "z@other.org"}),
        )
        .await;
    assert_eq!(r.status(), 422);
}

#[tokio::test]
async fn instance_admins_are_granted_and_the_last_one_stays() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let admins: Value = app
        .get(&owner, "/api/v1/instance/admins")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admins.as_array().unwrap().len(), 1);
    let r = app
        .req(
            &owner,
            Method::DELETE,
            &format!("/api/v1/instance/admins/{}", owner.email),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "the last admin stays");
    let r = app
        .post(
            &owner,
            "/api/v1/instance/admins",
            json!({"email": dev.email}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(app.get(&dev, SETTINGS).await.status(), 200);
    let r = app
        .post(
            &owner,
            "/api/v1/instance/admins",
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(r.status(), 422);
    let r = app
        .req(
            &dev,
            Method::DELETE,
            &format!("/api/v1/instance/admins/{}", owner.email),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.get(&owner, SETTINGS).await.status(), 403);
    let all: Value = app
        .get(&dev, "/api/v1/instance/workspaces")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all[0]["slug"], "acme");
    assert_eq!(all[0]["members"], 2);
}

#[tokio::test]
async fn the_cli_scripts_the_instance() {
    let cli = Cli::demo().await;
    let shown = cli.ok(&["admin", "settings"]);
    assert!(shown.contains("workspace creation: anyone"), "{shown}");
    let set = cli.json(&[
        "admin",
        "settings",
        "--signup",
        "closed",
        "--allowed-domains",
        "throughline.local, example.com",
        "--json",
    ]);
    assert_eq!(set["signup"], "closed");
    assert_eq!(
        set["allowed_domains"],
        json!(["throughline.local", "example.com"])
    );
    let bad = cli.fails(&["admin", "settings", "--workspace-creation", "everyone"]);
    assert!(bad.contains("--workspace-creation"), "{bad}");
    let admins = cli.ok(&["admin", "admins"]);
    assert!(
        admins.contains("demo@throughline.local"),
        "the demo's first account: {admins}"
    );
    cli.ok(&["admin", "grant", "sam@throughline.local"]);
    assert!(cli
        .ok(&["admin", "admins"])
        .contains("sam@throughline.local"));
    cli.ok(&["admin", "revoke", "sam@throughline.local"]);
    let last = cli.fails(&["admin", "revoke", "demo@throughline.local"]);
    assert!(last.contains("last admin"), "{last}");
    let ws = cli.ok(&["admin", "workspaces"]);
    assert!(ws.contains("demo") && ws.contains("Demo Company"), "{ws}");
}

#[tokio::test]
async fn two_admins_removing_each_other_at_once_leave_one() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dev", &["dev"]).await;
    let r = app
        .post(
            &owner,
            "/api/v1/instance/admins",
            json!({"email": dev.email}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let revoke = |who: &crate::support::Caller, other: &crate::support::Caller| {
        app.req(
            who,
            Method::DELETE,
            &format!("/api/v1/instance/admins/{}", other.email),
        )
        .send()
    };
    let (a, b) = tokio::join!(revoke(&owner, &dev), revoke(&dev, &owner));
    let mut codes = vec![a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    codes.sort();
    // The loser is refused either as no longer an admin (it lost first) or as the last one.
    assert_eq!(codes[0], 204, "one removal wins: {codes:?}");
    assert!(
        matches!(codes[1], 403 | 409),
        "the other is refused: {codes:?}"
    );
    let left = throughline::instance::store::admins(&app.db).await.unwrap();
    assert_eq!(left.len(), 1);
}
