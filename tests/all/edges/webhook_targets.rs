//! Webhook targets written as IPv6 forms that carry a private or loopback IPv4 address are
//! refused like the IPv4 address itself; an admin's allowance still lets tests deliver to
//! 127.0.0.1.

use crate::support;

use reqwest::Method;
use serde_json::json;
use support::scrum::json_ok;
use support::spawn_app;

const HOOKS: &str = "/api/v1/workspaces/acme/webhooks";

#[tokio::test]
async fn ipv6_forms_of_private_addresses_are_refused() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    for url in [
        "http://[::127.0.0.1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[2002:7f00:1::]/",
        "http://[2002:c0a8:101::1]/",
        "http://[fec0::1]/",
        "http://[2001:0:7f00:1::]/",
    ] {
        let r = app
            .post(
                &owner,
                HOOKS,
                json!({"url": url, "events": ["*"], "secret": "a-secret-of-some-length"}),
            )
            .await;
        let e = json_ok(r, 422).await;
        assert_eq!(e["field"], "url", "{url}: {e}");
    }
    let r = app
        .req(
            &owner,
            Method::PUT,
            "/api/v1/workspaces/acme/settings/private-webhooks",
        )
        .json(&json!({"allow": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = app
        .post(&owner, HOOKS, json!({"url": "http://[::ffff:127.0.0.1]:9/", "events": ["*"], "secret": "a-secret-of-some-length"}))
        .await;
    assert_eq!(r.status(), 201, "allowed once an admin says so");
}
