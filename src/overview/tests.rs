use chrono::{Duration, NaiveDate, TimeZone, Utc};

use super::*;
use crate::ids::SprintId;

fn signals() -> Signals {
    Signals {
        ws: "acme".into(),
        product: "ONB".into(),
        today: NaiveDate::from_ymd_opt(2026, 11, 30),
        priorities_set: true,
        ..Signals::default()
    }
}

#[test]
fn a_quiet_product_needs_nothing_from_anyone() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let all = [Role::Pm, Role::Po, Role::Sm, Role::Dev, Role::Stakeholder];
    assert!(needs_for(&all, &signals(), now).is_empty());
}

#[test]
fn the_po_is_told_of_unready_items_old_questions_first_and_the_review() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let mut s = signals();
    s.unready_top = vec![
        Unready {
            key: "ONB-4".into(),
            title: "a".into(),
            reasons: 2,
        },
        Unready {
            key: "ONB-9".into(),
            title: "b".into(),
            reasons: 1,
        },
    ];
    s.open_questions = vec![
        OpenQuestion {
            key: "ONB-2".into(),
            body: "new".into(),
            asked_at: now - Duration::hours(5),
        },
        OpenQuestion {
            key: "ONB-3".into(),
            body: "old".into(),
            asked_at: now - Duration::days(3),
        },
    ];
    s.sprint = Some((
        SprintId(7),
        "Sprint 7".into(),
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    ));
    s.unaligned = Some((0.3, 0.2));
    let n = po_needs(&s, now);
    let texts: Vec<&str> = n.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "2 items in the top 10 of the backlog are not ready: ONB-4, ONB-9",
            "Answer the question on ONB-3 asked 3 days ago: “old”",
            "Answer the question on ONB-2 asked 5 hours ago: “new”",
            "Sprint 7 ends tomorrow: prepare the review",
            "Unaligned work is 30 % of the points committed this quarter, over the 20 % allowance",
        ]
    );
    assert_eq!(n[1].urgency, "now", "a question three days old is overdue");
    assert_eq!(n[2].urgency, "soon");
    assert_eq!(n[1].href, "/w/acme/items/ONB-3#questions");
    // The PM sees none of it.
    assert!(needs_for(&[Role::Pm], &s, now).is_empty());
}

#[test]
fn the_pm_is_told_of_missing_priorities_signoffs_metrics_and_overrides() {
    let mut s = signals();
    s.priorities_set = false;
    s.priorities_without_work = vec!["Enterprise SSO".into()];
    s.signoffs = vec![PendingSignoff {
        id: 3,
        title: "Q1 roadmap".into(),
        waiting_for: vec!["Sara".into()],
        waiting_for_me: false,
    }];
    s.metrics_behind = vec![MetricBehind {
        id: 5,
        name: "Activation".into(),
        latest: 31.5,
        target: 45.0,
        unit: "%".into(),
    }];
    s.overrides = 1;
    let texts: Vec<String> = pm_needs(&s).into_iter().map(|n| n.text).collect();
    assert_eq!(
        texts,
        [
            "No quarterly priorities are set for this quarter: the team runs without strategic direction",
            "“Enterprise SSO” has no work committed this quarter",
            "Sign-off “Q1 roadmap” waits for Sara",
            "Activation is at 31.5% against a target of 45%",
            "1 PM override of the tier order this quarter: each one is for major strategic reasons only",
        ]
    );
}

#[test]
fn the_sm_and_a_stakeholder_see_their_own_lines() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let mut s = signals();
    s.retro_missing = Some((SprintId(6), "Sprint 6".into()));
    s.wip_over = vec!["In review is over its WIP limit of 2 (3 cards)".into()];
    s.signoffs = vec![PendingSignoff {
        id: 3,
        title: "Q1 roadmap".into(),
        waiting_for: vec!["Sara".into()],
        waiting_for_me: true,
    }];
    let sm: Vec<String> = needs_for(&[Role::Sm], &s, now)
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(
        sm,
        [
            "Sprint 6 is closed and its retrospective is not open yet",
            "In review is over its WIP limit of 2 (3 cards)",
            "Your sign-off is asked on “Q1 roadmap”",
        ]
    );
    let dev = needs_for(&[Role::Dev], &s, now);
    assert_eq!(
        dev.len(),
        1,
        "a developer asked for sign-off sees that only"
    );
}

#[test]
fn a_sprint_past_its_end_is_overdue_and_one_far_from_it_is_not_mentioned() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    let mut s = signals();
    s.sprint = Some((
        SprintId(7),
        "Sprint 7".into(),
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
    ));
    let n = po_needs(&s, now);
    assert_eq!(n[0].urgency, "now");
    assert!(n[0].text.contains("ended on 2026-11-27"), "{}", n[0].text);
    s.sprint = Some((
        SprintId(7),
        "Sprint 7".into(),
        NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
    ));
    assert!(po_needs(&s, now).is_empty());
}

#[test]
fn metrics_are_behind_in_their_own_direction() {
    assert!(behind("up", 30.0, 45.0));
    assert!(!behind("up", 45.0, 45.0));
    assert!(behind("down", 12.0, 8.0));
    assert!(!behind("down", 8.0, 8.0));
}

#[test]
fn ages_read_as_words() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap();
    assert_eq!(age(now - Duration::seconds(20), now), "1 minute");
    assert_eq!(age(now - Duration::hours(1), now), "1 hour");
    assert_eq!(age(now - Duration::days(12), now), "12 days");
}
