//! The Solution Blueprint of a release: a header for the release, then the blueprint of each
//! initiative it ships (its headings one level down), then the stories it ships outside them.
//! Each part is the initiative's own blueprint, so the two never read differently.

use std::fmt::Write;

use super::blueprint::render;
use super::gather::ReleaseBlueprint;
use super::rules::{cell, line, missing};
use super::{document, Document, Kind, Sources};
use crate::roadmap::releases::Release;
use crate::workspace::Product;

pub fn render_release(
    product: &Product,
    owners: &[String],
    r: &Release,
    b: &ReleaseBlueprint,
) -> Document {
    let mut src = Sources::default();
    src.add("release", r.id, r.version);
    let title = format!(
        "{}: release {} ({})",
        Kind::Blueprint.title(),
        r.name,
        product.key
    );
    let mut md = format!("# {}\n\n", line(&title));
    md.push_str("| | |\n| --- | --- |\n");
    let _ = writeln!(md, "| Target date | {} |", cell(&r.target_date));
    let _ = writeln!(md, "| Status | {} |", cell(&r.status));
    let names: Vec<String> = b.parts.iter().map(|p| p.initiative.title.clone()).collect();
    let shipped = match names.is_empty() {
        true => "none".to_string(),
        false => names.join(", "),
    };
    let _ = writeln!(md, "| Initiatives | {} |", cell(&shipped));
    let _ = writeln!(md, "| Stories outside them | {} |\n", b.loose.len());
    if b.parts.is_empty() && b.loose.is_empty() {
        md.push_str(&missing(
            "this release ships no initiative and no backlog item yet.",
            "add them to the release on the Releases tab.",
        ));
        md.push('\n');
    }
    for part in &b.parts {
        let doc = render(product, owners, part);
        for s in &doc.sources {
            src.add(&s.kind, &s.key, s.version);
        }
        let _ = writeln!(md, "## Initiative: {}\n", line(&part.initiative.title));
        md.push_str(&demoted(body(&doc.markdown)));
        md.push('\n');
    }
    if !b.loose.is_empty() {
        md.push_str("## Stories outside its initiatives\n\n");
        md.push_str("| Story | Title | Status | Ready |\n| --- | --- | --- | --- |\n");
        for s in &b.loose {
            src.add("item", &s.item.key, s.item.version);
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                s.item.key,
                cell(&s.item.title),
                cell(&s.item.status.replace('_', " ")),
                if s.item.ready { "yes" } else { "no" }
            );
        }
    }
    document(Kind::Blueprint, title, md, src)
}

/// A blueprint's body: after its title line, before its sources.
fn body(markdown: &str) -> &str {
    let start = markdown.find("\n\n").map_or(0, |i| i + 2);
    let end = markdown.find("\n\n## Sources\n").unwrap_or(markdown.len());
    &markdown[start..end.max(start)]
}

/// Every heading one level down. Text a person wrote never starts a line with `#` here (the
/// blueprint escapes it), so each such line is one of the blueprint's own headings.
fn demoted(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 64);
    for l in body.lines() {
        if l.starts_with('#') {
            out.push('#');
        }
        out.push_str(l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_part_loses_its_title_and_sources_and_its_headings_go_down_a_level() {
        let md = "# Solution Blueprint: X (ONB)\n\n| | |\n\n## Problem\n\ntext\n\n### Evidence\n\n\\# not one\n\n## Sources\n\n| a |\n";
        assert_eq!(
            super::demoted(super::body(md)),
            "| | |\n\n### Problem\n\ntext\n\n#### Evidence\n\n\\# not one\n"
        );
    }
}
