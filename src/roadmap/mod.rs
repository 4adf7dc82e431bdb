//! The roadmap (S7): initiatives across a workspace's products by quarter (a timeline) and as
//! now / next / later, with progress from their backlog items, and read-only share links.

pub mod kept;
pub mod releases;
pub mod share;
pub mod signoff;
pub mod store;

use serde::Serialize;

use crate::strategy::Quarter;

/// Where an initiative sits on the now / next / later roadmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Horizon {
    Now,
    Next,
    Later,
    Done,
}

impl Horizon {
    pub const ALL: [Horizon; 4] = [Horizon::Now, Horizon::Next, Horizon::Later, Horizon::Done];

    pub fn title(self) -> &'static str {
        match self {
            Horizon::Now => "Now",
            Horizon::Next => "Next",
            Horizon::Later => "Later",
            Horizon::Done => "Shipped",
        }
    }
}

/// Shipped is done; dropped is off the roadmap. Work in progress, or serving a priority of this
/// quarter (or of a past quarter, carried over), is now; serving next quarter's is next; the
/// rest is later.
pub fn horizon(status: &str, quarters: &[Quarter], current: Quarter) -> Option<Horizon> {
    match status {
        "dropped" => None,
        "shipped" => Some(Horizon::Done),
        _ if status == "in_progress" || quarters.iter().any(|q| *q <= current) => {
            Some(Horizon::Now)
        }
        _ if quarters.contains(&current.next()) => Some(Horizon::Next),
        _ => Some(Horizon::Later),
    }
}

/// The timeline's columns: from the earliest quarter shown (at most four back) to at least the
/// one after next, at most eight quarters in all.
pub fn timeline(current: Quarter, used: &[Quarter]) -> Vec<Quarter> {
    let mut first = current;
    for _ in 0..4 {
        let prev = previous(first);
        if used.iter().any(|q| *q <= prev) {
            first = prev;
        }
    }
    let last = used
        .iter()
        .copied()
        .max()
        .unwrap_or(current)
        .max(current.next().next());
    let mut out = vec![first];
    while out.len() < 8 && *out.last().unwrap_or(&last) < last {
        let n = out.last().copied().unwrap_or(first).next();
        out.push(n);
    }
    out
}

pub fn previous(q: Quarter) -> Quarter {
    if q.q == 1 {
        Quarter {
            year: q.year - 1,
            q: 4,
        }
    } else {
        Quarter {
            year: q.year,
            q: q.q - 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quarter {
        Quarter::parse(s).expect("quarter")
    }

    #[test]
    fn horizons_follow_status_and_quarters() {
        let now = q("2027-Q1");
        assert_eq!(horizon("planned", &[q("2027-Q1")], now), Some(Horizon::Now));
        assert_eq!(horizon("planned", &[q("2026-Q4")], now), Some(Horizon::Now));
        assert_eq!(horizon("in_progress", &[], now), Some(Horizon::Now));
        assert_eq!(
            horizon("planned", &[q("2027-Q2")], now),
            Some(Horizon::Next)
        );
        assert_eq!(horizon("idea", &[q("2027-Q4")], now), Some(Horizon::Later));
        assert_eq!(horizon("discovery", &[], now), Some(Horizon::Later));
        assert_eq!(
            horizon("shipped", &[q("2027-Q1")], now),
            Some(Horizon::Done)
        );
        assert_eq!(horizon("dropped", &[q("2027-Q1")], now), None);
    }

    #[test]
    fn the_timeline_spans_what_is_planned() {
        let now = q("2027-Q1");
        let names = |v: Vec<Quarter>| v.iter().map(|q| q.to_string()).collect::<Vec<_>>();
        assert_eq!(names(timeline(now, &[])), ["2027-Q1", "2027-Q2", "2027-Q3"]);
        assert_eq!(
            names(timeline(now, &[q("2026-Q4"), q("2027-Q4")])),
            ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
        );
        assert_eq!(timeline(now, &[q("2030-Q1")]).len(), 8);
        assert_eq!(previous(now).to_string(), "2026-Q4");
    }
}
