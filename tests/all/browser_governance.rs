//! Governance in headless Chromium: a strict-mode move refused and then made with an exemption,
//! a PM override in the PO's inbox, and the alignment page of a sprint. Skipped unless
//! THROUGHLINE_WEBDRIVER names a running chromedriver (scripts/test starts one).

use crate::support;

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::{json, Value};
use support::scrum::*;
use support::web::{browser, sign_in};
use support::{spawn_app, Caller, TestApp};

fn this_quarter() -> String {
    use chrono::Datelike;
    let d = chrono::Utc::now().date_naive();
    format!("{}-Q{}", d.year(), d.month0() / 3 + 1)
}

/// Two priorities this quarter with one initiative each; returns the initiatives.
async fn strategy(app: &TestApp, pm: &Caller) -> (Value, Value) {
    let q = this_quarter();
    let o = json_ok(
        app.post(
            pm,
            &format!("{P}/objectives"),
            json!({"quarter": q, "title": "Grow"}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let mut ids = Vec::new();
    for t in ["Activation", "Imports"] {
        ids.push(
            json_ok(
                app.post(
                    pm,
                    &format!("{P}/priorities"),
                    json!({"quarter": q, "title": t, "objectives": [o], "reason": "planning"}),
                )
                .await,
                201,
            )
            .await["id"]
                .clone(),
        );
    }
    let i1 = json_ok(
        app.post(
            pm,
            &format!("{P}/initiatives"),
            json!({"title": "Guided setup", "status": "planned", "priorities": [ids[0]]}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let i2 = json_ok(
        app.post(
            pm,
            &format!("{P}/initiatives"),
            json!({"title": "Jira import", "status": "planned", "priorities": [ids[1]]}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    (i1, i2)
}

#[tokio::test]
async fn a_strict_move_is_refused_then_made_with_an_exemption() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await; // pm, po, dev
    let (i1, i2) = strategy(&app, &owner).await;
    let a = app.story_in(&owner, "guided setup", &i1).await;
    let b = app.story_in(&owner, "map fields", &i2).await;
    assert_eq!(app.set_tier_policy(&owner, "strict").await.status(), 204);
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/backlog")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#backlog"))
        .await
        .unwrap();
    let body = c.find(Locator::Css("body")).await.unwrap();
    // Select the tier-2 item and move it above the tier-1 one: refused, with a dialog that
    // names both and asks for the reason (no window.prompt).
    body.send_keys("jj").await.unwrap();
    body.send_keys(&format!(
        "{}K{}",
        char::from(Key::Shift),
        char::from(Key::Shift)
    ))
    .await
    .unwrap();
    let dialog = c
        .wait()
        .for_element(Locator::Css("#exemption-dialog[open]"))
        .await
        .expect("the refusal opens the exemption dialog");
    assert!(c.get_alert_text().await.is_err(), "no browser prompt");
    let prompt = dialog
        .find(Locator::Css(".exemption-why"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        prompt.contains("strict tier order") && prompt.contains("would sit above"),
        "{prompt}"
    );
    assert_eq!(
        app.order(&owner).await,
        vec![a.clone(), b.clone()],
        "refused: nothing moved yet"
    );
    let focused = c
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("exemption-reason"));
    c.active_element()
        .await
        .unwrap()
        .send_keys("the Jira deadline is contractual")
        .await
        .unwrap();
    c.find(Locator::Id("exemption-place"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for _ in 0..50 {
        if app.order(&owner).await == vec![b.clone(), a.clone()] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.order(&owner).await, vec![b.clone(), a.clone()]);
    let ex = json_ok(app.get(&owner, &format!("{P}/exemptions")).await, 200).await;
    assert_eq!(ex[0]["reason"], "the Jira deadline is contractual");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_pm_override_shows_in_the_pos_inbox_and_the_alignment_page_adds_up() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.roles(&owner, &owner, "ONB", &["po", "dev", "sm"]).await;
    let pat = app.member(&owner, "Pat", &["pm"]).await;
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
    let v = version(&app, &owner, id).await;
    let body = json!({"add": sso, "reason": "deal", "override_reason": "the board committed SSO to Contoso"});
    assert_eq!(
        post_v(&app, &pat, &format!("{P}/sprints/{id}/scope"), v, body)
            .await
            .status(),
        200
    );

    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/inbox")).await.unwrap();
    let inbox = c
        .find(Locator::Id("inbox"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains("PM override by Pat")
            && inbox.contains("the board committed SSO to Contoso"),
        "{inbox}"
    );

    // The alignment page of the sprint: no priorities for 2027-Q1, so no score, and it says so;
    // the override is counted.
    c.goto(&app.url(&format!("/w/acme/p/ONB/alignment?sprint={id}")))
        .await
        .unwrap();
    let page = c
        .find(Locator::Css("main"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Alignment · Sprint 1")
            && page.contains("No quarterly priorities are set for 2027-Q1"),
        "{page}"
    );
    assert!(page.contains("Unaligned") && page.contains("8"), "{page}");
    c.close().await.unwrap();
}
