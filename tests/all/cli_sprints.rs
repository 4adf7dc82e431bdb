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

/// The PO commits ONB-31 to the planned Sprint 6.
fn commit_onb_31(cli: &Cli) -> Value {
    cli.json_as("demo", &["plan", "-s", "Sprint 6", "--commit", "ONB-31"])
}

/// ONB-31 committed to Sprint 6; the PO reviews the running Sprint 5 (only ONB-34 passes, the
/// goal is missed) and the SM closes it; the closed sprint.
fn close_sprint_5(cli: &Cli) -> Value {
    commit_onb_31(cli);
    review_sprint_5(cli);
    cli.json_as("sam", &["close", "-s", "Sprint 5"])
}

/// The PO's review of Sprint 5: ONB-34 passes both criteria, the goal is not met.
fn review_sprint_5(cli: &Cli) -> Value {
    cli.json_as(
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
    )
}

/// Sprint 5 closed as `close_sprint_5` does, and Sprint 6 started by the SM.
fn start_sprint_6(cli: &Cli) {
    close_sprint_5(cli);
    cli.json_as("sam", &["start", "-s", "Sprint 6"]);
}

/// `<args> --as <who>@throughline.local -w demo -p ONB`, which must fail; its standard error.
fn fails_in_onb(cli: &Cli, args: &[&str], who: &str) -> String {
    let email = format!("{who}@throughline.local");
    cli.fails(&[args, &["--as", &email, "-w", "demo", "-p", "ONB"]].concat())
}

#[tokio::test]
async fn the_demo_inbox_shows_the_latest_news_unread_and_the_cli_marks_it_read() {
    let cli = Cli::demo().await;
    // A first start shows the latest news unread and keeps the seeded history as read.
    let inbox = cli.json(&["inbox", "--as", "demo@throughline.local", "--json"]);
    assert_eq!(inbox["unread"], 8, "{inbox}");
    assert!(inbox["notifications"].as_array().unwrap().len() > 8);
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
}

#[tokio::test]
async fn the_demo_lists_four_closed_sprints_a_running_and_a_planned_one() {
    let cli = Cli::demo().await;
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
}

#[tokio::test]
async fn the_po_commits_to_the_planned_sprint_within_the_velocity() {
    let cli = Cli::demo().await;
    let plan = commit_onb_31(&cli);
    assert_eq!(plan["committed_points"], 5, "3 already committed + 2");
    assert!(plan["capacity"]["how"]
        .as_str()
        .unwrap()
        .starts_with("velocity"));
}

#[tokio::test]
async fn the_po_reviews_the_running_sprint_and_only_the_sm_closes_it() {
    let cli = Cli::demo().await;
    commit_onb_31(&cli);
    // Review and close the running sprint: only ONB-34 (5 points) passes every criterion.
    let r = review_sprint_5(&cli);
    assert_eq!(r["accepted_points"], 5);
    let err = fails_in_onb(&cli, &["sprint", "close", "-s", "Sprint 5"], "demo");
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
}

#[tokio::test]
async fn the_sm_starts_the_next_sprint_and_a_dev_may_not() {
    let cli = Cli::demo().await;
    close_sprint_5(&cli);
    let err = fails_in_onb(&cli, &["sprint", "start", "-s", "Sprint 6"], "dev");
    assert!(err.contains("only sm, po may start a sprint"), "{err}");
    let started = cli.json_as("sam", &["start", "-s", "Sprint 6"]);
    assert_eq!(started["state"], "active");
}

#[tokio::test]
async fn a_dev_moves_a_card_and_a_previewed_swap_changes_nothing() {
    let cli = Cli::demo().await;
    start_sprint_6(&cli);
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
}

#[tokio::test]
async fn the_team_report_gives_the_velocity_of_the_last_three_closed_sprints() {
    let cli = Cli::demo().await;
    start_sprint_6(&cli);
    let report = cli.json_as("demo", &["report", "--team", "Core"]);
    assert_eq!(report["sprints"].as_array().unwrap().len(), 5);
    // Velocity over the last three closed sprints: (15 + 21 + 5) ÷ 3.
    assert!(
        (report["velocity"].as_f64().unwrap() - 41.0 / 3.0).abs() < 1e-9,
        "{}",
        report["velocity"]
    );
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
}

#[tokio::test]
async fn a_retro_of_a_closed_sprint_turns_an_action_into_an_item() {
    let cli = Cli::demo().await;
    start_sprint_6(&cli);
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
}

#[tokio::test]
async fn the_demo_team_is_listed_with_its_members() {
    let cli = Cli::demo().await;
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
}

#[tokio::test]
async fn a_loopback_webhook_is_refused_until_an_admin_allows_private_addresses() {
    let cli = Cli::demo().await;
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
