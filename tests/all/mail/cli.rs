//! The SMTP settings from a terminal: `config show` never prints the password, `config check`
//! names a wrong setting, `doctor` tries the server; and `inbox --email-mode`.

use std::process::Command;

use serde_json::Value;

use super::sink;
use crate::support::cli::Cli;

/// The binary on the test's database, with no SMTP settings but those given.
fn throughline(cli: &Cli, env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    for (_, var) in throughline::config::KEYS {
        cmd.env_remove(var);
    }
    cmd.env_remove("THROUGHLINE_CONFIG");
    if let Some(url) = &cli.database_url {
        cmd.env("DATABASE_URL", url);
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    cmd.arg("--data-dir").arg(cli.dir.path());
    cmd
}

fn smtp_env(host: &str, port: u16, security: &str) -> Vec<(&'static str, String)> {
    vec![
        ("THROUGHLINE_SMTP_HOST", host.to_string()),
        ("THROUGHLINE_SMTP_PORT", port.to_string()),
        ("THROUGHLINE_SMTP_SECURITY", security.to_string()),
        (
            "THROUGHLINE_SMTP_FROM",
            "Throughline <pm@example.com>".to_string(),
        ),
        (
            "THROUGHLINE_PUBLIC_URL",
            "https://pm.example.com".to_string(),
        ),
    ]
}

fn smtp_check(report: &Value) -> &Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "smtp")
        .unwrap_or_else(|| panic!("no smtp check in {report}"))
}

#[tokio::test]
async fn config_show_hides_the_smtp_password_and_check_names_a_wrong_setting() {
    let cli = Cli::new().await;
    let mut env = smtp_env("smtp.example.com", 587, "starttls");
    env.push(("THROUGHLINE_SMTP_USERNAME", "mailer".into()));
    env.push(("THROUGHLINE_SMTP_PASSWORD", "s3cret-smtp".into()));
    let out = throughline(&cli, &env)
        .args(["config", "show", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("s3cret-smtp"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    let row = |k: &str| {
        v["settings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["key"] == k)
            .unwrap()
            .clone()
    };
    assert_eq!(row("smtp_password")["value"], "****");
    assert_eq!(row("smtp_password")["origin"], "env");
    assert_eq!(row("smtp_host")["value"], "smtp.example.com");
    assert_eq!(row("public_url")["value"], "https://pm.example.com");

    let out = throughline(&cli, &env)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let env = smtp_env("smtp.example.com", 25, "none");
    let out = throughline(&cli, &env)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fail") && text.contains("smtp_security"),
        "{text}"
    );
}

#[tokio::test]
async fn doctor_tries_the_smtp_server() {
    let cli = Cli::new().await;
    cli.ok(&["migrate"]);
    let addr = sink().addr;
    let env = smtp_env("127.0.0.1", addr.port(), "none");
    let out = throughline(&cli, &env)
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(smtp_check(&report)["status"], "ok", "{report}");
    assert!(out.status.success(), "{report}");

    // A port nobody listens on: the check fails, with what to fix, and doctor exits non-zero.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let env = smtp_env("127.0.0.1", closed, "none");
    let out = throughline(&cli, &env)
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(smtp_check(&report)["status"], "fail", "{report}");
    assert!(smtp_check(&report)["fix"]
        .as_str()
        .unwrap()
        .contains("smtp_port"));
    assert!(!out.status.success());
}

#[tokio::test]
async fn the_email_mode_is_set_from_the_command_line() {
    let cli = Cli::new().await;
    let out = throughline(
        &cli,
        &[("THROUGHLINE_PASSWORD", "long enough password".into())],
    )
    .args(["user", "add", "--email", "ada@example.com", "--name", "Ada"])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = cli.json(&[
        "inbox",
        "--as",
        "ada@example.com",
        "--email-mode",
        "daily",
        "--json",
    ]);
    assert_eq!(v["email_notifications"], "daily");
    let v = cli.json(&["inbox", "--as", "ada@example.com", "--json"]);
    assert_eq!(v["email_notifications"], "daily");
    let e = cli.fails(&["inbox", "--as", "ada@example.com", "--email-mode", "weekly"]);
    assert!(e.contains("--email-mode") && e.contains("weekly"), "{e}");
}
