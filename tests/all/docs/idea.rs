//! Starting from an idea: the intake's answers become draft records (a vision when the product
//! has none, personas, a success metric, an initiative, draft stories), through the API, the
//! page and `throughline idea`; a refused intake writes nothing.

use serde_json::{json, Value};

use crate::support::cli::Cli;
use crate::support::scrum::{json_ok, P};
use crate::support::session::{page_text, sign_in};
use crate::support::{spawn_app, Caller, TestApp};

fn answers() -> Value {
    json!({
        "title": "Guided setup assistant",
        "problem": "New teams stall during setup and leave before inviting anyone.",
        "who": ["Ops lead: runs onboarding for a 40-person team", "Workspace admin"],
        "today": "a spreadsheet checklist and a kickoff call",
        "why_now": "week-one churn doubled this quarter",
        "success": "a team is set up within a day",
        "metric": "Teams set up within a day",
        "unit": "%",
        "baseline": 20.0,
        "target": 60.0,
        "out_of_scope": "Single sign-on setup",
        "first_steps": ["see which setup steps are left", "invite a teammate from the checklist"]
    })
}

/// How many records of each kind the product holds: a refused intake leaves them as they were.
async fn counts(app: &TestApp, pm: &Caller) -> [usize; 4] {
    let mut out = [0; 4];
    for (n, path) in ["initiatives", "personas", "metrics", "items"]
        .iter()
        .enumerate()
    {
        let v = json_ok(app.get(pm, &format!("{P}/{path}")).await, 200).await;
        out[n] = v
            .as_array()
            .or_else(|| v["items"].as_array())
            .unwrap_or_else(|| panic!("{path}: {v}"))
            .len();
    }
    out
}

#[tokio::test]
async fn an_idea_becomes_a_vision_personas_a_metric_an_initiative_and_draft_stories() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    // One persona exists already, in another case: it is reused, not repeated.
    json_ok(
        app.post(
            &pm,
            &format!("{P}/personas"),
            json!({"name": "workspace admin"}),
        )
        .await,
        201,
    )
    .await;
    let d = json_ok(app.post(&pm, &format!("{P}/ideas"), answers()).await, 201).await;

    let vision = &d["vision"];
    assert!(
        vision["vision"]
            .as_str()
            .unwrap()
            .starts_with("For Ops lead, Workspace admin who face this: New teams stall"),
        "{vision}"
    );
    assert!(vision["positioning"]
        .as_str()
        .unwrap()
        .contains("a spreadsheet checklist and a kickoff call"));
    let names: Vec<&str> = d["personas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ops lead", "workspace admin"]);
    assert_eq!(d["new_personas"], json!(["Ops lead"]));
    assert_eq!(
        d["personas"][0]["segment"],
        "runs onboarding for a 40-person team"
    );

    let metric = &d["metric"];
    assert_eq!(metric["name"], "Teams set up within a day");
    assert_eq!(
        (metric["baseline"].as_f64(), metric["target"].as_f64()),
        (Some(20.0), Some(60.0))
    );
    assert_eq!(metric["direction"], "up");

    let i = &d["initiative"];
    assert_eq!(i["title"], "Guided setup assistant");
    assert_eq!(i["status"], "idea");
    assert_eq!(
        i["problem"],
        "New teams stall during setup and leave before inviting anyone."
    );
    assert_eq!(i["out_of_scope"], "Single sign-on setup");
    let assumptions = i["assumptions"].as_str().unwrap();
    assert!(
        assumptions.contains("(a spreadsheet checklist and a kickoff call)"),
        "{assumptions}"
    );
    assert!(assumptions.contains("Moving Teams set up within a day from 20 to 60"));
    assert_eq!(i["metrics"], json!([metric["id"]]));

    let stories = d["stories"].as_array().unwrap();
    assert_eq!(stories.len(), 2);
    for (s, title) in stories.iter().zip([
        "See which setup steps are left",
        "Invite a teammate from the checklist",
    ]) {
        assert_eq!(s["title"], title);
        assert_eq!(s["labels"], json!(["draft"]));
        assert_eq!(s["persona"], "Ops lead");
        assert_eq!(s["benefit"], "a team is set up within a day");
        assert_eq!(s["initiative_id"], i["id"], "{s}");
        assert_eq!(s["ready"], false, "a draft is not ready: {s}");
        assert_eq!(s["criteria"].as_array().unwrap().len(), 1);
    }
    assert_eq!(stories[0]["goal"], "to see which setup steps are left");

    // The blueprint follows: the drafts, grouped under their persona, with the metric.
    let id = i["id"].as_i64().unwrap();
    let md = app
        .req(
            &pm,
            reqwest::Method::GET,
            &format!("{P}/documents/blueprint?initiative={id}"),
        )
        .header("Accept", "text/markdown")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let key = stories[0]["key"].as_str().unwrap();
    assert!(
        md.contains(&format!("#### {key} See which setup steps are left")),
        "{md}"
    );
    assert!(
        md.contains("| Teams set up within a day (%) | 20 | not measured | 60 |"),
        "{md}"
    );
    assert!(
        md.contains("**Non-goals (out of scope):** Single sign-on setup"),
        "{md}"
    );

    // A product that has a vision keeps it.
    let again = json_ok(
        app.post(&pm, &format!("{P}/ideas"), json!({"title": "Second idea", "problem": "p", "who": ["Ops lead"], "first_steps": ["do it"]}))
            .await,
        201,
    )
    .await;
    assert_eq!(again["vision"], Value::Null);
    assert_eq!(again["new_personas"], json!([]));
    assert_eq!(again["metric"], Value::Null);
}

#[tokio::test]
async fn a_refused_intake_names_its_field_and_writes_nothing() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let before = counts(&app, &pm).await;
    let cases = [
        ("title", json!({"title": " "})),
        ("problem", json!({"problem": ""})),
        ("who", json!({"who": ["", "  "]})),
        ("first_steps", json!({"first_steps": []})),
        ("first_steps", json!({"first_steps": ["x".repeat(201)]})),
        ("baseline", json!({"baseline": null})),
        ("metric", json!({"metric": null})),
        ("target", json!({"target": null})),
        ("today", json!({"today": "x".repeat(1_001)})),
    ];
    for (field, change) in cases {
        let mut body = answers();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = app.post(&pm, &format!("{P}/ideas"), body.clone()).await;
        let status = r.status();
        let problem: Value = r.json().await.unwrap();
        assert_eq!(status, 422, "{field}: {problem}");
        assert_eq!(problem["field"], field, "{problem}");
        assert_eq!(counts(&app, &pm).await, before, "{field} wrote something");
    }
    let extra = {
        let mut b = answers();
        b["color"] = json!("blue");
        app.post(&pm, &format!("{P}/ideas"), b).await
    };
    assert_eq!(extra.status(), 422);

    // Someone who may not change the strategy is refused before anything is written.
    let po = app.member(&pm, "Olive", &["po"]).await;
    let r = app.post(&po, &format!("{P}/ideas"), answers()).await;
    assert_eq!(r.status(), 403);
    assert_eq!(counts(&app, &pm).await, before);
}

#[tokio::test]
async fn the_intake_page_asks_the_questions_keeps_refused_answers_and_opens_the_initiative() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let (client, csrf) = sign_in(&app, &pm.email).await;
    let form = page_text(&client, &app, "/w/acme/p/ONB/ideas/new").await;
    for q in [
        "What problem does it solve?",
        "Who has it?",
        "How do they cope today?",
        "Why now?",
        "What does success look like?",
        "What is out of scope?",
        "What should they be able to do first?",
    ] {
        assert!(form.contains(q), "{q}");
    }
    assert!(
        form.contains("a vision for Onboarding"),
        "no vision yet, so the page says it drafts one"
    );
    let initiatives = page_text(&client, &app, "/w/acme/p/ONB/initiatives").await;
    assert!(initiatives.contains("href=\"/w/acme/p/ONB/ideas/new\""));

    let mut fields = vec![
        ("csrf", csrf.clone()),
        ("title", "Guided setup assistant".into()),
        ("problem", "Teams stall".into()),
        ("who", "Ops lead: runs onboarding\r\n\r\nAdmin\r\n".into()),
        ("metric", "Setup within a day".into()),
        ("baseline", "twenty".into()),
        ("target", "60".into()),
        ("first_steps", "see steps left\r\ninvite a teammate".into()),
    ];
    let refused = client
        .post(app.url("/w/acme/p/ONB/ideas"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let body = refused.text().await.unwrap();
    assert!(body.contains("baseline"), "the error names the field");
    assert!(
        body.contains("value=\"twenty\""),
        "the typed answer is kept"
    );
    assert!(
        body.contains("Ops lead: runs onboarding\nAdmin</textarea>"),
        "{body}"
    );

    fields[5].1 = "20".into();
    let ok = client
        .post(app.url("/w/acme/p/ONB/ideas"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let to = ok.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/w/acme/p/ONB/initiatives/"), "{to}");
    let page = page_text(&client, &app, &to).await;
    assert!(page.contains("Guided setup assistant"));
    assert!(
        page.contains("/w/acme/items/ONB-1\"") && page.contains("/w/acme/items/ONB-2\""),
        "{page}"
    );
}

#[tokio::test]
async fn throughline_idea_asks_each_question_or_takes_flags() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let cli = Cli::for_app(&app);
    let on = ["idea", "--as", pm.email.as_str(), "-w", "acme", "-p", "ONB"];
    let interview = "Guided setup assistant\nTeams stall\nOps lead: runs onboarding\nAdmin\n\n\
                     spreadsheets\nchurn doubled\nset up in a day\nSetup within a day\n%\n20\n60\nSSO\n\
                     see steps left\ninvite a teammate\n\n";
    let out = cli.run_with_input(&on, interview);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("How do they cope today?"), "{stderr}");
    assert!(stdout.contains("vision     drafted"), "{stdout}");
    assert!(stdout.contains("initiative") && stdout.contains("Guided setup assistant"));
    assert_eq!(stdout.matches("[draft]").count(), 2, "{stdout}");

    let mut args = on.to_vec();
    args.extend([
        "--json",
        "--title",
        "Bulk edit",
        "--problem",
        "Editing many items is slow",
        "--who",
        "Admin",
        "--first",
        "select several items",
        "--first",
        "change their status at once",
    ]);
    let d = cli.json(&args);
    assert_eq!(
        d["new_personas"],
        json!([]),
        "Admin exists since the interview"
    );
    assert_eq!(d["stories"].as_array().unwrap().len(), 2);
    assert_eq!(d["vision"], Value::Null);

    let err = cli.fails(&[
        "idea",
        "--as",
        pm.email.as_str(),
        "-w",
        "acme",
        "-p",
        "ONB",
        "--title",
        "No steps",
        "--problem",
        "p",
        "--who",
        "Admin",
    ]);
    assert!(err.contains("first"), "{err}");
}
