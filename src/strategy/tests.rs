//! Unit tests of the strategy rules: quarters, progress, scores, roll-up and ordering.

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

#[test]
fn quarters_parse_and_know_when_they_start() {
    let q = Quarter::parse("2027-Q1").expect("quarter");
    assert_eq!(q.to_string(), "2027-Q1");
    assert_eq!(q.start(), d("2027-01-01"));
    assert_eq!(
        Quarter::parse("2027-Q4").map(|q| q.start()).ok(),
        Some(d("2027-10-01"))
    );
    for bad in [
        "2027-Q5", "2027-Q0", "27-Q1", "2027Q1", "2027-q1", "", "2027-Q1x", "1999-Q1",
    ] {
        assert!(Quarter::parse(bad).is_err(), "{bad} should be refused");
    }
    assert_eq!(Quarter::of(d("2026-11-29")).to_string(), "2026-Q4");
    assert_eq!(Quarter::of(d("2026-11-29")).next().to_string(), "2027-Q1");
    assert!(q.has_started(d("2027-01-01")) && !q.has_started(d("2026-12-31")));
}

#[test]
fn reasons_are_required_once_the_quarter_started() {
    let q = Quarter::parse("2027-Q1").expect("quarter");
    assert_eq!(reason_for(q, d("2026-12-01"), None).ok(), Some(None));
    assert!(reason_for(q, d("2027-02-01"), None).is_err());
    assert!(reason_for(q, d("2027-02-01"), Some("  ")).is_err());
    assert_eq!(
        reason_for(q, d("2027-02-01"), Some(" churn spiked ")).ok(),
        Some(Some("churn spiked".to_string()))
    );
}

#[test]
fn dates_must_be_iso() {
    assert_eq!(
        parse_date("measured_on", "2027-02-28").ok(),
        Some(d("2027-02-28"))
    );
    for bad in ["2027-02-30", "28/02/2027", "2027-2-28", "yesterday"] {
        assert!(parse_date("measured_on", bad).is_err(), "{bad}");
    }
}

#[test]
fn progress_runs_from_baseline_to_target_in_either_direction() {
    assert_eq!(progress_to_target(20.0, 40.0, 30.0), 0.5);
    assert_eq!(progress_to_target(20.0, 40.0, 10.0), 0.0);
    assert_eq!(progress_to_target(20.0, 40.0, 50.0), 1.0);
    // Down is good: churn from 8 % to 4 %.
    assert_eq!(progress_to_target(8.0, 4.0, 7.0), 0.25);
    assert!(validate_goal("down", 8.0, 4.0).is_ok());
    assert!(validate_goal("down", 4.0, 8.0).is_err());
    assert!(validate_goal("up", 4.0, 4.0).is_err());
    assert!(validate_goal("up", f64::NAN, 4.0).is_err());
}

#[test]
fn rice_and_wsjf_follow_the_definitions() {
    let s = Scores {
        reach: Some(2000),
        impact: Some(2.0),
        confidence: Some(80),
        effort: Some(4.0),
        business_value: Some(8),
        time_criticality: Some(5),
        risk_reduction: Some(3),
        job_size: Some(5),
    };
    assert!(s.validate().is_ok());
    assert_eq!(s.rice(), Some(800.0));
    assert_eq!(
        s.rice_formula().as_deref(),
        Some("2000 × 2 × 80% ÷ 4 = 800")
    );
    assert_eq!(s.wsjf(), Some(3.2));
    assert_eq!(s.wsjf_formula().as_deref(), Some("(8 + 5 + 3) ÷ 5 = 3.2"));
    let partial = Scores {
        reach: Some(10),
        ..Scores::default()
    };
    assert_eq!(partial.rice(), None);
    assert_eq!(partial.wsjf(), None);
}

#[test]
fn scores_out_of_range_name_their_field() {
    let field = |s: Scores| match s.validate() {
        Err(Error::Invalid { field, .. }) => field,
        other => panic!("expected an invalid field, got {other:?}"),
    };
    let base = Scores::default();
    assert_eq!(
        field(Scores {
            impact: Some(1.5),
            ..base
        }),
        "impact"
    );
    assert_eq!(
        field(Scores {
            confidence: Some(101),
            ..base
        }),
        "confidence"
    );
    for tiny in [0.0, 1e-300, 0.09] {
        assert_eq!(
            field(Scores {
                effort: Some(tiny),
                ..base
            }),
            "effort"
        );
    }
    assert_eq!(
        field(Scores {
            reach: Some(-1),
            ..base
        }),
        "reach"
    );
    assert_eq!(
        field(Scores {
            job_size: Some(0),
            ..base
        }),
        "job_size"
    );
    assert_eq!(
        field(Scores {
            business_value: Some(21),
            ..base
        }),
        "business_value"
    );
}

#[test]
fn rollup_is_done_points_over_all_points() {
    let p = |s: &str| s.parse::<Points>().expect("points");
    assert_eq!(rollup(Points::ZERO, Points::ZERO), None);
    assert_eq!(rollup(p("3"), p("12")), Some(25));
    assert_eq!(rollup(p("12"), p("12")), Some(100));
    assert_eq!(rollup(p("0.5"), p("2")), Some(25));
    assert_eq!(rollup(p("18.5"), p("37")), Some(50));
}

#[test]
fn prioritization_orders_by_the_chosen_column() {
    let k = |id, rice, wsjf, evidence, tier| SortKey {
        rice,
        wsjf,
        evidence,
        tier,
        id,
    };
    let mut v = [
        k(1, Some(10.0), None, 3, Some(2)),
        k(2, None, Some(4.0), 0, None),
        k(3, Some(50.0), Some(1.0), 1, Some(1)),
    ];
    let ids = |v: &[SortKey]| v.iter().map(|k| k.id).collect::<Vec<_>>();
    v.sort_by(|a, b| compare(SortBy::Rice, a, b));
    assert_eq!(ids(&v), [3, 1, 2]);
    v.sort_by(|a, b| compare(SortBy::Wsjf, a, b));
    assert_eq!(ids(&v), [2, 3, 1]);
    v.sort_by(|a, b| compare(SortBy::Evidence, a, b));
    assert_eq!(ids(&v), [1, 3, 2]);
    v.sort_by(|a, b| compare(SortBy::Priority, a, b));
    assert_eq!(ids(&v), [3, 1, 2]);
    assert!(SortBy::parse("votes").is_err());
}

#[test]
fn statuses_normalise() {
    assert_eq!(
        validate_status("In progress").ok().as_deref(),
        Some("in_progress")
    );
    assert!(validate_status("done").is_err());
}

#[test]
fn research_inputs_validate() {
    assert_eq!(
        validate_source_kind("Support ticket").ok().as_deref(),
        Some("support_ticket")
    );
    assert!(validate_source_kind("rumour").is_err());
    assert!(validate_insight_kind("Quote").is_ok() && validate_insight_kind("hunch").is_err());
    assert!(
        validate_importance(0).is_err()
            && validate_importance(6).is_err()
            && validate_importance(5).is_ok()
    );
    assert_eq!(
        normalize_tags(&["Pricing".into(), "pricing".into()]).ok(),
        Some(vec!["pricing".to_string()])
    );
}

#[test]
fn search_words_become_a_safe_fts5_query() {
    assert_eq!(
        fts5_query("jira import").as_deref(),
        Some("\"jira\" \"import\"")
    );
    assert_eq!(
        fts5_query("\"a\" OR b*").as_deref(),
        Some("\"a\" \"OR\" \"b\"")
    );
    assert_eq!(fts5_query("  -- "), None);
}
