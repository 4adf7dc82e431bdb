//! Static files and transfer (issue 17's craft): pages name styles, scripts and the icon by
//! fingerprinted addresses cached for a year, an old fingerprint is not served, answers are
//! compressed for a client that takes it, and a page loads only the scripts it uses.

use reqwest::Client;
use serde_json::json;

use crate::support::session::{page_text, sign_in};
use crate::support::spawn_app;

/// Every `/static/…` address in `html`.
fn static_addresses(html: &str) -> Vec<String> {
    html.split("\"/static/")
        .skip(1)
        .map(|rest| format!("/static/{}", rest.split('"').next().unwrap()))
        .collect()
}

#[tokio::test]
async fn pages_name_fingerprinted_files_cached_for_a_year() {
    let app = spawn_app().await;
    let client = Client::new();
    let login = client.get(app.url("/login")).send().await.unwrap();
    let html = login.text().await.unwrap();
    let addresses = static_addresses(&html);
    let css = addresses.iter().find(|a| a.ends_with(".css")).unwrap();
    let icon = addresses.iter().find(|a| a.ends_with(".svg")).unwrap();
    assert!(css.starts_with("/static/app.") && css.len() == "/static/app.12345678.css".len());
    for a in [css, icon] {
        let r = client.get(app.url(a)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{a}");
        assert_eq!(
            r.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    // The plain address still answers, for an hour; an old fingerprint is not found.
    let plain = client.get(app.url("/static/app.css")).send().await.unwrap();
    assert_eq!(plain.headers()["cache-control"], "public, max-age=3600");
    let old = client
        .get(app.url("/static/app.00000000.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 404);
    // Browsers ask for /favicon.ico whatever the page says.
    let no_redirect = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .get(app.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["location"], icon.as_str());
}

#[tokio::test]
async fn answers_are_compressed_for_a_client_that_takes_it() {
    let app = spawn_app().await;
    let client = Client::new();
    for path in ["/login", "/static/app.css", "/api/openapi.json"] {
        let plain = client.get(app.url(path)).send().await.unwrap();
        assert!(plain.headers().get("content-encoding").is_none(), "{path}");
        let plain = plain.bytes().await.unwrap();
        // What a browser says (zstd wins where it is offered), then each alone.
        for (asked, encoding) in [
            ("gzip, deflate, br, zstd", "zstd"),
            ("gzip, deflate, br", "br"),
            ("zstd", "zstd"),
            ("br", "br"),
            ("gzip", "gzip"),
        ] {
            let r = client
                .get(app.url(path))
                .header("accept-encoding", asked)
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["content-encoding"], encoding, "{path} {asked}");
            let body = r.bytes().await.unwrap();
            assert!(
                body.len() * 4 < plain.len() * 3,
                "{path}: {encoding} {} of {} bytes",
                body.len(),
                plain.len()
            );
            if encoding == "zstd" {
                let decoded = zstd::decode_all(&body[..]).expect("a zstd frame");
                // The sign-in page's form token differs per answer, not its length.
                match path {
                    "/login" => assert_eq!(decoded.len(), plain.len(), "{path}"),
                    _ => assert_eq!(decoded, plain, "{path}: zstd decodes to the plain answer"),
                }
            }
        }
    }
    // A body under a kilobyte goes as it is: compressing it saves no packet.
    let tiny = client
        .get(app.url("/healthz"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert!(tiny.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn a_page_loads_only_the_scripts_it_uses() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.item(&owner, json!({"title": "A story"})).await;
    let (client, _) = sign_in(&app, &owner.email).await;
    let backlog = page_text(&client, &app, "/w/acme/p/ONB/backlog").await;
    let scripts = static_addresses(&backlog);
    assert!(
        scripts.iter().any(|s| s.contains("js/backlog.")),
        "{scripts:?}"
    );
    assert!(!scripts.iter().any(|s| s.contains("htmx")), "{scripts:?}");
    let item = page_text(&client, &app, "/w/acme/items/ONB-1").await;
    assert!(!static_addresses(&item)
        .iter()
        .any(|s| s.contains("Sortable")));
}

#[test]
fn templates_name_static_files_through_their_fingerprint() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut stack = vec![dir];
    let (mut plain, mut unknown) = (Vec::new(), Vec::new());
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            if text.contains("\"/static/") {
                plain.push(p.display().to_string());
            }
            // A file the binary does not embed would get its plain address, and a 404.
            for rest in text.split("assets::url(\"").skip(1) {
                let name = rest.split('"').next().unwrap();
                if throughline::assets::url(name) == format!("/static/{name}") {
                    unknown.push(format!("{name} in {}", p.display()));
                }
            }
        }
    }
    assert!(plain.is_empty(), "use crate::assets::url(…) in {plain:?}");
    assert!(
        unknown.is_empty(),
        "not embedded by src/assets.rs: {unknown:?}"
    );
}

#[tokio::test]
async fn a_streamed_export_arrives_whole_when_compressed() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.item(&owner, json!({"title": "A story"})).await;
    for encoding in ["gzip", "br", "zstd"] {
        let r = app
            .req(
                &owner,
                reqwest::Method::GET,
                "/api/v1/workspaces/acme/export",
            )
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-encoding"], encoding);
        // The body ends cleanly: before, the stream under the compression layer panicked at
        // its end and the client saw a broken chunk.
        let body = r.bytes().await.expect("the whole body");
        assert!(body.len() > 100, "{} bytes", body.len());
    }
}
