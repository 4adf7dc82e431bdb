//! The kit's stories as specs in the two layouts coding agents plan from: spec-kit
//! (`specs/001-name/spec.md`, `plan.md`, `tasks.md`) and Kiro (`.kiro/specs/name/
//! requirements.md` with EARS criteria, `design.md`, `tasks.md`).

use std::fmt::Write;

use super::agents::persona_name;
use super::{slug, Ctx, KitFile};
use crate::docs::gather::Story;
use crate::docs::rules::{line, points, sentence};

fn feature(k: &Ctx) -> String {
    let s = slug(&k.title);
    if s.is_empty() {
        format!("{}-{}", k.scope.kind(), k.scope.id())
    } else {
        s
    }
}

fn story_line(k: &Ctx, s: &Story) -> String {
    let it = &s.item;
    if it.goal.trim().is_empty() {
        return line(&it.title);
    }
    let who = persona_name(k, s).map_or_else(|| "user".to_string(), line);
    format!(
        "As a {who}, I want {}, so that {}.",
        line(&it.goal),
        line(&it.benefit)
    )
}

/// `P1` for the top priority's work, and so on; unaligned work comes after every tier.
fn priority(k: &Ctx, s: &Story) -> String {
    match k.tier(s) {
        Some(t) => format!("P{t}"),
        None => "unaligned".into(),
    }
}

pub fn spec_kit(k: &Ctx) -> Vec<KitFile> {
    let dir = format!("specs/001-{}", feature(k));
    let mut spec = format!(
        "# Feature Specification: {}\n\n**Feature folder**: `{dir}`  \n**Source**: Throughline {} {} of {}  \n**Status**: generated from the backlog; the records in Throughline are the truth\n\n",
        line(&k.title),
        k.scope.kind(),
        k.scope.id(),
        k.product.key
    );
    spec.push_str("## User Scenarios & Testing *(mandatory)*\n\n");
    if k.built.is_empty() {
        spec.push_str("No story is ready yet: see `AGENTS.md`.\n\n");
    }
    for (n, s) in k.built.iter().enumerate() {
        let it = &s.item;
        let _ = writeln!(
            spec,
            "### User Story {} - {} {} (Priority: {})\n\n{}\n\n**Independent Test**: each acceptance scenario below passes on its own.\n\n**Acceptance Scenarios**:\n",
            n + 1,
            it.key,
            line(&it.title),
            priority(k, s),
            story_line(k, s)
        );
        for (i, c) in it.criteria.iter().enumerate() {
            let _ = writeln!(
                spec,
                "{}. `{}.{}` {}",
                i + 1,
                it.key,
                c.position,
                scenario(&c.text)
            );
        }
        if it.criteria.is_empty() {
            spec.push_str("1. [NEEDS CLARIFICATION: the story has no acceptance criterion]\n");
        }
        spec.push('\n');
    }
    spec.push_str("## Requirements *(mandatory)*\n\n### Functional Requirements\n\n");
    let mut fr = 0;
    for s in &k.built {
        for c in &s.item.criteria {
            fr += 1;
            let _ = writeln!(
                spec,
                "- **FR-{fr:03}**: System MUST satisfy `{}.{}`: {}",
                s.item.key,
                c.position,
                sentence(&c.text)
            );
        }
    }
    if fr == 0 {
        spec.push_str("None yet.\n");
    }
    spec.push_str("\n## Success Criteria *(mandatory)*\n\n");
    let mut sc = 0;
    for i in &k.data.initiatives {
        if !i.problem.trim().is_empty() {
            sc += 1;
            let _ = writeln!(
                spec,
                "- **SC-{sc:03}**: The problem {} set out to solve is solved: {}",
                line(&i.title),
                sentence(&i.problem)
            );
        }
    }
    sc += 1;
    let _ = writeln!(spec, "- **SC-{sc:03}**: Every acceptance scenario above passes and the Product Owner accepts each story in review.");

    let mut plan = format!(
        "# Implementation Plan: {}\n\n**Spec**: [spec.md](spec.md)\n\n## Summary\n\n",
        line(&k.title)
    );
    for i in &k.data.initiatives {
        let _ = writeln!(
            plan,
            "- {}: {}",
            line(&i.title),
            if i.problem.trim().is_empty() {
                "problem not written yet".to_string()
            } else {
                sentence(&i.problem)
            }
        );
    }
    plan.push_str("\n## Build order\n\nAn item comes after the items that block it, otherwise in backlog order.\n\n");
    for (n, s) in k.built.iter().enumerate() {
        let blockers = k.blockers(s);
        let after = if blockers.is_empty() {
            String::new()
        } else {
            format!(" (after {})", blockers.join(", "))
        };
        let _ = writeln!(
            plan,
            "{}. {} {} — {} points{after}",
            n + 1,
            s.item.key,
            line(&s.item.title),
            points(s.item.points)
        );
    }
    plan.push_str("\n## Out of scope\n\n");
    let mut any = false;
    for i in &k.data.initiatives {
        if !i.out_of_scope.trim().is_empty() {
            any = true;
            let _ = writeln!(plan, "- {}", sentence(&i.out_of_scope));
        }
    }
    if !any {
        plan.push_str("Nothing is marked out of scope.\n");
    }
    plan.push_str("\n## Technical Context\n\nThe technical choices are the team's; this plan carries what the product side knows. Record decisions here as you make them.\n");

    let mut tasks = format!("# Tasks: {}\n\n**Input**: `{dir}/spec.md`\n\nFormat: `- [ ] T001 [P] [US1] Description`; `[P]`: can run in parallel (nothing in this kit blocks it); `[US1]`: the user story it serves.\n\n", line(&k.title));
    let mut t = 0;
    for (n, s) in k.built.iter().enumerate() {
        let it = &s.item;
        let _ = writeln!(
            tasks,
            "## Phase {}: User Story {} - {} {}\n",
            n + 1,
            n + 1,
            it.key,
            line(&it.title)
        );
        let free = !it
            .blocked_by
            .iter()
            .any(|b| !k.data.done.contains(b) && k.built.iter().any(|x| &x.item.key == b));
        let p = if free { "[P] " } else { "" };
        for c in &it.criteria {
            t += 1;
            let _ = writeln!(
                tasks,
                "- [ ] T{t:03} {p}[US{}] Write the test for {}.{}: {}",
                n + 1,
                it.key,
                c.position,
                line(&c.text)
            );
        }
        t += 1;
        let _ = writeln!(
            tasks,
            "- [ ] T{t:03} [US{}] Implement {} until every test above passes",
            n + 1,
            it.key
        );
        tasks.push('\n');
    }
    if k.built.is_empty() {
        tasks.push_str("No story is ready yet: see `AGENTS.md`.\n");
    }
    vec![
        KitFile {
            path: format!("{dir}/spec.md"),
            text: spec,
        },
        KitFile {
            path: format!("{dir}/plan.md"),
            text: plan,
        },
        KitFile {
            path: format!("{dir}/tasks.md"),
            text: tasks,
        },
    ]
}

/// A criterion as a Given / When / Then scenario, bolded the way spec-kit writes them, or as it
/// stands when it is written plainly.
fn scenario(text: &str) -> String {
    match gwt(text) {
        Some((g, w, t)) => {
            let g = g.map(|g| format!("**Given** {g}, ")).unwrap_or_default();
            format!("{g}**When** {w}, **Then** {t}")
        }
        None => line(text),
    }
}

/// Splits "Given A, when B, then C" (the Given is optional) into its parts.
pub fn gwt(text: &str) -> Option<(Option<String>, String, String)> {
    let t = line(text);
    // ASCII lower-casing keeps every byte where it was, so positions found in `lower` slice `t`.
    let lower = t.to_ascii_lowercase();
    let when = find_word(&lower, "when")?;
    let then = find_word(&lower[when..], "then")? + when;
    let given = lower.starts_with("given ").then(|| clause(&t[6..when]));
    if !lower.starts_with("given ") && when != 0 {
        return None;
    }
    Some((given, clause(&t[when + 5..then]), clause(&t[then + 5..])))
}

fn find_word(s: &str, word: &str) -> Option<usize> {
    s.match_indices(word).map(|(i, _)| i).find(|&i| {
        (i == 0 || !s.as_bytes()[i - 1].is_ascii_alphanumeric())
            && s.as_bytes().get(i + word.len()).is_some_and(|b| *b == b' ')
    })
}

fn clause(s: &str) -> String {
    s.trim()
        .trim_end_matches([',', '.', ';'])
        .trim()
        .to_string()
}

/// A criterion in EARS: `WHEN <trigger> THEN the system SHALL <response>`, with the Given as a
/// precondition; a plain criterion becomes a ubiquitous requirement.
pub fn ears(text: &str) -> String {
    match gwt(text) {
        Some((Some(g), w, t)) => {
            format!("WHILE {g} WHEN {w} THEN the system SHALL ensure that {t}")
        }
        Some((None, w, t)) => format!("WHEN {w} THEN the system SHALL ensure that {t}"),
        None => {
            let l = line(text);
            let l = l.trim_end_matches('.');
            let mut c = l.chars();
            let l = match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => String::new(),
            };
            format!("THE system SHALL ensure that {l}")
        }
    }
}

pub fn kiro(k: &Ctx) -> Vec<KitFile> {
    let dir = format!(".kiro/specs/{}", feature(k));
    let mut req = format!("# Requirements Document\n\n## Introduction\n\n{} ({} {} of product {}), generated by Throughline from the backlog.\n", line(&k.title), k.scope.kind(), k.scope.id(), k.product.key);
    for i in &k.data.initiatives {
        if !i.problem.trim().is_empty() {
            let _ = writeln!(req, "\n{}: {}", line(&i.title), sentence(&i.problem));
        }
    }
    req.push_str("\n## Requirements\n");
    if k.built.is_empty() {
        req.push_str("\nNo story is ready yet: see `AGENTS.md`.\n");
    }
    for (n, s) in k.built.iter().enumerate() {
        let it = &s.item;
        let _ = writeln!(
            req,
            "\n### Requirement {}: {} {}\n\n**User Story:** {}\n\n#### Acceptance Criteria\n",
            n + 1,
            it.key,
            line(&it.title),
            story_line(k, s)
        );
        for (i, c) in it.criteria.iter().enumerate() {
            let _ = writeln!(
                req,
                "{}. {} (`{}.{}`)",
                i + 1,
                ears(&c.text),
                it.key,
                c.position
            );
        }
        if it.criteria.is_empty() {
            req.push_str("1. THE system SHALL do what the Product Owner confirms: this story has no acceptance criterion yet\n");
        }
    }
    let mut design = format!("# Design Document\n\n## Overview\n\n{}: the product side's view. The technical design is the team's to write here.\n\n## Build order and dependencies\n\n", line(&k.title));
    for (n, s) in k.built.iter().enumerate() {
        let blockers = k.blockers(s);
        let after = if blockers.is_empty() {
            "no dependency".to_string()
        } else {
            format!("after {}", blockers.join(", "))
        };
        let _ = writeln!(
            design,
            "{}. {} {} ({after})",
            n + 1,
            s.item.key,
            line(&s.item.title)
        );
    }
    design.push_str("\n## Out of scope\n\n");
    let oos: Vec<String> = k
        .data
        .initiatives
        .iter()
        .filter(|i| !i.out_of_scope.trim().is_empty())
        .map(|i| format!("- {}", sentence(&i.out_of_scope)))
        .collect();
    if oos.is_empty() {
        design.push_str("Nothing is marked out of scope.\n");
    } else {
        design.push_str(&(oos.join("\n") + "\n"));
    }
    let mut tasks = String::from("# Implementation Plan\n\n");
    for (n, s) in k.built.iter().enumerate() {
        let it = &s.item;
        let _ = writeln!(tasks, "- [ ] {}. {} {}", n + 1, it.key, line(&it.title));
        for (i, c) in it.criteria.iter().enumerate() {
            let _ = writeln!(
                tasks,
                "  - [ ] {}.{} Make `{}.{}` pass, test first: {}\n    - _Requirements: {}.{}_",
                n + 1,
                i + 1,
                it.key,
                c.position,
                line(&c.text),
                n + 1,
                i + 1
            );
        }
        if it.criteria.is_empty() {
            let _ = writeln!(tasks, "  - _Requirements: {}_", n + 1);
        }
    }
    if k.built.is_empty() {
        tasks.push_str("No story is ready yet: see `AGENTS.md`.\n");
    }
    vec![
        KitFile {
            path: format!("{dir}/design.md"),
            text: design,
        },
        KitFile {
            path: format!("{dir}/requirements.md"),
            text: req,
        },
        KitFile {
            path: format!("{dir}/tasks.md"),
            text: tasks,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::{ears, gwt};

    #[test]
    fn given_when_then_splits_and_becomes_ears() {
        let (g, w, t) =
            gwt("Given a new account, when I finish the checklist, then I see my first board.")
                .unwrap();
        assert_eq!(g.as_deref(), Some("a new account"));
        assert_eq!(w, "I finish the checklist");
        assert_eq!(t, "I see my first board");
        assert_eq!(
            ears("When the import ends, then a report lists what did not map"),
            "WHEN the import ends THEN the system SHALL ensure that a report lists what did not map"
        );
        assert_eq!(
            ears("Setup takes under 10 minutes."),
            "THE system SHALL ensure that setup takes under 10 minutes"
        );
        // "whenever" is not "when", and a plain sentence is not split.
        assert!(gwt("Whenever it rains, nothing happens").is_none());
    }
}
