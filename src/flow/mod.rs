//! Flow without sprints (E11): a product chooses its cadence, sprints or flow. A flow product
//! works from a continuous board of its open work, with WIP limits per column that warn or
//! block, cards that show their age in column, and reports of throughput, cycle time, aging
//! work in progress and cumulative flow (`metrics`). The rules are pure functions here and in
//! `metrics`; `store` gathers, `board` moves cards, `api` and `pages` are the faces.

pub mod alignment;
pub mod board;
pub mod forecast;
pub mod metrics;
pub mod outlook;
pub mod report;
pub mod store;
pub mod teams;

use serde::{Deserialize, Serialize};

pub use crate::backlog::wip::{check_wip, FlowSettings, WipCheck, LIMITED};
use crate::error::{Error, Result};

pub const CADENCES: [&str; 2] = ["sprints", "flow"];
pub const WIP_MODES: [&str; 2] = ["warn", "block"];

/// New flow settings as asked (API body, form, CLI).
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowSettingsInput {
    /// sprints or flow.
    pub cadence: String,
    /// warn or block; warn when omitted.
    #[serde(default)]
    pub wip_mode: Option<String>,
    /// 1 to 999, or null for no limit.
    #[serde(default)]
    pub wip_in_progress: Option<i64>,
    /// 1 to 999, or null for no limit.
    #[serde(default)]
    pub wip_in_review: Option<i64>,
}

impl FlowSettingsInput {
    /// The settings these make, or the field at fault.
    pub fn validate(&self, version: i64) -> Result<FlowSettings> {
        let cadence = self.cadence.trim().to_lowercase();
        if !CADENCES.contains(&cadence.as_str()) {
            return Err(Error::invalid("cadence", "sprints or flow"));
        }
        let mode = self
            .wip_mode
            .as_deref()
            .unwrap_or("warn")
            .trim()
            .to_lowercase();
        if !WIP_MODES.contains(&mode.as_str()) {
            return Err(Error::invalid("wip_mode", "warn or block"));
        }
        for (field, v) in [
            ("wip_in_progress", self.wip_in_progress),
            ("wip_in_review", self.wip_in_review),
        ] {
            if v.is_some_and(|l| !(1..=999).contains(&l)) {
                return Err(Error::invalid(field, "a limit from 1 to 999, or none"));
            }
        }
        Ok(FlowSettings {
            cadence,
            wip_mode: mode,
            wip_in_progress: self.wip_in_progress,
            wip_in_review: self.wip_in_review,
            version,
        })
    }
}

/// A team's cadence as asked (API body, form, CLI): sprints, flow, or `product` to follow the
/// product's cadence (stored as none, so a later change of the product's carries the team).
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamCadenceInput {
    /// sprints, flow, or product (follow the product's cadence).
    #[schema(example = "flow")]
    pub cadence: String,
}

impl TeamCadenceInput {
    /// The team's own cadence (none: the product's), or the field at fault.
    pub fn validate(&self) -> Result<Option<String>> {
        match self.cadence.trim().to_lowercase().as_str() {
            "product" => Ok(None),
            c if CADENCES.contains(&c) => Ok(Some(c.to_string())),
            _ => Err(Error::invalid(
                "cadence",
                "sprints, flow, or product (follow the product's cadence)",
            )),
        }
    }
}

/// The cadence a team works by: its own, else its product's.
pub fn effective_cadence<'a>(team: Option<&'a str>, product: &'a str) -> &'a str {
    team.unwrap_or(product)
}

/// Now, on the calendar's day: `THROUGHLINE_TODAY` (a demo or a test on a fixed day) moves
/// the date and keeps the time of day, so ages agree with the dates the reports use.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let real = crate::db::now();
    crate::calendar::today().and_time(real.time()).and_utc()
}

/// Whether a card's age in its column is past the 85th percentile of past cycle times: the
/// board shows it amber, a sign the work is getting stuck.
pub fn is_aging(age_days: f64, cycle_p85_days: Option<f64>) -> bool {
    cycle_p85_days.is_some_and(|p| age_days > p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(mode: &str, limit: Option<i64>) -> FlowSettings {
        FlowSettings {
            cadence: "flow".into(),
            wip_mode: mode.into(),
            wip_in_progress: limit,
            wip_in_review: None,
            version: 1,
        }
    }

    #[test]
    fn a_blocking_limit_names_itself_and_the_cards_that_hold_it() {
        let holders = vec!["ONB-1".to_string(), "ONB-2".to_string()];
        let s = settings("block", Some(2));
        match check_wip(&s, "in_progress", &holders) {
            WipCheck::Block(m) => {
                assert!(m.contains("In progress is at its WIP limit of 2"), "{m}");
                assert!(m.contains("ONB-1, ONB-2"), "{m}");
            }
            other => panic!("expected a block, got {other:?}"),
        }
        assert_eq!(check_wip(&s, "in_progress", &holders[..1]), WipCheck::Fits);
        assert_eq!(check_wip(&s, "in_review", &holders), WipCheck::Fits);
        assert_eq!(check_wip(&s, "done", &holders), WipCheck::Fits);
        let w = check_wip(&settings("warn", Some(2)), "in_progress", &holders);
        assert!(matches!(w, WipCheck::Warn(m) if m.contains("now holds 3 cards")));
        assert_eq!(
            check_wip(&settings("block", None), "in_progress", &holders),
            WipCheck::Fits
        );
    }

    #[test]
    fn settings_name_the_field_at_fault() {
        let ok = FlowSettingsInput {
            cadence: "Flow".into(),
            wip_mode: None,
            wip_in_progress: Some(3),
            wip_in_review: None,
        };
        let s = ok.validate(4).expect("valid");
        assert_eq!((s.cadence.as_str(), s.wip_mode.as_str()), ("flow", "warn"));
        let field = |i: FlowSettingsInput| match i.validate(1) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("expected 422, got {other:?}"),
        };
        assert_eq!(
            field(FlowSettingsInput {
                cadence: "kanban".into(),
                ..ok.clone()
            }),
            "cadence"
        );
        assert_eq!(
            field(FlowSettingsInput {
                wip_mode: Some("stop".into()),
                ..ok.clone()
            }),
            "wip_mode"
        );
        assert_eq!(
            field(FlowSettingsInput {
                wip_in_review: Some(0),
                ..ok.clone()
            }),
            "wip_in_review"
        );
    }

    #[test]
    fn a_team_takes_its_own_cadence_or_follows_the_products() {
        let ask = |c: &str| TeamCadenceInput { cadence: c.into() }.validate();
        assert_eq!(ask(" Flow ").ok(), Some(Some("flow".to_string())));
        assert_eq!(ask("sprints").ok(), Some(Some("sprints".to_string())));
        assert_eq!(ask("product").ok(), Some(None));
        for bad in ["kanban", "", "null"] {
            assert!(
                matches!(ask(bad), Err(Error::Invalid { field, .. }) if field == "cadence"),
                "{bad}"
            );
        }
        assert_eq!(effective_cadence(Some("flow"), "sprints"), "flow");
        assert_eq!(effective_cadence(None, "sprints"), "sprints");
    }

    #[test]
    fn aging_is_past_the_85th_percentile() {
        assert!(is_aging(5.5, Some(5.0)));
        assert!(!is_aging(5.0, Some(5.0)));
        assert!(!is_aging(50.0, None));
    }
}
