//! A product's Overview (UI.md 4): where the current sprint stands, the quarter's alignment and
//! its worst gap, the ranked priorities, and what needs each role's attention next. The rules
//! that turn facts into "Needs you" lines are pure functions here; `facts` reads the facts.

pub mod facts;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::auth::Role;

/// One thing someone should act on: a sentence and where to act.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Need {
    /// The role it is for: pm, po, sm or stakeholder.
    pub role: &'static str,
    pub text: String,
    pub href: String,
    /// How soon: `now` (overdue or blocking), `soon`, or `fyi`.
    pub urgency: &'static str,
}

/// An open item near the top of the backlog that is not ready, with why.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Unready {
    pub key: String,
    pub title: String,
    pub reasons: i64,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpenQuestion {
    pub key: String,
    pub body: String,
    pub asked_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PendingSignoff {
    pub id: i64,
    pub title: String,
    /// Stakeholders who have not answered, by name.
    pub waiting_for: Vec<String>,
    /// Whether the viewer is one of them.
    pub waiting_for_me: bool,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MetricBehind {
    pub id: i64,
    pub name: String,
    pub latest: f64,
    pub target: f64,
    pub unit: String,
}

/// Everything the Needs-you rules look at, read once per Overview.
#[derive(Clone, Debug, Default)]
pub struct Signals {
    pub ws: String,
    pub product: String,
    pub today: Option<NaiveDate>,
    /// The running sprint: its id, name and last day.
    pub sprint: Option<(crate::ids::SprintId, String, NaiveDate)>,
    pub unready_top: Vec<Unready>,
    pub open_questions: Vec<OpenQuestion>,
    /// Unaligned share of committed points this quarter, and the allowance (both 0..1).
    pub unaligned: Option<(f64, f64)>,
    pub signoffs: Vec<PendingSignoff>,
    pub metrics_behind: Vec<MetricBehind>,
    pub priorities_without_work: Vec<String>,
    pub overrides: usize,
    /// The last closed sprint when its retrospective has not been opened.
    pub retro_missing: Option<(crate::ids::SprintId, String)>,
    /// Columns over their WIP limits, as the board words them.
    pub wip_over: Vec<String>,
    pub priorities_set: bool,
}

/// How long ago, in words: "3 days", "5 hours", "12 minutes".
pub fn age(from: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - from).num_seconds().max(0);
    let (n, unit) = match secs {
        s if s < 3600 => ((s / 60).max(1), "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// What the Product Owner should act on: unready items near the top, open questions (the
/// oldest first), the review date, and unaligned work over its allowance.
pub fn po_needs(s: &Signals, now: DateTime<Utc>) -> Vec<Need> {
    let base = format!("/w/{}/p/{}", s.ws, s.product);
    let mut out = Vec::new();
    if !s.unready_top.is_empty() {
        let keys: Vec<&str> = s.unready_top.iter().map(|u| u.key.as_str()).collect();
        out.push(Need {
            role: "po",
            text: format!(
                "{} in the top 10 of the backlog {} not ready: {}",
                plural(keys.len(), "item", "items"),
                if keys.len() == 1 { "is" } else { "are" },
                keys.join(", ")
            ),
            href: format!("{base}/backlog?q=is%3Aopen"),
            urgency: "now",
        });
    }
    let mut questions: Vec<&OpenQuestion> = s.open_questions.iter().collect();
    questions.sort_by_key(|q| q.asked_at);
    for q in questions.iter().take(3) {
        let old = (now - q.asked_at).num_days() >= 2;
        out.push(Need {
            role: "po",
            text: format!(
                "Answer the question on {} asked {} ago: “{}”",
                q.key,
                age(q.asked_at, now),
                crate::text::ellipsis(&q.body, 80)
            ),
            href: format!("/w/{}/items/{}#questions", s.ws, q.key),
            urgency: if old { "now" } else { "soon" },
        });
    }
    if questions.len() > 3 {
        out.push(Need {
            role: "po",
            text: format!("{} more open questions", questions.len() - 3),
            href: format!("{base}/backlog?q=is%3Aopen"),
            urgency: "soon",
        });
    }
    if let (Some((id, name, end)), Some(today)) = (&s.sprint, s.today) {
        let days = (*end - today).num_days();
        if (0..=2).contains(&days) {
            let when = match days {
                0 => "today".to_string(),
                1 => "tomorrow".to_string(),
                d => format!("in {d} days, on {end}"),
            };
            out.push(Need {
                role: "po",
                text: format!("{name} ends {when}: prepare the review"),
                href: format!("{base}/sprints/{id}/review"),
                urgency: if days == 0 { "now" } else { "soon" },
            });
        } else if days < 0 {
            out.push(Need {
                role: "po",
                text: format!("{name} ended on {end} and is still running: review and close it"),
                href: format!("{base}/sprints/{id}/review"),
                urgency: "now",
            });
        }
    }
    if let Some((share, allowance)) = s.unaligned {
        if share > allowance {
            out.push(Need {
                role: "po",
                text: format!(
                    "Unaligned work is {:.0} % of the points committed this quarter, over the {:.0} % allowance",
                    share * 100.0,
                    allowance * 100.0
                ),
                href: format!("{base}/alignment"),
                urgency: "soon",
            });
        }
    }
    out
}

/// What the Product Manager should act on: sign-offs still open, metrics behind target,
/// priorities without work, and how often the tier order was overridden.
pub fn pm_needs(s: &Signals) -> Vec<Need> {
    let base = format!("/w/{}/p/{}", s.ws, s.product);
    let mut out = Vec::new();
    if !s.priorities_set {
        out.push(Need {
            role: "pm",
            text: "No quarterly priorities are set for this quarter: the team runs without strategic direction".into(),
            href: format!("{base}/strategy"),
            urgency: "now",
        });
    }
    for p in &s.priorities_without_work {
        out.push(Need {
            role: "pm",
            text: format!("“{p}” has no work committed this quarter"),
            href: format!("{base}/alignment"),
            urgency: "soon",
        });
    }
    for so in &s.signoffs {
        out.push(Need {
            role: "pm",
            text: format!(
                "Sign-off “{}” waits for {}",
                so.title,
                if so.waiting_for.is_empty() {
                    "no one".to_string()
                } else {
                    so.waiting_for.join(", ")
                }
            ),
            href: format!("{base}/signoffs#signoff-{}", so.id),
            urgency: "soon",
        });
    }
    for m in &s.metrics_behind {
        out.push(Need {
            role: "pm",
            text: format!(
                "{} is at {}{} against a target of {}{}",
                m.name,
                number(m.latest),
                unit(&m.unit),
                number(m.target),
                unit(&m.unit)
            ),
            href: format!("{base}/metrics/{}", m.id),
            urgency: "fyi",
        });
    }
    if s.overrides > 0 {
        out.push(Need {
            role: "pm",
            text: format!(
                "{} of the tier order this quarter: each one is for major strategic reasons only",
                plural(s.overrides, "PM override", "PM overrides")
            ),
            href: format!("{base}/alignment#overrides"),
            urgency: "fyi",
        });
    }
    out
}

/// What the Scrum Master should act on: the retrospective not yet opened, WIP over its limits.
pub fn sm_needs(s: &Signals) -> Vec<Need> {
    let base = format!("/w/{}/p/{}", s.ws, s.product);
    let mut out = Vec::new();
    if let Some((id, name)) = &s.retro_missing {
        out.push(Need {
            role: "sm",
            text: format!("{name} is closed and its retrospective is not open yet"),
            href: format!("{base}/sprints/{id}/retro"),
            urgency: "soon",
        });
    }
    for w in &s.wip_over {
        out.push(Need {
            role: "sm",
            text: w.clone(),
            href: format!("{base}/flow"),
            urgency: "now",
        });
    }
    out
}

/// What a stakeholder should act on: the sign-offs that wait for their answer.
pub fn stakeholder_needs(s: &Signals) -> Vec<Need> {
    let base = format!("/w/{}/p/{}", s.ws, s.product);
    s.signoffs
        .iter()
        .filter(|so| so.waiting_for_me)
        .map(|so| Need {
            role: "stakeholder",
            text: format!("Your sign-off is asked on “{}”", so.title),
            href: format!("{base}/signoffs#signoff-{}", so.id),
            urgency: "soon",
        })
        .collect()
}

/// The lines for someone holding `roles`: each role's group once, in the order PO, PM, SM,
/// then a stakeholder's sign-offs.
pub fn needs_for(roles: &[Role], s: &Signals, now: DateTime<Utc>) -> Vec<Need> {
    let mut out = Vec::new();
    if roles.contains(&Role::Po) {
        out.extend(po_needs(s, now));
    }
    if roles.contains(&Role::Pm) {
        out.extend(pm_needs(s));
    }
    if roles.contains(&Role::Sm) {
        out.extend(sm_needs(s));
    }
    out.extend(stakeholder_needs(s));
    out
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

fn unit(u: &str) -> String {
    match u {
        "" => String::new(),
        "%" => "%".into(),
        u => format!(" {u}"),
    }
}

/// Whether a metric's latest value falls short of its target, in the metric's direction.
pub fn behind(direction: &str, latest: f64, target: f64) -> bool {
    if direction == "down" {
        latest > target
    } else {
        latest < target
    }
}

#[cfg(test)]
mod tests;
