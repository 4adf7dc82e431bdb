//! Documents (D1): the Product Strategy Brief, the Solution Blueprint and the Implementation
//! Plan, written from the data as Markdown (the canonical text) and printable HTML. The rules
//! here are pure: the build order, the risks, how a missing section reads, the sources table.

pub mod blueprint;
pub mod blueprint_release;
pub mod brief;
pub mod compose;
pub mod gather;
pub mod kit;
pub mod plan;
pub mod print;
pub mod raw;
pub mod rules;
pub mod signoff;

use serde::Serialize;

use crate::error::{Error, Result};

/// Which document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Brief,
    Blueprint,
    Plan,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Brief, Kind::Blueprint, Kind::Plan];

    pub fn parse(s: &str) -> Result<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| Error::invalid("kind", "one of brief, blueprint, plan"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Brief => "brief",
            Kind::Blueprint => "blueprint",
            Kind::Plan => "plan",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Brief => "Product Strategy Brief",
            Kind::Blueprint => "Solution Blueprint",
            Kind::Plan => "Implementation Plan",
        }
    }
}

/// One record a document was made from, at the version it was read: what a sign-off will
/// freeze and later compare.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct SourceRecord {
    /// vision, insight, persona, competitor, objective, metric, priority, initiative, item,
    /// sprint, decision, release, signoff.
    pub kind: String,
    /// The item's key (`ONB-42`), the product's key for its vision, else the record's id.
    pub key: String,
    pub version: i64,
}

/// A written document: its title, its Markdown and the records behind it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Document {
    pub kind: String,
    pub title: String,
    #[serde(skip)]
    pub markdown: String,
    /// Sorted by kind, then key (numbers by value), one entry per record.
    pub sources: Vec<SourceRecord>,
}

/// The records a document reads, collected while it is written.
#[derive(Default)]
pub struct Sources(Vec<SourceRecord>);

impl Sources {
    pub fn add(&mut self, kind: &str, key: impl ToString, version: i64) {
        self.0.push(SourceRecord {
            kind: kind.into(),
            key: key.to_string(),
            version,
        });
    }

    /// In a stable order (kind, then key with its number compared as a number), without repeats.
    pub fn finish(mut self) -> Vec<SourceRecord> {
        self.0.sort_by(|a, b| {
            (a.kind.as_str(), rules::natural(&a.key), a.version).cmp(&(
                b.kind.as_str(),
                rules::natural(&b.key),
                b.version,
            ))
        });
        self.0.dedup();
        self.0
    }
}

/// Finishes a document: the body, then its sources as the last section.
pub fn document(kind: Kind, title: String, body: String, sources: Sources) -> Document {
    let sources = sources.finish();
    let mut markdown = body.trim_end().to_string();
    markdown.push_str("\n\n## Sources\n\n");
    markdown.push_str(
        "The records this document was made from, at the versions read. A record whose version \
         has moved on has changed since.\n\n",
    );
    markdown.push_str("| Record | Key | Version |\n| --- | --- | ---: |\n");
    for s in &sources {
        markdown.push_str(&format!(
            "| {} | {} | {} |\n",
            s.kind,
            rules::cell(&s.key),
            s.version
        ));
    }
    Document {
        kind: kind.as_str().into(),
        title,
        markdown,
        sources,
    }
}
