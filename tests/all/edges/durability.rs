//! Writers racing through two server processes on one PostgreSQL (one process on SQLite) never
//! overwrite each other, and a server killed with SIGKILL mid-write loses no write it
//! acknowledged (issue 16). Real `throughline serve` processes, each test bounded to well under
//! 30 seconds, on SQLite and on PostgreSQL alike.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{json, Value};

use crate::support::cli::Cli;

const EMAIL: &str = "owner@example.com";
const ITEMS: &str = "/api/v1/workspaces/acme/products/ONB/items";

/// A `throughline serve` process on the test's database, killed (SIGKILL) when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(cli: &Cli) -> Server {
        let mut child = cli
            .command(&["serve", "--listen", "127.0.0.1:0"])
            .env_remove("THROUGHLINE_CONFIG")
            .env("THROUGHLINE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                }
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the server says where it listens");
        Server { child, base }
    }

    /// SIGKILL: no shutdown, no flush, as when the process is killed by the OOM killer.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A database with an owner, workspace `acme` and product `ONB`; answers an API token.
fn set_up(cli: &Cli) -> String {
    cli.acme(EMAIL);
    cli.ok(&["token", "create", "--email", EMAIL])
        .trim()
        .to_string()
}

fn client(token: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    Client::builder()
        .default_headers(headers)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// An update that got 200: the version it made and the title it wrote.
type Win = (i64, String);

#[tokio::test]
async fn writers_through_two_processes_never_overwrite_each_other() {
    let cli = Cli::new().await;
    let token = set_up(&cli);
    // Several processes share one PostgreSQL; an SQLite file is served by one process (its
    // writes go through one connection), so there the writers share that process.
    let servers = match cli.database_url {
        Some(_) => vec![Server::start(&cli), Server::start(&cli)],
        None => vec![Server::start(&cli)],
    };
    let http = client(&token);
    let r = http
        .post(format!("{}{ITEMS}", servers[0].base))
        .json(&json!({"title": "start"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    let key = item["key"].as_str().unwrap().to_string();
    let first = item["version"].as_i64().unwrap();

    let until = Instant::now() + Duration::from_secs(6);
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..8 {
        let url = format!(
            "{}/api/v1/workspaces/acme/items/{key}",
            servers[w % servers.len()].base
        );
        let http = http.clone();
        writers.spawn(async move {
            let (mut wins, mut stale, mut odd) = (Vec::<Win>::new(), 0, Vec::new());
            let mut n = 0;
            while Instant::now() < until {
                let read = http.get(&url).send().await.unwrap();
                let etag = read.headers()["etag"].to_str().unwrap().to_string();
                n += 1;
                let title = format!("writer {w} write {n}");
                let r = http
                    .patch(&url)
                    .header("if-match", etag)
                    .json(&json!({ "title": title }))
                    .send()
                    .await
                    .unwrap();
                match r.status().as_u16() {
                    200 => {
                        let v: Value = r.json().await.unwrap();
                        assert_eq!(v["title"], title.as_str());
                        wins.push((v["version"].as_i64().unwrap(), title));
                    }
                    412 => stale += 1,
                    s => odd.push(format!("{s}: {}", r.text().await.unwrap_or_default())),
                }
            }
            (wins, stale, odd)
        });
    }
    let (mut wins, mut stale, mut odd) = (Vec::<Win>::new(), 0, Vec::new());
    for (w, s, o) in writers.join_all().await {
        wins.extend(w);
        stale += s;
        odd.extend(o);
    }
    assert!(odd.is_empty(), "answers other than 200 and 412: {odd:?}");
    assert!(
        wins.len() >= 8,
        "too few writes got through: {}",
        wins.len()
    );
    assert!(
        stale > 0,
        "eight writers on one item never collided: the test tested nothing"
    );
    // Each acknowledged write made its own version: none was based on one another also used.
    wins.sort();
    let versions: Vec<i64> = wins.iter().map(|w| w.0).collect();
    let mut distinct = versions.clone();
    distinct.dedup();
    assert_eq!(
        distinct, versions,
        "two writes acknowledged with one version"
    );
    let last: Value = http
        .get(format!(
            "{}/api/v1/workspaces/acme/items/{key}",
            servers[servers.len() - 1].base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(last["version"].as_i64().unwrap(), first + wins.len() as i64);
    assert_eq!(last["title"], wins.last().unwrap().1.as_str());
}

#[tokio::test]
async fn a_killed_server_loses_no_acknowledged_write() {
    let cli = Cli::new().await;
    let token = set_up(&cli);
    let http = client(&token);
    let mut acknowledged: Vec<(String, String)> = Vec::new();
    for round in 0..3 {
        let server = Server::start(&cli);
        let stop = Arc::new(AtomicBool::new(false));
        let mut writers = tokio::task::JoinSet::new();
        for w in 0..4 {
            let (http, url, stop) = (
                http.clone(),
                format!("{}{ITEMS}", server.base),
                stop.clone(),
            );
            writers.spawn(async move {
                let mut done = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let title = format!("round {round} writer {w} item {n}");
                    // Killed mid-request: not acknowledged, so nothing is promised for it.
                    let Ok(r) = http
                        .post(&url)
                        .json(&json!({ "title": title }))
                        .send()
                        .await
                    else {
                        break;
                    };
                    if r.status() == 201 {
                        if let Ok(v) = r.json::<Value>().await {
                            done.push((v["key"].as_str().unwrap().to_string(), title));
                        }
                    }
                }
                done
            });
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        server.kill();
        stop.store(true, Ordering::Relaxed);
        let before = acknowledged.len();
        for done in writers.join_all().await {
            acknowledged.extend(done);
        }
        assert!(
            acknowledged.len() > before,
            "round {round} acknowledged no write"
        );
    }
    let server = Server::start(&cli);
    for (key, title) in &acknowledged {
        let r = http
            .get(format!(
                "{}/api/v1/workspaces/acme/items/{key}",
                server.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "{key} ({title}) was acknowledged and is gone"
        );
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["title"], title.as_str());
    }
}
