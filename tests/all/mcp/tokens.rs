//! Read-only tokens where tokens are made: the account page and the command line.

use serde_json::json;

use super::client::Mcp;
use crate::support::session::{between, page_text, sign_in};
use crate::support::{cli, spawn_app};

#[tokio::test]
async fn the_account_page_makes_a_read_only_token_and_says_so() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let page = client
        .post(app.url("/account/tokens"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "agent"),
            ("read_only", "1"),
        ])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = between(&page, "<code id=\"new-token\">", "</code>")
        .unwrap()
        .to_string();
    let listed = page_text(&client, &app, "/account").await;
    assert!(
        listed.contains("<td>agent</td><td>read-only</td>"),
        "{listed}"
    );
    let e = Mcp::with_token(&app, &token)
        .refused("add_comment", json!({"key": "ONB-1", "body": "hi"}))
        .await;
    assert_eq!(e["status"], 403);
    let r = app
        .client
        .post(app.url("/api/v1/workspaces/acme/products/ONB/items"))
        .bearer_auth(&token)
        .json(&json!({"title": "sneaky"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(app.order(&owner).await.is_empty());
}

/// `throughline mcp` over stdio, one JSON-RPC line in, one out (protocol 2026-07-28: each
/// request carries its version, no handshake).
struct Stdio {
    child: std::process::Child,
    out: std::io::BufReader<std::process::ChildStdout>,
    id: i64,
}

impl Stdio {
    fn start(cli: &cli::Cli, args: &[&str], token: Option<&str>) -> Stdio {
        use std::process::{Command, Stdio as Pipe};
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
        for var in [
            "DATABASE_URL",
            "THROUGHLINE_DATA_DIR",
            "THROUGHLINE_USER",
            "THROUGHLINE_TOKEN",
        ] {
            cmd.env_remove(var);
        }
        if let Some(url) = &cli.database_url {
            cmd.env("DATABASE_URL", url);
        }
        if let Some(t) = token {
            cmd.env("THROUGHLINE_TOKEN", t);
        }
        let mut child = cmd
            .arg("--data-dir")
            .arg(cli.dir.path())
            .arg("mcp")
            .args(args)
            .stdin(Pipe::piped())
            .stdout(Pipe::piped())
            .stderr(Pipe::inherit())
            .spawn()
            .unwrap();
        let out = std::io::BufReader::new(child.stdout.take().unwrap());
        Stdio { child, out, id: 0 }
    }

    fn call(&mut self, name: &str, arguments: serde_json::Value) -> serde_json::Value {
        use std::io::{BufRead, Write};
        self.id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": self.id, "method": "tools/call", "params": {
        "name": name, "arguments": arguments, "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        }}});
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{msg}").unwrap();
        stdin.flush().unwrap();
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the server closed stdout"
            );
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v["id"] == self.id {
                return v["result"].clone();
            }
        }
    }
}

impl Drop for Stdio {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn stdio_acts_as_the_token_owner_and_a_read_only_token_changes_nothing() {
    let cli = cli::Cli::new().await;
    let email = "ada@example.com";
    cli.acme(email);
    let token = cli
        .ok(&["token", "create", "--email", email])
        .trim()
        .to_string();
    let reader = cli
        .ok(&["token", "create", "--email", email, "--read-only"])
        .trim()
        .to_string();

    let mut mcp = Stdio::start(&cli, &[], Some(&token));
    let products = mcp.call("list_products", json!({}));
    let key = products["structuredContent"]["products"][0]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let made = mcp.call(
        "save_item",
        json!({"product": key, "title": "from the agent"}),
    );
    assert_eq!(made["isError"], false, "{made}");
    let item = made["structuredContent"]["item"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    drop(mcp);

    let mut ro = Stdio::start(&cli, &[], Some(&reader));
    let got = ro.call("get_item", json!({"key": item}));
    assert_eq!(got["structuredContent"]["item"]["title"], "from the agent");
    let refused = ro.call("add_comment", json!({"key": item, "body": "hi"}));
    assert_eq!(refused["isError"], true);
    assert_eq!(refused["structuredContent"]["error"]["status"], 403);
    drop(ro);

    // --as with --read-only: the account's roles, but no change.
    let mut as_ro = Stdio::start(&cli, &["--as", email, "--read-only"], None);
    let refused = as_ro.call("set_item_status", json!({"key": item, "status": "done"}));
    assert_eq!(
        refused["structuredContent"]["error"]["status"], 403,
        "{refused}"
    );
    drop(as_ro);

    let err = cli.fails(&["mcp"]);
    assert!(err.contains("THROUGHLINE_TOKEN"), "{err}");
}
