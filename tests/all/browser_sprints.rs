//! The Scrum cycle in headless Chromium: planning, the board, the review, the retrospective.
//! Skipped unless THROUGHLINE_WEBDRIVER names a running chromedriver (scripts/test starts one).

use crate::support;

use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{Client, Locator};
use reqwest::Method;
use serde_json::{json, Value};
use support::scrum::*;
use support::web::{browser, click, sign_in, type_into};
use support::{spawn_app, Caller, TestApp};

/// A workspace where the owner holds every product role, a team, and ready stories.
async fn setup(app: &TestApp, stories: &[(&str, i64)]) -> (Caller, i64, Vec<String>) {
    let owner = app.workspace().await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let t = json_ok(
        app.post(&owner, &format!("{P}/teams"), json!({"name": "Core"}))
            .await,
        201,
    )
    .await;
    let team = t["id"].as_i64().unwrap();
    let r = app
        .req(&owner, Method::PUT, &format!("{P}/teams/{team}/members"))
        .json(&json!({"email": owner.email, "points_per_day": 1.0, "focus_pct": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut keys = Vec::new();
    for (title, points) in stories {
        keys.push(
            ready_story(
                app,
                &owner,
                title,
                *points,
                &["Given a When b Then c", "Given d When e Then f"],
            )
            .await,
        );
    }
    (owner, team, keys)
}

/// A started sprint holding `keys`.
async fn running(app: &TestApp, owner: &Caller, team: i64, keys: &[String]) -> i64 {
    let id = sprint(app, owner, team, "Sprint 1", "2027-01-04", "2027-01-17").await["id"]
        .as_i64()
        .unwrap();
    commit_and_start(app, owner, id, keys).await;
    id
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..50 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The element's text, retried while a form's redirect replaces the page under it.
async fn text_of(c: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        match c.find(Locator::Css(css)).await {
            Ok(e) => match e.text().await {
                Ok(t) => return t,
                Err(err) => last = err.to_string(),
            },
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("text of {css}: {last}");
}

#[tokio::test]
async fn plan_a_sprint_in_the_browser() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let (owner, _, keys) = setup(&app, &[("sign up", 3), ("invite", 5), ("import", 8)]).await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/sprints")).await.unwrap();
    type_into(&c, "#s-name", "Sprint 1").await;
    type_into(&c, "#s-goal", "New admins get started alone").await;
    // Date inputs take typed text in the browser's locale; set their values directly.
    c.execute("document.getElementById('s-start').value = '2027-01-04'; document.getElementById('s-end').value = '2027-01-17';", vec![])
        .await
        .unwrap();
    click(&c, "form[action$='/sprints'] button.btn-primary").await;
    c.wait()
        .for_element(Locator::Css("#sprints"))
        .await
        .expect("sprint listed");
    click(&c, "#sprints a[href$='/plan']").await;
    c.wait()
        .for_element(Locator::Css("#candidates"))
        .await
        .expect("planning page");
    // Capacity: 10 workdays × 1 point, a guess; the forecast pre-selects 3 + 5 and stops at 8.
    assert_eq!(text_of(&c, "#capacity").await, "10.0");
    for (k, checked) in keys.iter().zip([true, true, false]) {
        let b = c
            .find(Locator::Css(&format!("#candidates input[value='{k}']")))
            .await
            .unwrap();
        assert_eq!(
            b.prop("checked").await.unwrap().as_deref() == Some("true"),
            checked,
            "{k}"
        );
    }
    type_into(&c, "#exception", "").await;
    click(&c, "#commit-selected").await;
    c.wait()
        .for_element(Locator::Css("#committed-items"))
        .await
        .expect("committed");
    assert_eq!(text_of(&c, "#committed").await, "8");
    let sprints: Value = json_ok(app.get(&owner, &format!("{P}/sprints")).await, 200).await;
    let id = sprints[0]["id"].as_i64().unwrap();
    let plan = json_ok(
        app.get(&owner, &format!("{P}/sprints/{id}/planning")).await,
        200,
    )
    .await;
    assert_eq!(plan["committed_points"], 8);
    assert_eq!(plan["sprint"]["goal"], "New admins get started alone");
    c.close().await.unwrap();
}

#[tokio::test]
async fn move_cards_on_the_board_by_mouse_and_keyboard() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let (owner, team, keys) = setup(&app, &[("sign up", 3), ("invite", 5)]).await;
    let id = running(&app, &owner, team, &keys).await;
    // A card worth reading (UI.md, "Board"): the second story blocked by the first, the first
    // assigned to its owner.
    let r = app
        .post(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{}/dependencies", keys[0]),
            json!({"blocks": keys[1]}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let v = app.show(&owner, &keys[0]).await["version"]
        .as_i64()
        .unwrap();
    let r = app
        .patch(
            &owner,
            &format!("/api/v1/workspaces/acme/items/{}", keys[0]),
            v,
            json!({"assignee": owner.email}),
        )
        .await;
    assert_eq!(r.status(), 200);
    // Under an initiative whose name is longer than a card is wide.
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/products/ONB/initiatives",
            json!({"title": "Self-serve onboarding for administrators of large teams", "status": "planned"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let initiative: Value = r.json().await.unwrap();
    let r = app
        .req(
            &owner,
            Method::PUT,
            &format!("/api/v1/workspaces/acme/items/{}/initiative", keys[0]),
        )
        .json(&json!({"initiative": initiative["id"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url(&format!("/w/acme/p/ONB/sprints/{id}/board")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("#board.is-sortable"))
        .await
        .expect("board ready");
    let first_card = format!(".card[data-key='{}']", keys[0]);
    let second_card = format!(".card[data-key='{}']", keys[1]);
    let overflowing = c
        .execute(
            "return [...document.querySelectorAll('.card .chip')].filter(chip => {
                 const card = chip.closest('.card').getBoundingClientRect();
                 return chip.getBoundingClientRect().right > card.right - 1;
             }).map(chip => chip.textContent);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        overflowing,
        json!([]),
        "trace chips stay inside their cards"
    );
    assert!(
        text_of(&c, &format!("{first_card} .chip"))
            .await
            .contains("Self-serve onboarding"),
        "the card names its initiative"
    );
    assert_eq!(
        text_of(&c, &format!("{first_card} .avatar")).await,
        "O",
        "the assignee Owner by initials"
    );
    assert_eq!(
        text_of(&c, &format!("{second_card} .tag-blocked")).await,
        format!("Blocked by {}", keys[0])
    );
    let board_status = |key: String| {
        let app = &app;
        let owner = &owner;
        async move {
            let b = json_ok(
                app.get(owner, &format!("{P}/sprints/{id}/board")).await,
                200,
            )
            .await;
            b["columns"]
                .as_array()
                .unwrap()
                .iter()
                .find(|col| {
                    col["cards"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|card| card["key"] == key.as_str())
                })
                .map(|col| col["status"].as_str().unwrap().to_string())
                .unwrap_or_default()
        }
    };
    // Drag the first card into "In progress".
    let card = c
        .find(Locator::Css(&format!(
            ".card[data-key='{}'] .card-title",
            keys[0]
        )))
        .await
        .unwrap();
    let target = c
        .find(Locator::Css(".cards[data-status='in_progress']"))
        .await
        .unwrap();
    let drag = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element: card,
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 5,
            y: 5,
        })
        .then(PointerAction::MoveToElement {
            element: target,
            duration: Some(Duration::from_millis(300)),
            x: 0,
            y: 0,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(200),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag");
    wait_until("the drop reaches the server", || {
        let f = board_status(keys[0].clone());
        async move { f.await == "in_progress" }
    })
    .await;
    // The second card by keyboard: select it, then l twice moves it to "In review".
    let second = c
        .find(Locator::Css(&format!(".card[data-key='{}']", keys[1])))
        .await
        .unwrap();
    // Keys typed into the card reach the board's handler with the card selected.
    second.send_keys("l").await.unwrap();
    wait_until("the first key move lands", || {
        let f = board_status(keys[1].clone());
        async move { f.await == "in_progress" }
    })
    .await;
    second.send_keys("l").await.unwrap();
    wait_until("the second key move lands", || {
        let f = board_status(keys[1].clone());
        async move { f.await == "in_review" }
    })
    .await;
    // The card menu: m on the selected card lists the other columns; one click moves it.
    second.send_keys("m").await.unwrap();
    let done = c
        .wait()
        .for_element(Locator::XPath(
            "//div[@class='card-menu']/button[normalize-space()='Done']",
        ))
        .await
        .expect("the card menu");
    done.click().await.unwrap();
    wait_until("the menu move lands", || {
        let f = board_status(keys[1].clone());
        async move { f.await == "done" }
    })
    .await;
    // Both moves survive a reload.
    c.refresh().await.unwrap();
    c.wait().for_element(Locator::Css("#board")).await.unwrap();
    let done = c
        .find_all(Locator::Css(".cards[data-status='done'] .card"))
        .await
        .unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(
        done[0].attr("data-key").await.unwrap().as_deref(),
        Some(keys[1].as_str())
    );
    c.close().await.unwrap();
}

#[tokio::test]
async fn record_a_review_in_the_browser() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let (owner, team, keys) = setup(&app, &[("sign up", 3), ("invite", 5)]).await;
    let id = running(&app, &owner, team, &keys).await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url(&format!("/w/acme/p/ONB/sprints/{id}/review")))
        .await
        .unwrap();
    let k = &keys[0];
    click(
        &c,
        &format!("#review-{k} input[name='verdict-1'][value='pass']"),
    )
    .await;
    click(
        &c,
        &format!("#review-{k} input[name='verdict-2'][value='pass']"),
    )
    .await;
    // Still To do on the board: accepting it takes the PO's reason.
    type_into(&c, &format!("#accept-reason-{k}"), "demoed on staging").await;
    click(&c, &format!("#review-{k} button")).await;
    c.wait()
        .for_element(Locator::Css(&format!("#review-{k} .badge-ready")))
        .await
        .expect("accepted");
    let k2 = &keys[1];
    click(
        &c,
        &format!("#review-{k2} input[name='verdict-1'][value='fail']"),
    )
    .await;
    type_into(&c, &format!("#note-{k2}-1"), "the invite link 404s").await;
    // Saved in place (UI.md 2): no reload, the page stays where it was scrolled, a toast says
    // what happened, and the footer counts the review.
    c.set_window_size(1280, 560).await.unwrap();
    let before = c
        .execute(
            &format!(
                "window.__kept = 1; document.querySelector('#review-{k2} button').scrollIntoView({{block: 'center'}}); return window.scrollY"
            ),
            vec![],
        )
        .await
        .unwrap();
    assert!(
        before.as_f64().unwrap() > 0.0,
        "the page scrolled: {before}"
    );
    click(&c, &format!("#review-{k2} button")).await;
    c.wait()
        .for_element(Locator::Css(&format!("#review-{k2} .badge-unready")))
        .await
        .expect("not accepted");
    let toast = c
        .wait()
        .for_element(Locator::Css("#toast:not([hidden])"))
        .await
        .expect("a toast");
    assert_eq!(
        toast.text().await.unwrap(),
        format!("Verdicts saved on {k2} · not accepted")
    );
    let after = c
        .execute("return [window.__kept === 1, window.scrollY]", vec![])
        .await
        .unwrap();
    assert_eq!(after[0], true, "the page was not reloaded");
    assert!(
        (after[1].as_f64().unwrap() - before.as_f64().unwrap()).abs() < 2.0,
        "the scroll position stays: {before} then {}",
        after[1]
    );
    assert!(
        text_of(&c, "#review-footer")
            .await
            .contains("2 of 2 reviewed"),
        "{}",
        text_of(&c, "#review-footer").await
    );
    c.set_window_size(1280, 900).await.unwrap();
    click(&c, "input[name='goal_met'][value='yes']").await;
    click(&c, "form[action$='/review/goal'] button").await;
    // The page before the post has #accepted-points too; only the page the post answers
    // renders the saved choice as checked (a click sets the property, not the attribute).
    c.wait()
        .for_element(Locator::Css("input[name='goal_met'][value='yes'][checked]"))
        .await
        .expect("the goal saved");
    assert_eq!(text_of(&c, "#accepted-points").await, "3");
    let r = json_ok(
        app.get(&owner, &format!("{P}/sprints/{id}/review")).await,
        200,
    )
    .await;
    assert_eq!(r["accepted_points"], 3);
    assert_eq!(r["items"][1]["criteria"][0]["note"], "the invite link 404s");
    assert_eq!(r["sprint"]["goal_met"], true);
    c.close().await.unwrap();
}

#[tokio::test]
async fn add_a_retro_action_in_the_browser() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let (owner, team, keys) = setup(&app, &[("sign up", 3)]).await;
    let id = running(&app, &owner, team, &keys).await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url(&format!("/w/acme/p/ONB/sprints/{id}/retro")))
        .await
        .unwrap();
    click(&c, "form[action$='/retro'] button").await;
    c.wait()
        .for_element(Locator::Css("#new-to_improve"))
        .await
        .expect("opened");
    type_into(&c, "#new-to_improve", "Reviews wait two days").await;
    click(&c, "form:has(#new-to_improve) button").await;
    c.wait()
        .for_element(Locator::Css(".card[id^='entry-']"))
        .await
        .expect("entry");
    type_into(&c, "#action-text", "Set up a review rota").await;
    type_into(&c, "#action-owner", &owner.email).await;
    click(&c, "form[action$='/retro/actions'] button").await;
    c.wait()
        .for_element(Locator::Css("#actions"))
        .await
        .expect("action listed");
    let key = text_of(&c, "#actions td.key").await;
    let task = app.show(&owner, &key).await;
    assert_eq!(task["title"], "Set up a review rota");
    assert_eq!(task["kind"], "task");
    c.close().await.unwrap();
}
