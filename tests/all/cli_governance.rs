//! `throughline tiers`, `overrides`, `advisor` and `item move --exemption|--override` run as the
//! real binary on the demo data, on both databases.

use crate::support;

use serde_json::Value;
use support::cli::Cli;

const PM: [&str; 6] = ["--as", "demo@throughline.local", "-w", "demo", "-p", "ONB"];
const DEV: [&str; 6] = ["--as", "dev@throughline.local", "-w", "demo", "-p", "ONB"];
const PM_ONLY: [&str; 4] = ["--as", "demo@throughline.local", "-w", "demo"];

fn with(verb: &[&str], who: &[&str]) -> Vec<String> {
    verb.iter().chain(who).map(|s| s.to_string()).collect()
}

fn json(cli: &Cli, verb: &[&str], who: &[&str]) -> Value {
    let args = with(verb, &[who, &["--json"]].concat());
    cli.json(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn fails(cli: &Cli, verb: &[&str], who: &[&str]) -> String {
    let args = with(verb, who);
    cli.fails(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// The open backlog's (key, tier) from top to bottom (Done items take no part in tier order).
fn tiers(cli: &Cli) -> Vec<(String, Option<i64>)> {
    let page = json(cli, &["item", "list", "--limit", "200"], &PM);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] != "done")
        .map(|i| (i["key"].as_str().unwrap().to_string(), i["tier"].as_i64()))
        .collect()
}

#[tokio::test]
async fn the_tier_policy_exemptions_and_overrides_work_from_the_terminal() {
    let cli = Cli::demo().await;
    let shown = json(&cli, &["tiers", "show"], &PM);
    assert_eq!(shown["tier_policy"], "advisory");
    assert_eq!(shown["unaligned_allowance_pct"], 20);
    let demo_exemptions = shown["exemptions"].as_array().unwrap().len();

    // Only the PM sets the policy; a bad one is refused and changes nothing.
    let e = fails(&cli, &["tiers", "set", "--policy", "strict"], &DEV);
    assert!(e.contains("only pm may"), "{e}");
    let e = fails(&cli, &["tiers", "set", "--policy", "loose"], &PM);
    assert!(e.starts_with("error: --policy: "), "{e}");
    let set = json(
        &cli,
        &["tiers", "set", "--policy", "strict", "--allowance", "25"],
        &PM,
    );
    assert_eq!(set["tier_policy"], "strict");
    assert_eq!(set["unaligned_allowance_pct"], 25);

    // An unaligned item may not jump above the top tier without an exemption.
    let before = tiers(&cli);
    let (unaligned, _) = before
        .iter()
        .rev()
        .find(|(_, t)| t.is_none())
        .unwrap()
        .clone();
    assert!(
        before[0].1.is_some(),
        "the demo's top item has a tier: {before:?}"
    );
    let e = fails(&cli, &["item", "move", &unaligned, "--top"], &PM_ONLY);
    assert!(
        e.contains("strict tier order") && e.contains(&unaligned),
        "{e}"
    );
    assert_eq!(tiers(&cli), before, "a refused move changes nothing");
    cli.ok(&with(
        &[
            "item",
            "move",
            &unaligned,
            "--top",
            "--exemption",
            "The launch partner is blocked on it",
        ],
        &PM_ONLY,
    )
    .iter()
    .map(String::as_str)
    .collect::<Vec<_>>());
    assert_eq!(tiers(&cli)[0].0, unaligned);
    let shown = json(&cli, &["tiers", "show"], &PM);
    let ex = shown["exemptions"].as_array().unwrap();
    assert_eq!(ex.len(), demo_exemptions + 1);
    let mine = ex.iter().find(|x| x["key"] == unaligned.as_str()).unwrap();
    assert_eq!(mine["reason"], "The launch partner is blocked on it");

    // Only the PM revokes, with a reason.
    let id = mine["id"].as_i64().unwrap().to_string();
    fails(&cli, &["tiers", "revoke", &id, "--reason", "done"], &DEV);
    let e = fails(&cli, &["tiers", "revoke", &id, "--reason", " "], &PM);
    assert!(e.contains("reason"), "{e}");
    json(
        &cli,
        &["tiers", "revoke", &id, "--reason", "The partner shipped"],
        &PM,
    );
    let shown = json(&cli, &["tiers", "show"], &PM);
    let mine = shown["exemptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"].as_i64().unwrap().to_string() == id)
        .cloned()
        .unwrap();
    assert_eq!(mine["revoke_reason"], "The partner shipped");

    // The demo holds one PM override this quarter; the list names it with its reason.
    let o = json(&cli, &["overrides"], &PM);
    assert_eq!(o["count"], 1, "{o}");
    assert!(!o["overrides"][0]["reason"].as_str().unwrap().is_empty());
    let text = cli.ok(&with(&["overrides"], &PM)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(text.starts_with("1 PM override(s) in "), "{text}");
    let e = fails(&cli, &["overrides", "--quarter", "2026-Q9"], &PM);
    assert!(e.contains("quarter"), "{e}");
}

#[tokio::test]
async fn the_pm_sets_the_advisors_thresholds_from_the_terminal() {
    let cli = Cli::demo().await;
    let a = json(&cli, &["advisor"], &PM);
    assert_eq!(a["thresholds"]["inversions"], 5);
    let codes = |a: &Value| -> Vec<String> {
        a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };
    // The demo's backlog (about 40 items) is under the default split threshold of 150.
    assert!(!codes(&a).contains(&"combined_split".to_string()), "{a}");
    let e = fails(&cli, &["advisor", "--combined-backlog-items", "10"], &DEV);
    assert!(e.contains("only pm may"), "{e}");
    let e = fails(&cli, &["advisor", "--inversions", "0"], &PM);
    assert!(e.contains("inversions") && e.contains("from 1"), "{e}");
    let a = json(
        &cli,
        &[
            "advisor",
            "--combined-backlog-items",
            "10",
            "--stale-priority-weeks",
            "6",
        ],
        &PM,
    );
    assert_eq!(a["thresholds"]["combined_backlog_items"], 10);
    assert_eq!(a["thresholds"]["stale_priority_weeks"], 6);
    assert_eq!(
        a["thresholds"]["inversions"], 5,
        "the other thresholds keep their values"
    );
    assert!(codes(&a).contains(&"combined_split".to_string()), "{a}");
    let text = cli.ok(&with(&["advisor"], &PM)
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(
        text.contains("Time to consider splitting the role")
            && text.contains("combined role past 10 items"),
        "{text}"
    );
}

fn text(cli: &Cli, verb: &[&str], who: &[&str]) -> String {
    let args = with(verb, who);
    cli.ok(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[tokio::test]
async fn alignment_takes_a_sprint_by_name_as_the_sprint_commands_do() {
    let cli = Cli::demo().await;
    let by_name = json(&cli, &["alignment", "--sprint", "sprint 5"], &PM);
    assert_eq!(by_name["sprint"], "Sprint 5");
    let sprints = json(&cli, &["sprint", "list"], &PM);
    let id = sprints
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Sprint 5")
        .unwrap()["id"]
        .to_string();
    assert_eq!(json(&cli, &["alignment", "-s", &id], &PM), by_name);
    let e = fails(&cli, &["alignment", "--sprint", "Sprint 99"], &PM);
    assert!(e.contains("no sprint \"Sprint 99\" in ONB"), "{e}");
}

#[tokio::test]
async fn alignment_without_priorities_says_why_in_words() {
    let cli = Cli::demo().await;
    let out = text(&cli, &["alignment", "--quarter", "2020-Q1"], &PM);
    assert!(
        out.contains("No quarterly priorities are set for 2020-Q1, so there is no score"),
        "{out}"
    );
    assert!(
        !out.contains("Some(") && !out.contains("NoPriorities"),
        "{out}"
    );
    let e = fails(&cli, &["alignment", "--quarter", "2020-Q9"], &PM);
    assert!(e.starts_with("error: --quarter: "), "{e}");
}

/// A planned sprint has committed points and none completed: the committed score is shown, and
/// the note says that nothing is completed yet (not that nothing was committed).
#[tokio::test]
async fn alignment_of_a_planned_sprint_keeps_its_committed_score() {
    let cli = Cli::demo().await;
    // Sprint 6's one item serves a priority of the quarter Sprint 6 starts in, whatever the date.
    let plan = json(&cli, &["sprint", "plan", "-s", "Sprint 6"], &PM);
    let start = plan["sprint"]["start_date"].as_str().unwrap();
    let q = throughline::strategy::Quarter::of(start.parse().unwrap()).to_string();
    let key = plan["committed"][0]["key"].as_str().unwrap().to_string();
    let o = json(
        &cli,
        &["objective", "add", "--quarter", &q, "--title", "Imports"],
        &PM,
    );
    let p = json(
        &cli,
        &[
            "priority",
            "add",
            "--quarter",
            &q,
            "--title",
            "Jira imports",
            "--objective",
            &o["id"].to_string(),
            "--top",
            "--reason",
            "Teams leave Jira this quarter",
        ],
        &PM,
    );
    let pid = p.as_array().map_or(p["id"].clone(), |l| {
        l.iter().find(|x| x["title"] == "Jira imports").unwrap()["id"].clone()
    });
    let i = json(
        &cli,
        &[
            "initiative",
            "add",
            "--title",
            "Keep sprints on import",
            "--priority",
            &pid.to_string(),
        ],
        &PM,
    );
    json(
        &cli,
        &[
            "initiative",
            "link",
            &key,
            "--initiative",
            &i["id"].to_string(),
        ],
        &PM,
    );

    let a = json(&cli, &["alignment", "--sprint", "Sprint 6"], &PM);
    assert!(a["committed"]["score"]["score"].is_i64(), "{a}");
    assert!(a["completed"]["score"].is_null(), "{a}");
    let out = text(&cli, &["alignment", "--sprint", "Sprint 6"], &PM);
    let committed = format!(
        "score {:>3} over committed points: ",
        a["committed"]["score"]["score"].as_i64().unwrap()
    );
    assert!(out.contains(&committed), "{out}");
    assert!(out.contains("score   – over completed points"), "{out}");
    assert!(out.contains("No points are completed yet"), "{out}");
    assert!(
        !out.contains("No points were committed") && !out.contains("Some("),
        "{out}"
    );
}

#[tokio::test]
async fn errors_name_the_flag_not_the_api_field() {
    let cli = Cli::demo().await;
    let key = &tiers(&cli)[1].0;
    let e = fails(
        &cli,
        &["item", "move", key, "--top", "--override", " "],
        &PM_ONLY,
    );
    assert!(
        e.starts_with("error: --override: an override needs its strategic reason"),
        "{e}"
    );
    assert!(!e.contains("override_reason"), "{e}");
}
