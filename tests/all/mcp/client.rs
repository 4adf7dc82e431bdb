//! A small MCP client over HTTP for the tests: JSON-RPC at protocol 2026-07-28, where each
//! request carries its protocol version and capabilities in `_meta` (no session).

use serde_json::{json, Value};

use crate::support::{Caller, TestApp};

pub const VERSION: &str = "2026-07-28";

pub struct Mcp<'a> {
    pub app: &'a TestApp,
    pub token: String,
}

/// The JSON-RPC message of a response: a JSON body, or the `data:` of an SSE stream.
fn message(content_type: &str, body: &str) -> Value {
    if content_type.starts_with("text/event-stream") {
        let data = body
            .lines()
            .filter_map(|l| l.strip_prefix("data:"))
            .map(str::trim)
            .rfind(|d| d.starts_with('{'))
            .unwrap_or_else(|| panic!("no message in the stream: {body}"));
        serde_json::from_str(data).unwrap()
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    }
}

impl<'a> Mcp<'a> {
    pub fn new(app: &'a TestApp, who: &Caller) -> Mcp<'a> {
        Mcp::with_token(app, &who.token)
    }

    pub fn with_token(app: &'a TestApp, token: &str) -> Mcp<'a> {
        Mcp {
            app,
            token: token.to_string(),
        }
    }

    /// One request: the HTTP status and the JSON-RPC message answered.
    pub async fn rpc(&self, method: &str, mut params: Value) -> (u16, Value) {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": VERSION,
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": {"name": "tests", "version": "1"},
        });
        let mut req = self
            .app
            .client
            .post(self.app.url("/mcp"))
            .bearer_auth(&self.token)
            .header("Accept", "application/json, text/event-stream")
            .header("MCP-Protocol-Version", VERSION)
            .header("Mcp-Method", method);
        // 2026-07-28 repeats what a request names in a header: a tool's or prompt's name, a
        // resource's URI.
        if let Some(name) = params
            .get("name")
            .or_else(|| params.get("uri"))
            .and_then(Value::as_str)
        {
            req = req.header("Mcp-Name", name);
        }
        let r = req
            .json(&json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = r.text().await.unwrap();
        (status, message(&ct, &body))
    }

    /// The result of a request that must succeed.
    pub async fn result(&self, method: &str, params: Value) -> Value {
        let (status, msg) = self.rpc(method, params).await;
        assert_eq!(status, 200, "{msg}");
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    /// A tool's result: `isError` and the structured content.
    pub async fn call(&self, name: &str, arguments: Value) -> (bool, Value) {
        let r = self
            .result("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        (
            r["isError"].as_bool().unwrap_or(false),
            r["structuredContent"].clone(),
        )
    }

    /// A tool call that must succeed; its structured content.
    pub async fn ok(&self, name: &str, arguments: Value) -> Value {
        let (err, v) = self.call(name, arguments).await;
        assert!(!err, "{name}: {v}");
        v
    }

    /// A tool call that must be refused; its problem details (`status`, `detail`, `field`…).
    pub async fn refused(&self, name: &str, arguments: Value) -> Value {
        let (err, v) = self.call(name, arguments).await;
        assert!(err, "{name} should be refused: {v}");
        v["error"].clone()
    }
}
