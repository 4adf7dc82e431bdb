//! `stories/ONB-42.md`: one self-contained brief per story that went into the kit — context,
//! persona, why, the criteria as a checklist, dependencies, definition of done, links back.

use std::fmt::Write;

use super::agents::persona_name;
use super::{Ctx, KitFile};
use crate::docs::gather::Story;
use crate::docs::rules::{line, points, sentence};

pub fn files(k: &Ctx) -> Vec<KitFile> {
    k.built
        .iter()
        .map(|s| KitFile {
            path: format!("stories/{}.md", s.item.key),
            text: brief(k, s),
        })
        .collect()
}

fn brief(k: &Ctx, s: &Story) -> String {
    let it = &s.item;
    let mut md = format!("# {} {}\n\n", it.key, line(&it.title));
    let _ = writeln!(
        md,
        "{} · {} points · {} · product {} ({})\n",
        it.kind,
        points(it.points),
        if it.ready { "ready" } else { "not ready" },
        line(&k.product.name),
        k.product.key
    );
    if let Some(r) = k.exception(s) {
        let why = crate::docs::blueprint::reasons(&it.readiness).join("; ");
        let _ = writeln!(
            md,
            "> **Not ready** ({}). The Product Owner let it into this kit: {}\n",
            line(&why),
            sentence(r)
        );
    }
    md.push_str("## Context\n\n");
    let initiative = it
        .initiative_id
        .and_then(|id| k.data.initiatives.iter().find(|i| i.id == id));
    match initiative {
        Some(i) => {
            let _ = writeln!(md, "Part of the initiative **{}**.", line(&i.title));
            if !i.problem.trim().is_empty() {
                let _ = writeln!(md, "The problem it solves: {}", sentence(&i.problem));
            }
        }
        None => md.push_str("This item belongs to no initiative: it serves no stated product priority (bugs and technical work often do not).\n"),
    }
    if let Some(sprint) = &k.data.sprint {
        if !sprint.goal.trim().is_empty() {
            let _ = writeln!(
                md,
                "Sprint goal ({}): {}",
                line(&sprint.name),
                sentence(&sprint.goal)
            );
        }
    }
    md.push('\n');
    md.push_str("## Persona and why\n\n");
    let named = it
        .persona_id
        .and_then(|id| k.data.personas.iter().find(|p| p.id == id));
    if let Some(p) = named {
        let _ = writeln!(
            md,
            "**{}** ({}): wants {}; struggles with {}\n",
            line(&p.name),
            line(&p.segment),
            line(&p.goals),
            line(&p.pains)
        );
    }
    if it.goal.trim().is_empty() {
        md.push_str("The story states no goal; read the description and ask the Product Owner when unsure.\n\n");
    } else {
        let who = persona_name(k, s).map_or_else(|| "user".to_string(), line);
        let _ = writeln!(
            md,
            "As a *{who}*, I want *{}*, so that *{}*.\n",
            line(&it.goal),
            line(&it.benefit)
        );
    }
    if !it.description.trim().is_empty() {
        let _ = writeln!(md, "{}\n", it.description.trim());
    }
    md.push_str("## Acceptance criteria\n\n");
    if it.criteria.is_empty() {
        md.push_str("> **Missing:** this story has no acceptance criterion, so nothing says when it is done. Ask the Product Owner before building it.\n");
    }
    for c in &it.criteria {
        let _ = writeln!(md, "- [ ] **{}.{}** {}", it.key, c.position, line(&c.text));
    }
    md.push_str("\n## Dependencies\n\n");
    let after = k.blockers(s);
    if after.is_empty() && it.blocks.is_empty() {
        md.push_str("None: it can be built on its own.\n");
    }
    if !after.is_empty() {
        let _ = writeln!(md, "- Build after: {}", after.join(", "));
    }
    if !it.blocks.is_empty() {
        let _ = writeln!(md, "- Waiting on it: {}", it.blocks.join(", "));
    }
    let open: Vec<_> = s.questions.iter().filter(|q| q.is_open()).collect();
    if !open.is_empty() {
        md.push_str("\n## Open questions\n\n");
        for q in open {
            let _ = writeln!(md, "- {} (asked by {})", line(&q.body), line(&q.asked_by));
        }
    }
    md.push_str("\n## Definition of done\n\n");
    md.push_str(
        "- Every criterion above passes, each checked by an automated test named after its id where one can check it.\n\
         - The existing tests still pass, and the change is reviewed.\n\
         - Each result is reported with `check_criterion`; the Product Owner accepts the story in the sprint review.\n",
    );
    md.push_str("\n## Links\n\n");
    let _ = writeln!(md, "- In Throughline: {}", k.item_url(&it.key));
    let _ = writeln!(
        md,
        "- Over MCP: `throughline://{}/items/{}`",
        k.product.key, it.key
    );
    md
}
