//! The real `throughline` binary against a test's own database: a temporary data dir for
//! SQLite, or a fresh PostgreSQL database when TEST_DATABASE_URL is set.

use std::process::{Command, Output};

use serde_json::Value;
use throughline::db::Target;

pub struct Cli {
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
    /// `THROUGHLINE_TODAY` for every run: the demo's dates, and all that follows from them,
    /// are then the same on every day the test runs.
    pub today: Option<&'static str>,
}

impl Cli {
    /// An empty database.
    pub async fn new() -> Cli {
        let dir = tempfile::tempdir().expect("create a temporary data dir");
        let database_url = match super::test_target(dir.path()).await {
            Target::Postgres(url) => Some(url),
            // With --data-dir DIR the binary uses DIR/throughline.db.
            Target::Sqlite(_) => None,
        };
        Cli {
            dir,
            database_url,
            today: None,
        }
    }

    /// The database of a running test server (its SQLite file or PostgreSQL database).
    pub fn for_app(app: &super::TestApp) -> Cli {
        let database_url = match &app.target {
            Target::Postgres(url) => url.clone(),
            Target::Sqlite(path) => format!("sqlite:{}", path.display()),
        };
        Cli {
            dir: tempfile::tempdir().expect("create a temporary data dir"),
            database_url: Some(database_url),
            today: None,
        }
    }

    /// The demo workspace seeded as if today were `today` (`YYYY-MM-DD`); later runs see
    /// the same day.
    pub async fn demo_on(today: &'static str) -> Cli {
        let mut cli = Cli::new().await;
        cli.today = Some(today);
        cli.ok(&["seed", "--demo"]);
        cli
    }

    /// The demo workspace (`seed --demo`).
    pub async fn demo() -> Cli {
        let cli = Cli::new().await;
        cli.ok(&["seed", "--demo"]);
        cli
    }

    /// An account `email` (password `long enough pw`) owning workspace `acme` with product
    /// `ONB`, made through the binary as an operator would.
    pub fn acme(&self, email: &str) {
        let pw = "long enough pw";
        self.ok(&[
            "user",
            "add",
            "--email",
            email,
            "--name",
            "Ada",
            "--password",
            pw,
        ]);
        self.ok(&[
            "workspace",
            "create",
            "--as",
            email,
            "--slug",
            "acme",
            "--name",
            "Acme",
        ]);
        let product = ["--key", "ONB", "--name", "Onboarding"];
        self.ok(&[
            &["product", "create", "--as", email, "-w", "acme"][..],
            &product,
        ]
        .concat());
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .output()
            .expect("run the throughline binary")
    }

    /// A command that reads `input` on its standard input (a piped interview, say).
    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the throughline binary");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().expect("wait for the binary")
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
        // The caller's shell must not point the binary at another database or account.
        for var in [
            "DATABASE_URL",
            "THROUGHLINE_DATA_DIR",
            "THROUGHLINE_USER",
            "THROUGHLINE_WORKSPACE",
            "THROUGHLINE_TODAY",
        ] {
            cmd.env_remove(var);
        }
        if let Some(day) = self.today {
            cmd.env("THROUGHLINE_TODAY", day);
        }
        if let Some(url) = &self.database_url {
            cmd.env("DATABASE_URL", url);
        }
        cmd.arg("--data-dir").arg(self.dir.path()).args(args);
        cmd
    }

    /// Standard output of a command that must succeed.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Standard error of a command that must fail without printing a result.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(
            out.stdout.is_empty(),
            "{args:?} failed but printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    /// The JSON a command prints (the caller passes `--json`).
    pub fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?} is not JSON ({e}): {text}"))
    }
}
