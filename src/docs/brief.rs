//! The Product Strategy Brief (product, quarter): vision, evidence, personas, competitors,
//! objectives, the quarter's priorities with their initiatives, decisions and sign-offs.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::gather::BriefData;
use super::rules::{cell, line, missing, sentence};
use super::{document, Document, Kind, Sources};
use crate::points::show;
use crate::strategy::status_title;
use crate::workspace::Product;

/// How many insights the digest quotes.
const TOP_INSIGHTS: usize = 10;

pub fn render(product: &Product, d: &BriefData) -> Document {
    let mut src = Sources::default();
    let mut md = String::new();
    let title = format!(
        "{}: {} ({}), {}",
        Kind::Brief.title(),
        product.name,
        product.key,
        d.quarter
    );
    let _ = writeln!(md, "# {}\n", line(&title));
    vision(&mut md, &mut src, product, d);
    evidence(&mut md, &mut src, d);
    personas(&mut md, &mut src, d);
    competitors(&mut md, &mut src, d);
    objectives(&mut md, &mut src, d);
    priorities(&mut md, &mut src, d);
    decisions(&mut md, &mut src, d);
    signoffs(&mut md, &mut src, d);
    document(Kind::Brief, title, md, src)
}

fn vision(md: &mut String, src: &mut Sources, product: &Product, d: &BriefData) {
    md.push_str("## Vision\n\n");
    src.add("vision", &product.key, d.vision.version);
    let v = &d.vision;
    if v.vision.trim().is_empty() {
        md.push_str(&missing(
            "the product has no vision statement yet.",
            "the PM writes it on the Strategy tab (`/w/{ws}/p/{product}/strategy`) or with `throughline persona vision --vision \"…\"`.",
        ));
    } else {
        let _ = writeln!(md, "{}\n", line(&v.vision));
    }
    let or_none = |s: &str| {
        if s.trim().is_empty() {
            "not written yet".to_string()
        } else {
            line(s)
        }
    };
    let _ = writeln!(md, "- **Target segments:** {}", or_none(&v.target_segments));
    let _ = writeln!(md, "- **Positioning:** {}\n", or_none(&v.positioning));
}

fn evidence(md: &mut String, src: &mut Sources, d: &BriefData) {
    md.push_str("## Evidence digest\n\n");
    if d.insights.is_empty() {
        md.push_str(&missing(
            "no research insight is recorded.",
            "add a source and its insights on the Research tab or with `throughline research source` and `throughline research insight`.",
        ));
        md.push('\n');
        return;
    }
    let _ = writeln!(
        md,
        "{} insight(s) from research; the {} most important:\n",
        d.insights.len(),
        TOP_INSIGHTS.min(d.insights.len())
    );
    md.push_str(
        "| Insight | Importance | Persona | Tags | Source |\n| --- | ---: | --- | --- | --- |\n",
    );
    for i in d.insights.iter().take(TOP_INSIGHTS) {
        src.add("insight", i.id, i.version);
        let body = if i.kind == "quote" {
            format!("“{}”", i.body)
        } else {
            i.body.clone()
        };
        let _ = writeln!(
            md,
            "| {} | {}/5 | {} | {} | {} |",
            cell(&body),
            i.importance,
            cell(i.persona.as_deref().unwrap_or("")),
            cell(&i.tags.join(", ")),
            cell(&i.source_title)
        );
    }
    let mut per_persona: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_tag: BTreeMap<String, usize> = BTreeMap::new();
    for i in &d.insights {
        *per_persona
            .entry(i.persona.clone().unwrap_or_else(|| "(no persona)".into()))
            .or_default() += 1;
        for t in &i.tags {
            *per_tag.entry(t.clone()).or_default() += 1;
        }
    }
    md.push_str("\n| Persona | Insights |\n| --- | ---: |\n");
    for (p, n) in &per_persona {
        let _ = writeln!(md, "| {} | {n} |", cell(p));
    }
    if per_tag.is_empty() {
        md.push_str("\nNo insight is tagged.\n");
    } else {
        md.push_str("\n| Tag | Insights |\n| --- | ---: |\n");
        for (t, n) in &per_tag {
            let _ = writeln!(md, "| {} | {n} |", cell(t));
        }
    }
    md.push('\n');
}

fn personas(md: &mut String, src: &mut Sources, d: &BriefData) {
    md.push_str("## Personas\n\n");
    if d.personas.is_empty() {
        md.push_str(&missing(
            "no persona is described.",
            "add one on the Personas tab or with `throughline persona add`.",
        ));
        md.push('\n');
        return;
    }
    for p in &d.personas {
        src.add("persona", p.id, p.version);
        let _ = writeln!(md, "### {} ({})\n", line(&p.name), line(&p.segment));
        let _ = writeln!(md, "- **Goals:** {}", line(&p.goals));
        let _ = writeln!(md, "- **Pains:** {}", line(&p.pains));
        let _ = writeln!(md, "- **Backlog items for them:** {}\n", p.items);
    }
}

fn competitors(md: &mut String, src: &mut Sources, d: &BriefData) {
    md.push_str("## Competitors\n\n");
    let m = &d.matrix;
    if m.competitors.is_empty() {
        md.push_str(&missing(
            "no competitor is recorded.",
            "add competitors and capabilities on the Competitors tab or with `throughline competitor add`.",
        ));
        md.push('\n');
        return;
    }
    let names: Vec<String> = m.competitors.iter().map(|c| cell(&c.name)).collect();
    let _ = writeln!(md, "| Capability | Us | {} |", names.join(" | "));
    let _ = writeln!(md, "| --- | --- |{}", " --- |".repeat(names.len()));
    for row in &m.capabilities {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            cell(&row.name),
            row.ours,
            row.ratings.join(" | ")
        );
    }
    let pct = |c: Option<i64>| c.map_or("–".to_string(), |c| format!("{c}%"));
    let cover: Vec<String> = m.coverage.iter().map(|c| pct(*c)).collect();
    let _ = writeln!(
        md,
        "| **Coverage** | {} | {} |\n",
        pct(m.our_coverage),
        cover.join(" | ")
    );
    md.push_str("### Our position against each\n\n");
    for c in &m.competitors {
        src.add("competitor", c.id, c.version);
        let ours = if c.our_positioning.trim().is_empty() {
            "Our position is not written yet.".into()
        } else {
            sentence(&c.our_positioning)
        };
        let _ = writeln!(
            md,
            "- **{}** ({}): {ours} Strengths: {} Weaknesses: {}",
            line(&c.name),
            line(&c.positioning),
            sentence(&c.strengths),
            sentence(&c.weaknesses)
        );
    }
    md.push('\n');
}

fn objectives(md: &mut String, src: &mut Sources, d: &BriefData) {
    let _ = writeln!(md, "## Objectives for {}\n", d.quarter);
    if d.objectives.is_empty() {
        md.push_str(&missing(
            &format!("no objective is set for {}.", d.quarter),
            "the PM adds one on the Objectives & priorities tab or with `throughline objective add`.",
        ));
        md.push('\n');
        return;
    }
    for o in &d.objectives {
        src.add("objective", o.id, o.version);
        let _ = writeln!(md, "### {}\n", line(&o.title));
        if o.metrics.is_empty() {
            md.push_str("No metric measures it yet: add one with `throughline metric add`.\n\n");
            continue;
        }
        md.push_str("| Metric | Unit | Baseline | Current | Target | Progress |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        for m in &o.metrics {
            src.add("metric", m.id, m.version);
            let current = m.current.map_or("not measured".into(), show);
            let progress = m.progress.map_or("–".into(), |p| format!("{p}%"));
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&m.name),
                cell(&m.unit),
                show(m.baseline),
                current,
                show(m.target),
                progress
            );
        }
        md.push('\n');
    }
}

fn priorities(md: &mut String, src: &mut Sources, d: &BriefData) {
    let _ = writeln!(md, "## Priorities for {}\n", d.quarter);
    if d.priorities.is_empty() {
        md.push_str(&missing(
            &format!("no quarterly priority is set for {}, so every backlog item is unaligned.", d.quarter),
            "the PM ranks priorities on the Objectives & priorities tab or with `throughline priority add`.",
        ));
        md.push('\n');
        return;
    }
    for p in &d.priorities {
        src.add("priority", p.id, p.version);
        let _ = writeln!(md, "### {}. {}\n", p.position, line(&p.title));
        let objectives: Vec<String> = d
            .objectives
            .iter()
            .filter(|o| p.objectives.contains(&o.id))
            .map(|o| line(&o.title))
            .collect();
        if !objectives.is_empty() {
            let _ = writeln!(md, "Serves: {}.\n", objectives.join("; "));
        }
        let mine: Vec<_> = d
            .initiatives
            .iter()
            .filter(|i| p.initiatives.contains(&i.id.0))
            .collect();
        if mine.is_empty() {
            md.push_str(&missing("no initiative serves this priority (strategy without execution).", "give an initiative this priority on its page or with `throughline initiative edit ID --priority P`."));
            md.push('\n');
            continue;
        }
        md.push_str("| Initiative | Status | RICE | WSJF | Evidence | Progress |\n| --- | --- | ---: | ---: | ---: | ---: |\n");
        for i in mine {
            src.add("initiative", i.id, i.version);
            let score = |v: Option<f64>| v.map_or("–".into(), show);
            let progress = i.progress.map_or("–".into(), |p| format!("{p}%"));
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&i.title),
                status_title(&i.status),
                score(i.rice),
                score(i.wsjf),
                i.evidence,
                progress
            );
        }
        md.push('\n');
    }
}

fn decisions(md: &mut String, src: &mut Sources, d: &BriefData) {
    md.push_str("## Decisions\n\n");
    if d.decisions.is_empty() {
        md.push_str(&missing(
            "no product decision is logged.",
            "log one on the Decisions tab or with `throughline decision add`.",
        ));
        md.push('\n');
        return;
    }
    let mut list: Vec<_> = d.decisions.iter().collect();
    list.sort_by(|a, b| (&b.decided_on, b.id).cmp(&(&a.decided_on, a.id)));
    for x in list {
        src.add("decision", x.id, x.version);
        let _ = writeln!(md, "### {}\n", line(&x.question));
        let _ = writeln!(md, "- **Decision:** {}", line(&x.decision));
        let _ = writeln!(md, "- **Rationale:** {}", line(&x.rationale));
        if !x.options.is_empty() {
            let opts: Vec<String> = x.options.iter().map(|o| line(o)).collect();
            let _ = writeln!(md, "- **Options considered:** {}", opts.join("; "));
        }
        let _ = writeln!(
            md,
            "- **Decided by** {} on {}, with {} insight(s) as evidence.\n",
            line(&x.decided_by),
            x.decided_on,
            x.insights.len()
        );
    }
}

fn signoffs(md: &mut String, src: &mut Sources, d: &BriefData) {
    md.push_str("## Sign-off status\n\n");
    if d.signoffs.is_empty() {
        md.push_str(&missing(
            "no sign-off has been requested.",
            "the PM asks stakeholders on the Sign-offs tab or with `throughline signoff request`.",
        ));
        md.push('\n');
        return;
    }
    md.push_str("| Request | Subject | Status | Waiting for |\n| --- | --- | --- | --- |\n");
    let mut list: Vec<_> = d.signoffs.iter().collect();
    list.sort_by_key(|r| r.id);
    for r in list {
        // A request has no version of its own; the answers given so far stand in for one.
        src.add("signoff", r.id, r.history.len() as i64);
        let status = match r.status.as_str() {
            "approved" => "Approved",
            "changes_requested" => "Changes requested",
            _ => "Pending",
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            cell(&r.title),
            r.subject,
            status,
            cell(&r.waiting_for.join(", "))
        );
    }
    md.push('\n');
}
