//! Setting up from a terminal: `migrate` saying what it did.

use crate::support::cli::Cli;

#[tokio::test]
async fn migrate_says_what_it_did() {
    let cli = Cli::new().await;
    let n = throughline::db::migration_versions().0.len();
    let first = cli.ok(&["migrate"]);
    let applied = format!("applied {n} migrations");
    match &cli.database_url {
        None => assert!(first.starts_with("created the database "), "{first}"),
        Some(_) => assert!(first.starts_with(&applied), "{first}"),
    }
    assert!(first.contains(&applied), "{first}");
    let again = cli.ok(&["migrate"]);
    assert!(again.starts_with("the database is up to date"), "{again}");
}
