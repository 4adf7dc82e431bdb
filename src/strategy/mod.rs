//! The Product Manager's strategic layer (S4–S6): objectives and success metrics, quarterly
//! priorities and initiatives with their scores. Pure rules live here, unit-tested in place.

pub mod chart;
pub mod competitors;
pub mod decisions;
pub mod evidence;
pub mod idea;
pub mod initiatives;
pub mod initiatives_imported;
pub mod item_edit;
pub mod model;
pub mod objectives;
pub mod personas;
pub mod priorities;
pub mod research;
pub mod research_model;

use chrono::NaiveDate;

use crate::error::{Error, Result};
pub use crate::points::Points;

pub const STATUSES: [&str; 6] = [
    "idea",
    "discovery",
    "planned",
    "in_progress",
    "shipped",
    "dropped",
];
/// RICE impact: massive 3, high 2, medium 1, low 0.5, minimal 0.25.
pub const IMPACTS: [f64; 5] = [0.25, 0.5, 1.0, 2.0, 3.0];
/// WSJF inputs are rated 1–20 (the modified Fibonacci scale tops out at 20).
pub const WSJF_MAX: i64 = 20;

pub use crate::calendar::{today, Quarter};

/// A measurement date, `YYYY-MM-DD`.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    let s = s.trim();
    if s.len() != 10 {
        return Err(Error::invalid(
            field,
            format!("{s:?} is not a date like 2027-01-31"),
        ));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, format!("{s:?} is not a date like 2027-01-31")))
}

pub fn validate_status(s: &str) -> Result<String> {
    let s = s.trim().to_lowercase().replace(['-', ' '], "_");
    if STATUSES.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(Error::invalid(
            "status",
            format!("must be one of {}", STATUSES.join(", ")),
        ))
    }
}

pub fn status_title(s: &str) -> &'static str {
    match s {
        "idea" => "Idea",
        "discovery" => "Discovery",
        "planned" => "Planned",
        "in_progress" => "In progress",
        "shipped" => "Shipped",
        "dropped" => "Dropped",
        _ => "Unknown",
    }
}

pub fn validate_direction(s: &str) -> Result<String> {
    match s.trim().to_lowercase().as_str() {
        "up" => Ok("up".into()),
        "down" => Ok("down".into()),
        _ => Err(Error::invalid("direction", "must be up or down")),
    }
}

/// Baseline and target must be finite and the target must lie in the good direction.
pub fn validate_goal(direction: &str, baseline: f64, target: f64) -> Result<()> {
    if !baseline.is_finite() {
        return Err(Error::invalid("baseline", "must be a number"));
    }
    if !target.is_finite() {
        return Err(Error::invalid("target", "must be a number"));
    }
    match direction {
        "up" if target <= baseline => Err(Error::invalid(
            "target",
            "must be above the baseline when up is good",
        )),
        "down" if target >= baseline => Err(Error::invalid(
            "target",
            "must be below the baseline when down is good",
        )),
        _ => Ok(()),
    }
}

/// How far a metric has come from its baseline towards its target, from 0 to 1. Moving the
/// wrong way counts as 0 and overshooting as 1.
pub fn progress_to_target(baseline: f64, target: f64, current: f64) -> f64 {
    if target == baseline {
        return 1.0;
    }
    ((current - baseline) / (target - baseline)).clamp(0.0, 1.0)
}

/// RICE and WSJF inputs; every one may be unset until the PM scores the initiative.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct Scores {
    /// People or events per quarter.
    pub reach: Option<i64>,
    /// 0.25, 0.5, 1, 2 or 3.
    pub impact: Option<f64>,
    /// Percent, 0–100.
    pub confidence: Option<i64>,
    /// Person-months, from 0.1 (about two working days) to 1000.
    pub effort: Option<f64>,
    pub business_value: Option<i64>,
    pub time_criticality: Option<i64>,
    pub risk_reduction: Option<i64>,
    pub job_size: Option<i64>,
}

/// The smallest effort RICE divides by, in person-months.
pub const EFFORT_MIN: f64 = 0.1;

impl Scores {
    pub fn validate(&self) -> Result<()> {
        if self
            .reach
            .is_some_and(|r| !(0..=1_000_000_000).contains(&r))
        {
            return Err(Error::invalid("reach", "from 0 to 1,000,000,000"));
        }
        if self.impact.is_some_and(|i| !IMPACTS.contains(&i)) {
            return Err(Error::invalid("impact", "must be 0.25, 0.5, 1, 2 or 3"));
        }
        if self.confidence.is_some_and(|c| !(0..=100).contains(&c)) {
            return Err(Error::invalid("confidence", "a percentage from 0 to 100"));
        }
        if self
            .effort
            .is_some_and(|e| !e.is_finite() || !(EFFORT_MIN..=1_000.0).contains(&e))
        {
            // Below a tenth of a person-month the division makes RICE meaningless (1e-300
            // would make it infinite).
            return Err(Error::invalid(
                "effort",
                "person-months from 0.1 (about two working days) to 1000",
            ));
        }
        for (field, v) in [
            ("business_value", self.business_value),
            ("time_criticality", self.time_criticality),
            ("risk_reduction", self.risk_reduction),
            ("job_size", self.job_size),
        ] {
            if v.is_some_and(|v| !(1..=WSJF_MAX).contains(&v)) {
                return Err(Error::invalid(field, format!("from 1 to {WSJF_MAX}")));
            }
        }
        Ok(())
    }

    /// RICE = reach × impact × confidence ÷ effort (PRODUCT.md, Definitions).
    pub fn rice(&self) -> Option<f64> {
        let (r, i, c, e) = (self.reach?, self.impact?, self.confidence?, self.effort?);
        Some(r as f64 * i * (c as f64 / 100.0) / e)
    }

    pub fn rice_formula(&self) -> Option<String> {
        let (r, i, c, e) = (self.reach?, self.impact?, self.confidence?, self.effort?);
        Some(format!("{r} × {i} × {c}% ÷ {e} = {}", round1(self.rice()?)))
    }

    /// WSJF = (business value + time criticality + risk reduction) ÷ job size.
    pub fn wsjf(&self) -> Option<f64> {
        let cost_of_delay = self.business_value? + self.time_criticality? + self.risk_reduction?;
        Some(cost_of_delay as f64 / self.job_size? as f64)
    }

    pub fn wsjf_formula(&self) -> Option<String> {
        let (b, t, r, j) = (
            self.business_value?,
            self.time_criticality?,
            self.risk_reduction?,
            self.job_size?,
        );
        Some(format!(
            "({b} + {t} + {r}) ÷ {j} = {}",
            round1(self.wsjf()?)
        ))
    }
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Percent of an initiative's points that are done; none when nothing is estimated.
pub fn rollup(done: Points, total: Points) -> Option<i64> {
    let (done, total) = (done.hundredths(), total.hundredths());
    (total > 0).then(|| (done.clamp(0, total) * 100) / total)
}

/// How the prioritization view orders initiatives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortBy {
    Rice,
    Wsjf,
    Evidence,
    Priority,
}

impl SortBy {
    pub fn parse(s: &str) -> Result<SortBy> {
        match s {
            "" | "rice" => Ok(SortBy::Rice),
            "wsjf" => Ok(SortBy::Wsjf),
            "evidence" => Ok(SortBy::Evidence),
            "priority" => Ok(SortBy::Priority),
            _ => Err(Error::invalid(
                "sort",
                "must be rice, wsjf, evidence or priority",
            )),
        }
    }
}

/// What the prioritization order looks at for one initiative.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SortKey {
    pub rice: Option<f64>,
    pub wsjf: Option<f64>,
    pub evidence: i64,
    /// Position of its priority in the quarter viewed (1 = top); none when it has none.
    pub tier: Option<i64>,
    pub id: i64,
}

/// Highest score first, unscored last; evidence most first; priority by tier, unaligned last.
/// Ties fall back to the older initiative first, so the order is stable.
pub fn compare(by: SortBy, a: &SortKey, b: &SortKey) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let desc = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => y.partial_cmp(&x).unwrap_or(Ordering::Equal),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    let primary = match by {
        SortBy::Rice => desc(a.rice, b.rice),
        SortBy::Wsjf => desc(a.wsjf, b.wsjf),
        SortBy::Evidence => b.evidence.cmp(&a.evidence),
        SortBy::Priority => match (a.tier, b.tier) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
    };
    primary
        .then_with(|| desc(a.rice, b.rice))
        .then_with(|| a.id.cmp(&b.id))
}

/// Titles of objectives, priorities and initiatives.
pub fn validate_title(field: &str, s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(Error::invalid(field, "give 1 to 200 characters"));
    }
    Ok(t.to_string())
}

/// A change to a started quarter's priorities needs a reason; before it starts, one is optional.
pub fn reason_for(
    quarter: Quarter,
    today: NaiveDate,
    reason: Option<&str>,
) -> Result<Option<String>> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    match reason {
        Some(r) if r.chars().count() > 1_000 => {
            Err(Error::invalid("reason", "keep it under 1000 characters"))
        }
        None if quarter.has_started(today) => Err(Error::invalid(
            "reason",
            format!("{quarter} has started: say why its priorities change"),
        )),
        r => Ok(r.map(str::to_string)),
    }
}

pub const SOURCE_KINDS: [&str; 5] = [
    "interview",
    "survey",
    "support_ticket",
    "sales_call",
    "analytics_note",
];

pub fn validate_source_kind(s: &str) -> Result<String> {
    let s = s.trim().to_lowercase().replace(['-', ' '], "_");
    if SOURCE_KINDS.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(Error::invalid(
            "kind",
            format!("must be one of {}", SOURCE_KINDS.join(", ")),
        ))
    }
}

pub fn validate_insight_kind(s: &str) -> Result<String> {
    match s.trim().to_lowercase().as_str() {
        "quote" => Ok("quote".into()),
        "observation" => Ok("observation".into()),
        _ => Err(Error::invalid("kind", "must be quote or observation")),
    }
}

pub fn validate_importance(i: i64) -> Result<i64> {
    if (1..=5).contains(&i) {
        Ok(i)
    } else {
        Err(Error::invalid(
            "importance",
            "from 1 (nice to know) to 5 (critical)",
        ))
    }
}

/// Tags are lower-case words, stored space-separated.
pub fn normalize_tags(tags: &[String]) -> Result<Vec<String>> {
    crate::backlog::validate_labels(tags).map_err(|_| {
        Error::invalid(
            "tags",
            "use up to 20 tags of 1–40 letters, digits or - _ . : /",
        )
    })
}

/// A user's search words as an FTS5 query: each word quoted (so operators and quotes in the
/// input are plain text) and all required. None when there is nothing to search for.
pub fn fts5_query(q: &str) -> Option<String> {
    let words: Vec<String> = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(12)
        .map(|w| format!("\"{w}\""))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests;
