//! Flow (E11) through its other faces: the command line and the board page's forms.

use crate::flow::flow_product;
use crate::support;

use support::spawn_app;

#[tokio::test]
async fn the_flow_board_runs_from_the_command_line() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dee", &["dev"]).await;
    for t in ["Sign up", "Invite"] {
        app.story(&owner, t).await;
    }
    let cli = support::cli::Cli::for_app(&app);
    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let who = |email: &str| {
        vec![
            "--as".to_string(),
            email.to_string(),
            "-w".into(),
            "acme".into(),
            "-p".into(),
            "ONB".into(),
        ]
    };
    let run = |args: &[&str], email: &str| {
        let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        all.extend(who(email));
        all
    };
    let a = run(
        &[
            "flow",
            "settings",
            "--cadence",
            "flow",
            "--wip-mode",
            "block",
            "--wip-in-progress",
            "1",
            "--json",
        ],
        &owner.email,
    );
    let s = cli.json(&refs(&a));
    assert_eq!(
        (s["cadence"].as_str(), s["wip_in_progress"].as_i64()),
        (Some("flow"), Some(1))
    );
    let why = cli.fails(&refs(&run(
        &["flow", "settings", "--cadence", "flow"],
        &dev.email,
    )));
    assert!(why.contains("may"), "{why}");
    cli.ok(&refs(&run(
        &["flow", "move", "ONB-1", "--to", "in_progress"],
        &dev.email,
    )));
    let why = cli.fails(&refs(&run(
        &["flow", "move", "ONB-2", "--to", "in_progress"],
        &dev.email,
    )));
    assert!(
        why.contains("In progress is at its WIP limit of 1, held by ONB-1"),
        "{why}"
    );
    let m = cli.json(&refs(&run(
        &[
            "flow",
            "move",
            "ONB-2",
            "--to",
            "in_progress",
            "--override",
            "customer outage",
            "--json",
        ],
        &owner.email,
    )));
    assert_eq!(m["overridden"], "customer outage");
    let b = cli.json(&refs(&run(&["flow", "board", "--json"], &dev.email)));
    assert_eq!(b["columns"][1]["count"], 2);
    assert!(cli
        .ok(&refs(&run(&["flow", "board"], &dev.email)))
        .contains("In progress (2 / 1)"));
    let r = cli.json(&refs(&run(&["flow", "report", "--json"], &dev.email)));
    assert_eq!(r["aging"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_flow_board_page_refuses_a_blocked_move_and_offers_the_po_the_override() {
    use support::session::{page_text, sign_in};
    let app = spawn_app().await;
    let owner = app.workspace().await;
    flow_product(&app, &owner, "block").await;
    for t in ["Sign up", "Invite"] {
        app.story(&owner, t).await;
    }
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let post = |item: &'static str, reason: Option<&'static str>| {
        let mut form = vec![
            ("csrf", csrf.clone()),
            ("item", item.to_string()),
            ("status", "in_progress".to_string()),
        ];
        if let Some(r) = reason {
            form.push(("override_reason", r.to_string()));
        }
        client
            .post(app.url("/w/acme/p/ONB/flow/move"))
            .form(&form)
            .send()
    };
    post("ONB-1", None).await.unwrap();
    let refused = post("ONB-2", None).await.unwrap();
    assert_eq!(refused.status(), 303);
    let to = refused.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.contains("item=ONB-2") && to.ends_with("#override"),
        "{to}"
    );
    let page = page_text(&client, &app, &to).await;
    assert!(
        page.contains("In progress is at its WIP limit of 1, held by ONB-1"),
        "{page}"
    );
    assert!(
        page.contains("id=\"override-reason\""),
        "the PO is offered the override"
    );
    post("ONB-2", Some("a customer is down")).await.unwrap();
    assert_eq!(app.show(&owner, "ONB-2").await["status"], "in_progress");
    let reports = page_text(&client, &app, "/w/acme/p/ONB/reports").await;
    assert!(
        reports.contains("Throughput per week") && reports.contains("cfd.svg"),
        "{reports}"
    );
    let svg = client
        .get(app.url("/w/acme/p/ONB/reports/cfd.svg"))
        .send()
        .await
        .unwrap();
    assert!(svg.text().await.unwrap().starts_with("<svg"));
}
