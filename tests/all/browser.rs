//! Browser tests in headless Chromium through WebDriver. They run when THROUGHLINE_WEBDRIVER
//! names a running chromedriver (scripts/test starts one) and are skipped otherwise.

use crate::support;

use std::time::Duration;

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use support::web::{browser, click, sign_in, type_into};
use support::{spawn_app, TestApp};

async fn row_keys(c: &Client) -> Vec<String> {
    let mut keys = Vec::new();
    for row in c
        .find_all(Locator::Css("#backlog tr.item-row"))
        .await
        .expect("rows")
    {
        keys.push(
            row.attr("data-key")
                .await
                .expect("attr")
                .unwrap_or_default(),
        );
    }
    keys
}

/// Polls the server's order until it matches, since the move is sent after the drop.
async fn wait_for_order(app: &TestApp, who: &support::Caller, expected: &[&str]) {
    for _ in 0..50 {
        if app.order(who).await == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(app.order(who).await, expected);
}

#[tokio::test]
async fn sign_in_and_create_an_item_with_criteria() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    sign_in(&c, &app, &owner.email).await;
    // `c` opens the header's dialog on any product page, here the Overview, with the title
    // field focused.
    c.goto(&app.url("/w/acme/p/ONB")).await.expect("overview");
    let dialog = c
        .find(Locator::Id("new-item-dialog"))
        .await
        .expect("dialog");
    assert_eq!(dialog.attr("open").await.expect("open"), None);
    c.find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys("c")
        .await
        .expect("press c");
    let focused = c
        .execute("return document.activeElement.id", vec![])
        .await
        .expect("focus");
    assert_eq!(
        focused,
        json!("dlg-title"),
        "`c` focuses the new item's title"
    );
    c.active_element()
        .await
        .expect("focused")
        .send_keys("Invite teammates")
        .await
        .expect("type");
    type_into(
        &c,
        "#dlg-criteria",
        "Given 3 addresses When I invite Then 3 e-mails are sent",
    )
    .await;
    click(&c, "#new-item-dialog button.btn-primary").await;
    c.wait()
        .for_element(Locator::Id("criteria-editor"))
        .await
        .expect("item page");
    // Open "Edit story", add a second criterion with the editor's button, then save.
    click(&c, "#edit-story > summary").await;
    click(&c, "[data-action=add-criterion]").await;
    let boxes = c
        .find_all(Locator::Css("#criteria-editor textarea"))
        .await
        .expect("textareas");
    let mut empty = None;
    for b in boxes {
        if b.prop("value")
            .await
            .expect("value")
            .unwrap_or_default()
            .is_empty()
        {
            empty = Some(b);
            break;
        }
    }
    empty
        .expect("an empty criterion")
        .send_keys("Given a bad address When I invite Then I see which one")
        .await
        .expect("type");
    click(&c, "#edit-form button.btn-primary").await;
    c.wait()
        .for_element(Locator::Css("ol.criteria"))
        .await
        .expect("saved");
    // The page already had a criteria list before saving, so wait for the save itself.
    let mut item = app.show(&owner, "ONB-1").await;
    for _ in 0..50 {
        if item["version"] != 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        item = app.show(&owner, "ONB-1").await;
    }
    let texts: Vec<&str> = item["criteria"]
        .as_array()
        .expect("criteria")
        .iter()
        .map(|c| c["text"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        texts,
        [
            "Given 3 addresses When I invite Then 3 e-mails are sent",
            "Given a bad address When I invite Then I see which one"
        ]
    );
    c.close().await.expect("close");
}

#[tokio::test]
async fn drag_and_drop_reorders_and_survives_a_reload() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    for t in ["first", "second", "third"] {
        app.story(&owner, t).await;
    }
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/backlog"))
        .await
        .expect("backlog");
    c.wait()
        .for_element(Locator::Css("#backlog.is-sortable"))
        .await
        .expect("sortable ready");
    let from = c
        .find(Locator::Css("tr[data-key='ONB-3'] .handle"))
        .await
        .expect("handle");
    let to = c
        .find(Locator::Css("tr[data-key='ONB-1'] .handle"))
        .await
        .expect("target");
    let drag = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element: from,
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 0,
            y: -5,
        })
        .then(PointerAction::MoveToElement {
            element: to,
            duration: Some(Duration::from_millis(300)),
            x: 0,
            y: -8,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(200),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag");
    wait_for_order(&app, &owner, &["ONB-3", "ONB-1", "ONB-2"]).await;
    c.refresh().await.expect("reload");
    c.wait()
        .for_element(Locator::Css("#backlog"))
        .await
        .expect("backlog");
    assert_eq!(row_keys(&c).await, ["ONB-3", "ONB-1", "ONB-2"]);
    c.close().await.expect("close");
}

#[tokio::test]
async fn keyboard_selects_and_moves() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    for t in ["first", "second", "third"] {
        app.story(&owner, t).await;
    }
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/backlog"))
        .await
        .expect("backlog");
    c.wait()
        .for_element(Locator::Css("#backlog"))
        .await
        .expect("backlog");
    let body = c.find(Locator::Css("body")).await.expect("body");
    // j selects the first row, j again the second; Shift+J moves it down one.
    body.send_keys("jj").await.expect("keys");
    let selected = c
        .find(Locator::Css("tr.item-row.selected"))
        .await
        .expect("selected row");
    assert_eq!(
        selected.attr("data-key").await.expect("attr").as_deref(),
        Some("ONB-2")
    );
    // A screen reader hears the selected row through a polite live region.
    let heard = c
        .find(Locator::Css("#backlog-selection[role=status]"))
        .await
        .expect("live region")
        .prop("textContent")
        .await
        .expect("text")
        .unwrap_or_default();
    assert!(
        heard.starts_with("ONB-2 second") && heard.ends_with("2 of 3"),
        "{heard}"
    );
    body.send_keys(&format!(
        "{}J{}",
        char::from(Key::Shift),
        char::from(Key::Shift)
    ))
    .await
    .expect("shift+j");
    wait_for_order(&app, &owner, &["ONB-1", "ONB-3", "ONB-2"]).await;
    c.refresh().await.expect("reload");
    c.wait()
        .for_element(Locator::Css("#backlog"))
        .await
        .expect("backlog");
    assert_eq!(row_keys(&c).await, ["ONB-1", "ONB-3", "ONB-2"]);
    // `/` jumps to the filter.
    c.find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys("/")
        .await
        .expect("slash");
    let active = c.active_element().await.expect("active");
    assert_eq!(
        active.attr("id").await.expect("id").as_deref(),
        Some("filter")
    );
    c.close().await.expect("close");
}

// Strategy (S0–S10)

/// The titles of a quarter's priorities, in the server's order.
async fn priority_titles(app: &TestApp, who: &support::Caller, quarter: &str) -> Vec<String> {
    let v: serde_json::Value = app
        .get(
            who,
            &format!("/api/v1/workspaces/acme/products/ONB/priorities?quarter={quarter}"),
        )
        .await
        .json()
        .await
        .expect("json");
    v.as_array()
        .expect("list")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn quarterly_priorities_reorder_by_drag_and_drop() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let o: serde_json::Value = app
        .post(
            &owner,
            &format!("{p}/objectives"),
            json!({"quarter": "2099-Q1", "title": "Grow"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for t in ["Activation", "Retention", "Expansion"] {
        let v: serde_json::Value = app
            .post(
                &owner,
                &format!("{p}/priorities"),
                json!({"quarter": "2099-Q1", "title": t, "objectives": [o["id"]]}),
            )
            .await
            .json()
            .await
            .unwrap();
        ids.push(v["id"].to_string());
    }
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/strategy?quarter=2099-Q1"))
        .await
        .expect("strategy");
    c.wait()
        .for_element(Locator::Css("#priorities.is-sortable"))
        .await
        .expect("sortable ready");
    let from = c
        .find(Locator::Css(&format!("li[data-id='{}'] .tier", ids[2])))
        .await
        .expect("last");
    let to = c
        .find(Locator::Css(&format!("li[data-id='{}'] .tier", ids[0])))
        .await
        .expect("first");
    let drag = MouseActions::new("mouse".to_string())
        .then(PointerAction::MoveToElement {
            element: from,
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 0,
            y: -5,
        })
        .then(PointerAction::MoveToElement {
            element: to,
            duration: Some(Duration::from_millis(300)),
            x: 0,
            y: -8,
        })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(200),
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    c.perform_actions(drag).await.expect("drag");
    let expected = ["Expansion", "Activation", "Retention"];
    for _ in 0..50 {
        if priority_titles(&app, &owner, "2099-Q1").await == expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(priority_titles(&app, &owner, "2099-Q1").await, expected);
    c.refresh().await.expect("reload");
    let first = c
        .find(Locator::Css("#priorities li.priority strong"))
        .await
        .expect("first priority");
    assert_eq!(first.text().await.expect("text"), "Expansion");
    c.close().await.expect("close");
}

#[tokio::test]
async fn an_insight_is_recorded_and_linked_to_an_initiative() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let init: serde_json::Value = app
        .post(
            &owner,
            &format!("{p}/initiatives"),
            json!({"title": "Guided setup"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let src: serde_json::Value = app
        .post(
            &owner,
            &format!("{p}/research/sources"),
            json!({"kind": "interview", "title": "Call with Contoso", "happened_on": "2026-11-03"}),
        )
        .await
        .json()
        .await
        .unwrap();
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url(&format!("/w/acme/p/ONB/research/sources/{}", src["id"])))
        .await
        .expect("source page");
    type_into(&c, "#in-body", "Invites are hard to find").await;
    c.find(Locator::Css("#in-kind"))
        .await
        .expect("kind")
        .select_by_value("quote")
        .await
        .expect("quote");
    c.find(Locator::Css("#in-importance"))
        .await
        .expect("importance")
        .select_by_value("5")
        .await
        .expect("5");
    click(&c, "form[action$='/research/sources/1'] button.btn-primary").await;
    let insight = c
        .wait()
        .for_element(Locator::Css("li.insight"))
        .await
        .expect("insight listed");
    assert!(insight
        .text()
        .await
        .expect("text")
        .contains("Invites are hard to find"));
    let id = insight
        .attr("data-id")
        .await
        .expect("attr")
        .unwrap_or_default();
    c.find(Locator::Css(&format!("#ev-init-{id}")))
        .await
        .expect("initiative select")
        .select_by_value(&init["id"].to_string())
        .await
        .expect("choose initiative");
    click(
        &c,
        &format!("li.insight[data-id='{id}'] .evidence-form button"),
    )
    .await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "li.insight[data-id='{id}'] a[href$='/initiatives/{}']",
            init["id"]
        )))
        .await
        .expect("linked");
    let got: serde_json::Value = app
        .get(&owner, &format!("{p}/initiatives/{}", init["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["evidence"], 1);
    c.goto(&app.url(&format!("/w/acme/p/ONB/initiatives/{}", init["id"])))
        .await
        .expect("initiative page");
    let body = c
        .find(Locator::Css("ul.evidence"))
        .await
        .expect("evidence list");
    assert!(body
        .text()
        .await
        .expect("text")
        .contains("Invites are hard to find"));
    c.close().await.expect("close");
}

#[tokio::test]
async fn a_shared_roadmap_link_opens_signed_out() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let p = "/api/v1/workspaces/acme/products/ONB";
    let r = app
        .post(
            &owner,
            &format!("{p}/initiatives"),
            json!({"title": "Guided setup", "status": "in_progress"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let link: serde_json::Value = app
        .post(
            &owner,
            &format!("{p}/roadmap/shares"),
            json!({"label": "Board"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let path = link["path"].as_str().unwrap().to_string();
    // A fresh browser session: no cookie, never signed in.
    c.goto(&app.url(&path)).await.expect("shared roadmap");
    let title = c.find(Locator::Css("h1.page-title")).await.expect("title");
    assert_eq!(title.text().await.expect("text"), "Onboarding roadmap");
    let row = c
        .find(Locator::Css("#timeline tbody tr"))
        .await
        .expect("timeline row");
    assert!(row.text().await.expect("text").contains("Guided setup"));
    assert!(
        c.find(Locator::Css("form[action='/logout']"))
            .await
            .is_err(),
        "no signed-in chrome"
    );
    click(&c, "a[href='?view=horizons']").await;
    let card = c
        .wait()
        .for_element(Locator::Css(".roadmap-card"))
        .await
        .expect("now/next/later");
    assert!(card.text().await.expect("text").contains("Guided setup"));
    let r = app
        .req(
            &owner,
            reqwest::Method::DELETE,
            &format!("{p}/roadmap/shares/{}", link["id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    c.goto(&app.url(&path)).await.expect("revoked link");
    let h1 = c.find(Locator::Css("h1")).await.expect("error page");
    assert_eq!(h1.text().await.expect("text"), "Not Found");
    c.close().await.expect("close");
}

/// The first run as a self-hoster meets it: the sign-in page points at the setup link, the
/// link's form creates the admin, workspace and product, and the checklist opens.
#[tokio::test]
async fn the_first_run_goes_from_the_setup_link_to_the_checklist() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = support::spawn_app_with_setup("first-run-secret").await;
    c.goto(&app.url("/login")).await.expect("login page");
    c.find(Locator::Css("#setup-pending"))
        .await
        .expect("the sign-in page names the setup link");
    c.goto(&app.url("/setup?token=first-run-secret"))
        .await
        .expect("setup page");
    type_into(&c, "#name", "Ada Admin").await;
    type_into(&c, "#email", "ada@acme.test").await;
    type_into(&c, "#password", support::PASSWORD).await;
    type_into(&c, "#workspace_name", "Acme").await;
    type_into(&c, "#workspace_slug", "acme").await;
    type_into(&c, "#product_name", "Checkout").await;
    type_into(&c, "#product_key", "CHK").await;
    click(&c, "button[type=submit]").await;
    let list = c
        .wait()
        .for_element(Locator::Css("#checklist"))
        .await
        .expect("the checklist opens after setup");
    let text = list.text().await.expect("text");
    assert!(text.contains("Invite your team"), "{text}");
    assert!(text.contains("Bring in the backlog of Checkout"), "{text}");
    c.find(Locator::Css("header.topbar"))
        .await
        .expect("signed in as the new admin");
    c.close().await.expect("close");
}
