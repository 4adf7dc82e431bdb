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

#[tokio::test]
async fn the_advisor_names_the_shape_and_its_remedy() {
    let app = spawn_app().await;
    let owner = app.workspace().await; // pm, po and dev: one person in both roles
    let dev = app.member(&owner, "Dana", &["dev"]).await;
    let adv = format!("{P}/advisor");
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(codes(&a), vec!["combined"]);
    assert!(a["findings"][0]["remedy"]
        .as_str()
        .unwrap()
        .contains("combine both in one role"));

    // A PM alone who writes the stories is buried in them.
    app.roles(&owner, &owner, "ONB", &["pm"]).await;
    for t in ["one", "two", "three"] {
        app.story(&owner, t).await;
    }
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(codes(&a), vec!["pm_buried"]);
    assert!(
        a["findings"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("3 of the 3 stories"),
        "{a}"
    );

    // A PO alone running sprints this quarter has no strategic direction.
    app.roles(&owner, &owner, "ONB", &["po", "sm", "dev"]).await;
    let team = team(&app, &owner, &app.member(&owner, "Sam", &["sm"]).await).await;
    let today = chrono::Utc::now().date_naive();
    use chrono::Datelike;
    let start = today - chrono::Duration::days(today.weekday().num_days_from_monday() as i64);
    let q_start =
        chrono::NaiveDate::from_ymd_opt(today.year(), (today.month0() / 3) * 3 + 1, 1).unwrap();
    let start = start.max(q_start);
    sprint(
        &app,
        &owner,
        team,
        "Now",
        &start.to_string(),
        &(start + chrono::Duration::days(6)).to_string(),
    )
    .await;
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(codes(&a), vec!["po_without_pm"]);
    assert_eq!(a["findings"][0]["link"], "/w/acme/p/ONB/strategy");
    assert_eq!(a["facts"]["sprints_this_quarter"], 1);

    // Thresholds are the PM's; out-of-range values are refused.
    app.roles(&owner, &owner, "ONB", &["pm", "po"]).await;
    let put = |who: &support::Caller, body: Value| {
        let (app, owner, adv, who) = (&app, &owner, &adv, who.clone());
        async move {
            let read = app.get(owner, adv).await;
            let etag = read.headers()["etag"].to_str().unwrap().to_string();
            app.req(&who, reqwest::Method::PUT, adv)
                .header("If-Match", etag)
                .json(&body)
                .send()
                .await
        }
    };
    assert_eq!(
        put(&dev, json!({"inversions": 2})).await.unwrap().status(),
        403
    );
    assert_eq!(
        json_ok(
            put(&owner, json!({"pm_story_share_pct": 0})).await.unwrap(),
            422
        )
        .await["field"],
        "pm_story_share_pct"
    );
    assert_eq!(
        put(&owner, json!({"combined_backlog_items": 2}))
            .await
            .unwrap()
            .status(),
        204
    );
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(a["thresholds"]["combined_backlog_items"], 2);
    assert!(codes(&a).contains(&"combined_split".to_string()), "{a}");

    let (client, csrf) = support::session::sign_in(&app, &owner.email).await;
    let page = || async { page_text(&client, &app, "/w/acme/p/ONB/alignment").await };
    let html = page().await;
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

    // The PM's thresholds form: a bad value is refused beside the form and changes nothing.
    // The thresholds form's own version (the tier policy form has another).
    let form_html = &html[html.find("action=\"/w/acme/p/ONB/advisor\"").unwrap()..];
    let version = support::session::between(form_html, "name=\"version\" value=\"", "\"")
        .unwrap()
        .to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone()), ("version", version.clone())];
        form.extend(fields);
        client
            .post(app.url("/w/acme/p/ONB/advisor"))
            .form(&form)
            .send()
    };
    let r = post(vec![("combined_backlog_items", "many".into())])
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with("/w/acme/p/ONB/alignment?error=") && to.ends_with("whole+number#advice"),
        "{to}"
    );
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(a["thresholds"]["combined_backlog_items"], 2);
    let all = vec![
        ("stale_priority_weeks", "6".into()),
        ("pm_story_share_pct", "60".into()),
        ("inversions", "9".into()),
        ("exemptions_and_overrides", "4".into()),
        ("combined_backlog_items", "500".into()),
    ];
    // A form read before someone else's change is refused and changes nothing.
    let mut stale = all.clone();
    stale.push(("version", "1".into()));
    let mut form = vec![("csrf", csrf.clone())];
    form.extend(stale);
    let r = client
        .post(app.url("/w/acme/p/ONB/advisor"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("changed+by+someone+else"), "{to}");
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(a["thresholds"]["combined_backlog_items"], 2);
    let r = post(vec![
        ("stale_priority_weeks", "6".into()),
        ("pm_story_share_pct", "60".into()),
        ("inversions", "9".into()),
        ("exemptions_and_overrides", "4".into()),
        ("combined_backlog_items", "500".into()),
    ])
    .await
    .unwrap();
    assert_eq!(r.headers()["location"], "/w/acme/p/ONB/alignment#advice");
    let a = json_ok(app.get(&dev, &adv).await, 200).await;
    assert_eq!(
        a["thresholds"],
        json!({"stale_priority_weeks": 6, "pm_story_share_pct": 60, "inversions": 9,
               "exemptions_and_overrides": 4, "combined_backlog_items": 500})
    );
    assert!(!codes(&a).contains(&"combined_split".to_string()), "{a}");
    // Others read the thresholds but get no form.
    let (dev_client, _) = support::session::sign_in(&app, &dev.email).await;
    let html = page_text(&dev_client, &app, "/w/acme/p/ONB/alignment").await;
    assert!(
        !html.contains("advisor-thresholds") && html.contains("combined role past 500 items"),
        "{html}"
    );
}
