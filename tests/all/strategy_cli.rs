//! CLI tests for `objective`, `metric`, `priority` and `initiative`: the real binary against its
//! own database (SQLite in a temporary data dir, or PostgreSQL with TEST_DATABASE_URL).

use crate::support;

use serde_json::Value;
use support::cli::Cli;

const PM: [&str; 6] = ["--as", "demo@throughline.local", "-w", "demo", "-p", "ONB"];
const DEV: [&str; 6] = ["--as", "dev@throughline.local", "-w", "demo", "-p", "ONB"];

trait As {
    fn json_as(&self, verb: &[&str], who: [&str; 6]) -> Value;
}

impl As for Cli {
    fn json_as(&self, verb: &[&str], who: [&str; 6]) -> Value {
        self.json(&[verb, &who, &["--json"]].concat())
    }
}

fn now_quarter() -> String {
    throughline::strategy::Quarter::of(throughline::strategy::today()).to_string()
}

#[tokio::test]
async fn the_demo_ranks_its_initiatives_by_rice_under_two_priorities() {
    let cli = Cli::demo().await;
    let list = cli.json_as(&["initiative", "list", "--sort", "rice"], PM);
    let titles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles[0], "Guided workspace setup");
    assert_eq!(list[0]["rice_formula"], "1800 × 2 × 80% ÷ 3 = 960");
    assert!(
        list[0]["progress"].as_i64().unwrap() > 0,
        "done demo items roll up"
    );
    let prios = cli.json_as(&["priority", "list"], PM);
    assert_eq!(prios.as_array().unwrap().len(), 2);
}

/// The PM's objective "Expand to agencies" in the current quarter; its id.
fn agencies_objective(cli: &Cli) -> String {
    let q = now_quarter();
    cli.json_as(
        &[
            "objective",
            "add",
            "--quarter",
            &q,
            "--title",
            "Expand to agencies",
        ],
        PM,
    )["id"]
        .to_string()
}

/// The metric "Agency signups" (0 → 20) of a new agencies objective; its id.
fn agency_signups(cli: &Cli) -> String {
    let objective = agencies_objective(cli);
    let m = cli.json_as(
        &[
            "metric",
            "add",
            "--name",
            "Agency signups",
            "--baseline",
            "0",
            "--target",
            "20",
            "--objective",
            &objective,
        ],
        PM,
    );
    m["id"].to_string()
}

#[tokio::test]
async fn a_priority_of_the_started_quarter_is_added_moved_and_removed_with_a_reason() {
    let cli = Cli::demo().await;
    // The current quarter has started: a new priority needs a reason.
    let q = now_quarter();
    let objective = agencies_objective(&cli);
    let err = cli.fails(
        &[
            &[
                "priority",
                "add",
                "--quarter",
                &q,
                "--title",
                "Agencies",
                "--objective",
                &objective,
            ][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.contains("reason"), "{err}");
    let after = cli.json_as(
        &[
            "priority",
            "add",
            "--quarter",
            &q,
            "--title",
            "Agencies",
            "--objective",
            &objective,
            "--top",
            "--reason",
            "Two agency deals",
        ],
        PM,
    );
    assert_eq!(after[0]["title"], "Agencies");
    let id = after[0]["id"].to_string();
    let moved = cli.json_as(
        &[
            "priority",
            "move",
            &id,
            "--bottom",
            "--reason",
            "Deals slipped",
        ],
        PM,
    );
    assert_eq!(moved[2]["title"], "Agencies");
    let left = cli.json_as(&["priority", "remove", &id, "--reason", "Dropped"], PM);
    assert_eq!(left.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_metric_value_with_a_bad_date_is_refused_and_a_good_one_moves_progress() {
    let cli = Cli::demo().await;
    let mid = agency_signups(&cli);
    let err = cli.fails(
        &[
            &[
                "metric",
                "record",
                &mid,
                "--on",
                "31.12.2026",
                "--value",
                "4",
            ][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.starts_with("error: --on: "), "{err}");
    let d = cli.json_as(
        &[
            "metric",
            "record",
            &mid,
            "--on",
            "2026-12-01",
            "--value",
            "5",
        ],
        PM,
    );
    assert_eq!(d["progress"], 25);
}

#[tokio::test]
async fn initiative_scores_are_checked_and_only_pm_or_po_link_items() {
    let cli = Cli::demo().await;
    let mid = agency_signups(&cli);
    // Initiatives: scores are checked, the PO-less developer may not link items.
    let i = cli.json_as(
        &[
            "initiative",
            "add",
            "--title",
            "Agency workspaces",
            "--reach",
            "40",
            "--impact",
            "3",
            "--confidence",
            "50",
            "--effort",
            "2",
            "--metric",
            &mid,
        ],
        PM,
    );
    assert_eq!(i["rice"], 30.0);
    let iid = i["id"].to_string();
    let err = cli.fails(
        &[
            &["initiative", "edit", &iid, "--confidence", "150"][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.contains("confidence"), "{err}");
    let err = cli.fails(
        &[
            &["initiative", "link", "ONB-6", "--initiative", &iid][..],
            &DEV,
        ]
        .concat(),
    );
    assert!(err.contains("only pm, po may link"), "{err}");
    let item = cli.json_as(&["initiative", "link", "ONB-6", "--initiative", &iid], PM);
    assert_eq!(item["initiative_id"].to_string(), iid);
    let shown = cli.json_as(&["initiative", "show", &iid], PM);
    assert_eq!(shown["items"], serde_json::json!(["ONB-6"]));
    let text = cli.ok(&[&["initiative", "show", &iid][..], &PM].concat());
    assert!(text.contains("40 × 3 × 50% ÷ 2 = 30"), "{text}");
}

#[tokio::test]
async fn research_personas_and_vision_from_the_terminal() {
    let cli = Cli::demo().await;
    let hits = cli.json_as(&["research", "search", "jira"], PM);
    assert!(
        hits.as_array()
            .unwrap()
            .iter()
            .any(|h| h["kind"] == "insight"),
        "{hits}"
    );
    let by_evidence = cli.json_as(&["initiative", "list", "--sort", "evidence"], PM);
    assert_eq!(by_evidence[0]["title"], "Guided workspace setup");
    assert!(by_evidence[0]["evidence"].as_i64().unwrap() >= 2);

    let src = cli.json_as(
        &[
            "research",
            "source",
            "--kind",
            "sales_call",
            "--title",
            "Call with Tailspin",
            "--date",
            "2026-11-20",
            "--customer",
            "Tailspin",
        ],
        PM,
    );
    let sid = src["id"].to_string();
    let err = cli.fails(
        &[
            &[
                "research",
                "source",
                "--kind",
                "rumour",
                "--title",
                "x",
                "--date",
                "2026-11-20",
            ][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.contains("kind"), "{err}");
    let persona = cli.json_as(
        &[
            "persona",
            "add",
            "--name",
            "Finance lead",
            "--pains",
            "surprise invoices",
        ],
        PM,
    );
    let pid = persona["id"].to_string();
    let ins = cli.json_as(
        &[
            "research",
            "insight",
            "--source",
            &sid,
            "--quote",
            "--importance",
            "4",
            "--persona",
            &pid,
            "--tag",
            "billing",
            "Invoices per workspace would save us a day a month",
        ],
        PM,
    );
    assert_eq!(ins["persona"], "Finance lead");
    let iid = ins["id"].to_string();
    let err = cli.fails(
        &[
            &[
                "research",
                "insight",
                "--source",
                &sid,
                "--importance",
                "9",
                "x",
            ][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.contains("importance"), "{err}");
    let linked = cli.json_as(&["research", "link", &iid, "--item", "ONB-6"], PM);
    assert_eq!(linked["items"], serde_json::json!(["ONB-6"]));
    let err = cli.fails(&[&["research", "link", &iid, "--item", "ONB-6"][..], &DEV].concat());
    assert!(err.contains("only pm may"), "{err}");
    assert_eq!(
        cli.json_as(&["research", "search", "invoice"], PM)[0]["id"].to_string(),
        iid
    );

    let item = cli.json_as(&["persona", "assign", "ONB-6", "--persona", &pid], PM);
    assert_eq!(item["persona_id"].to_string(), pid);
    let v = cli.json_as(
        &[
            "persona",
            "vision",
            "--positioning",
            "One line from strategy to sprint",
        ],
        PM,
    );
    assert_eq!(v["positioning"], "One line from strategy to sprint");
    assert!(v["vision"].as_str().unwrap().starts_with("Every new team"));
}

#[tokio::test]
async fn the_roadmap_shows_what_is_now_and_groups_by_quarter() {
    let cli = Cli::demo().await;
    let who = ["--as", "demo@throughline.local", "-w", "demo"];
    let r: Value =
        serde_json::from_str(&cli.ok(&[&["roadmap", "show", "--json"][..], &who].concat()))
            .unwrap();
    let now: Vec<&str> = r["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["horizon"] == "now")
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    // ONB's initiative in progress, and the two of Insights, the demo's flow product.
    assert_eq!(
        now,
        [
            "Dashboards anyone can read",
            "Fresh, deduplicated events",
            "Guided workspace setup"
        ]
    );
    let text = cli.ok(&[&["roadmap", "show", "--by-quarter"][..], &who].concat());
    assert!(
        text.contains(&format!("{} (now)", now_quarter()))
            && text.contains("Jira import during onboarding"),
        "{text}"
    );
    let err = cli.fails(&[&["roadmap", "show", "--status", "finished"][..], &who].concat());
    assert!(err.contains("status"), "{err}");
}

#[tokio::test]
async fn only_the_pm_shares_the_roadmap_and_a_revoked_link_says_so() {
    let cli = Cli::demo().await;
    let link = cli.json_as(&["roadmap", "share", "--label", "Investors"], PM);
    assert!(link["path"]
        .as_str()
        .unwrap()
        .starts_with("/share/roadmap/rm_"));
    let err = cli.fails(&[&["roadmap", "share"][..], &DEV].concat());
    assert!(err.contains("only pm may share"), "{err}");
    let id = link["id"].to_string();
    assert!(cli
        .ok(&[&["roadmap", "revoke", &id][..], &PM].concat())
        .contains("revoked"));
    let links = cli.json_as(&["roadmap", "links"], PM);
    assert!(links[0]["revoked_at"].is_string());
}

#[tokio::test]
async fn a_decision_is_logged_with_its_options_and_a_checked_date() {
    let cli = Cli::demo().await;
    let d = cli.json_as(
        &[
            "decision",
            "add",
            "--question",
            "Enterprise or SMB first?",
            "--option",
            "Enterprise",
            "--option",
            "SMB",
            "--decision",
            "SMB first",
            "--on-date",
            "2026-11-15",
            "--initiative",
            "1",
        ],
        PM,
    );
    assert_eq!(d["options"], serde_json::json!(["Enterprise", "SMB"]));
    let err = cli.fails(
        &[
            &[
                "decision",
                "add",
                "--question",
                "x",
                "--decision",
                "y",
                "--on-date",
                "15.11.",
            ][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.starts_with("error: --on-date: "), "{err}");
    let log = cli.json_as(&["decision", "list"], DEV);
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["question"] == "Enterprise or SMB first?"));
}

#[tokio::test]
async fn a_competitor_is_rated_per_capability_and_a_bad_rating_is_refused() {
    let cli = Cli::demo().await;
    let c = cli.json_as(
        &[
            "competitor",
            "add",
            "--name",
            "Jira",
            "--ours",
            "Strategy and backlog on one line",
        ],
        PM,
    );
    let m = cli.json_as(
        &[
            "competitor",
            "capability",
            "Quarterly priorities",
            "--ours",
            "has",
        ],
        PM,
    );
    let caps = m["capabilities"].as_array().unwrap();
    let cap = caps
        .iter()
        .find(|c| c["name"] == "Quarterly priorities")
        .unwrap()["id"]
        .to_string();
    let m = cli.json_as(
        &[
            "competitor",
            "rate",
            "--capability",
            &cap,
            "--competitor",
            &c["id"].to_string(),
            "partial",
        ],
        PM,
    );
    let col = m["competitors"]
        .as_array()
        .unwrap()
        .iter()
        .position(|x| x["id"] == c["id"])
        .unwrap();
    let row = m["capabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Quarterly priorities")
        .unwrap();
    assert_eq!(row["ratings"][col], "partial");
    assert!(row["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .all(|(i, r)| i == col || r == "unknown"));
    let err = cli.fails(
        &[
            &["competitor", "rate", "--capability", &cap, "--us", "maybe"][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.starts_with("error: RATING: "), "{err}");
}

#[tokio::test]
async fn a_signoff_needs_stakeholders_and_only_they_answer_it() {
    let cli = Cli::demo().await;
    let err = cli.fails(&[&["signoff", "request", "--title", "Q1"][..], &PM].concat());
    assert!(err.contains("stakeholders first"), "{err}");
    cli.json_as(
        &[
            "signoff",
            "stakeholder",
            "dev@throughline.local",
            "--group",
            "engineering",
        ],
        PM,
    );
    let req = cli.json_as(&["signoff", "request", "--title", "Q1 roadmap"], PM);
    assert_eq!(req["status"], "pending");
    // Only named stakeholders answer; the named developer may, whatever her roles.
    let err = cli.fails(
        &[
            &["signoff", "answer", &req["id"].to_string(), "--approve"][..],
            &PM,
        ]
        .concat(),
    );
    assert!(
        err.contains("only the product's named stakeholders"),
        "{err}"
    );
    let answered = cli.json_as(
        &["signoff", "answer", &req["id"].to_string(), "--approve"],
        DEV,
    );
    assert_eq!(answered["status"], "approved");
}

#[tokio::test]
async fn a_release_is_ready_when_its_launch_tasks_are_done() {
    let cli = Cli::demo().await;
    let rel = cli.json_as(
        &[
            "release",
            "add",
            "--name",
            "2027.1",
            "--date",
            "2027-02-15",
            "--item",
            "ONB-1",
        ],
        PM,
    );
    let rid = rel[0]["id"].to_string();
    let err = cli.fails(
        &[
            &["release", "add", "--name", "2027.2", "--date", "someday"][..],
            &PM,
        ]
        .concat(),
    );
    assert!(err.starts_with("error: --date: "), "{err}");
    let l = cli.json_as(
        &[
            "launch",
            "add",
            "--release",
            &rid,
            "--name",
            "Public launch",
            "--date",
            "2027-02-20",
        ],
        PM,
    );
    let lid = l[0]["launches"][0]["id"].to_string();
    let t = cli.json_as(
        &[
            "launch",
            "task",
            &lid,
            "--function",
            "docs",
            "--title",
            "Release notes",
            "--due",
            "2027-02-18",
        ],
        PM,
    );
    let tid = t[0]["launches"][0]["tasks"][0]["id"].to_string();
    let done = cli.json_as(&["launch", "done", &tid], PM);
    assert_eq!(done[0]["launches"][0]["readiness"], 100);
}

/// `text` (a command's output) as lines of characters, for column positions.
fn char_lines(text: &str) -> Vec<Vec<char>> {
    text.lines().map(|l| l.chars().collect()).collect()
}

/// The char column where `needle` starts in `line`.
fn column(line: &[char], needle: &str) -> Option<usize> {
    let n: Vec<char> = needle.chars().collect();
    line.windows(n.len()).position(|w| w == n.as_slice())
}

#[tokio::test]
async fn research_and_persona_listings_count_in_words_and_line_up() {
    let cli = Cli::demo().await;
    let who = |verb: &[&str]| cli.ok(&[verb, &PM[..]].concat());
    let src = cli.json_as(
        &[
            "research",
            "source",
            "--kind",
            "interview",
            "--title",
            "Call with Ann",
            "--date",
            "2026-11-02",
        ],
        PM,
    );
    let sid = src["id"].to_string();
    who(&[
        "research",
        "insight",
        "--source",
        &sid,
        "They lose the invite",
    ]);
    let text = who(&["research", "sources"]);
    let ann = text.lines().find(|l| l.ends_with("Call with Ann")).unwrap();
    assert!(ann.contains(" 1 insight "), "{text}");
    assert!(!text.contains(" 1 insights"), "{text}");
    let titles: Vec<String> = cli
        .json_as(&["research", "sources"], PM)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap().to_string())
        .collect();
    let lines = char_lines(&text);
    let starts: Vec<Option<usize>> = lines
        .iter()
        .zip(&titles)
        .map(|(l, t)| column(l, t))
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{text}");

    let p = cli.json_as(&["persona", "add", "--name", "Ann", "--segment", "SMB"], PM);
    cli.json_as(
        &[
            "persona",
            "assign",
            "ONB-6",
            "--persona",
            &p["id"].to_string(),
        ],
        PM,
    );
    let text = who(&["persona", "list"]);
    let ann = text.lines().find(|l| l.contains(" Ann ")).unwrap();
    assert!(ann.contains("SMB") && ann.ends_with(" 1 story"), "{text}");
    assert!(!text.contains(" 1 stories"), "{text}");
    let counts: Vec<Option<usize>> = char_lines(&text)
        .iter()
        .zip(cli.json_as(&["persona", "list"], PM).as_array().unwrap())
        .map(|(l, p)| column(l, &format!("{} stor", p["items"])))
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] == w[1]) && counts[0].is_some(),
        "{text}"
    );
}

#[tokio::test]
async fn the_capability_grid_lines_up_under_its_headings() {
    let cli = Cli::demo().await;
    let c = cli.json_as(
        &["competitor", "add", "--name", "A much longer name Ltd"],
        PM,
    );
    let m = cli.json_as(
        &[
            "competitor",
            "capability",
            "Imports from every tracker we have ever met",
            "--ours",
            "partial",
        ],
        PM,
    );
    let cap = m["capabilities"].as_array().unwrap().last().unwrap()["id"].to_string();
    cli.json_as(
        &[
            "competitor",
            "rate",
            "--capability",
            &cap,
            "--competitor",
            &c["id"].to_string(),
            "has",
        ],
        PM,
    );
    let text = cli.ok(&[&["competitor", "matrix"][..], &PM].concat());
    let lines = char_lines(&text);
    let head = &lines[0];
    let us = column(head, "us").unwrap();
    let theirs = column(head, &format!("A much longer name Ltd #{}", c["id"])).unwrap();
    let m = cli.json_as(&["competitor", "matrix"], PM);
    let col = m["competitors"]
        .as_array()
        .unwrap()
        .iter()
        .position(|x| x["id"] == c["id"])
        .unwrap();
    for (line, row) in lines[1..].iter().zip(m["capabilities"].as_array().unwrap()) {
        let ours = row["ours"].as_str().unwrap();
        let rating = row["ratings"][col].as_str().unwrap();
        let at = |i: usize, s: &str| line[i..].iter().collect::<String>().starts_with(s);
        assert!(at(us, ours) && at(theirs, rating), "{text}");
    }
}
