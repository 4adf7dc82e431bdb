//! Invitations by e-mail: the invitee receives the link, and the link lets them join.

use serde_json::json;

use super::{address, link_in, mail_app, send_mail, wait_for_mail};
use crate::support::scrum::json_ok;
use crate::support::session::{between, cookie_client};
use crate::support::spawn_app;

#[tokio::test]
async fn an_invitation_sent_by_email_arrives_with_a_link_that_works() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let invitee = address("carol");
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/invitations",
            json!({"email": invitee, "roles": [{"product": "ONB", "roles": ["dev"]}], "send_email": true}),
        )
        .await;
    let created = json_ok(r, 201).await;
    assert_eq!(created["emailed"], true, "{created}");
    assert_eq!(send_mail(&app).await, 1);
    let got = wait_for_mail(&invitee, 1).await;
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.envelope_to, invitee);
    assert!(m.two_parts && m.subject.contains("Acme"), "{m:?}");
    let link = link_in(&m.text, "/invite/");
    assert_eq!(link, app.url(created["link"].as_str().unwrap()));
    assert!(m.html.contains(&link));

    let client = cookie_client();
    let page = client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    let csrf = between(&page, "name=\"csrf\" value=\"", "\"")
        .unwrap()
        .to_string();
    let r = client
        .post(&link)
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Carol"),
            ("password", "carol's long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let members = json_ok(
        app.get(&owner, "/api/v1/workspaces/acme/members").await,
        200,
    )
    .await;
    assert!(members.to_string().contains(&invitee), "{members}");
}

#[tokio::test]
async fn sending_an_invitation_needs_a_server_that_sends_email() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let r = app
        .post(
            &owner,
            "/api/v1/workspaces/acme/invitations",
            json!({"email": "carol@example.com", "send_email": true}),
        )
        .await;
    assert_eq!(json_ok(r, 422).await["field"], "send_email");
    let list = json_ok(
        app.get(&owner, "/api/v1/workspaces/acme/invitations").await,
        200,
    )
    .await;
    assert_eq!(
        list.as_array().unwrap().len(),
        0,
        "nothing was created: {list}"
    );
}

#[tokio::test]
async fn the_members_page_sends_the_link_by_email() {
    let app = mail_app().await;
    let owner = app.workspace().await;
    let (client, csrf) = crate::support::session::sign_in(&app, &owner.email).await;
    let page = crate::support::session::page_text(&client, &app, "/w/acme/members").await;
    assert!(
        page.contains("name=\"send_email\" value=\"true\" checked"),
        "{page}"
    );
    let invitee = address("erin");
    let r = client
        .post(app.url("/w/acme/invitations"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", invitee.as_str()),
            ("role", "ONB:dev"),
            ("send_email", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("created and e-mailed to them"), "{html}");
    let shown = between(
        &html,
        "id=\"invite-link-url\" class=\"copy-field\" readonly value=\"",
        "\"",
    )
    .unwrap()
    .to_string();
    assert_eq!(send_mail(&app).await, 1);
    let got = wait_for_mail(&invitee, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(link_in(&got[0].text, "/invite/"), shown);
}
