//! The Implementation Plan of an initiative or a product: milestones, the build order, when
//! work lands at the team's velocity, the risks and launch readiness.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{Duration, NaiveDate};

use super::blueprint::reasons;
use super::gather::{PlanData, Scope, Story, PLAN_ITEMS};
use super::rules::{build_order, cell, line, missing, pack, points};
use super::{document, Document, Kind, Sources};
use crate::points::{show, Points};
use crate::sprint::capacity::Candidate;
use crate::sprint::Sprint;
use crate::workspace::Product;

/// How many sprints ahead the forecast looks before it says "later".
const HORIZON: usize = 26;

/// A forecast sprint: its name and last day.
struct Slot {
    name: String,
    ends: Option<NaiveDate>,
}

pub fn render(product: &Product, d: &PlanData) -> Document {
    let mut src = Sources::default();
    let scope = match &d.scope {
        Scope::Initiative(i) => {
            src.add("initiative", i.id, i.version);
            format!("{} ({})", i.title, product.key)
        }
        Scope::Release(r) => {
            src.add("release", r.id, r.version);
            format!("release {} ({})", r.name, product.key)
        }
        Scope::Product => format!("{} ({})", product.name, product.key),
    };
    let title = format!("{}: {scope}", Kind::Plan.title());
    let mut md = format!("# {}\n\n", line(&title));
    if matches!(d.scope, Scope::Product) {
        let _ = writeln!(
            md,
            "The open backlog of the product, from the top (at most {PLAN_ITEMS} items).\n"
        );
    }
    if let Scope::Release(r) = &d.scope {
        let _ = writeln!(
            md,
            "Everything release {} ships by {}: the items of its initiatives and those it ships directly.\n",
            line(&r.name),
            r.target_date
        );
    }
    let open: Vec<&Story> = d
        .stories
        .iter()
        .filter(|s| s.item.status != "done")
        .collect();
    for s in &d.stories {
        src.add("item", &s.item.key, s.item.version);
    }
    let order = build_order(
        &open.iter().map(|s| s.item.key.clone()).collect::<Vec<_>>(),
        &open
            .iter()
            .flat_map(|s| {
                s.item
                    .blocked_by
                    .iter()
                    .map(|b| (b.clone(), s.item.key.clone()))
            })
            .collect::<Vec<_>>(),
    );
    let by_key: HashMap<&str, &Story> = open.iter().map(|s| (s.item.key.as_str(), *s)).collect();
    let ordered: Vec<&Story> = order
        .iter()
        .filter_map(|k| by_key.get(k.as_str()).copied())
        .collect();
    let (slots, lands) = forecast(d, &ordered);
    milestones(&mut md, &mut src, d, &ordered, &slots, &lands);
    build(&mut md, d, &ordered, &slots, &lands);
    capacity(&mut md, &mut src, d, &ordered, &lands);
    risks(&mut md, d, &ordered, &by_key);
    launches(&mut md, d);
    document(Kind::Plan, title, md, src)
}

/// The sprints work can land in (the running or next sprint first, then the planned ones
/// after it, then sprints of the same length at the velocity) and where each item lands.
fn forecast(d: &PlanData, ordered: &[&Story]) -> (Vec<Slot>, Vec<Option<usize>>) {
    let Some(p) = &d.planning else {
        return (Vec::new(), vec![None; ordered.len()]);
    };
    let first = &p.sprint;
    let mut later: Vec<&Sprint> = d
        .sprints
        .iter()
        .filter(|s| {
            s.state == "planned"
                && s.team_id == first.team_id
                && s.id != first.id
                && s.start_date >= first.start_date
        })
        .collect();
    later.sort_by_key(|s| (s.start_date, s.id));
    let mut slots = vec![Slot {
        name: first.name.clone(),
        ends: first.end_date,
    }];
    slots.extend(later.iter().map(|s| Slot {
        name: s.name.clone(),
        ends: s.end_date,
    }));
    let length = first.dates().map_or(14, |(a, b)| (b - a).num_days() + 1);
    while slots.len() < HORIZON {
        let n = slots.len();
        let ends = slots[n - 1].ends.map(|e| e + Duration::days(length));
        slots.push(Slot {
            name: format!("Sprint +{}", n - later.len()),
            ends,
        });
    }
    let slot_of_sprint: HashMap<crate::ids::SprintId, usize> = std::iter::once(first.id)
        .chain(later.iter().map(|s| s.id))
        .enumerate()
        .map(|(n, id)| (id, n))
        .collect();
    // Work already committed to an open sprint lands there; the rest is packed in order.
    let committed: Vec<Option<usize>> = ordered
        .iter()
        .map(|s| {
            s.sprints
                .iter()
                .rev()
                .find_map(|id| slot_of_sprint.get(id).copied())
        })
        .collect();
    let velocity = p.velocity.as_ref().map_or(p.capacity.points, |v| v.points);
    // What the known sprints have left: the first's capacity, the planned ones' velocity,
    // less what is committed to each already.
    let mut left = vec![(p.capacity.points - p.committed_points.as_f64()).max(0.0)];
    left.extend(later.iter().map(|s| {
        let taken = d.committed.get(&s.id).map_or(0.0, |c| c.as_f64());
        (velocity - taken).max(0.0)
    }));
    let rest: Vec<Candidate> = ordered
        .iter()
        .zip(&committed)
        .filter(|(_, c)| c.is_none())
        .map(|(s, _)| Candidate {
            points: s.item.points,
            ready: s.item.ready,
        })
        .collect();
    let mut packed = pack(&rest, &left, velocity, HORIZON).into_iter();
    let lands = committed
        .into_iter()
        .map(|c| c.or_else(|| packed.next().flatten()))
        .collect();
    (slots, lands)
}

fn when(slots: &[Slot], at: Option<usize>) -> String {
    match at.and_then(|n| slots.get(n)) {
        Some(s) => match s.ends {
            Some(e) => format!("{} (ends {e})", s.name),
            None => s.name.clone(),
        },
        None => "cannot be forecast".into(),
    }
}

fn milestones(
    md: &mut String,
    src: &mut Sources,
    d: &PlanData,
    ordered: &[&Story],
    slots: &[Slot],
    lands: &[Option<usize>],
) {
    md.push_str("## Milestones\n\n### Releases\n\n");
    if d.releases.is_empty() {
        md.push_str(&missing(
            "no release is planned for this work.",
            "the PM adds one on the Releases tab or with `throughline release add`.",
        ));
    } else {
        md.push_str("| Release | Target date | Status | Open items | Forecast to land | 85 % forecast (Monte Carlo) |\n| --- | --- | --- | ---: | --- | --- |\n");
        for (n, r) in d.releases.iter().enumerate() {
            src.add("release", r.id, r.version);
            let mine: Vec<usize> = ordered
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    r.items.contains(&s.item.key)
                        || s.item
                            .initiative_id
                            .is_some_and(|i| r.initiatives.contains(&i.0))
                })
                .map(|(n, _)| n)
                .collect();
            let landing = if mine.is_empty() {
                "nothing open".to_string()
            } else if mine.iter().any(|n| lands[*n].is_none()) {
                format!(
                    "cannot be forecast: {} open item(s) are not ready or not estimated",
                    mine.iter().filter(|n| lands[**n].is_none()).count()
                )
            } else {
                let last = mine.iter().filter_map(|n| lands[*n]).max();
                let text = when(slots, last);
                let late = last
                    .and_then(|n| slots[n].ends)
                    .zip(NaiveDate::parse_from_str(&r.target_date, "%Y-%m-%d").ok())
                    .filter(|(e, t)| e > t);
                match late {
                    Some((e, t)) => {
                        format!("{text}, {} day(s) after the target", (e - t).num_days())
                    }
                    None => text,
                }
            };
            let monte_carlo = match d.outlooks.get(n).and_then(Option::as_ref) {
                None => "–".to_string(),
                Some(o) if o.open == 0 => "nothing open".to_string(),
                Some(o) => {
                    let date = o
                        .p85
                        .map_or("never at this pace".to_string(), |p| p.to_string());
                    let late = if o.late { ", after the target" } else { "" };
                    let guess = if o.guess {
                        " (a guess: too little history)"
                    } else {
                        ""
                    };
                    format!("{date}{late}{guess}")
                }
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&r.name),
                r.target_date,
                r.status,
                mine.len(),
                cell(&landing),
                cell(&monte_carlo)
            );
        }
    }
    md.push_str("\n### Sprints\n\n");
    if d.sprints.is_empty() {
        md.push_str(&missing(
            "the product has no sprint.",
            "the SM schedules one on the Sprints tab or with `throughline sprint plan`.",
        ));
        md.push('\n');
        return;
    }
    // Every open sprint, and the last three closed for the pace so far.
    let mut closed: Vec<&Sprint> = d.sprints.iter().filter(|s| s.state == "closed").collect();
    closed.sort_by_key(|s| (s.start_date, s.id));
    let mut shown: Vec<&Sprint> = closed.iter().rev().take(3).rev().copied().collect();
    let mut open: Vec<&Sprint> = d.sprints.iter().filter(|s| s.state != "closed").collect();
    open.sort_by_key(|s| (s.start_date, s.id));
    shown.extend(open);
    md.push_str("| Sprint | Team | Dates | State | Goal | Completed / committed |\n| --- | --- | --- | --- | --- | --- |\n");
    for s in shown {
        src.add("sprint", s.id, s.version);
        let figures = s.figures.as_ref().map_or("–".into(), |f| {
            format!(
                "{} / {}",
                f.completed.map_or("–".into(), |c| c.to_string()),
                f.committed
            )
        });
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&s.name),
            cell(&s.team),
            s.dates_text(),
            crate::sprint::state_title(&s.state),
            cell(&s.goal),
            figures
        );
    }
    md.push('\n');
}

fn build(
    md: &mut String,
    d: &PlanData,
    ordered: &[&Story],
    slots: &[Slot],
    lands: &[Option<usize>],
) {
    md.push_str("## Build order\n\n");
    // A product's plan reads open items only; an initiative's or a release's counts its done
    // ones too.
    let done = match d.scope {
        Scope::Initiative(_) | Scope::Release(_) => {
            format!("; {} item(s) already done", d.stories.len() - ordered.len())
        }
        Scope::Product => String::new(),
    };
    if ordered.is_empty() {
        let how = match &d.scope {
            Scope::Initiative(i) => format!("link backlog items on the initiative's page or with `throughline initiative link KEY --initiative {}`.", i.id),
            Scope::Release(_) => "add initiatives or items to the release on the Releases tab.".into(),
            Scope::Product => "add items on the Backlog tab or with `throughline item add`.".into(),
        };
        md.push_str(&missing(
            &format!("there is no open backlog item to build{done}."),
            &how,
        ));
        md.push('\n');
        return;
    }
    let _ = writeln!(md, "Blockers first, otherwise in backlog order{done}.\n");
    md.push_str("| # | Item | Title | Points | Status | Ready | Blocked by | Lands in |\n| ---: | --- | --- | ---: | --- | --- | --- | --- |\n");
    for (n, s) in ordered.iter().enumerate() {
        let it = &s.item;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            n + 1,
            it.key,
            cell(&it.title),
            points(it.points),
            crate::backlog::status_title(&it.status),
            if it.ready { "yes" } else { "no" },
            cell(&it.blocked_by.join(", ")),
            cell(&when(slots, lands[n]))
        );
    }
    md.push('\n');
}

fn capacity(
    md: &mut String,
    src: &mut Sources,
    d: &PlanData,
    ordered: &[&Story],
    lands: &[Option<usize>],
) {
    md.push_str("## Capacity and velocity\n\n");
    let Some(p) = &d.planning else {
        md.push_str(&missing(
            "no sprint is running or planned, so nothing can be forecast.",
            "the SM schedules a sprint on the Sprints tab or with `throughline sprint plan`.",
        ));
        md.push('\n');
        return;
    };
    src.add("sprint", p.sprint.id, p.sprint.version);
    let _ = writeln!(
        md,
        "- **Forecast from:** {} ({}), {} committed",
        line(&p.sprint.name),
        p.sprint.dates_text(),
        p.committed_points
    );
    match &p.velocity {
        Some(v) => {
            let _ = writeln!(
                md,
                "- **Velocity:** {} points, the mean of {} closed sprint(s)",
                show(v.points),
                v.sprints.len()
            );
        }
        None => md.push_str(
            "- **Velocity:** none yet, no sprint has closed: the capacity below is a guess\n",
        ),
    }
    let _ = writeln!(
        md,
        "- **Capacity:** {} points ({})",
        show(p.capacity.points),
        line(&p.capacity.how)
    );
    let ready: Points = ordered
        .iter()
        .filter(|s| s.item.ready)
        .filter_map(|s| s.item.points)
        .sum();
    let open: Points = ordered.iter().filter_map(|s| s.item.points).sum();
    let _ = writeln!(md, "- **Open scope:** {open} points, {ready} of them ready");
    let sprints = lands.iter().flatten().max().map_or(0, |n| n + 1);
    let _ = writeln!(md, "- **Sprints to land the forecast work:** {sprints}\n");
    if !ordered.is_empty() && ordered.iter().all(|s| !s.item.ready) {
        md.push_str(&missing("nothing in scope is ready, so no item can be forecast.", "the PO makes items ready (criteria, estimate, no open question) on each item's page; the Definition of Ready lists the rules."));
        md.push('\n');
    }
}

fn risks(md: &mut String, d: &PlanData, ordered: &[&Story], open: &HashMap<&str, &Story>) {
    md.push_str("## Risks\n\n");
    let mut any = false;
    let unready: Vec<String> = ordered
        .iter()
        .filter(|s| !s.item.ready)
        .map(|s| {
            let why = reasons(&s.item.readiness)
                .into_iter()
                .next()
                .unwrap_or_default();
            format!("{} ({})", s.item.key, why)
        })
        .collect();
    if !unready.is_empty() {
        any = true;
        let _ = writeln!(
            md,
            "- **Unready items:** {} of {}: {}",
            unready.len(),
            ordered.len(),
            unready.join("; ")
        );
    }
    // A chain: an item waiting on an open item that itself waits, longest first.
    let mut chains: Vec<Vec<String>> = Vec::new();
    for s in ordered {
        let mut chain = vec![s.item.key.clone()];
        let mut at = *s;
        while let Some(next) = at.item.blocked_by.iter().find_map(|b| open.get(b.as_str())) {
            if chain.contains(&next.item.key) {
                break;
            }
            chain.push(next.item.key.clone());
            at = next;
        }
        if chain.len() > 1 {
            chains.push(chain);
        }
    }
    chains.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    if !chains.is_empty() {
        any = true;
        let text: Vec<String> = chains.iter().take(5).map(|c| c.join(" ← ")).collect();
        let _ = writeln!(
            md,
            "- **Blocked chains:** {} item(s) wait on open work: {}",
            chains.len(),
            text.join("; ")
        );
    }
    if let Some(p) = &d.planning {
        if p.committed_points.as_f64() > p.capacity.points + 1e-9 {
            any = true;
            let _ = writeln!(
                md,
                "- **Scope over capacity:** {} commits {} points against a capacity of {}",
                line(&p.sprint.name),
                p.committed_points,
                show(p.capacity.points)
            );
        }
    }
    let q = d.quarter.to_string();
    let aligned = |s: &Story| {
        s.item
            .initiative_id
            .and_then(|i| d.initiatives.iter().find(|x| x.id == i))
            .is_some_and(|i| i.priorities.iter().any(|p| p.quarter == q))
    };
    let total: Points = ordered.iter().filter_map(|s| s.item.points).sum();
    let unaligned: Points = ordered
        .iter()
        .filter(|s| !aligned(s))
        .filter_map(|s| s.item.points)
        .sum();
    if total.as_f64() > 0.0 && unaligned.as_f64() > 0.0 {
        any = true;
        let _ = writeln!(md, "- **Unaligned share:** {}% of the open points ({unaligned} of {total}) serve no priority of {q}", (100.0 * unaligned.as_f64() / total.as_f64()).round());
    }
    let week_ago = d.today - Duration::days(7);
    let old: Vec<String> = ordered
        .iter()
        .flat_map(|s| {
            s.questions
                .iter()
                .filter(|x| x.is_open() && x.asked_at.date_naive() <= week_ago)
                .map(move |x| format!("{}: {}", s.item.key, line(&x.body)))
        })
        .collect();
    if !old.is_empty() {
        any = true;
        let _ = writeln!(
            md,
            "- **Open questions older than a week:** {}",
            old.join("; ")
        );
    }
    if !any {
        md.push_str("No risk found: every item is ready, nothing waits on open work, the sprint fits its capacity, the work is aligned and no question is older than a week.\n");
    }
    md.push('\n');
}

fn launches(md: &mut String, d: &PlanData) {
    md.push_str("## Launch readiness\n\n");
    let all: Vec<_> = d
        .releases
        .iter()
        .flat_map(|r| r.launches.iter().map(move |l| (r, l)))
        .collect();
    if all.is_empty() {
        md.push_str(&missing("no launch is planned for these releases.", "the PM adds a launch and its checklist on the release's page or with `throughline launch add`."));
        md.push('\n');
        return;
    }
    md.push_str("| Release | Launch | Target date | Readiness | Open tasks |\n| --- | --- | --- | ---: | --- |\n");
    for (r, l) in all {
        let open: Vec<String> = l
            .tasks
            .iter()
            .filter(|t| !t.done)
            .map(|t| format!("{} ({})", t.title, t.function))
            .collect();
        let readiness = l.readiness.map_or("no task".into(), |p| format!("{p}%"));
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            cell(&r.name),
            cell(&l.name),
            l.target_date,
            readiness,
            cell(&open.join("; "))
        );
    }
    md.push('\n');
}
