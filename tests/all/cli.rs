//! CLI tests: run the real `throughline` binary, each test against its own database (SQLite in a
//! temporary `--data-dir`, or a fresh PostgreSQL database when TEST_DATABASE_URL is set).

mod setup;
use crate::support;
mod threads;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};
use throughline::db::Target;

const DEMO: [&str; 4] = ["--as", "demo@throughline.local", "-w", "demo"];
const DEV: [&str; 4] = ["--as", "dev@throughline.local", "-w", "demo"];

/// The binary, without any of the caller's environment that could pick another database or user.
fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    for var in ["DATABASE_URL", "THROUGHLINE_DATA_DIR", "THROUGHLINE_USER"] {
        cmd.env_remove(var);
    }
    cmd.env_remove("THROUGHLINE_WORKSPACE")
        .env_remove("THROUGHLINE_PASSWORD");
    cmd
}

fn run_in(data_dir: &Path, database_url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = bin();
    cmd.arg("--data-dir").arg(data_dir).args(args);
    if let Some(url) = database_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("running throughline {args:?}: {e}"))
}

/// Asserts success and returns stdout.
fn ok(out: Output, args: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{args:?} failed ({}): {stderr}",
        out.status
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Asserts a non-zero exit with an `error:` on stderr and nothing on stdout; returns stderr.
fn fails(out: Output, args: &[&str]) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "{args:?} should fail; stdout: {stdout}"
    );
    assert!(
        stderr.starts_with("error: "),
        "{args:?}: no error on stderr: {stderr}"
    );
    assert!(stdout.is_empty(), "{args:?} failed but printed: {stdout}");
    stderr
}

/// `item <args> --as ... -w demo`.
fn item<'a>(who: [&'a str; 4], args: &[&'a str]) -> Vec<&'a str> {
    [&["item"][..], args, &who].concat()
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn keys(page: &Value) -> Vec<String> {
    let items = page["items"].as_array();
    let items = items.unwrap_or_else(|| panic!("no items array in {page}"));
    let key = |i: &Value| i["key"].as_str().expect("item key").to_string();
    items.iter().map(key).collect()
}

/// One test's database: a temporary data dir, plus a fresh PostgreSQL database when asked for.
struct Cli {
    dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Cli {
    async fn new() -> Cli {
        let dir = tempfile::tempdir().expect("create a temporary data dir");
        let database_url = match support::test_target(dir.path()).await {
            Target::Postgres(url) => Some(url),
            // With --data-dir DIR the binary uses DIR/throughline.db; the test.db path is unused.
            Target::Sqlite(_) => None,
        };
        Cli { dir, database_url }
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(self.dir.path(), self.database_url.as_deref(), args)
    }

    fn ok(&self, args: &[&str]) -> String {
        ok(self.run(args), args)
    }

    fn fails(&self, args: &[&str]) -> String {
        fails(self.run(args), args)
    }

    /// Seeds the demo workspace and returns the demo backlog's keys in order.
    fn demo(&self) -> Vec<String> {
        let out = self.ok(&["seed", "--demo"]);
        assert!(
            out.contains("sign in as demo@throughline.local with password throughline-demo"),
            "seed should print the demo login: {out}"
        );
        self.keys(&[])
    }

    /// `item list -p ONB --json` as the demo PO, plus `extra`, as keys in order.
    fn keys(&self, extra: &[&str]) -> Vec<String> {
        let args = item(
            DEMO,
            &[&["list", "-p", "ONB", "--json"][..], extra].concat(),
        );
        keys(&parse(&self.ok(&args)))
    }
}

#[test]
fn help_works_for_every_command() {
    let cases = [
        "| serve migrate user token seed backup item --data-dir --database-url",
        "serve | --listen --demo --secure-cookies",
        "migrate | --data-dir --database-url",
        "user add | --email --name --password",
        "token create | --email --name",
        "seed | --demo --scale",
        "backup | --out",
        "item add | --as --workspace --product --title --criterion --label --top --json",
        "item edit | --as --workspace --version --title --status --criterion --json",
        "item move | --as --workspace --before --after --top --bottom --exemption --override",
        "tiers | show set exempt revoke",
        "tiers set | --policy --allowance --product",
        "overrides | --quarter --product",
        "advisor | --stale-priority-weeks --pm-story-share-pct --inversions --exemptions-and-overrides --combined-backlog-items",
        "item show | --as --workspace --json",
        "item list | --as --workspace --product --query --limit --json",
        "workspace create | --as --slug --name --json",
        "workspace list | --as --json",
        "product create | --as --workspace --key --name --description --json",
        "product list | --as --workspace --json",
        "member add | --as --workspace --email --admin --json",
        "member list | --as --workspace --json",
        "member roles | --as --workspace --product --email --role --none --json",
        "alignment | --sprint --quarter --product",
        "import | --as --workspace --product --dry-run --report --json",
    ];
    for case in cases {
        let (cmd, flags) = case.split_once('|').expect("`command | flags`");
        let args: Vec<&str> = cmd.split_whitespace().chain(["--help"]).collect();
        let text = ok(bin().args(&args).output().expect("run --help"), &args);
        for flag in flags.split_whitespace() {
            assert!(
                text.contains(flag),
                "{args:?} does not mention {flag}:\n{text}"
            );
        }
    }
}

/// Every command and subcommand says what it does in its own words, and the flags every
/// command shares (`--as`, `--email`, `-w`, `--json`) say what they take.
#[test]
fn every_command_and_shared_flag_has_its_own_help() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            let here = format!("{path} {}", sub.get_name());
            match sub.get_about().map(|a| a.to_string()) {
                None => missing.push(format!("{here}: no about")),
                Some(a) if a.starts_with("Who acts") => missing.push(format!("{here}: {a}")),
                Some(_) => {}
            }
            for arg in sub.get_arguments() {
                let shared = ["as", "email", "workspace", "json"];
                let is_shared =
                    shared.contains(&arg.get_id().as_str()) || arg.get_long() == Some("as");
                if is_shared && arg.get_help().is_none() {
                    missing.push(format!("{here} --{}: no help", arg.get_id()));
                }
            }
            walk(sub, &here, missing);
        }
    }
    let mut missing = Vec::new();
    walk(
        &throughline::cli::Cli::command(),
        "throughline",
        &mut missing,
    );
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    let text = ok(
        bin()
            .args(["initiative", "list", "--help"])
            .output()
            .unwrap(),
        &["initiative list --help"],
    );
    assert!(text.contains("evidence"), "{text}");
}

#[tokio::test]
async fn migrate_then_user_add_and_token_create() {
    let cli = Cli::new().await;
    cli.ok(&["migrate"]);
    // SQLite: the file now exists; PostgreSQL: DATABASE_URL wins and no SQLite file appears.
    let sqlite_file = cli.dir.path().join("throughline.db").is_file();
    assert_eq!(sqlite_file, cli.database_url.is_none(), "wrong database");

    let ada = ["user", "add", "--email", "a@example.com", "--name", "Ada"];
    let out = cli.ok(&[&ada[..], &["--password", "long enough pw"]].concat());
    assert!(out.contains("created Ada <a@example.com>"), "{out}");

    let out = cli.ok(&["token", "create", "--email", "a@example.com"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "token create prints only the token: {out}");
    assert!(lines[0].starts_with("tl_") && lines[0].len() > 20, "{out}");

    let short = [
        "--email",
        "b@example.com",
        "--name",
        "Bo",
        "--password",
        "short",
    ];
    let err = cli.fails(&[&["user", "add"][..], &short].concat());
    assert!(
        err.contains("password: use at least 10 characters"),
        "{err}"
    );

    let err = cli.fails(&[&ada[..], &["--password", "another long pw"]].concat());
    assert!(
        err.contains("an account with this e-mail already exists"),
        "{err}"
    );

    let err = cli.fails(&["token", "create", "--email", "nobody@example.com"]);
    assert!(
        err.contains("no account with e-mail nobody@example.com"),
        "{err}"
    );
}

#[test]
fn commands_on_a_missing_sqlite_database_fail_without_creating_one() {
    // SQLite only: with PostgreSQL the binary never creates databases.
    let dir = tempfile::tempdir().expect("create a temporary dir");
    let typo = dir.path().join("dtaa");
    let list = item(DEMO, &["list", "-p", "ONB"]);
    for args in [&["token", "create", "--email", "a@example.com"][..], &list] {
        let err = fails(run_in(&typo, None, args), args);
        assert!(err.contains("no database at"), "{err}");
        assert!(
            err.contains("throughline migrate"),
            "should say how to create one: {err}"
        );
        assert!(
            !typo.join("throughline.db").exists(),
            "{args:?} created a database"
        );
    }
}

#[tokio::test]
async fn demo_backlog_add_move_edit_query_and_show() {
    let cli = Cli::new().await;
    let before = cli.demo();
    let expected: Vec<String> = (1..=8).map(|n| format!("ONB-{n}")).collect();
    let first_eight: Vec<String> = before
        .iter()
        .filter(|k| expected.contains(k))
        .cloned()
        .collect();
    assert_eq!(
        first_eight, expected,
        "the demo's first stories list in creation order"
    );

    let second = "Given a 429 Then Retry-After says when to retry";
    let add = item(
        DEMO,
        &[
            "add",
            "-p",
            "ONB",
            "--title",
            "Rate-limit the public API",
            "--json",
            "--criterion",
            "Given 101 requests in a minute Then the last gets 429",
            "--criterion",
            second,
            "--label",
            "api",
        ],
    );
    let added = parse(&cli.ok(&add));
    let key = added["key"].as_str().expect("new item key").to_string();
    assert_eq!(
        key,
        format!("ONB-{}", before.len() + 1),
        "keys keep counting"
    );
    assert_eq!(
        added["criteria"].as_array().map(Vec::len),
        Some(2),
        "{added}"
    );
    assert_eq!(
        added["criteria"][1]["text"], second,
        "criteria keep their order"
    );
    assert_eq!(added["labels"], json!(["api"]));
    assert_eq!(
        cli.keys(&[]).last(),
        Some(&key),
        "new items go to the bottom"
    );

    let out = cli.ok(&item(DEMO, &["move", &key, "--top"]));
    assert!(out.contains(&format!("moved {key}")), "{out}");
    let order = cli.keys(&[]);
    assert_eq!(order.first(), Some(&key), "{order:?}");
    assert_eq!(order[1..], before[..], "the others keep their order");

    let show = item(DEMO, &["show", &key, "--json"]);
    let read = parse(&cli.ok(&show));
    let version = read["version"].as_i64().expect("version");
    let edited = parse(&cli.ok(&item(
        DEMO,
        &["edit", &key, "--title", "Rate-limit the API", "--json"],
    )));
    assert_eq!(edited["title"], "Rate-limit the API");
    assert_eq!(edited["version"].as_i64(), Some(version + 1), "{edited}");
    assert_eq!(
        edited["criteria"], read["criteria"],
        "fields not given stay"
    );

    let err = cli.fails(&item(
        DEMO,
        &["edit", &key, "--version", "1", "--title", "Lost"],
    ));
    assert!(
        err.contains(&format!("{key} was changed by someone else")),
        "{err}"
    );
    let now = parse(&cli.ok(&show));
    assert_eq!(
        now["title"], "Rate-limit the API",
        "a stale edit must not apply"
    );

    assert_eq!(cli.keys(&["-q", "label:api"]), vec![key.clone()]);
    assert_eq!(cli.keys(&["-q", "label:signup"]), vec!["ONB-1", "ONB-2"]);

    let err = cli.fails(&item(DEMO, &["list", "-p", "ONB", "-q", "points>>"]));
    assert!(
        err.contains("q: points"),
        "the error should point at the query: {err}"
    );

    let out = cli.ok(&item(DEMO, &["show", "ONB-1"]));
    assert!(
        out.starts_with("ONB-1  Sign up with a work e-mail"),
        "{out}"
    );
}

#[tokio::test]
async fn only_the_po_may_reorder_from_the_cli() {
    let cli = Cli::new().await;
    let before = cli.demo();
    let err = cli.fails(&item(DEV, &["move", "ONB-2", "--top"]));
    assert!(err.contains("only po may order the backlog"), "{err}");
    assert_eq!(
        cli.keys(&[]),
        before,
        "a refused move must not change the order"
    );
    // The developer may still read.
    assert!(cli.ok(&item(DEV, &["show", "ONB-2"])).starts_with("ONB-2 "));
}

#[tokio::test]
async fn backup_copies_sqlite_or_prints_pg_dump() {
    let cli = Cli::new().await;
    let items = cli.demo();
    if let Some(url) = &cli.database_url {
        let out = cli.ok(&["backup"]);
        assert!(out.contains("pg_dump --format=custom"), "{out}");
        let db_name = url.rsplit('/').next().expect("database name in the URL");
        assert!(
            out.contains(db_name),
            "the command should name the database: {out}"
        );
        return;
    }
    let file = cli.dir.path().join("copy.db");
    let backup = ["backup", "--out", file.to_str().expect("UTF-8 temp path")];
    assert!(cli.ok(&backup).contains("backed up to"));
    let err = cli.fails(&backup);
    assert!(err.contains("already exists"), "must not overwrite: {err}");

    let restored = tempfile::tempdir().expect("create a restore dir");
    std::fs::copy(&file, restored.path().join("throughline.db")).expect("copy the backup");
    let list = item(DEMO, &["list", "-p", "ONB", "--json"]);
    let page = parse(&ok(run_in(restored.path(), None, &list), &list));
    assert_eq!(keys(&page), items, "the copy holds the same backlog");
}
