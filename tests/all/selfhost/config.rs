//! `throughline.toml`, `config show|check` and `--version`: precedence, sources, masking and
//! clear errors. None of these touch a database, so they behave the same on both.

use std::process::{Command, Output};

use serde_json::Value;

/// The binary with none of the caller's settings in its environment.
fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    for (_, var) in throughline::config::KEYS {
        cmd.env_remove(var);
    }
    cmd.env_remove("THROUGHLINE_CONFIG");
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run throughline")
}

fn settings(out: Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v
}

fn row<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap()
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("throughline.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9001\"\nlog = \"warn\"\nbackup_keep = 3\nbackup_every = 6\n\
         database_url = \"postgres://tl:s3cret@db.example:5432/tl\"\n",
    )
    .unwrap();
    let v = settings(run(bin()
        .arg("--config")
        .arg(&file)
        .env("THROUGHLINE_LOG", "debug")
        .env("THROUGHLINE_BACKUP_KEEP", "5")
        .args(["config", "show", "--json", "--backup-keep", "4"])));
    assert_eq!(v["file"], file.display().to_string());
    let origin = |k: &str| (row(&v, k)["value"].clone(), row(&v, k)["origin"].clone());
    assert_eq!(origin("backup_keep"), ("4".into(), "flag".into()));
    assert_eq!(origin("log"), ("debug".into(), "env".into()));
    assert_eq!(origin("listen"), ("127.0.0.1:9001".into(), "file".into()));
    assert_eq!(origin("backup_every"), ("6h".into(), "file".into()));
    assert_eq!(origin("secure_cookies"), ("false".into(), "default".into()));
    // The password never shows.
    assert_eq!(
        row(&v, "database_url")["value"],
        "postgres://tl:****@db.example:5432/tl"
    );
    assert!(!String::from_utf8_lossy(
        &run(bin().arg("--config").arg(&file).args(["config", "show"])).stdout
    )
    .contains("s3cret"));
}

#[test]
fn the_file_beside_the_data_directory_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("throughline.toml"),
        "listen = \"127.0.0.1:9002\"\n",
    )
    .unwrap();
    let v = settings(run(bin()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["config", "show", "--json"])));
    assert_eq!(row(&v, "listen")["value"], "127.0.0.1:9002");
    assert_eq!(row(&v, "data_dir")["origin"], "flag");
}

#[test]
fn an_unknown_key_stops_every_command_naming_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("throughline.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9003\"\nbackup_kept = 3\n").unwrap();
    for args in [&["config", "check"][..], &["migrate", "--dry-run"]] {
        let out = run(bin().arg("--config").arg(&file).args(args));
        assert!(!out.status.success(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("backup_kept") && err.contains(&file.display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn config_check_fails_with_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let not_a_dir = dir.path().join("file");
    std::fs::write(&not_a_dir, "").unwrap();
    let out = run(bin()
        .arg("--data-dir")
        .arg(&not_a_dir)
        .args(["config", "check"]));
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "fail  data_dir      {} is not a directory",
            not_a_dir.display()
        )),
        "{text}"
    );
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "listen = \"localhost\"\n").unwrap();
    let out = run(bin().arg("--config").arg(&file).args(["config", "check"]));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("listen = \"localhost\" is not an address"),
        "{err}"
    );
    let ok = run(bin()
        .arg("--data-dir")
        .arg(dir.path().join("new"))
        .args(["config", "check"]));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[test]
fn version_names_the_commit() {
    let out = run(bin().arg("--version"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(&format!(
            "throughline {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert_eq!(
        text.trim(),
        format!("throughline {}", throughline::config::VERSION)
    );
}

#[test]
fn a_replica_beside_sqlite_is_refused_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let replica = "postgres://tl:s3cret@replica.example:5432/tl";
    let out = run(bin()
        .arg("--data-dir")
        .arg(dir.path())
        .env("DATABASE_REPLICA_URL", replica)
        .args(["config", "check"]));
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("database_replica_url") && text.contains("the database is SQLite"),
        "{text}"
    );
    assert!(!text.contains("s3cret"), "{text}");
    // A command that opens the database stops with the same reason.
    let out = run(bin()
        .arg("--data-dir")
        .arg(dir.path())
        .env("DATABASE_REPLICA_URL", replica)
        .env("THROUGHLINE_PASSWORD", "replica-password-1")
        .args(["user", "add", "--email", "r@example.com", "--name", "R"]));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DATABASE_REPLICA_URL") && err.contains("SQLite"),
        "{err}"
    );
    let v = settings(run(bin()
        .env("DATABASE_REPLICA_URL", replica)
        .args(["config", "show", "--json"])));
    assert_eq!(
        row(&v, "database_replica_url")["value"],
        "postgres://tl:****@replica.example:5432/tl"
    );
}
