//! PM overrides (G3): only with a strategic reason, recorded, told to the PO, counted.

use crate::support;

use serde_json::json;
use support::scrum::*;
use support::spawn_app;

#[tokio::test]
async fn the_pm_overrides_only_with_a_reason_and_the_po_sees_it() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.roles(&owner, &owner, "ONB", &["po", "dev", "sm"]).await;
    let pat = app.member(&owner, "Pat", &["pm"]).await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let team = team(&app, &owner, &app.member(&owner, "Sam", &["sm"]).await).await;
    let a = ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
    let sso = ready_story(
        &app,
        &owner,
        "single sign-on",
        5,
        &["Given a When b Then c"],
    )
    .await;
    let id = sprint(&app, &owner, team, "Sprint 1", "2027-01-04", "2027-01-17").await["id"]
        .as_i64()
        .unwrap();
    json_ok(
        app.post(
            &owner,
            &format!("{P}/sprints/{id}/commit"),
            json!({"items": [a]}),
        )
        .await,
        200,
    )
    .await;
    let v = version(&app, &owner, id).await;
    json_ok(
        post_v(
            &app,
            &owner,
            &format!("{P}/sprints/{id}/start"),
            v,
            json!({}),
        )
        .await,
        200,
    )
    .await;
    let scope = format!("{P}/sprints/{id}/scope");
    let v = version(&app, &owner, id).await;

    // Without a strategic reason the PM is refused, and says how; others cannot override.
    let e = json_ok(
        post_v(&app, &pat, &scope, v, json!({"add": sso, "reason": "deal"})).await,
        403,
    )
    .await;
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("only as an override"),
        "{e}"
    );
    let e = json_ok(
        post_v(
            &app,
            &dev,
            &scope,
            v,
            json!({"add": sso, "reason": "deal", "override_reason": "x"}),
        )
        .await,
        403,
    )
    .await;
    assert!(
        e["detail"]
            .as_str()
            .unwrap()
            .contains("only the Product Manager overrides"),
        "{e}"
    );
    let e = json_ok(
        post_v(
            &app,
            &pat,
            &scope,
            v,
            json!({"add": sso, "reason": "deal", "override_reason": "  "}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(e["field"], "override_reason");
    assert_eq!(version(&app, &owner, id).await, v, "nothing changed");

    // With one, the change is made and recorded as an override the PO is told about.
    let r = post_v(&app, &pat, &scope, v, json!({"add": sso, "reason": "deal", "override_reason": "the board committed SSO to Contoso"})).await;
    assert_eq!(r.status(), 200);
    let inbox = json_ok(app.get(&owner, "/api/v1/inbox?unread=true").await, 200).await;
    let titles: Vec<&str> = inbox["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("PM override by Pat")
            && t.contains("the board committed SSO to Contoso")),
        "{titles:?}"
    );

    // The PM breaks tier order only as an override too; both are counted for the quarter.
    let r = app
        .post(
            &pat,
            &format!("/api/v1/workspaces/acme/items/{a}/move"),
            json!({"to": "bottom"}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let r = app
        .post(
            &pat,
            &format!("/api/v1/workspaces/acme/items/{a}/move"),
            json!({"to": "bottom", "override_reason": "SSO first"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let o = json_ok(app.get(&dev, &format!("{P}/overrides")).await, 200).await;
    assert_eq!(o["count"], 2);
    let kinds: Vec<&str> = o["overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["tier", "scope"]);
    assert_eq!(
        o["overrides"][1]["reason"],
        "the board committed SSO to Contoso"
    );
    assert_eq!(
        json_ok(
            app.get(&dev, &format!("{P}/overrides?quarter=2027-Q9"))
                .await,
            422
        )
        .await["field"],
        "quarter"
    );
}

/// A tier override changes the order every team of the product works from: the team's
/// members are told, not only the PO.
#[tokio::test]
async fn a_tier_override_is_told_to_the_team() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let pat = app.member(&owner, "Pat", &["pm"]).await;
    let sam = app.member(&owner, "Sam", &["sm"]).await;
    team(&app, &owner, &sam).await;
    let a = ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
    let r = app
        .post(
            &pat,
            &format!("/api/v1/workspaces/acme/items/{a}/move"),
            json!({"to": "bottom", "override_reason": "SSO first"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    for who in [&owner, &sam] {
        let inbox = json_ok(app.get(who, "/api/v1/inbox?unread=true").await, 200).await;
        let told = inbox["notifications"].as_array().unwrap().iter().any(|n| {
            n["title"]
                .as_str()
                .unwrap()
                .starts_with("PM override by Pat")
        });
        assert!(told, "{} was not told: {inbox}", who.email);
    }
}
