//! `throughline doctor`: the checks it prints on a healthy database of either kind, and a
//! failure with a non-zero exit when the database cannot be reached.

use serde_json::Value;

use crate::support::cli::Cli;

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"))
}

#[tokio::test]
async fn doctor_checks_a_healthy_database() {
    let cli = Cli::new().await;
    cli.ok(&["migrate"]);
    let report = cli.json(&["doctor", "--json"]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(check(&report, "migrations")["status"], "ok");
    assert!(check(&report, "version")["message"]
        .as_str()
        .unwrap()
        .contains("commit"));
    if cli.database_url.is_some() {
        assert_eq!(
            check(&report, "postgres version")["status"],
            "ok",
            "{report}"
        );
        assert!(check(&report, "postgres settings")["message"]
            .as_str()
            .unwrap()
            .contains("UTF8"));
        assert_eq!(check(&report, "clock")["status"], "ok", "{report}");
        assert!(check(&report, "backups")["message"]
            .as_str()
            .unwrap()
            .contains("pg_dump"));
    } else {
        assert_eq!(
            check(&report, "database")["message"],
            "SQLite integrity check ok"
        );
        assert_eq!(check(&report, "journal mode")["message"], "WAL");
        assert_eq!(check(&report, "free space")["status"], "ok", "{report}");
        // No backup yet: a warning with its fix, not a failure.
        let b = check(&report, "backups");
        assert_eq!(b["status"], "warn");
        assert!(b["fix"].is_string());
    }
    let text = cli.ok(&["doctor"]);
    assert!(
        text.lines().any(|l| l.starts_with("ok    migrations")),
        "{text}"
    );
}

#[tokio::test]
async fn doctor_fails_when_the_database_is_missing() {
    let cli = Cli::new().await;
    // No migrate: on SQLite there is no file; PostgreSQL is pointed at a closed port.
    let out = if cli.database_url.is_some() {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_throughline"));
        cmd.env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .env_remove("THROUGHLINE_CONFIG")
            .args(["doctor", "--json"])
            .output()
            .unwrap()
    } else {
        cli.run(&["doctor", "--json"])
    };
    assert!(!out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let db = check(&report, "database");
    assert_eq!(db["status"], "fail", "{report}");
    assert!(db["fix"].is_string());
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 check failed"));
}
