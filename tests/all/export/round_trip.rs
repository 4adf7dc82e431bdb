//! Export → restore → export is byte-identical through the real binary: on the test's own
//! database, and across SQLite and PostgreSQL both ways when TEST_DATABASE_URL is set.

use std::path::PathBuf;

use crate::support::cli::Cli;

/// `export -w demo` to a new file in the command's data dir; the file's bytes.
pub fn export(cli: &Cli, name: &str) -> (PathBuf, Vec<u8>) {
    let path = cli.dir.path().join(name);
    cli.ok(&["export", "-w", "demo", "--out", path.to_str().unwrap()]);
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

/// An empty SQLite database, whatever TEST_DATABASE_URL says.
fn sqlite() -> Cli {
    Cli {
        dir: tempfile::tempdir().unwrap(),
        database_url: None,
        today: None,
    }
}

/// Restores `file` into `into` (empty) and exports it again.
fn restore_and_export(into: &Cli, file: &std::path::Path) -> Vec<u8> {
    let said = into.ok(&["restore", file.to_str().unwrap()]);
    assert!(said.starts_with("restored workspace demo: "), "{said}");
    export(into, "again.json").1
}

#[tokio::test]
async fn the_demo_survives_export_and_restore_byte_for_byte() {
    let source = Cli::demo().await;
    let (file, first) = export(&source, "demo.json");
    let doc: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(doc["format"], "throughline-export");
    assert_eq!(doc["version"], 1);
    assert!(doc["tables"]["items"].as_array().unwrap().len() > 30);
    assert!(doc["tables"]["audit_log"].as_array().unwrap().len() > 100);
    assert!(doc["tables"].get("sessions").is_none() && doc["tables"].get("api_tokens").is_none());

    let target = Cli::new().await;
    let second = restore_and_export(&target, &file);
    assert!(first == second, "the second export differs from the first");

    // Ids go on from the restored ones, and the restored accounts work.
    let added = target.ok(&[
        "item",
        "add",
        "--as",
        "demo@throughline.local",
        "-w",
        "demo",
        "-p",
        "ONB",
        "--title",
        "After the restore",
    ]);
    let next = doc["tables"]["products"][0]["next_number"]
        .as_i64()
        .unwrap();
    assert!(added.starts_with(&format!("ONB-{next} ")), "{added}");
}

#[tokio::test]
async fn exports_are_identical_across_sqlite_and_postgresql() {
    if std::env::var("TEST_DATABASE_URL").map_or(true, |u| u.is_empty()) {
        return; // needs both databases; scripts/test runs it with TEST_DATABASE_URL
    }
    // PostgreSQL → SQLite → PostgreSQL.
    let pg = Cli::demo().await;
    assert!(pg.database_url.is_some());
    let (from_pg, first) = export(&pg, "pg.json");
    let lite = sqlite();
    let via_sqlite = restore_and_export(&lite, &from_pg);
    assert!(
        first == via_sqlite,
        "SQLite's export of PostgreSQL's differs"
    );
    let pg_again = Cli::new().await;
    let back = restore_and_export(&pg_again, &lite.dir.path().join("again.json"));
    assert!(first == back, "PostgreSQL's export after SQLite differs");

    // SQLite → PostgreSQL.
    let lite_demo = sqlite();
    lite_demo.ok(&["seed", "--demo"]);
    let (from_lite, lite_bytes) = export(&lite_demo, "lite.json");
    let pg_target = Cli::new().await;
    assert!(lite_bytes == restore_and_export(&pg_target, &from_lite));
}

#[tokio::test]
async fn restore_refuses_a_database_that_has_data_and_changes_nothing() {
    let cli = Cli::demo().await;
    let (file, before) = export(&cli, "demo.json");
    let err = cli.fails(&["restore", file.to_str().unwrap()]);
    assert!(err.contains("the database is not empty"), "{err}");
    let (_, after) = export(&cli, "after.json");
    assert!(before == after);
}

/// What an import brings besides items (placeholder people, reporters, comments from the file,
/// initiatives from epics) survives export and restore byte for byte too.
#[tokio::test]
async fn an_imported_team_and_its_epics_survive_export_and_restore() {
    let source = Cli::demo().await;
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    for rel in [
        "jira_csv/ericmedlock_planeso_migration_Jira.csv",
        "taiga/taiga_io_project_export_2016.json",
    ] {
        let file = corpus.join(rel);
        source.ok(&[
            "import",
            file.to_str().unwrap(),
            "--as",
            "demo@throughline.local",
            "-w",
            "demo",
            "-p",
            "ONB",
        ]);
    }
    let (file, first) = export(&source, "demo.json");
    let doc: serde_json::Value = serde_json::from_slice(&first).unwrap();
    let placeholders = doc["tables"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["placeholder"] == true)
        .count();
    assert!(placeholders >= 3, "{placeholders}");
    let target = Cli::new().await;
    assert!(restore_and_export(&target, &file) == first);
}
