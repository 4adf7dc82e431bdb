//! The item page in the browser (UI.md, "Item"): the title and the properties save in place,
//! with a toast, without a reload and without moving the page.

use crate::support;

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::json;
use support::web::{browser, click, sign_in};
use support::{spawn_app, Caller, TestApp};

/// The toast's text once it shows; then it is hidden again for the next save.
async fn toast(c: &Client) -> String {
    let t = c
        .wait()
        .for_element(Locator::Css("#toast:not([hidden])"))
        .await
        .expect("a toast")
        .text()
        .await
        .expect("text");
    c.execute("document.getElementById('toast').hidden = true", vec![])
        .await
        .expect("hide the toast");
    t
}

/// Picks `value` in the select `id` and fires its change, as a pick with the mouse does;
/// returns where the page was scrolled when the change went out.
async fn choose(c: &Client, id: &str, value: &str) -> f64 {
    c.execute(
        "const s = document.getElementById(arguments[0]); s.focus(); s.value = arguments[1];
         s.dispatchEvent(new Event('change', {bubbles: true})); return window.scrollY;",
        vec![json!(id), json!(value)],
    )
    .await
    .expect("choose")
    .as_f64()
    .expect("scrollY")
}

/// Polls the API until the item's `field` reads `want`, since the save is sent in the background.
async fn wait_for(app: &TestApp, who: &Caller, field: &str, want: serde_json::Value) {
    let mut item = app.show(who, "ONB-1").await;
    for _ in 0..50 {
        if item[field] == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        item = app.show(who, "ONB-1").await;
    }
    assert_eq!(item[field], want, "{field}");
}

#[tokio::test]
async fn the_item_page_saves_its_title_and_properties_in_place() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let init = app.initiative(&owner, "Guided setup").await;
    app.item(
        &owner,
        json!({"title": "Invite teammates", "criteria": ["Given 3 addresses When I invite Then 3 e-mails are sent"]}),
    )
    .await;
    sign_in(&c, &app, &owner.email).await;
    c.set_window_size(1280, 500).await.unwrap();
    c.goto(&app.url("/w/acme/items/ONB-1")).await.unwrap();
    c.execute(
        "window.__kept = 1; document.getElementById('f-initiative').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .unwrap();

    // A select saves on change: no button, no reload, the scroll stays, a toast says what.
    // Chosen the way a person does, but without WebDriver scrolling the option into view.
    let before = choose(&c, "f-status", "in_progress").await;
    assert_eq!(toast(&c).await, "Saved ONB-1 · status");
    wait_for(&app, &owner, "status", json!("in_progress")).await;
    let after = c
        .execute("return [window.__kept === 1, window.scrollY]", vec![])
        .await
        .unwrap();
    assert_eq!(after[0], true, "the page was not reloaded");
    assert!(before > 0.0, "the page was scrolled: {before}");
    assert!(
        (after[1].as_f64().unwrap() - before).abs() < 2.0,
        "the scroll position stays: {before} then {}",
        after[1]
    );
    assert_eq!(
        app.show(&owner, "ONB-1").await["criteria"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "a property save leaves the criteria alone"
    );

    // The initiative by name: the trace line follows at once, and the next save carries the
    // version the swap brought (no conflict).
    choose(&c, "f-initiative", &init["id"].to_string()).await;
    assert_eq!(toast(&c).await, "Saved ONB-1 · initiative");
    wait_for(&app, &owner, "initiative_id", init["id"].clone()).await;
    let trace = c
        .find(Locator::Css("#trace-line"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(trace.contains("Guided setup"), "{trace}");
    assert_eq!(
        c.execute("return window.__kept === 1", vec![])
            .await
            .unwrap(),
        true
    );

    // The title is edited where it stands; Enter saves it.
    click(&c, "#f-title").await;
    let title = c.find(Locator::Css("#f-title")).await.unwrap();
    title.clear().await.unwrap();
    title
        .send_keys(&format!("Invite your team{}", Key::Enter))
        .await
        .unwrap();
    assert_eq!(toast(&c).await, "Saved ONB-1 · title");
    wait_for(&app, &owner, "title", json!("Invite your team")).await;
    assert_eq!(app.show(&owner, "ONB-1").await["status"], "in_progress");
    c.close().await.unwrap();
}
