//! Files that hold no work items are refused with a sentence saying what they are, the malformed
//! Jira XML gets its line, column and fix, `--format` names a format or is refused, and a dry
//! run of another format writes nothing. Nothing is written by a refused import.

use serde_json::Value;

use super::corpus::{facts, import, path, versions, Facts};
use crate::support::cli::Cli;

fn refused(cli: &Cli, who: &str, rel: &str, extra: &[&str]) -> String {
    let p = path(rel);
    let args = [
        &[
            "import",
            p.to_str().unwrap(),
            "--as",
            who,
            "-w",
            "acme",
            "-p",
            "ONB",
        ][..],
        extra,
    ]
    .concat();
    cli.fails(&args)
}

#[tokio::test]
async fn files_that_are_not_work_items_say_what_they_are() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let cases = [
        (
            "jira_json/gojira_agile_board_sprints.json",
            "a list of 6 Jira sprints",
        ),
        (
            "jira_json/perceval_fiware_fields.json",
            "a list of 44 Jira field definitions",
        ),
        (
            "jira_json/perceval_fiware_comments_page1.json",
            "a page of comments on one Jira issue",
        ),
        (
            "jira_json/gojira_agile_board_configuration.json",
            "a Jira board's configuration",
        ),
        (
            "jira_json/jiraruby_agile_board_issues.json",
            "9 Jira issue keys without their fields",
        ),
        (
            "github_issues/perceval_github_issue_1.json",
            "1 pull request(s) and no issues",
        ),
        (
            "datasets/tse2017_agile_sprints/jira_iteration_0.csv",
            "a list of sprints (iterations)",
        ),
        (
            "datasets/tse2017_agile_sprints/apache_iteration_0.csv",
            "a list of sprints (iterations)",
        ),
        (
            "datasets/tse2017_agile_sprints/jira_issuelink_0.csv",
            "a list of links between issues",
        ),
        (
            "datasets/tse2017_agile_sprints/jira_issue_0.csv",
            "per-issue features",
        ),
        (
            "datasets/tse2017_agile_sprints/apache_issue_0.csv",
            "per-issue features",
        ),
    ];
    for (rel, sentence) in cases {
        let err = refused(&cli, &ada, rel, &[]);
        assert!(err.contains(sentence), "{rel}: {err}");
    }
    let db = super::db(&cli).await;
    assert_eq!(facts(&db).await, Facts::default());
    db.close().await;
}

#[tokio::test]
async fn malformed_jira_xml_gets_its_place_and_its_fix() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let err = refused(
        &cli,
        &ada,
        "jira_xml/MALFORMED_browser_copy_SearchRequest.xml",
        &[],
    );
    assert!(
        err.contains("not well-formed XML at line 1, column 1"),
        "{err}"
    );
    assert!(err.contains("delete that first line"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The same file cut short inside an item: the place of the fault, not a panic.
    let text = std::fs::read_to_string(path("jira_xml/mitsusarkar_Jira.xml")).unwrap();
    let cut = cli.dir.path().join("cut.xml");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let err = cli.fails(&[
        "import",
        cut.to_str().unwrap(),
        "--as",
        &ada,
        "-w",
        "acme",
        "-p",
        "ONB",
    ]);
    assert!(err.contains("not well-formed XML at line"), "{err}");
    let db = super::db(&cli).await;
    assert_eq!(facts(&db).await.items, 0);
    db.close().await;
}

#[tokio::test]
async fn the_format_flag_names_a_format_or_is_refused() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let rel = "linear/linear_export_test_workspace.csv";
    let err = refused(&cli, &ada, rel, &["--format", "excel"]);
    assert!(
        err.contains("\"excel\" is not a format") && err.contains("trello"),
        "{err}"
    );
    // Named, the format is read as that format: a Linear file read as Trello is not JSON.
    let err = refused(&cli, &ada, rel, &["--format", "trello"]);
    assert!(err.contains("not JSON"), "{err}");
    let r = import(&cli, &ada, rel, &["--format", "linear"]);
    assert_eq!(r["format"], "linear");
    let auto = import(&cli, &ada, rel, &["--format", "auto"]);
    assert_eq!(auto["unchanged"], r["created"]);
}

#[tokio::test]
async fn a_dry_run_of_a_trello_board_writes_nothing() {
    let cli = Cli::new().await;
    let ada = super::acme(&cli);
    let db = super::db(&cli).await;
    let rel = "trello/volunteerbridge_scrum_board.json";
    let report = import(&cli, &ada, rel, &["--dry-run"]);
    assert_eq!(report["dry_run"], true);
    assert!(report["created"].as_i64().unwrap() > 0, "{report}");
    assert_eq!(facts(&db).await, Facts::default());
    let audit: i64 = throughline::with_pool!(&db.read, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'import'").fetch_one(p).await)
    .unwrap();
    assert_eq!(audit, 0);
    // Then for real, and a dry run of the same file finds everything unchanged.
    let real = import(&cli, &ada, rel, &[]);
    let before = versions(&db).await;
    let again = import(&cli, &ada, rel, &["--dry-run"]);
    assert_eq!(again["unchanged"], real["created"]);
    assert_eq!(versions(&db).await, before);
    let used = report["columns_used"].as_array().unwrap();
    assert!(used.iter().any(|c| c["name"] == "idMembers"), "{report}");
    assert_eq!(
        report["notes"][0],
        Value::from("1: archived cards were left out")
    );
    db.close().await;
}
