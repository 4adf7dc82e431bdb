//! The command line refuses control characters naming the flag; an import replaces them in
//! another tool's export, says how many, and stores the rest on either database.

use crate::support;

use support::cli::Cli;

const ADA: &str = "ada@example.com";

fn acme(cli: &Cli) {
    cli.ok(&["migrate"]);
    cli.acme(ADA);
}

#[tokio::test]
async fn a_control_character_in_a_flag_is_refused_naming_it() {
    let cli = Cli::new().await;
    acme(&cli);
    let err = cli.fails(&[
        "item",
        "add",
        "--as",
        ADA,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--title",
        "bell\u{7}",
    ]);
    assert!(err.contains("--title: control character U+0007"), "{err}");
    let err = cli.fails(&[
        "workspace",
        "create",
        "--as",
        ADA,
        "--slug",
        "beta",
        "--name=Be\u{1b}ta",
    ]);
    assert!(err.contains("--name: control character U+001B"), "{err}");
    // Nothing was written; newline and tab are text.
    let list = cli.json(&[
        "item", "list", "--as", ADA, "-w", "acme", "-p", "ONB", "--json",
    ]);
    assert_eq!(list["items"], serde_json::json!([]), "{list}");
    let item = cli.json(&[
        "item",
        "add",
        "--as",
        ADA,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--title",
        "tab\there",
        "--description",
        "two\nlines",
        "--json",
    ]);
    assert_eq!(item["description"], "two\nlines");
}

#[tokio::test]
async fn an_import_replaces_control_characters_and_reports_them() {
    let cli = Cli::new().await;
    acme(&cli);
    // A NUL and an escape in CSV cells, and a NUL as a JSON escape in GitHub issues.
    let csv = "Summary,Issue key,Issue id,Issue Type,Status,Description\n\
               Sign\u{0}up,AB-1,1,Story,To Do,\"red \u{1b}[31m\r\nnext\"\n";
    let path = cli.dir.path().join("jira.csv");
    std::fs::write(&path, csv).unwrap();
    let report = cli.json(&[
        "import",
        path.to_str().unwrap(),
        "--as",
        ADA,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--json",
    ]);
    assert_eq!(report["created"], 1, "{report}");
    let notes = report["notes"].to_string();
    assert!(notes.contains("2: control characters"), "{notes}");
    let item = cli.json(&["item", "show", "ONB-1", "--as", ADA, "-w", "acme", "--json"]);
    assert_eq!(item["title"], "Sign\u{fffd}up");
    assert_eq!(item["description"], "red \u{fffd}[31m\nnext");
    let github = r#"[{"number": 7, "title": "nul \u0000 here", "state": "open", "body": "b",
        "html_url": "https://github.com/o/r/issues/7", "labels": [], "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z", "user": {"login": "ada"}}]"#;
    let path = cli.dir.path().join("issues.json");
    std::fs::write(&path, github).unwrap();
    let report = cli.json(&[
        "import",
        path.to_str().unwrap(),
        "--as",
        ADA,
        "-w",
        "acme",
        "-p",
        "ONB",
        "--format",
        "github",
        "--json",
    ]);
    assert_eq!(report["created"], 1, "{report}");
    let item = cli.json(&["item", "show", "ONB-2", "--as", ADA, "-w", "acme", "--json"]);
    assert_eq!(item["title"], "nul \u{fffd} here");
}
