//! `throughline sprint` and `team` run as the real binary on the demo data, on both databases.

use crate::support;

use serde_json::Value;
use support::cli::Cli;

trait Sprint {
    fn json_as(&self, who: &str, args: &[&str]) -> Value;
}

impl Sprint for Cli {
    /// `sprint <args> --as <who>@throughline.local -w demo -p ONB --json`, parsed.
    fn json_as(&self, who: &str, args: &[&str]) -> Value {
        let email = format!("{who}@throughline.local");
        let all = [
            &["sprint"][..],
            args,
            &["--as", &email, "-w", "demo", "-p", "ONB", "--json"],
        ]
        .concat();
        self.json(&all)
    }
}

#[tokio::test]
async fn a_sprint_runs_from_the_command_line() {
    let cli = Cli::demo().await;
    // A first start shows the latest news unread and keeps the seeded history as read.
    let inbox = cli.json(&["inbox", "--as", "demo@throughline.local", "--json"]);
    assert_eq!(inbox["unread"], 8, "{inbox}");
    assert!(inbox["notifications"].as_array().unwrap().len() > 8);
    // The demo has four closed sprints, Sprint 5 running and Sprint 6 planned.
    let list = cli.json_as("demo", &["list"]);
    let states: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        ["planned", "active", "closed", "closed", "closed", "closed"]
    );

    let plan = cli.json_as("demo", &["plan", "-s", "Sprint 6", "--commit", "ONB-31"]);
    assert_eq!(plan["committed_points"], 5, "3 already committed + 2");
    assert!(plan["capacity"]["how"]
        .as_str()
        .unwrap()
        .starts_with("velocity"));

    // Review and close the running sprint: only ONB-34 (5 points) passes every criterion.
    let r = cli.json_as(
        "demo",
        &[
            "review",
            "-s",
            "Sprint 5",
            "--item",
            "ONB-34",
            "--pass",
            "1",
            "--pass",
            "2",
            "--goal-met",
            "no",
        ],
    );
    assert_eq!(r["accepted_points"], 5);
    let err = cli.fails(&[
        "sprint",
        "close",
        "-s",
        "Sprint 5",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "-p",
        "ONB",
    ]);
    assert!(err.contains("only sm may close a sprint"), "{err}");
    let closed = cli.json_as("sam", &["close", "-s", "Sprint 5"]);
    let f = &closed["figures"];
    // Committed 18; the Safari bug (3) swapped in for the digest (3), and ONB-2 (5) added by the
    // PM's override; ONB-34 accepted.
    assert_eq!(
        (
            f["committed"].as_i64(),
            f["added"].as_i64(),
            f["removed"].as_i64(),
            f["completed"].as_i64()
        ),
        (Some(18), Some(8), Some(3), Some(5))
    );

    let err = cli.fails(&[
        "sprint",
        "start",
        "-s",
        "Sprint 6",
        "--as",
        "dev@throughline.local",
        "-w",
        "demo",
        "-p",
        "ONB",
    ]);
    assert!(err.contains("only sm, po may start a sprint"), "{err}");
    let started = cli.json_as("sam", &["start", "-s", "Sprint 6"]);
    assert_eq!(started["state"], "active");

    let b = cli.json_as(
        "dev",
        &[
            "board",
            "-s",
            "Sprint 6",
            "--move",
            "ONB-31",
            "--to",
            "in_progress",
        ],
    );
    let col = b["board"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "in_progress")
        .unwrap();
    assert_eq!(col["cards"][0]["key"], "ONB-31");
    let e = cli.json_as(
        "demo",
        &[
            "swap",
            "-s",
            "Sprint 6",
            "--add",
            "ONB-21",
            "--reason",
            "customer ask",
            "--preview",
        ],
    );
    assert_eq!(
        (e["applied"].as_bool(), e["delta"].as_i64()),
        (Some(false), Some(5))
    );
    let again = cli.json_as("demo", &["plan", "-s", "Sprint 6"]);
    assert_eq!(again["committed_points"], 5, "a preview changes nothing");

    let report = cli.json_as("demo", &["report", "--team", "Core"]);
    assert_eq!(report["sprints"].as_array().unwrap().len(), 5);
    // Velocity over the last three closed sprints: (15 + 21 + 5) ÷ 3.
    assert!(
        (report["velocity"].as_f64().unwrap() - 41.0 / 3.0).abs() < 1e-9,
        "{}",
        report["velocity"]
    );

    let retro = cli.json_as("sam", &["retro", "-s", "Sprint 5", "--open", "3"]);
    assert_eq!(retro["previous"]["sprint"], "Sprint 4");
    cli.json_as(
        "dev",
        &[
            "retro",
            "-s",
            "Sprint 5",
            "--add",
            "to_improve",
            "--text",
            "Safari was untested",
        ],
    );
    let retro = cli.json_as(
        "sam",
        &[
            "retro",
            "-s",
            "Sprint 5",
            "--action",
            "Add Safari to CI",
            "--owner",
            "dev@throughline.local",
        ],
    );
    let key = retro["actions"][0]["key"].as_str().unwrap();
    assert!(key.starts_with("ONB-"));

    let teams: Value = serde_json::from_str(&cli.ok(&[
        "team",
        "list",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "-p",
        "ONB",
        "--json",
    ]))
    .unwrap();
    assert_eq!(teams[0]["name"], "Core");
    assert_eq!(teams[0]["members"].as_array().unwrap().len(), 3);
    let text = cli.ok(&[
        "sprint",
        "report",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "-p",
        "ONB",
    ]);
    assert!(
        text.contains("say/do") && text.contains("Sprint 5"),
        "{text}"
    );

    // The PO's inbox has the developers' news from the demo, and the CLI marks it read.
    let inbox: Value = serde_json::from_str(&cli.ok(&[
        "inbox",
        "--as",
        "demo@throughline.local",
        "--json",
        "--read-all",
    ]))
    .unwrap();
    assert!(inbox["unread"].as_i64().unwrap() > 0, "{inbox}");
    let inbox: Value =
        serde_json::from_str(&cli.ok(&["inbox", "--as", "demo@throughline.local", "--json"]))
            .unwrap();
    assert_eq!(inbox["unread"], 0);
    // Webhooks: loopback refused until allowed; only admins.
    let hook = [
        "webhook",
        "add",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "--url",
        "http://127.0.0.1:9/x",
        "--event",
        "*",
        "--secret",
        "0123456789abcdef",
    ];
    assert!(cli.fails(&hook).contains("private, loopback or link-local"));
    assert!(cli
        .fails(&[
            "webhook",
            "allow-private",
            "--as",
            "dev@throughline.local",
            "-w",
            "demo"
        ])
        .contains("only workspace admins"));
    cli.ok(&[
        "webhook",
        "allow-private",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
    ]);
    assert!(cli.ok(&hook).contains("webhook 1"));
    let list: Value = serde_json::from_str(&cli.ok(&[
        "webhook",
        "list",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "--json",
    ]))
    .unwrap();
    assert_eq!(list[0]["url"], "http://127.0.0.1:9/x");
}
