//! Flow (E11) and forecasts in headless Chromium: a card move refused by a blocking WIP limit
//! and the Product Owner's override, and the forecast chart with its 85 % date. Skipped unless
//! THROUGHLINE_WEBDRIVER names a running chromedriver (scripts/test starts one).

use crate::flow::{flow_product, move_card};
use crate::forecast::steady_team;
use crate::support;

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::json;
use support::scrum::{json_ok, P};
use support::spawn_app;
use support::web::{browser, click, sign_in, type_into};

async fn text_of(c: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        match c.find(Locator::Css(css)).await {
            Ok(e) => match e.text().await {
                Ok(t) if !t.trim().is_empty() => return t,
                Ok(_) => last = "empty".into(),
                Err(err) => last = err.to_string(),
            },
            Err(err) => last = err.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("text of {css}: {last}");
}

#[tokio::test]
async fn browser_flow_a_blocked_wip_move_is_refused_and_the_po_overrides_it() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    flow_product(&app, &owner, "block").await;
    for t in ["Sign up", "Invite"] {
        app.story(&owner, t).await;
    }
    json_ok(
        move_card(
            &app,
            &owner,
            json!({"item": "ONB-1", "status": "in_progress"}),
        )
        .await,
        200,
    )
    .await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/flow")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#board.is-sortable"))
        .await
        .expect("board ready");
    // By keyboard: l moves ONB-2 a column right, into In progress, which is full.
    let card = c
        .find(Locator::Css(".card[data-key='ONB-2']"))
        .await
        .unwrap();
    card.send_keys("l").await.unwrap();
    let toast = text_of(&c, "#toast").await;
    assert!(
        toast.contains("In progress is at its WIP limit of 1, held by ONB-1"),
        "{toast}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let back = c
        .find_all(Locator::Css(
            ".cards[data-status='todo'] .card[data-key='ONB-2']",
        ))
        .await
        .unwrap();
    assert_eq!(back.len(), 1, "the refused card goes back to To do");
    assert_eq!(app.show(&owner, "ONB-2").await["status"], "todo");
    // With the card's own form, the refusal comes back with the PO's override form.
    c.execute(
        "document.getElementById('mv-ONB-2').value = 'in_progress';",
        vec![],
    )
    .await
    .unwrap();
    click(&c, ".card[data-key='ONB-2'] form.card-move button").await;
    c.wait()
        .for_element(Locator::Css("#override-reason"))
        .await
        .expect("the override form");
    assert!(text_of(&c, "#move-error").await.contains("held by ONB-1"));
    type_into(&c, "#override-reason", "A customer is blocked").await;
    click(&c, "#override-move").await;
    c.wait()
        .for_element(Locator::Css(
            ".cards[data-status='in_progress'] .card[data-key='ONB-2']",
        ))
        .await
        .expect("the card moved");
    assert_eq!(app.show(&owner, "ONB-2").await["status"], "in_progress");
    let wip = text_of(&c, "#col-in_progress .wip").await;
    assert_eq!(wip.trim(), "2 / 1");
    c.close().await.unwrap();
}

#[tokio::test]
async fn browser_flow_the_forecast_chart_shows_the_85_percent_date() {
    let Some(c) = browser().await else {
        return eprintln!("THROUGHLINE_WEBDRIVER not set: browser test skipped");
    };
    let app = spawn_app().await;
    let owner = app.workspace().await;
    steady_team(&app, &owner, 6).await;
    sign_in(&c, &app, &owner.email).await;
    c.goto(&app.url("/w/acme/p/ONB/forecast")).await.unwrap();
    type_into(&c, "#fc-items", "is:open").await;
    click(&c, "#forecast-go").await;
    c.wait()
        .for_element(Locator::Css("#forecast-chart img"))
        .await
        .expect("the chart");
    let p85 = (chrono::Utc::now().date_naive() + chrono::Duration::days(21)).to_string();
    assert_eq!(text_of(&c, "#forecast-p85").await.trim(), p85);
    // The chart is an SVG the browser loaded and drew.
    let mut width = 0;
    for _ in 0..50 {
        let w = c
            .execute("const i = document.querySelector('#forecast-chart img'); return i.complete ? i.naturalWidth : 0;", vec![])
            .await
            .unwrap();
        width = w.as_i64().unwrap_or(0);
        if width > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(width, 720, "the forecast chart loads");
    let svg = app
        .get(&owner, &format!("{P}/forecast.svg?items=is:open"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        svg.contains(&format!(
            "85 % by {}",
            (chrono::Utc::now().date_naive() + chrono::Duration::days(21)).format("%d %b %Y")
        )),
        "{svg}"
    );
    // The numbers behind the chart are a click away.
    click(&c, "#forecast-chart summary").await;
    let table = text_of(&c, "#forecast-chart table").await;
    assert!(table.contains(&p85) && table.contains("10000"), "{table}");
    c.close().await.unwrap();
}
