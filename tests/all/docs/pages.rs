//! The Documents tab: listed on every product page's tabs, a preview inline with the data's
//! markup shown as text, downloads as files; and the route in the OpenAPI document.

use serde_json::{json, Value};

use crate::support::scrum::{json_ok, P};
use crate::support::session::{page_text, sign_in};
use crate::support::spawn_app;

#[tokio::test]
async fn the_documents_tab_previews_and_offers_downloads() {
    let app = spawn_app().await;
    let pm = app.workspace().await;
    let i = json_ok(
        app.post(
            &pm,
            &format!("{P}/initiatives"),
            json!({"title": "<b>Bold</b> & setup"}),
        )
        .await,
        201,
    )
    .await["id"]
        .clone();
    let (client, _) = sign_in(&app, &pm.email).await;
    let page = page_text(
        &client,
        &app,
        &format!("/w/acme/p/ONB/documents?preview=blueprint&initiative={i}"),
    )
    .await;
    assert!(
        page.contains(r#"href="/w/acme/p/ONB/documents" aria-current="page">Documents</a>"#),
        "{page}"
    );
    assert!(
        page.contains("Preview: Solution Blueprint: &#60;b&#62;Bold&#60;/b&#62; &#38; setup (ONB)"),
        "{page}"
    );
    // The preview's body, from the Markdown: the title's markup is text there too.
    assert!(page.contains("<h1>Solution Blueprint: &lt;b&gt;Bold&lt;/b&gt; &amp; setup (ONB)</h1>"));
    assert!(
        !page.contains("<b>Bold</b>"),
        "markup in the data is shown, never obeyed"
    );
    assert!(page.contains("/w/acme/p/ONB/documents/blueprint.html?quarter="));
    let r = client
        .get(app.url(&format!(
            "/w/acme/p/ONB/documents/blueprint.md?initiative={i}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        format!("attachment; filename=\"ONB-blueprint-{i}.md\"").as_str()
    );
    assert!(r
        .text()
        .await
        .unwrap()
        .starts_with("# Solution Blueprint: <b>Bold</b> & setup (ONB)\n"));
    let missing = client
        .get(app.url("/w/acme/p/ONB/documents/memo.md"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn the_openapi_document_lists_the_documents_route() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let op = &doc["paths"]["/api/v1/workspaces/{ws}/products/{product}/documents/{kind}"]["get"];
    assert_eq!(op["operationId"], "getDocument");
    let answers = op["responses"]["200"]["content"].as_object().unwrap();
    for media in ["text/markdown", "text/html", "application/json"] {
        assert!(answers.contains_key(media), "{media}: {answers:?}");
    }
    assert!(op["responses"]["406"].is_object());
}
