//! Sprint pages on the rendered HTML: what each role sees, forms, refusals shown in place,
//! escaping, and the charts served as SVG.

use crate::support;

use serde_json::json;
use support::scrum::*;
use support::session::{between, page_text, sign_in};
use support::spawn_app;

/// Sprint "<b>Sprint</b> 1" of team Core with a ready story and a vague one; the owner (pm, po,
/// dev, sm) signed in through the form; Stan is a stakeholder.
struct SprintPages {
    app: support::TestApp,
    owner: support::Caller,
    sh: support::Caller,
    id: i64,
    ready: String,
    vague: String,
    client: reqwest::Client,
    csrf: String,
    /// The sprint's pages.
    base: String,
}

impl SprintPages {
    async fn planned() -> SprintPages {
        let app = spawn_app().await;
        let owner = app.workspace().await;
        app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
            .await;
        let sh = app.member(&owner, "Stan", &["stakeholder"]).await;
        let team = team(&app, &owner, &app.member(&owner, "Sam", &["sm"]).await).await;
        let s = sprint(
            &app,
            &owner,
            team,
            "<b>Sprint</b> 1",
            "2027-01-04",
            "2027-01-17",
        )
        .await;
        let id = s["id"].as_i64().unwrap();
        let ready = ready_story(&app, &owner, "sign up", 3, &["Given a When b Then c"]).await;
        let vague = app.story(&owner, "vague thing").await["key"]
            .as_str()
            .unwrap()
            .to_string();
        let (client, csrf) = sign_in(&app, &owner.email).await;
        let base = format!("/w/acme/p/ONB/sprints/{id}");
        SprintPages {
            app,
            owner,
            sh,
            id,
            ready,
            vague,
            client,
            csrf,
            base,
        }
    }

    /// Planned, with the ready story committed for the goal and the sprint started, both
    /// through the pages' forms.
    async fn started() -> SprintPages {
        let s = SprintPages::planned().await;
        let r = s.commit_for_goal().await;
        assert_eq!(r.headers()["location"], format!("{}/plan", s.base).as_str());
        let r = s.start().await;
        assert_eq!(
            r.headers()["location"],
            format!("{}/board", s.base).as_str()
        );
        s
    }

    /// The page at `path`, which must answer 200.
    async fn page(&self, path: &str) -> String {
        let r = self.client.get(self.app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.text().await.unwrap()
    }

    async fn form(&self, tail: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.app.url(&format!("{}/{tail}", self.base)))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    async fn commit_for_goal(&self) -> reqwest::Response {
        self.form(
            "commit",
            &[
                ("csrf", self.csrf.as_str()),
                ("items", self.ready.as_str()),
                ("for_goal", "on"),
            ],
        )
        .await
    }

    /// The start form, with the sprint's version.
    async fn start(&self) -> reqwest::Response {
        let v = version(&self.app, &self.owner, self.id).await.to_string();
        self.form(
            "start",
            &[("csrf", self.csrf.as_str()), ("version", v.as_str())],
        )
        .await
    }
}

#[tokio::test]
async fn the_sprints_page_escapes_names_and_the_plan_page_offers_what_each_candidate_serves() {
    let s = SprintPages::planned().await;
    let html = s.page("/w/acme/p/ONB/sprints").await;
    assert!(
        html.contains("&#60;b&#62;Sprint&#60;/b&#62; 1") && !html.contains("<b>Sprint</b>"),
        "names are escaped"
    );
    assert!(html.contains("Schedule a sprint"));
    let plan = s.page(&format!("{}/plan", s.base)).await;
    assert!(
        plan.contains("id=\"candidates\"")
            && plan.contains(&s.ready)
            && plan.contains("Commit selected")
    );
    assert!(plan.contains("a guess"), "no history yet");
    assert!(
        between(&plan, "id=\"candidates\"", "</table>")
            .unwrap_or_default()
            .contains("chip-unaligned"),
        "each candidate shows what it serves (UI.md, Planning): {plan}"
    );
}

#[tokio::test]
async fn a_refused_commit_comes_back_to_the_plan_page_with_the_reason() {
    let s = SprintPages::planned().await;
    // A refused commit comes back to the same page with the reason.
    let r = s
        .form(
            "commit",
            &[("csrf", s.csrf.as_str()), ("items", s.vague.as_str())],
        )
        .await;
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with(&format!("{}/plan?error=", s.base)), "{to}");
    let page = s.page(&to).await;
    assert!(
        between(&page, "role=\"alert\">", "</div>")
            .unwrap()
            .contains("is not ready"),
        "{page}"
    );
}

#[tokio::test]
async fn a_commit_from_the_plan_page_lands_only_with_the_csrf_token() {
    let s = SprintPages::planned().await;
    // A good one lands; a missing CSRF token changes nothing.
    let r = s.form("commit", &[("items", s.ready.as_str())]).await;
    assert_eq!(r.status(), 403);
    let r = s.commit_for_goal().await;
    assert_eq!(r.headers()["location"], format!("{}/plan", s.base).as_str());
    let plan = json_ok(
        s.app
            .get(&s.owner, &format!("{P}/sprints/{}/planning", s.id))
            .await,
        200,
    )
    .await;
    assert_eq!(plan["committed_points"], 3);
    assert_eq!(plan["committed"][0]["for_goal"], true);
}

#[tokio::test]
async fn a_sprint_started_from_its_page_shows_its_board_review_and_retro() {
    let s = SprintPages::planned().await;
    let base = &s.base;
    s.commit_for_goal().await;
    // Start from the page (with the version), then the board, review and retro render.
    let r = s.start().await;
    assert_eq!(r.headers()["location"], format!("{base}/board").as_str());
    let board = s.page(&format!("{base}/board")).await;
    assert!(
        board.contains("data-can-move") && board.contains(&format!("data-key=\"{}\"", s.ready))
    );
    assert!(board.contains("burndown.svg") && board.contains("Change the scope"));
    let review = s.page(&format!("{base}/review")).await;
    assert!(review.contains("name=\"verdict-1\"") && review.contains("Close the sprint"));
    let retro = s.page(&format!("{base}/retro")).await;
    assert!(retro.contains("Open the retrospective"));
    for page in ["/w/acme/p/ONB/teams", "/w/acme/p/ONB/reports"] {
        s.page(page).await;
    }
}

/// The board reads its sprint with the page's prologue, by the workspace and product in its
/// address: another product's sprint, an unknown one and a malformed id are all not found.
#[tokio::test]
async fn a_board_is_found_only_under_its_own_product() {
    let s = SprintPages::started().await;
    let r = s
        .app
        .post(
            &s.owner,
            "/api/v1/workspaces/acme/products",
            json!({"key": "GRO", "name": "Growth"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    s.app.roles(&s.owner, &s.owner, "GRO", &["pm", "po"]).await;
    s.page(&format!("{}/board", s.base)).await;
    let id = s.id;
    for path in [
        format!("/w/acme/p/GRO/sprints/{id}/board"),
        format!("/w/acme/p/ONB/sprints/{}/board", id + 1000),
        "/w/acme/p/ONB/sprints/first/board".to_string(),
        format!("/w/other/p/ONB/sprints/{id}/board"),
    ] {
        let r = s.client.get(s.app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn sprint_charts_are_svg_drawn_narrow_for_a_phone_and_wait_for_a_closed_sprint() {
    let s = SprintPages::started().await;
    let (app, client, base) = (&s.app, &s.client, &s.base);
    let svg = client
        .get(app.url(&format!("{base}/burndown.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let chart = client
        .get(app.url("/w/acme/p/ONB/reports/velocity.svg"))
        .send()
        .await
        .unwrap();
    assert!(chart.text().await.unwrap().starts_with("<svg"));
    // A phone gets each chart drawn at its own width, through <picture>.
    let board = s.page(&format!("{base}/board")).await;
    assert!(board.contains(&format!("srcset=\"{base}/burndown.svg?w=narrow\"")));
    let reports = s.page("/w/acme/p/ONB/reports").await;
    assert!(reports.contains("srcset=\"/w/acme/p/ONB/reports/throughput.svg?w=narrow\""));
    // With no sprint closed, the sprint charts are one sentence saying when they come.
    let empty = between(&reports, "id=\"no-closed-sprint\">", "</div>").unwrap_or_default();
    assert!(
        empty.contains("after the first sprint closes") && empty.contains("1 ends 17 Jan"),
        "{empty}"
    );
    assert!(!reports.contains("velocity.svg"));
    for path in [
        format!("{base}/burndown.svg?w=narrow"),
        "/w/acme/p/ONB/reports/velocity.svg?w=narrow".to_string(),
        "/w/acme/p/ONB/reports/cfd.svg?w=narrow".to_string(),
    ] {
        let svg = client.get(app.url(&path)).send().await.unwrap();
        let svg = svg.text().await.unwrap();
        assert!(svg.starts_with("<svg width=\"360\""), "{path}: {svg}");
    }
}

#[tokio::test]
async fn a_stakeholder_reads_every_sprint_page_and_gets_no_forms_that_would_be_refused() {
    let s = SprintPages::started().await;
    let base = &s.base;
    // A stakeholder reads every page and gets no forms that would be refused.
    let (viewer, _) = sign_in(&s.app, &s.sh.email).await;
    for (path, absent) in [
        (format!("{base}/board"), "data-can-move"),
        (format!("{base}/review"), "name=\"verdict-1\""),
        (format!("{base}/plan"), "Start the sprint"),
        ("/w/acme/p/ONB/teams".to_string(), "Create team"),
    ] {
        let r = viewer.get(s.app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(
            !r.text().await.unwrap().contains(absent),
            "{path} shows {absent}"
        );
    }
}

#[tokio::test]
async fn a_card_move_from_the_boards_script_answers_in_plain_text() {
    let s = SprintPages::started().await;
    // A card move from the page's script answers in plain text.
    let r = s
        .client
        .post(s.app.url(&format!("{}/board/move", s.base)))
        .header("x-csrf-token", &s.csrf)
        .form(&[("item", s.ready.as_str()), ("status", "sideways")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("status"));
}

#[tokio::test]
async fn the_inbox_shows_unread_news_and_opens_it() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let key = app.story(&owner, "sign up").await["key"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .patch(
            &dev,
            &format!("/api/v1/workspaces/acme/items/{key}"),
            1,
            serde_json::json!({"status": "in_progress"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let backlog = client
        .get(app.url("/w/acme/p/ONB/backlog"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        backlog.contains("aria-label=\"1 unread\""),
        "the top bar counts unread news"
    );
    let page = client
        .get(app.url("/inbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Dana changed") && page.contains("class=\"notification unread\""),
        "{page}"
    );
    let head = &page[..page.find("/open\"").unwrap()];
    let digits: String = head
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let id: String = digits.chars().rev().collect();
    let r = client
        .post(app.url(&format!("/inbox/{id}/open")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("link", &format!("/w/acme/items/{key}")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        format!("/w/acme/items/{key}").as_str()
    );
    let r = client
        .post(app.url(&format!("/inbox/{id}/open")))
        .form(&[("csrf", csrf.as_str()), ("link", "https://evil.example")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/inbox",
        "only links inside the site are followed"
    );
    let item = client
        .get(app.url(&format!("/w/acme/items/{key}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        item.contains("Watching · stop"),
        "the creator watches the item"
    );
    assert!(!item.contains("aria-label=\"1 unread\""));
}

/// The review as one workflow (UI.md, "Review"): "Pass all" passes every criterion of an item
/// from the plain form, and a closed review reads as a summary of outcomes.
#[tokio::test]
async fn pass_all_accepts_an_item_and_a_closed_review_is_a_summary() {
    let app = spawn_app().await;
    let owner = app.workspace().await;
    app.roles(&owner, &owner, "ONB", &["pm", "po", "dev", "sm"])
        .await;
    let team = team(&app, &owner, &app.member(&owner, "Sam", &["sm"]).await).await;
    let id = sprint(&app, &owner, team, "Sprint 1", "2027-01-04", "2027-01-17").await["id"]
        .as_i64()
        .unwrap();
    let criteria = ["Given a When b Then c", "Given d When e Then f"];
    let done = ready_story(&app, &owner, "sign up", 3, &criteria).await;
    let open = ready_story(&app, &owner, "invite", 5, &criteria).await;
    commit_and_start(&app, &owner, id, &[done.clone(), open.clone()]).await;
    json_ok(
        app.post(
            &owner,
            &format!("{P}/sprints/{id}/board/move"),
            json!({"item": done, "status": "done"}),
        )
        .await,
        200,
    )
    .await;
    let (client, csrf) = sign_in(&app, &owner.email).await;
    let base = format!("/w/acme/p/ONB/sprints/{id}");
    let review = page_text(&client, &app, &format!("{base}/review")).await;
    assert!(
        review.contains(&format!("id=\"pass-all-{done}\"")),
        "{review}"
    );
    // One radio chosen "fail", yet "Pass all" passes both criteria.
    let r = client
        .post(app.url(&format!("{base}/review/item")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("item", done.as_str()),
            ("verdict-1", "fail"),
            ("note-1", ""),
            ("note-2", "demoed"),
            ("pass_all", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let rv = json_ok(
        app.get(&owner, &format!("{P}/sprints/{id}/review")).await,
        200,
    )
    .await;
    let item = rv["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["item"]["key"] == done.as_str())
        .unwrap()
        .clone();
    assert_eq!(item["accepted"], true, "{item}");
    assert_eq!(item["criteria"][1]["note"], "demoed");

    // Closed: the page opens on the outcome of each item.
    close(&app, &owner, id).await;
    let closed = page_text(&client, &app, &format!("{base}/review")).await;
    let summary = between(&closed, "id=\"review-summary\"", "</table>").unwrap_or_default();
    assert!(
        summary.contains("2 of 2") && summary.contains("Accepted"),
        "{summary}"
    );
    assert!(
        summary.contains("0 of 2") && summary.contains("went to the top of the backlog"),
        "{summary}"
    );
    assert!(
        !closed.contains("pass-all-"),
        "nothing to change once closed"
    );
}
