//! The first run: only the holder of the one-time link creates the first admin, workspace and
//! product (and the demo beside them); a refused form writes nothing and keeps the link good.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use reqwest::{Client, Response};
use throughline::with_pool;

use crate::support::cli::Cli;
use crate::support::session::{between, cookie_client};
use crate::support::{spawn_app_with_setup, TestApp, PASSWORD};

const SECRET: &str = "s3cret-setup-link";

async fn count(app: &TestApp, sql: &str) -> i64 {
    with_pool!(&app.db.read, p => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await).unwrap()
}

/// Opens the setup page with `token` and sends its form with `fields`.
async fn submit(app: &TestApp, client: &Client, fields: &[(&str, &str)]) -> Response {
    let page = client
        .get(app.url(&format!("/setup?token={SECRET}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let csrf = between(&html, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let mut form = vec![("csrf", csrf.as_str()), ("token", SECRET)];
    form.extend_from_slice(fields);
    client
        .post(app.url("/setup"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

const GOOD: &[(&str, &str)] = &[
    ("name", "Ada Admin"),
    ("email", "ada@acme.test"),
    ("password", PASSWORD),
    ("workspace_name", "Acme"),
    ("workspace_slug", "acme"),
    ("product_name", "Checkout"),
    ("product_key", "chk"),
];

#[tokio::test]
async fn only_the_link_sets_up_an_empty_install_and_the_checklist_follows() {
    let app = spawn_app_with_setup(SECRET).await;
    let login = cookie_client().get(app.url("/login")).send().await.unwrap();
    assert!(login.text().await.unwrap().contains("id=\"setup-pending\""));
    for bad in ["/setup", "/setup?token=wrong", "/setup?token="] {
        let r = cookie_client().get(app.url(bad)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{bad}");
        assert!(!r.text().await.unwrap().contains("name=\"password\""));
    }
    // A forged post without the link's secret claims nothing.
    let client = cookie_client();
    let r = submit(&app, &client, GOOD).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/w/acme/start");
    let start = client.get(app.url("/w/acme/start")).send().await.unwrap();
    assert_eq!(start.status(), 200, "signed in by the setup");
    let html = start.text().await.unwrap();
    assert!(html.contains("0 of 4 done"), "{html}");
    assert!(html.contains("href=\"/w/acme/p/CHK/import\""));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE instance_admin").await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM products WHERE key = 'CHK'").await,
        1
    );
    // Used: the link is gone, and so is the hint on the sign-in page.
    let again = cookie_client()
        .get(app.url(&format!("/setup?token={SECRET}")))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    let login = cookie_client().get(app.url("/login")).send().await.unwrap();
    assert!(!login.text().await.unwrap().contains("setup-pending"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workspaces").await, 1);
}

#[tokio::test]
async fn a_refused_setup_form_names_its_field_writes_nothing_and_keeps_the_link() {
    let app = spawn_app_with_setup(SECRET).await;
    let client = cookie_client();
    let mut bad = GOOD.to_vec();
    bad[6] = ("product_key", "1-no");
    let r = submit(&app, &client, &bad).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("product_key: use 2–10 capital letters"),
        "{html}"
    );
    assert!(
        html.contains("value=\"ada@acme.test\""),
        "the form keeps what was typed"
    );
    assert!(!html.contains(PASSWORD), "but never the password");
    let mut demo_slug = GOOD.to_vec();
    demo_slug[4] = ("workspace_slug", "demo");
    demo_slug.push(("demo", "on"));
    let r = submit(&app, &client, &demo_slug).await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("workspace_slug"));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workspaces").await, 0);
    // The link still works for the corrected form.
    assert_eq!(submit(&app, &client, GOOD).await.status(), 303);
}

#[tokio::test]
async fn the_demo_loads_beside_the_new_workspace_and_its_people_cannot_sign_in() {
    let app = spawn_app_with_setup(SECRET).await;
    let client = cookie_client();
    let mut with_demo = GOOD.to_vec();
    with_demo.push(("demo", "on"));
    assert_eq!(submit(&app, &client, &with_demo).await.status(), 303);
    let demo = client
        .get(app.url("/w/demo/p/ONB/backlog"))
        .send()
        .await
        .unwrap();
    assert_eq!(demo.status(), 200, "the new admin works in the demo too");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workspace_members m JOIN workspaces w ON w.id = m.workspace_id
             JOIN users u ON u.id = m.user_id
             WHERE w.slug = 'demo' AND u.email = 'ada@acme.test' AND m.is_admin"
        )
        .await,
        1
    );
    let outsider = cookie_client();
    let csrf = crate::support::session::login_csrf(&outsider, &app).await;
    let r = outsider
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", throughline::seed::DEMO_EMAIL),
            ("password", throughline::seed::DEMO_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        422,
        "the demo's published password opens nothing"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE instance_admin").await,
        1
    );
}

/// The real server on an empty database prints the link (and `--demo` needs none).
#[tokio::test]
async fn serve_prints_a_setup_link_only_when_nobody_can_sign_in() {
    let cli = Cli::new().await;
    cli.ok(&["migrate"]);
    let line = first_lines_of_serve(&cli, &[]);
    let link = line
        .lines()
        .find(|l| l.contains("/setup?token="))
        .unwrap_or_else(|| panic!("no setup link in: {line}"));
    assert!(link.trim().starts_with("http://127.0.0.1:"), "{link}");
    let demo = Cli::new().await;
    let out = first_lines_of_serve(&demo, &["--demo"]);
    assert!(!out.contains("/setup?token="), "{out}");
    assert!(out.contains("sign in as demo@throughline.local"), "{out}");
}

/// Starts `serve` on a free port, gathers what it prints in its first seconds (up to the
/// setup notice's last line), and stops it.
fn first_lines_of_serve(cli: &Cli, extra: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    for var in ["DATABASE_URL", "THROUGHLINE_DATA_DIR", "THROUGHLINE_LISTEN"] {
        cmd.env_remove(var);
    }
    if let Some(url) = &cli.database_url {
        cmd.env("DATABASE_URL", url);
    }
    let mut child = cmd
        .arg("--data-dir")
        .arg(cli.dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("THROUGHLINE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start serve");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    let mut out = String::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut listening_since = None;
    loop {
        let wait = std::time::Duration::from_millis(200);
        match rx.recv_timeout(wait) {
            Ok(l) => {
                out.push_str(&l);
                out.push('\n');
                if l.contains("listening on") {
                    listening_since = Some(std::time::Instant::now());
                }
                if l.contains("process stops") {
                    break;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(_) => break,
        }
        // Whatever follows the listening line is printed at once; a second is plenty.
        let settled = listening_since.is_some_and(|t| t.elapsed().as_secs() >= 1);
        if settled || std::time::Instant::now() > deadline {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    out
}
