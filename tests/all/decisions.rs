//! Decision log and competitive analysis tests (SQLite or PostgreSQL): API and pages.

use crate::support;

use serde_json::{json, Value};
use support::spawn_app;

const P: &str = "/api/v1/workspaces/acme/products/ONB";

#[tokio::test]
async fn decisions_record_options_rationale_and_evidence() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let po = app.member(&pm, "Po", &["po"]).await;
    let sh = app.member(&pm, "Stake", &["stakeholder"]).await;
    let src: Value = app
        .post(
            &pm,
            &format!("{P}/research/sources"),
            json!({"kind": "sales_call", "title": "Contoso", "happened_on": "2026-11-01"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let ins: Value = app
        .post(
            &pm,
            &format!("{P}/research/insights"),
            json!({"source_id": src["id"], "body": "Enterprise wants SSO first"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let init: Value = app
        .post(&pm, &format!("{P}/initiatives"), json!({"title": "SSO"}))
        .await
        .json()
        .await
        .unwrap();
    let r = app.post(&pm, &format!("{P}/decisions"), json!({"question": "Enterprise or SMB first?", "options": ["Enterprise", "SMB", ""],
        "decision": "SMB first", "rationale": "Shorter sales cycles", "decided_on": "2026-11-15", "insights": [ins["id"]], "initiatives": [init["id"]]})).await;
    assert_eq!(r.status(), 201);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["options"], json!(["Enterprise", "SMB"]));
    assert_eq!(d["decided_by"], "Owner");
    assert_eq!(d["insights"], json!([ins["id"]]));
    for (body, field) in [
        (json!({"question": "x"}), "decision"),
        (json!({"question": " ", "decision": "y"}), "question"),
        (
            json!({"question": "x", "decision": "y", "decided_on": "15/11/2026"}),
            "decided_on",
        ),
        (
            json!({"question": "x", "decision": "y", "insights": [9999]}),
            "insights",
        ),
        (
            json!({"question": "x", "decision": "y", "initiatives": [9999]}),
            "initiatives",
        ),
    ] {
        let r = app.post(&pm, &format!("{P}/decisions"), body.clone()).await;
        assert_eq!(r.status(), 422, "{body}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["field"], field, "{body}");
    }
    assert_eq!(
        app.post(
            &po,
            &format!("{P}/decisions"),
            json!({"question": "x", "decision": "y"})
        )
        .await
        .status(),
        403
    );
    let list: Value = app
        .get(&sh, &format!("{P}/decisions"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let path = format!("{P}/decisions/{}", d["id"]);
    let r = app
        .patch(
            &pm,
            &path,
            1,
            json!({"rationale": "Shorter cycles and the Contoso call"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.patch(&pm, &path, 1, json!({"rationale": "stale"}))
            .await
            .status(),
        412
    );
    // The page form records one too; a bad date comes back with the message.
    let form = |on: &'static str| {
        app.req(&pm, reqwest::Method::POST, "/w/acme/p/ONB/decisions")
            .form(&[
                ("question", "Build or buy billing?"),
                ("options", "Build\nBuy"),
                ("decision", "Buy"),
                ("decided_on", on),
            ])
            .send()
    };
    assert_eq!(form("soon").await.unwrap().status(), 422);
    assert_eq!(form("2026-11-20").await.unwrap().status(), 303);
    let html = app
        .get(&sh, "/w/acme/p/ONB/decisions")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.find("Build or buy billing?").unwrap()
            < html.find("Enterprise or SMB first?").unwrap(),
        "newest first"
    );
    assert!(
        html.contains("Enterprise or SMB first?")
            && html.contains("Shorter cycles and the Contoso call")
            && !html.contains("Record a decision")
    );
}

#[tokio::test]
async fn competitors_and_the_capability_grid_save_all_or_nothing() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let po = app.member(&pm, "Po", &["po"]).await;
    let jira: Value = app.post(&pm, &format!("{P}/competitors"), json!({"name": "Jira", "positioning": "Issue tracking for every team",
        "strengths": "Ubiquitous", "weaknesses": "No PM/PO split", "our_positioning": "Strategy and backlog on one line"})).await.json().await.unwrap();
    let linear: Value = app
        .post(&pm, &format!("{P}/competitors"), json!({"name": "Linear"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        app.post(&pm, &format!("{P}/competitors"), json!({"name": "Jira"}))
            .await
            .status(),
        422
    );
    assert_eq!(
        app.post(&po, &format!("{P}/competitors"), json!({"name": "Aha!"}))
            .await
            .status(),
        403
    );
    let m: Value = app
        .post(
            &pm,
            &format!("{P}/capabilities"),
            json!({"name": "Quarterly priorities", "ours": "has"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let cap = m["capabilities"][0]["id"].clone();
    app.post(
        &pm,
        &format!("{P}/capabilities"),
        json!({"name": "Roadmap sharing"}),
    )
    .await;
    assert_eq!(
        m["capabilities"][0]["ratings"],
        json!(["unknown", "unknown"])
    );
    let put = |cells: Value| {
        app.req(
            &pm,
            reqwest::Method::PUT,
            &format!("{P}/competitors-matrix"),
        )
        .json(&json!({"cells": cells}))
        .send()
    };
    // One bad cell refuses the whole grid.
    let r = put(json!([{"capability": cap, "competitor": jira["id"], "rating": "partial"}, {"capability": cap, "competitor": linear["id"], "rating": "sort of"}])).await.unwrap();
    assert_eq!(r.status(), 422);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["field"], "cells[1].rating");
    let r = put(json!([{"capability": cap, "competitor": 9999, "rating": "no"}]))
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let m: Value = app
        .get(&pm, &format!("{P}/competitors"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        m["capabilities"][0]["ratings"],
        json!(["unknown", "unknown"])
    );
    let r = put(json!([{"capability": cap, "competitor": jira["id"], "rating": "partial"}, {"capability": cap, "competitor": linear["id"], "rating": "no"},
        {"capability": cap, "competitor": null, "rating": "has"}])).await.unwrap();
    assert_eq!(r.status(), 200);
    let m: Value = r.json().await.unwrap();
    // Competitors are ordered by name: Jira, Linear.
    assert_eq!(m["capabilities"][0]["ratings"], json!(["partial", "no"]));
    assert_eq!(
        (
            m["our_coverage"].as_i64(),
            m["coverage"][0].as_i64(),
            m["coverage"][1].as_i64()
        ),
        (Some(100), Some(50), Some(0))
    );
    let path = format!("{P}/competitors/{}", jira["id"]);
    assert_eq!(
        app.patch(&pm, &path, 1, json!({"weaknesses": "No PM/PO split; slow"}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.patch(&pm, &path, 1, json!({"weaknesses": "stale"}))
            .await
            .status(),
        412
    );
    // The grid as a page form: one select per cell, saved together.
    let html = app
        .get(&po, "/w/acme/p/ONB/competitors")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Strategy and backlog on one line") && !html.contains("<select name=\"cell-"),
        "the PO reads the grid"
    );
    let field = format!("cell-{cap}-{}", linear["id"]);
    let r = app
        .req(
            &pm,
            reqwest::Method::POST,
            "/w/acme/p/ONB/competitors/matrix",
        )
        .form(&[(field.as_str(), "has")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let m: Value = app
        .get(&pm, &format!("{P}/competitors"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["capabilities"][0]["ratings"], json!(["partial", "has"]));
    let html = app
        .get(&pm, "/w/acme/p/ONB/competitors")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("name=\"{field}\"")));
}
