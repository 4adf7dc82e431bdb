//! Retrospectives, reports and who may do what in the Scrum cycle, through the API.

use crate::support;

use reqwest::Method;
use serde_json::{json, Value};
use support::scrum::*;
use support::{spawn_app, Caller, TestApp};

async fn weeks(app: &TestApp, who: &Caller, team: i64, name: &str, week: i64) -> i64 {
    let start =
        chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::Duration::weeks(week);
    let end = start + chrono::Duration::days(13);
    sprint(app, who, team, name, &start.to_string(), &end.to_string()).await["id"]
        .as_i64()
        .unwrap()
}

/// Team Core (the owner and Sam, SM) with Sprint 1 planned and a ready story; Dana is a
/// developer and Stan a stakeholder.
struct Retro {
    app: TestApp,
    owner: Caller,
    sm: Caller,
    dev: Caller,
    sh: Caller,
    team: i64,
    s1: i64,
    k: String,
    /// Sprint 1's retrospective.
    base: String,
}

impl Retro {
    async fn a_planned_sprint() -> Retro {
        let app = spawn_app().await;
        let owner = app.workspace().await;
        let sm = app.member(&owner, "Sam", &["sm"]).await;
        let dev = app.member(&owner, "Dana", &["dev"]).await;
        let sh = app.member(&owner, "Stan", &["stakeholder"]).await;
        app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
            .await;
        let team = team(&app, &owner, &sm).await;
        let s1 = weeks(&app, &sm, team, "Sprint 1", 0).await;
        let k = ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
        let base = format!("{P}/sprints/{s1}/retro");
        Retro {
            app,
            owner,
            sm,
            dev,
            sh,
            team,
            s1,
            k,
            base,
        }
    }

    /// Sprint 1 run and closed with its story accepted.
    async fn run(&self) {
        run_sprint(
            &self.app,
            &self.owner,
            self.s1,
            std::slice::from_ref(&self.k),
            std::slice::from_ref(&self.k),
        )
        .await;
    }

    /// Sprint 1 run, and its retrospective opened by the SM with two votes each.
    async fn opened() -> Retro {
        let r = Retro::a_planned_sprint().await;
        r.run().await;
        json_ok(
            r.app.post(&r.sm, &r.base, json!({"vote_limit": 2})).await,
            200,
        )
        .await;
        r
    }

    /// Opened, with Dana's went-well and to-improve entries and Sam's idea; the entries' ids
    /// in that order.
    async fn with_entries() -> (Retro, Vec<i64>) {
        let r = Retro::opened().await;
        json_ok(
            r.entry(&r.dev, "went_well", "pairing on the sign-up flow")
                .await,
            201,
        )
        .await;
        json_ok(
            r.entry(&r.dev, "to_improve", "reviews wait two days").await,
            201,
        )
        .await;
        let all = json_ok(r.entry(&r.sm, "idea", "a review rota").await, 201).await;
        let ids = all["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect();
        (r, ids)
    }

    async fn entry(&self, who: &Caller, kind: &str, body: &str) -> reqwest::Response {
        self.app
            .req(who, Method::POST, &format!("{}/entries", self.base))
            .json(&json!({"kind": kind, "body": body}))
            .send()
            .await
            .unwrap()
    }

    async fn vote(&self, who: &Caller, id: i64) -> reqwest::Response {
        self.app
            .req(
                who,
                Method::POST,
                &format!("{}/entries/{id}/vote", self.base),
            )
            .send()
            .await
            .unwrap()
    }

    /// The action "Set up a review rota" for Dana from the idea `idea`, as `who`.
    async fn rota_action(&self, who: &Caller, idea: i64) -> reqwest::Response {
        let act =
            json!({"text": "Set up a review rota", "owner": self.dev.email, "entry_id": idea});
        self.app
            .post(who, &format!("{}/actions", self.base), act)
            .await
    }
}

#[tokio::test]
async fn a_retro_opens_only_after_the_sprint_and_only_by_the_sm() {
    let r = Retro::a_planned_sprint().await;
    let (app, base) = (&r.app, &r.base);
    // Not before the sprint starts; only the SM opens it.
    assert_eq!(app.post(&r.sm, base, json!({})).await.status(), 409);
    r.run().await;
    assert_eq!(app.get(&r.dev, base).await.status(), 404, "not opened yet");
    assert_eq!(
        app.post(&r.dev, base, json!({"vote_limit": 2}))
            .await
            .status(),
        403
    );
    let opened = json_ok(app.post(&r.sm, base, json!({"vote_limit": 2})).await, 200).await;
    assert_eq!(opened["votes_left"], 2);
}

#[tokio::test]
async fn the_team_writes_retro_entries_and_stakeholders_only_read() {
    let r = Retro::opened().await;
    let (dev, sm) = (&r.dev, &r.sm);
    json_ok(
        r.entry(dev, "went_well", "pairing on the sign-up flow")
            .await,
        201,
    )
    .await;
    json_ok(
        r.entry(dev, "to_improve", "reviews wait two days").await,
        201,
    )
    .await;
    json_ok(r.entry(sm, "idea", "a review rota").await, 201).await;
    assert_eq!(
        r.entry(&r.sh, "idea", "more demos").await.status(),
        403,
        "stakeholders read"
    );
    assert_eq!(
        json_ok(r.entry(dev, "rant", "x").await, 422).await["field"],
        "kind"
    );
    assert_eq!(
        json_ok(r.entry(dev, "idea", "  ").await, 422).await["field"],
        "body"
    );
}

#[tokio::test]
async fn retro_votes_are_limited_and_given_once_per_entry() {
    let (r, ids) = Retro::with_entries().await;
    let (app, dev, base) = (&r.app, &r.dev, &r.base);
    json_ok(r.vote(dev, ids[0]).await, 200).await;
    assert_eq!(r.vote(dev, ids[0]).await.status(), 409, "once per entry");
    let v = json_ok(r.vote(dev, ids[1]).await, 200).await;
    assert_eq!(v["votes_left"], 0);
    let e = json_ok(r.vote(dev, ids[2]).await, 409).await;
    assert!(e["detail"].as_str().unwrap().contains("all 2"), "{e}");
    let unvote = app
        .req(
            dev,
            Method::DELETE,
            &format!("{base}/entries/{}/vote", ids[0]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_ok(unvote, 200).await["votes_left"], 1);
    json_ok(r.vote(dev, ids[2]).await, 200).await;
    json_ok(r.vote(&r.sm, ids[2]).await, 200).await;
    let retro = json_ok(app.get(&r.owner, base).await, 200).await;
    let idea = retro["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == ids[2])
        .unwrap();
    assert_eq!(idea["votes"], 2);
}

#[tokio::test]
async fn a_retro_action_becomes_a_backlog_task_owned_by_a_member() {
    let (r, ids) = Retro::with_entries().await;
    // An action becomes a backlog task owned by a member and linked back to the retro.
    assert_eq!(r.rota_action(&r.dev, ids[2]).await.status(), 403);
    let actions = json_ok(r.rota_action(&r.sm, ids[2]).await, 201).await;
    let key = actions["actions"][0]["key"].as_str().unwrap().to_string();
    assert_eq!(actions["actions"][0]["owner"], "Dana");
    let task = r.app.show(&r.owner, &key).await;
    assert_eq!(task["kind"], "task");
    assert_eq!(task["labels"], json!(["retro"]));
    assert!(task["description"]
        .as_str()
        .unwrap()
        .contains(&format!("/sprints/{}/retro", r.s1)));
    let bad = json!({"text": "x", "owner": "nobody@example.com"});
    assert_eq!(
        json_ok(
            r.app.post(&r.sm, &format!("{}/actions", r.base), bad).await,
            422
        )
        .await["field"],
        "owner"
    );
}

#[tokio::test]
async fn the_next_retro_opens_with_the_previous_actions_and_their_status() {
    let (r, ids) = Retro::with_entries().await;
    let (app, owner, dev, sm) = (&r.app, &r.owner, &r.dev, &r.sm);
    let actions = json_ok(r.rota_action(sm, ids[2]).await, 201).await;
    let key = actions["actions"][0]["key"].as_str().unwrap().to_string();
    let task = app.show(owner, &key).await;
    // The next retrospective opens with the previous actions and their status.
    let s2 = weeks(app, sm, r.team, "Sprint 2", 2).await;
    let k2 = ready_story(app, owner, "import", 2, &["Given a When b Then c"]).await;
    commit_and_start(app, owner, s2, &[k2]).await;
    let ip = format!("/api/v1/workspaces/acme/items/{key}");
    assert_eq!(
        app.patch(
            dev,
            &ip,
            task["version"].as_i64().unwrap(),
            json!({"status": "in_progress"})
        )
        .await
        .status(),
        200
    );
    let next = json_ok(
        app.post(sm, &format!("{P}/sprints/{s2}/retro"), json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(next["previous"]["sprint"], "Sprint 1");
    assert_eq!(next["previous"]["actions"][0]["key"], key.as_str());
    assert_eq!(next["previous"]["actions"][0]["status"], "in_progress");
}

/// Teams Core and Growth. Core 1 commits a (5) and b (3) and accepts neither; Core 2 commits c
/// (8), which goes through the board, adds d (2) after the start and accepts both; Growth 1
/// commits a, carried back from Core 1, and accepts it. All three are closed; c's key.
struct Reports {
    app: TestApp,
    owner: Caller,
    core: i64,
    c: String,
}

async fn three_closed_sprints_of_two_teams() -> Reports {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let sm = app.member(&owner, "Sam", &["sm"]).await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let core = team(&app, &owner, &sm).await;
    let other = json_ok(
        app.post(&owner, &format!("{P}/teams"), json!({"name": "Growth"}))
            .await,
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();

    // Core S1: commits 5 + 3, accepts 5. Core S2: commits 8, adds 2 after start, accepts both.
    let s1 = weeks(&app, &owner, core, "Core 1", 0).await;
    let a = ready_story(&app, &owner, "a", 5, &["Given a When b Then c"]).await;
    let b = ready_story(&app, &owner, "b", 3, &["Given a When b Then c"]).await;
    run_sprint(&app, &owner, s1, &[a.clone(), b.clone()], &[]).await;
    let s2 = weeks(&app, &owner, core, "Core 2", 2).await;
    let c = ready_story(&app, &owner, "c", 8, &["Given a When b Then c"]).await;
    let d = ready_story(&app, &owner, "d", 2, &["Given a When b Then c"]).await;
    commit_and_start(&app, &owner, s2, std::slice::from_ref(&c)).await;
    // c goes through the board, so it has a cycle time.
    for st in ["in_progress", "in_review", "done"] {
        json_ok(
            app.post(
                &owner,
                &format!("{P}/sprints/{s2}/board/move"),
                json!({"item": c, "status": st}),
            )
            .await,
            200,
        )
        .await;
    }
    let v = version(&app, &owner, s2).await;
    json_ok(
        post_v(
            &app,
            &owner,
            &format!("{P}/sprints/{s2}/scope"),
            v,
            json!({"add": d, "reason": "urgent"}),
        )
        .await,
        200,
    )
    .await;
    for k in [&c, &d] {
        let r = app
            .req(
                &owner,
                Method::PUT,
                &format!("{P}/sprints/{s2}/review/items/{k}"),
            )
            .json(&json!({"verdicts": [{"position": 1, "pass": true}], "accept_reason": "shown at the review"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    close(&app, &owner, s2).await;
    // Growth G1: commits a (carried back to the backlog from Core 1) and accepts it.
    let g1 = weeks(&app, &owner, other, "Growth 1", 0).await;
    run_sprint(
        &app,
        &owner,
        g1,
        std::slice::from_ref(&a),
        std::slice::from_ref(&a),
    )
    .await;
    Reports {
        app,
        owner,
        core,
        c,
    }
}

impl Reports {
    async fn get(&self, query: &str) -> Value {
        json_ok(
            self.app
                .get(&self.owner, &format!("{P}/reports{query}"))
                .await,
            200,
        )
        .await
    }
}

#[tokio::test]
async fn the_product_report_gives_velocity_and_say_do_over_the_last_three_sprints() {
    let s = three_closed_sprints_of_two_teams().await;
    let r = s.get("").await;
    let names: Vec<&str> = r["sprints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Core 1", "Growth 1", "Core 2"]);
    // Velocity over the last three: (0 + 5 + 10) ÷ 3 = 5; say/do (0 + 5 + 8) ÷ (8 + 5 + 8).
    assert!(
        (r["velocity"].as_f64().unwrap() - 5.0).abs() < 1e-9,
        "{}",
        r["velocity"]
    );
    assert!((r["say_do"].as_f64().unwrap() - 13.0 / 21.0).abs() < 1e-9);
}

#[tokio::test]
async fn a_sprints_report_row_counts_scope_added_as_churn() {
    let s = three_closed_sprints_of_two_teams().await;
    let r = s.get("").await;
    let core2 = &r["sprints"][2];
    assert_eq!(
        (
            core2["committed"].as_i64(),
            core2["added"].as_i64(),
            core2["completed"].as_i64()
        ),
        (Some(8), Some(2), Some(10))
    );
    assert!((core2["churn"].as_f64().unwrap() - 0.25).abs() < 1e-9);
    assert!((core2["say_do"].as_f64().unwrap() - 1.0).abs() < 1e-9);
}

#[tokio::test]
async fn cycle_times_count_only_items_that_went_through_in_progress() {
    let s = three_closed_sprints_of_two_teams().await;
    let r = s.get("").await;
    let cycled: Vec<&str> = r["cycle_times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        cycled,
        vec![s.c.as_str()],
        "only c went through in-progress"
    );
    assert_eq!(r["cycle_buckets"][0]["count"], 1, "under a day");
}

#[tokio::test]
async fn a_teams_report_covers_only_its_own_sprints() {
    let s = three_closed_sprints_of_two_teams().await;
    let r = s.get(&format!("?team={}", s.core)).await;
    assert_eq!(r["team"], "Core");
    assert_eq!(r["sprints"].as_array().unwrap().len(), 2);
    assert!((r["velocity"].as_f64().unwrap() - 5.0).abs() < 1e-9);
    assert_eq!(
        s.app
            .get(&s.owner, &format!("{P}/reports?team=999"))
            .await
            .status(),
        422
    );
}

#[tokio::test]
async fn report_charts_are_svg_and_an_unknown_chart_is_not_found() {
    let s = three_closed_sprints_of_two_teams().await;
    for chart in ["velocity.svg", "churn.svg", "cycle-time.svg"] {
        let resp = s.app.get(&s.owner, &format!("{P}/reports/{chart}")).await;
        assert_eq!(resp.headers()["content-type"], "image/svg+xml");
        assert!(resp.text().await.unwrap().contains("<svg"));
    }
    assert_eq!(
        s.app
            .get(&s.owner, &format!("{P}/reports/pie.svg"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn scrum_authority_matrix() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let mut callers = Vec::new();
    for role in ["pm", "po", "sm", "dev", "stakeholder"] {
        callers.push((role, app.member(&owner, &format!("R{role}"), &[role]).await));
    }
    callers.push(("member", app.member(&owner, "Plain", &[]).await));
    callers.push(("outsider", app.user("Outsider").await));
    let table: &[(&str, &[&str])] = &[
        ("view", &["pm", "po", "sm", "dev", "stakeholder", "member"]),
        ("team", &["sm"]),
        ("plan", &["po", "sm"]),
        ("commit", &["po"]),
        ("start", &["po", "sm"]),
        ("scope", &["po"]),
        ("move", &["po", "dev"]),
        ("review", &["po"]),
        ("close", &["sm"]),
        ("retro_write", &["po", "sm", "dev"]),
        ("retro_open", &["sm"]),
    ];
    let mut n = 0;
    for (action, allowed) in table {
        for (role, who) in &callers {
            n += 1;
            let t = json_ok(
                app.post(
                    &owner,
                    &format!("{P}/teams"),
                    json!({"name": format!("T{n}")}),
                )
                .await,
                201,
            )
            .await["id"]
                .as_i64()
                .unwrap();
            let id = weeks(&app, &owner, t, "S", 0).await;
            let k = ready_story(
                &app,
                &owner,
                &format!("{action} {role}"),
                1,
                &["Given a When b Then c"],
            )
            .await;
            let extra = ready_story(&app, &owner, "extra", 1, &["Given a When b Then c"]).await;
            let s = format!("{P}/sprints/{id}");
            if !matches!(*action, "view" | "team" | "plan" | "commit" | "start") {
                json_ok(
                    app.post(&owner, &format!("{s}/commit"), json!({"items": [k]}))
                        .await,
                    200,
                )
                .await;
                let v = version(&app, &owner, id).await;
                json_ok(
                    post_v(&app, &owner, &format!("{s}/start"), v, json!({})).await,
                    200,
                )
                .await;
            }
            let v = version(&app, &owner, id).await;
            let r = match *action {
                "view" => app.get(who, &format!("{s}/board")).await,
                "team" => app.post(who, &format!("{P}/teams"), json!({"name": format!("new {n}")})).await,
                "plan" => app.post(who, &format!("{P}/sprints"), json!({"team_id": t, "name": "next", "start_date": "2027-03-01", "end_date": "2027-03-07"})).await,
                "commit" => app.post(who, &format!("{s}/commit"), json!({"items": [k]})).await,
                "start" => post_v(&app, who, &format!("{s}/start"), v, json!({})).await,
                "scope" => post_v(&app, who, &format!("{s}/scope"), v, json!({"add": extra, "reason": "r"})).await,
                "move" => app.post(who, &format!("{s}/board/move"), json!({"item": k, "status": "in_progress"})).await,
                "review" => app.req(who, Method::PUT, &format!("{s}/review/items/{k}")).json(&json!({"verdicts": [{"position": 1, "pass": true}], "accept_reason": "shown at the review"})).send().await.unwrap(),
                "close" => {
                    json_ok(app.post(&owner, &format!("{s}/review/goal"), json!({"goal_met": true})).await, 200).await;
                    let v = version(&app, &owner, id).await;
                    post_v(&app, who, &format!("{s}/close"), v, json!({})).await
                }
                "retro_write" => {
                    json_ok(app.post(&owner, &format!("{s}/retro"), json!({})).await, 200).await;
                    app.post(who, &format!("{s}/retro/entries"), json!({"kind": "idea", "body": "b"})).await
                }
                "retro_open" => app.post(who, &format!("{s}/retro"), json!({})).await,
                _ => unreachable!(),
            };
            let status = r.status().as_u16();
            let expected = if *role == "outsider" {
                404
            } else if allowed.contains(role) {
                status.clamp(200, 299)
            } else {
                403
            };
            assert_eq!(
                status,
                expected,
                "{action} by {role}: {}",
                r.text().await.unwrap_or_default()
            );
        }
    }
}
