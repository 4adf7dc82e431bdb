//! A document restore cannot take is refused with a reason that names what is wrong, and the
//! database is left as it was: nothing half-restored, no new SQLite file left behind.

use serde_json::Value;

use super::round_trip::export;
use crate::support::cli::Cli;

/// Writes `doc` to a file in `cli`'s dir and tries to restore it; the error.
fn refused(cli: &Cli, doc: &Value) -> String {
    let path = cli.dir.path().join("broken.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    cli.fails(&["restore", path.to_str().unwrap()])
}

#[tokio::test]
async fn bad_documents_are_refused_with_the_reason_and_nothing_is_written() {
    let source = Cli::demo().await;
    let (file, bytes) = export(&source, "demo.json");
    let good: Value = serde_json::from_slice(&bytes).unwrap();
    let target = Cli::new().await;

    let mut newer = good.clone();
    newer["version"] = 2.into();
    let err = refused(&target, &newer);
    assert!(
        err.contains("export version 2 is not one this Throughline reads"),
        "{err}"
    );

    let mut other = good.clone();
    other["format"] = "something-else".into();
    assert!(refused(&target, &other).contains("not a Throughline export"));

    let mut wrong_type = good.clone();
    wrong_type["tables"]["items"][2]["points"] = "three".into();
    let err = refused(&target, &wrong_type);
    assert!(
        err.contains(
            "items, row 3: points: expected a number of points with at most two decimals or null"
        ),
        "{err}"
    );

    let mut unknown = good.clone();
    unknown["tables"]["items"][0]["colour"] = "red".into();
    assert!(refused(&target, &unknown).contains("items, row 1: unknown column \"colour\""));

    let mut missing = good.clone();
    missing["tables"]
        .as_object_mut()
        .unwrap()
        .remove("criteria");
    assert!(refused(&target, &missing).contains("no table \"criteria\""));

    let mut schema = good.clone();
    schema["schema"] = 9999.into();
    assert!(refused(&target, &schema).contains("schema version 9999"));

    // A row that breaks a constraint fails inside the transaction: nothing of it stays.
    let mut dangling = good.clone();
    dangling["tables"]["criteria"][0]["item_id"] = 999_999.into();
    let err = refused(&target, &dangling);
    assert!(err.contains("does not fit this database"), "{err}");

    std::fs::write(target.dir.path().join("not.json"), "{\"format\": ").unwrap();
    let err = target.fails(&[
        "restore",
        target.dir.path().join("not.json").to_str().unwrap(),
    ]);
    assert!(err.contains("not a Throughline export"), "{err}");

    // After all that the database is still empty: the good document restores.
    let said = target.ok(&["restore", file.to_str().unwrap()]);
    assert!(said.starts_with("restored workspace demo"), "{said}");
}

#[tokio::test]
async fn a_failed_restore_into_a_new_sqlite_file_leaves_no_file() {
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
        today: None,
    };
    let path = cli.dir.path().join("x.json");
    std::fs::write(&path, "[]").unwrap();
    let err = cli.fails(&["restore", path.to_str().unwrap()]);
    assert!(err.contains("not a Throughline export"), "{err}");
    assert!(!cli.dir.path().join("throughline.db").exists());
}

#[tokio::test]
async fn export_names_a_workspace_that_does_not_exist_and_never_overwrites() {
    let cli = Cli::demo().await;
    let out = cli.dir.path().join("x.json");
    let err = cli.fails(&["export", "-w", "nope", "--out", out.to_str().unwrap()]);
    assert!(err.contains("no workspace \"nope\""), "{err}");
    assert!(!out.exists());
    std::fs::write(&out, "keep me").unwrap();
    let err = cli.fails(&["export", "-w", "demo", "--out", out.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
}

#[tokio::test]
async fn export_flags_that_do_not_go_together_are_named() {
    let cli = Cli::demo().await;
    let out = cli.dir.path().join("x.out");
    let out = out.to_str().unwrap();
    let err = cli.fails(&["export", "-w", "demo", "--format", "jira-csv", "--out", out]);
    assert!(err.contains("--format jira-csv needs -p PRODUCT"), "{err}");
    let err = cli.fails(&["export", "-w", "demo", "-p", "ONB", "--out", out]);
    assert!(
        err.contains("-p: the JSON export holds the whole workspace"),
        "{err}"
    );
    let err = cli.fails(&[
        "export", "-w", "demo", "-p", "NOPE", "--format", "jira-csv", "--out", out,
    ]);
    assert!(err.contains("-p NOPE: no such product in demo"), "{err}");
    assert!(!std::path::Path::new(out).exists());

    // --json says what went where, table by table.
    let summary = cli.json(&["export", "-w", "demo", "--out", out, "--json"]);
    assert_eq!(summary["file"], out);
    let bytes = std::fs::metadata(out).unwrap().len();
    assert_eq!(summary["bytes"].as_u64(), Some(bytes));
    let tables = summary["tables"].as_array().unwrap();
    let sum: u64 = tables.iter().map(|t| t["bytes"].as_u64().unwrap()).sum();
    assert!(
        sum < bytes
            && tables
                .iter()
                .any(|t| t["table"] == "items" && t["rows"] == 75)
    );
}
