//! The team-shape advisor (G5) through the API and the alignment page.

use crate::support;

use support::session::page_text;

use serde_json::{json, Value};
use support::scrum::*;
use support::spawn_app;

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// ONB whose owner holds pm, po and dev (one person in both roles), with Dana a developer.
struct Advisor {
    app: support::TestApp,
    owner: support::Caller,
    dev: support::Caller,
}

impl Advisor {
    async fn combined() -> Advisor {
        let app = spawn_app().await;
        let owner = app.workspace().await; // pm, po and dev: one person in both roles
        let dev = app.member(&owner, "Dana", &["dev"]).await;
        Advisor { app, owner, dev }
    }

    /// The owner a PM alone, who wrote the backlog's three stories.
    async fn pm_buried() -> Advisor {
        let s = Advisor::combined().await;
        s.app.roles(&s.owner, &s.owner, "ONB", &["pm"]).await;
        for t in ["one", "two", "three"] {
            s.app.story(&s.owner, t).await;
        }
        s
    }

    /// `pm_buried`, then the owner a PO (and SM and developer) without a PM, running a sprint
    /// this quarter.
    async fn po_without_pm() -> Advisor {
        let s = Advisor::pm_buried().await;
        let (app, owner) = (&s.app, &s.owner);
        app.roles(owner, owner, "ONB", &["po", "sm", "dev"]).await;
        let team = team(app, owner, &app.member(owner, "Sam", &["sm"]).await).await;
        let today = chrono::Utc::now().date_naive();
        use chrono::Datelike;
        let start = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
        let q_start =
            chrono::NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1).unwrap();
        let start = start.max(q_start);
        sprint(
            app,
            owner,
            team,
            "Now",
            &start.to_string(),
            &(start + chrono::Duration::days(6)).to_string(),
        )
        .await;
        s
    }

    /// `po_without_pm`, then the owner PM and PO, who lowers the combined role's threshold to 2
    /// backlog items.
    async fn threshold_lowered() -> Advisor {
        let s = Advisor::po_without_pm().await;
        s.app.roles(&s.owner, &s.owner, "ONB", &["pm", "po"]).await;
        let r = s.put(&s.owner, json!({"combined_backlog_items": 2})).await;
        assert_eq!(r.status(), 204);
        s
    }

    /// Dana's view of the advisor.
    async fn advice(&self) -> Value {
        json_ok(self.app.get(&self.dev, &format!("{P}/advisor")).await, 200).await
    }

    /// `who` sets the thresholds in `body`, on the version the owner just read.
    async fn put(&self, who: &support::Caller, body: Value) -> reqwest::Response {
        let adv = format!("{P}/advisor");
        let read = self.app.get(&self.owner, &adv).await;
        let etag = read.headers()["etag"].to_str().unwrap().to_string();
        self.app
            .req(who, reqwest::Method::PUT, &adv)
            .header("If-Match", etag)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// The owner's alignment page through a signed-in client, and its CSRF token.
    async fn alignment_page(&self) -> (reqwest::Client, String, String) {
        let (client, csrf) = support::session::sign_in(&self.app, &self.owner.email).await;
        let html = page_text(&client, &self.app, "/w/acme/p/ONB/alignment").await;
        (client, csrf, html)
    }
}

/// The version in the thresholds form of `html` (the tier policy form has another).
fn thresholds_form_version(html: &str) -> String {
    let form_html = &html[html.find("action=\"/w/acme/p/ONB/advisor\"").unwrap()..];
    support::session::between(form_html, "name=\"version\" value=\"", "\"")
        .unwrap()
        .to_string()
}

/// Every threshold, as the PM's form sends them.
fn all_thresholds() -> Vec<(&'static str, String)> {
    vec![
        ("stale_priority_weeks", "6".into()),
        ("pm_story_share_pct", "60".into()),
        ("inversions", "9".into()),
        ("exemptions_and_overrides", "4".into()),
        ("combined_backlog_items", "500".into()),
    ]
}

/// `client` posts the thresholds form with `csrf` and `fields`; the redirect's target.
async fn post_thresholds(
    app: &support::TestApp,
    client: &reqwest::Client,
    csrf: &str,
    fields: Vec<(&'static str, String)>,
) -> String {
    let mut form = vec![("csrf", csrf.to_string())];
    form.extend(fields);
    let r = client
        .post(app.url("/w/acme/p/ONB/advisor"))
        .form(&form)
        .send()
        .await
        .unwrap();
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn one_person_in_both_roles_is_told_to_combine_them_in_one_role() {
    let s = Advisor::combined().await;
    let a = s.advice().await;
    assert_eq!(codes(&a), vec!["combined"]);
    assert!(a["findings"][0]["remedy"]
        .as_str()
        .unwrap()
        .contains("combine both in one role"));
}

#[tokio::test]
async fn a_pm_alone_who_writes_the_stories_is_buried_in_them() {
    let s = Advisor::pm_buried().await;
    // A PM alone who writes the stories is buried in them.
    let a = s.advice().await;
    assert_eq!(codes(&a), vec!["pm_buried"]);
    assert!(
        a["findings"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("3 of the 3 stories"),
        "{a}"
    );
}

#[tokio::test]
async fn a_po_alone_running_sprints_this_quarter_has_no_strategic_direction() {
    let s = Advisor::po_without_pm().await;
    let a = s.advice().await;
    assert_eq!(codes(&a), vec!["po_without_pm"]);
    assert_eq!(a["findings"][0]["link"], "/w/acme/p/ONB/strategy");
    assert_eq!(a["facts"]["sprints_this_quarter"], 1);
}

#[tokio::test]
async fn only_the_pm_sets_the_advisors_thresholds_within_range() {
    let s = Advisor::po_without_pm().await;
    // Thresholds are the PM's; out-of-range values are refused.
    s.app.roles(&s.owner, &s.owner, "ONB", &["pm", "po"]).await;
    assert_eq!(s.put(&s.dev, json!({"inversions": 2})).await.status(), 403);
    assert_eq!(
        json_ok(s.put(&s.owner, json!({"pm_story_share_pct": 0})).await, 422).await["field"],
        "pm_story_share_pct"
    );
    assert_eq!(
        s.put(&s.owner, json!({"combined_backlog_items": 2}))
            .await
            .status(),
        204
    );
    let a = s.advice().await;
    assert_eq!(a["thresholds"]["combined_backlog_items"], 2);
    assert!(codes(&a).contains(&"combined_split".to_string()), "{a}");
}

#[tokio::test]
async fn the_alignment_page_shows_the_team_shape_and_the_pms_thresholds_form() {
    let s = Advisor::threshold_lowered().await;
    let (_, _, html) = s.alignment_page().await;
    assert!(
        html.contains("Team shape") && html.contains("Time to consider splitting the role"),
        "{html}"
    );
    assert!(
        html.contains(
            r#"name="combined_backlog_items" type="number" inputmode="numeric" min="1" max="1000000" value="2""#
        ),
        "{html}"
    );
}

#[tokio::test]
async fn a_bad_or_stale_thresholds_form_is_refused_and_changes_nothing() {
    let s = Advisor::threshold_lowered().await;
    let (client, csrf, html) = s.alignment_page().await;
    // The PM's thresholds form: a bad value is refused beside the form and changes nothing.
    let version = thresholds_form_version(&html);
    let to = post_thresholds(
        &s.app,
        &client,
        &csrf,
        vec![
            ("version", version),
            ("combined_backlog_items", "many".into()),
        ],
    )
    .await;
    assert!(
        to.starts_with("/w/acme/p/ONB/alignment?error=") && to.ends_with("whole+number#advice"),
        "{to}"
    );
    let a = s.advice().await;
    assert_eq!(a["thresholds"]["combined_backlog_items"], 2);
    // A form read before someone else's change is refused and changes nothing.
    let mut stale = all_thresholds();
    stale.push(("version", "1".into()));
    let to = post_thresholds(&s.app, &client, &csrf, stale).await;
    assert!(to.contains("changed+by+someone+else"), "{to}");
    let a = s.advice().await;
    assert_eq!(a["thresholds"]["combined_backlog_items"], 2);
}

#[tokio::test]
async fn the_pm_sets_every_threshold_from_the_form() {
    let s = Advisor::threshold_lowered().await;
    let (client, csrf, html) = s.alignment_page().await;
    let mut fields = vec![("version", thresholds_form_version(&html))];
    fields.extend(all_thresholds());
    let to = post_thresholds(&s.app, &client, &csrf, fields).await;
    assert_eq!(to, "/w/acme/p/ONB/alignment#advice");
    let a = s.advice().await;
    assert_eq!(
        a["thresholds"],
        json!({"stale_priority_weeks": 6, "pm_story_share_pct": 60, "inversions": 9,
               "exemptions_and_overrides": 4, "combined_backlog_items": 500})
    );
    assert!(!codes(&a).contains(&"combined_split".to_string()), "{a}");
}

#[tokio::test]
async fn others_read_the_advisors_thresholds_but_get_no_form() {
    let s = Advisor::threshold_lowered().await;
    let (client, csrf, html) = s.alignment_page().await;
    let mut fields = vec![("version", thresholds_form_version(&html))];
    fields.extend(all_thresholds());
    post_thresholds(&s.app, &client, &csrf, fields).await;
    // Others read the thresholds but get no form.
    let (dev_client, _) = support::session::sign_in(&s.app, &s.dev.email).await;
    let html = page_text(&dev_client, &s.app, "/w/acme/p/ONB/alignment").await;
    assert!(
        !html.contains("advisor-thresholds") && html.contains("combined role past 500 items"),
        "{html}"
    );
}

/// The advisor on a product in flow (E11): judged on the items started and finished, never on
/// sprints it does not run.
mod in_flow {
    use super::codes;
    use crate::flow::{flow_product, history};
    use crate::flow_alignment::{priorities, this_quarter};
    use crate::support::scrum::{json_ok, P};
    use crate::support::{spawn_app, Caller, TestApp};
    use chrono::{Duration, Utc};
    use serde_json::Value;

    /// ONB in flow with one item started and finished a few minutes ago; the owner holds pm,
    /// po and dev until a test gives them other roles.
    async fn flowing() -> (TestApp, Caller) {
        let app = spawn_app().await;
        let owner = app.workspace().await;
        flow_product(&app, &owner, "warn").await;
        let key = app.story(&owner, "Sign up").await["key"]
            .as_str()
            .unwrap()
            .to_string();
        let now = Utc::now();
        let m = Duration::minutes;
        history(
            &app,
            &key,
            &[
                ("todo", now - m(3)),
                ("in_progress", now - m(2)),
                ("done", now - m(1)),
            ],
        )
        .await;
        (app, owner)
    }

    async fn advice(app: &TestApp, who: &Caller) -> Value {
        json_ok(app.get(who, &format!("{P}/advisor")).await, 200).await
    }

    fn no_sprint_words(a: &Value) {
        for f in a["findings"].as_array().unwrap() {
            for field in ["title", "evidence", "remedy"] {
                let text = f[field].as_str().unwrap();
                assert!(
                    !text.contains("sprint"),
                    "{field} speaks of sprints: {text}"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_po_without_a_pm_is_told_in_flows_words() {
        let (app, owner) = flowing().await;
        app.roles(&owner, &owner, "ONB", &["po", "dev"]).await;
        let a = advice(&app, &owner).await;
        assert_eq!(codes(&a), vec!["po_without_pm"]);
        let f = &a["findings"][0];
        assert_eq!(
            f["title"],
            "A PO without a PM: work without strategic direction"
        );
        assert_eq!(
            f["evidence"],
            "0 PM(s); 1 item(s) started and 1 finished this quarter against 0 quarterly priorities"
        );
        assert!(f["remedy"]
            .as_str()
            .unwrap()
            .starts_with("Work flows without strategic direction. Hire first for the PM function"));
        assert_eq!(
            (
                a["facts"]["cadence"].as_str(),
                a["facts"]["sprints_this_quarter"].as_i64()
            ),
            (Some("flow"), Some(0))
        );
        no_sprint_words(&a);

        // With priorities set, the direction is there; the role that keeps it is not.
        app.roles(&owner, &owner, "ONB", &["pm", "po", "dev"]).await;
        priorities(&app, &owner, &this_quarter()).await;
        app.roles(&owner, &owner, "ONB", &["po", "dev"]).await;
        let a = advice(&app, &owner).await;
        assert_eq!(codes(&a), vec!["po_without_pm"]);
        assert_eq!(
            a["findings"][0]["title"],
            "A PO without a PM: no one owns the strategy"
        );
        no_sprint_words(&a);
    }

    #[tokio::test]
    async fn a_pm_without_a_po_writing_the_stories_is_buried_in_them() {
        let (app, owner) = flowing().await;
        app.roles(&owner, &owner, "ONB", &["pm", "dev"]).await;
        for t in ["Invite", "Export"] {
            app.story(&owner, t).await;
        }
        let a = advice(&app, &owner).await;
        assert_eq!(codes(&a), vec!["pm_buried"]);
        let f = &a["findings"][0];
        assert_eq!(
            f["evidence"],
            "the PM wrote 3 of the 3 stories of the last 90 days"
        );
        assert_eq!(
            f["remedy"],
            "The PM has no time for customer research. Add PO support for execution management, and keep the PM on strategy."
        );
    }

    /// A PM (the owner) and a PO (Olive), with this quarter's priorities.
    async fn pair() -> (TestApp, Caller, Caller) {
        let (app, owner) = flowing().await;
        priorities(&app, &owner, &this_quarter()).await;
        let po = app.member(&owner, "Olive", &["po"]).await;
        app.roles(&owner, &owner, "ONB", &["pm"]).await;
        (app, owner, po)
    }

    #[tokio::test]
    async fn a_pm_and_a_po_who_keep_the_priorities_current_are_healthy() {
        let (app, _owner, po) = pair().await;
        let a = advice(&app, &po).await;
        assert_eq!(codes(&a), vec!["healthy"]);
        let f = &a["findings"][0];
        assert_eq!(f["title"], "PM and PO work as one");
        let seen = f["evidence"].as_str().unwrap();
        assert!(
            seen.starts_with("2 quarterly priorities, last updated 0 days ago; 1 item(s) started and 1 finished this quarter; 0 inversions"),
            "{seen}"
        );
        assert!(f["remedy"]
            .as_str()
            .unwrap()
            .contains("the PO manages the flow of work within those priorities"));
        no_sprint_words(&a);
    }

    #[tokio::test]
    async fn priorities_untouched_for_weeks_show_a_drifting_pair() {
        let (app, _owner, po) = pair().await;
        let long_ago = Utc::now() - Duration::days(40) - Duration::hours(1);
        throughline::with_pool!(&app.db.write, p => sqlx::query(
            "UPDATE priorities SET updated_at = $1 WHERE product_id = (SELECT id FROM products WHERE key = 'ONB')")
            .bind(long_ago).execute(p).await.map(|r| r.rows_affected()))
        .unwrap();
        let a = advice(&app, &po).await;
        assert_eq!(codes(&a), vec!["drifting"]);
        let f = &a["findings"][0];
        assert_eq!(f["evidence"], "no priority update for 40 days");
        assert_eq!(
            f["remedy"],
            "Define clearly: the PM sets quarterly priorities; the PO manages the flow of work (the order of the board's To do) within those priorities. The PM overrides that order only for major strategic reasons."
        );
        assert_eq!(f["link"], "/w/acme/p/ONB/alignment");
    }
}
