//! E-mail against a real SMTP server: aiosmtpd on 127.0.0.1, which writes each message it
//! receives into a folder as an .eml file. `scripts/test` starts it and names it in
//! THROUGHLINE_TEST_SMTP and THROUGHLINE_TEST_MAILDIR; without them these tests start one
//! themselves when Python has aiosmtpd, and fail saying how to get one otherwise.

mod cli;
mod digest;
mod invitations;
mod notifications;
mod reset;

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::json;

use crate::support::{spawn_app_with_smtp, Caller, TestApp, PASSWORD};

struct Sink {
    addr: SocketAddr,
    dir: PathBuf,
    /// The server these tests started, if they did; it exits when this process does.
    _server: Option<std::process::Child>,
}

static SINK: OnceLock<Sink> = OnceLock::new();

fn sink() -> &'static Sink {
    SINK.get_or_init(|| {
        let given = (
            std::env::var("THROUGHLINE_TEST_SMTP")
                .ok()
                .filter(|v| !v.is_empty()),
            std::env::var("THROUGHLINE_TEST_MAILDIR")
                .ok()
                .filter(|v| !v.is_empty()),
        );
        match given {
            (Some(addr), Some(dir)) => Sink {
                addr: addr
                    .parse()
                    .expect("THROUGHLINE_TEST_SMTP is 127.0.0.1:PORT"),
                dir: PathBuf::from(dir),
                _server: None,
            },
            _ => start_own(),
        }
    })
}

/// A Python that can import aiosmtpd: scripts/test's virtual environment, else the system's.
fn python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("target/mail-venv/bin/python"),
        PathBuf::from("python3"),
    ]
    .into_iter()
    .find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Starts tests/mail/smtp_sink.py for this test process; it stops when the process ends.
fn start_own() -> Sink {
    let Some(python) = python() else {
        panic!(
            "the e-mail tests need a real SMTP server: run scripts/test (it installs aiosmtpd into \
             target/mail-venv and starts it), or start one yourself and set \
             THROUGHLINE_TEST_SMTP=127.0.0.1:PORT and THROUGHLINE_TEST_MAILDIR=FOLDER"
        )
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = std::env::temp_dir().join(format!("throughline-mail-{}", std::process::id()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mail/smtp_sink.py");
    let mut child = std::process::Command::new(python)
        .arg(script)
        .arg(port.to_string())
        .arg(&dir)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the SMTP sink");
    let mut line = String::new();
    let out = child.stdout.take().expect("its output");
    std::io::BufReader::new(out)
        .read_line(&mut line)
        .expect("read the SMTP sink's output");
    assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
    Sink {
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        dir,
        _server: Some(child),
    }
}

/// A server that sends e-mail through the test SMTP server.
pub async fn mail_app() -> TestApp {
    spawn_app_with_smtp(sink().addr).await
}

/// An address no other test uses, so that each test finds its own messages.
pub fn address(name: &str) -> String {
    format!(
        "{}.{}@example.com",
        name.to_lowercase(),
        &throughline::auth::random_secret("")[..10]
    )
}

/// A member of `acme` with `roles` on ONB and an address of their own.
pub async fn person(app: &TestApp, owner: &Caller, name: &str, roles: &[&str]) -> Caller {
    let email = address(name);
    let u = throughline::auth::store::create_user(&app.db, &email, name, PASSWORD)
        .await
        .unwrap();
    let token = throughline::auth::store::create_token(&app.db, u.id, "test", false)
        .await
        .unwrap();
    let who = Caller {
        id: u.id,
        email,
        token,
    };
    app.invite_and_accept(owner, &who, json!({"email": who.email}))
        .await;
    app.roles(owner, &who, "ONB", roles).await;
    who
}

/// One pass of the worker's e-mail half at `now`: queue what is due, send what is queued.
pub async fn send_mail_at(app: &TestApp, now: chrono::DateTime<chrono::Utc>) -> usize {
    let mailer = app.mail.as_ref().expect("a server that sends e-mail");
    throughline::notify::worker::mail_tick(&app.db, mailer, "test-worker", now)
        .await
        .unwrap()
}

pub async fn send_mail(app: &TestApp) -> usize {
    send_mail_at(app, chrono::Utc::now()).await
}

/// A message as the SMTP server received it.
#[derive(Debug)]
pub struct Mail {
    /// The SMTP recipients (RCPT TO).
    pub envelope_to: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
    /// A multipart/alternative with a text/plain and a text/html part of its own.
    pub two_parts: bool,
}

fn parse(raw: &[u8]) -> Mail {
    let first_line = raw.split(|b| *b == b'\n').next().unwrap_or_default();
    let envelope_to = String::from_utf8_lossy(first_line)
        .trim()
        .trim_start_matches("X-Envelope-To:")
        .trim()
        .to_string();
    let m = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a MIME message");
    let raw_text = String::from_utf8_lossy(raw);
    Mail {
        envelope_to,
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).unwrap_or_default().to_string(),
        html: m.body_html(0).unwrap_or_default().to_string(),
        list_unsubscribe: m
            .header_raw("List-Unsubscribe")
            .map(|v| v.trim().to_string()),
        two_parts: raw_text.contains("multipart/alternative")
            && raw_text.contains("text/plain")
            && raw_text.contains("text/html")
            && m.text_body.first() != m.html_body.first(),
    }
}

/// Every message the SMTP server received for `address`, oldest first.
pub fn mail_to(address: &str) -> Vec<Mail> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(&sink().dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "eml")
            && !p.file_name().unwrap().to_string_lossy().starts_with('.')
    });
    files.sort();
    files
        .iter()
        .map(|p| parse(&std::fs::read(p).unwrap()))
        .filter(|m| m.envelope_to.split(", ").any(|a| a == address))
        .collect()
}

/// Waits briefly for `n` messages to `address` (they are written before the server answers,
/// so this rarely waits at all).
pub async fn wait_for_mail(address: &str, n: usize) -> Vec<Mail> {
    for _ in 0..50 {
        let got = mail_to(address);
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    mail_to(address)
}

/// The first `http://…` link in `text` that contains `part`.
pub fn link_in(text: &str, part: &str) -> String {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '<' || c == '>' || c == '"' || c == '(' || c == ')'))
        .find(|w| w.starts_with("http") && w.contains(part))
        .unwrap_or_else(|| panic!("no link with {part} in:\n{text}"))
        .to_string()
}
