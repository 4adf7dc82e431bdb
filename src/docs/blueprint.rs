//! The Solution Blueprint of one initiative: the PM's problem and goals, the stories by persona
//! journey with their numbered criteria, dependencies, questions, readiness and a traceability
//! table from the evidence to the review verdicts.

use std::fmt::Write;

use super::gather::{BlueprintData, Story};
use super::rules::{block, cell, labelled, line, missing, points};
use super::{document, Document, Kind, Sources};
use crate::points::show;
use crate::strategy::status_title;
use crate::workspace::Product;

pub fn render(product: &Product, owners: &[String], d: &BlueprintData) -> Document {
    let mut src = Sources::default();
    let i = &d.initiative;
    src.add("initiative", i.id, i.version);
    let title = format!("{}: {} ({})", Kind::Blueprint.title(), i.title, product.key);
    let mut md = format!("# {}\n\n", line(&title));
    header(&mut md, &mut src, owners, d);
    problem(&mut md, &mut src, d);
    goals(&mut md, &mut src, d);
    journeys(&mut md, &mut src, d);
    dependencies(&mut md, d);
    questions(&mut md, d);
    readiness(&mut md, d);
    trace(&mut md, d);
    document(Kind::Blueprint, title, md, src)
}

fn no_stories(md: &mut String, d: &BlueprintData) -> bool {
    if d.stories.is_empty() {
        md.push_str(&missing(
            "no backlog item belongs to this initiative yet.",
            &format!("add items on the initiative's page (Add backlog item) or with `throughline initiative link KEY --initiative {}`.", d.initiative.id),
        ));
        md.push('\n');
    }
    d.stories.is_empty()
}

fn header(md: &mut String, src: &mut Sources, owners: &[String], d: &BlueprintData) {
    let i = &d.initiative;
    md.push_str("| | |\n| --- | --- |\n");
    let owner = if owners.is_empty() {
        "no Product Manager named on the product".into()
    } else {
        owners.join(", ")
    };
    let _ = writeln!(md, "| Owner | {} |", cell(&owner));
    let _ = writeln!(md, "| Status | {} |", status_title(&i.status));
    let release = d
        .releases
        .iter()
        .map(|r| {
            src.add("release", r.id, r.version);
            format!("{} ({})", r.name, r.target_date)
        })
        .collect::<Vec<_>>()
        .join(", ");
    let release = if release.is_empty() {
        "none yet: add the initiative to a release on the Releases tab".into()
    } else {
        release
    };
    let _ = writeln!(md, "| Target release | {} |", cell(&release));
    let prios: Vec<String> = i
        .priorities
        .iter()
        .map(|p| format!("{} #{} {}", p.quarter, p.position, p.title))
        .collect();
    let prios = if prios.is_empty() {
        "none: its work is unaligned".into()
    } else {
        prios.join("; ")
    };
    let _ = writeln!(md, "| Priority | {} |", cell(&prios));
    let progress = i.progress.map_or("no estimated item".to_string(), |p| {
        format!("{p}% ({} of {} points done)", i.points_done, i.points_total)
    });
    let _ = writeln!(md, "| Progress | {} |", cell(&progress));
    let signoff = if d.signoffs.is_empty() {
        "not requested".to_string()
    } else {
        d.signoffs
            .iter()
            .map(|r| {
                src.add("signoff", r.id, r.history.len() as i64);
                format!("{}: {}", r.title, r.status.replace('_', " "))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let _ = writeln!(md, "| Sign-off | {} |\n", cell(&signoff));
}

fn problem(md: &mut String, src: &mut Sources, d: &BlueprintData) {
    let i = &d.initiative;
    md.push_str("## Problem and why now\n\n");
    let how = format!("the PM writes it on the initiative's page or with `throughline initiative edit {} --problem \"…\"`.", i.id);
    if i.problem.trim().is_empty() {
        md.push_str(&missing(
            "the problem this initiative solves is not written.",
            &how,
        ));
    } else {
        let _ = writeln!(md, "{}", block(&i.problem));
    }
    if !i.description.trim().is_empty() {
        let _ = writeln!(md, "\n{}", block(&i.description));
    }
    if !i.assumptions.trim().is_empty() {
        let _ = writeln!(md, "\n{}", labelled("Assumptions", &i.assumptions));
    }
    md.push_str("\n### Evidence\n\n");
    if d.evidence.is_empty() {
        md.push_str(&missing(
            "no insight is linked to this initiative as evidence.",
            "link insights on the Research tab or with `throughline research link`.",
        ));
    }
    for e in &d.evidence {
        src.add("insight", e.id, e.version);
        let body = if e.kind == "quote" {
            format!("“{}”", line(&e.body))
        } else {
            line(&e.body)
        };
        let persona = e
            .persona
            .as_deref()
            .map(|p| format!(", {}", line(p)))
            .unwrap_or_default();
        let _ = writeln!(
            md,
            "- {body} ({}/5{persona}; {}; insight {})",
            e.importance,
            line(&e.source_title),
            e.id
        );
    }
    md.push('\n');
}

fn goals(md: &mut String, src: &mut Sources, d: &BlueprintData) {
    md.push_str("## Goals and non-goals\n\n");
    if d.metrics.is_empty() {
        md.push_str(&missing("no success metric is named as moved by this initiative.", &format!("name one on the initiative's page or with `throughline initiative edit {} --metric M`.", d.initiative.id)));
    } else {
        md.push_str(
            "| Metric it moves | Baseline | Current | Target |\n| --- | ---: | ---: | ---: |\n",
        );
        for m in &d.metrics {
            src.add("metric", m.id, m.version);
            let name = if m.unit.is_empty() {
                m.name.clone()
            } else {
                format!("{} ({})", m.name, m.unit)
            };
            let current = m.current.map_or("not measured".into(), show);
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                cell(&name),
                show(m.baseline),
                current,
                show(m.target)
            );
        }
    }
    let non_goals = "Non-goals (out of scope)";
    if d.initiative.out_of_scope.trim().is_empty() {
        let _ = writeln!(md, "\n**{non_goals}:**");
        md.push_str(&missing("nothing is marked out of scope.", &format!("the PM writes it on the initiative's page or with `throughline initiative edit {} --out-of-scope \"…\"`.", d.initiative.id)));
    } else {
        let _ = writeln!(md, "\n{}", labelled(non_goals, &d.initiative.out_of_scope));
    }
    md.push('\n');
}

/// The persona a story is for: the named persona, else its "As a" text.
fn persona_of(d: &BlueprintData, s: &Story) -> String {
    let named = s
        .item
        .persona_id
        .and_then(|id| d.personas.iter().find(|p| p.id == id));
    match named {
        Some(p) => line(&p.name),
        None if !s.item.persona.trim().is_empty() => line(&s.item.persona),
        None => "No persona named".into(),
    }
}

fn journeys(md: &mut String, src: &mut Sources, d: &BlueprintData) {
    md.push_str("## User journeys\n\n");
    if no_stories(md, d) {
        return;
    }
    // Groups in the order their first story comes in the backlog.
    let mut groups: Vec<(String, Vec<&Story>)> = Vec::new();
    for s in &d.stories {
        let p = persona_of(d, s);
        match groups.iter_mut().find(|g| g.0 == p) {
            Some(g) => g.1.push(s),
            None => groups.push((p, vec![s])),
        }
    }
    for (persona, stories) in groups {
        let _ = writeln!(md, "### {persona}\n");
        for s in stories {
            let it = &s.item;
            src.add("item", &it.key, it.version);
            let ready = if it.ready { "ready" } else { "not ready" };
            let _ = writeln!(md, "#### {} {}\n", it.key, line(&it.title));
            let _ = writeln!(
                md,
                "{} · {} points · {}\n",
                crate::backlog::status_title(&it.status),
                points(it.points),
                ready
            );
            if !it.goal.trim().is_empty() {
                let who = if it.persona.trim().is_empty() {
                    "user".into()
                } else {
                    line(&it.persona)
                };
                let _ = writeln!(
                    md,
                    "As a *{who}*, I want *{}*, so that *{}*.\n",
                    line(&it.goal),
                    line(&it.benefit)
                );
            }
            if it.criteria.is_empty() {
                md.push_str(&missing("this story has no acceptance criterion.", &format!("the PO adds them on the item's page or with `throughline item edit {} --criterion \"…\"`.", it.key)));
            }
            for c in &it.criteria {
                let _ = writeln!(
                    md,
                    "{}. `{}.{}` {}",
                    c.position,
                    it.key,
                    c.position,
                    line(&c.text)
                );
            }
            md.push('\n');
        }
    }
}

fn dependencies(md: &mut String, d: &BlueprintData) {
    md.push_str("## Dependencies\n\n");
    let mut any = false;
    for s in &d.stories {
        for b in &s.item.blocked_by {
            any = true;
            let _ = writeln!(md, "- {} is blocked by {}", s.item.key, b);
        }
    }
    if !any {
        md.push_str("No story of this initiative is blocked by another item.\n");
    }
    md.push('\n');
}

fn questions(md: &mut String, d: &BlueprintData) {
    md.push_str("## Open questions\n\n");
    let mut any = false;
    for s in &d.stories {
        for q in s.questions.iter().filter(|q| q.is_open()) {
            any = true;
            let blocks = if q.blocking { ", blocks readiness" } else { "" };
            let _ = writeln!(
                md,
                "- {}: {} (asked by {}{blocks})",
                s.item.key,
                line(&q.body),
                line(&q.asked_by)
            );
        }
    }
    if !any {
        md.push_str("No open question on its stories.\n");
    }
    md.push('\n');
}

/// The readiness reasons an item's stored assessment gives.
pub fn reasons(readiness: &serde_json::Value) -> Vec<String> {
    readiness["reasons"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["message"].as_str().map(line))
                .collect()
        })
        .unwrap_or_default()
}

fn readiness(md: &mut String, d: &BlueprintData) {
    md.push_str("## Readiness\n\n");
    if no_stories(md, d) {
        return;
    }
    md.push_str("| Story | Ready | Why not |\n| --- | --- | --- |\n");
    for s in &d.stories {
        let r = reasons(&s.item.readiness);
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            s.item.key,
            if s.item.ready { "yes" } else { "no" },
            cell(&r.join("; "))
        );
    }
    md.push('\n');
}

fn trace(md: &mut String, d: &BlueprintData) {
    md.push_str("## Traceability\n\n");
    if no_stories(md, d) {
        return;
    }
    md.push_str("From the evidence to the review: each acceptance criterion with the sprint its story was last in and the verdict given there.\n\n");
    md.push_str("| Insight | Initiative | Story | Criterion | Sprint | Verdict |\n| --- | --- | --- | --- | --- | --- |\n");
    let initiative_evidence: Vec<String> = d.evidence.iter().map(|e| e.id.to_string()).collect();
    for s in &d.stories {
        let key = &s.item.key;
        let insights = match d.story_evidence.get(key) {
            Some(ids) => ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            None => initiative_evidence.join(", "),
        };
        let sprint = s
            .sprints
            .last()
            .and_then(|id| d.sprints.iter().find(|x| x.id == *id));
        let review = sprint
            .and_then(|x| d.reviews.get(&x.id))
            .and_then(|r| r.items.iter().find(|i| &i.item.key == key));
        let rows: Vec<(String, Option<i64>)> = if s.item.criteria.is_empty() {
            vec![("no criterion".into(), None)]
        } else {
            s.item
                .criteria
                .iter()
                .map(|c| (format!("{key}.{}", c.position), Some(c.position)))
                .collect()
        };
        for (criterion, position) in rows {
            let verdict = match (sprint, position) {
                (None, _) => "not in a sprint yet".to_string(),
                (Some(_), None) => "nothing to check".into(),
                (Some(x), Some(p)) => {
                    let pass = review
                        .and_then(|r| r.criteria.iter().find(|c| c.position == p))
                        .and_then(|c| c.pass);
                    match (pass, x.state.as_str()) {
                        (Some(true), _) => "passed".into(),
                        (Some(false), _) => "failed".into(),
                        (None, "closed") => "not reviewed".into(),
                        (None, _) => "not reviewed yet".into(),
                    }
                }
            };
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&insights),
                cell(&d.initiative.title),
                key,
                criterion,
                cell(&sprint.map(|x| x.name.clone()).unwrap_or_default()),
                verdict
            );
        }
    }
    md.push('\n');
}
