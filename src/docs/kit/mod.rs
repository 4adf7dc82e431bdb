//! The hand-off kit (D1): per initiative, release or sprint, the files a developer or a coding
//! agent builds from — `AGENTS.md` and its pointers, one brief per story, spec-kit, Kiro and
//! Task Master specs, MCP connections and prompts — with a `manifest.json` that lists every
//! file's SHA-256 and the record versions it was made from. Only ready items go in, unless the
//! Product Owner let one in with a reason. Deterministic: the same data and base address give
//! byte-identical files and zip.

pub mod agents;
pub mod archive;
pub mod connect;
pub mod exceptions;
pub mod gather;
pub mod specs;
pub mod stories;
pub mod taskmaster;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::gather::Story;
use super::rules::build_order;
use super::{SourceRecord, Sources};
use crate::auth::Action;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use gather::KitData;

/// What a kit is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Initiative(i64),
    Release(i64),
    Sprint(i64),
}

impl Scope {
    /// From the three optional parameters of the API and the CLI: exactly one must be given.
    pub fn from_params(
        initiative: Option<i64>,
        release: Option<i64>,
        sprint: Option<i64>,
    ) -> Result<Scope> {
        match (initiative, release, sprint) {
            (Some(i), None, None) => Ok(Scope::Initiative(i)),
            (None, Some(r), None) => Ok(Scope::Release(r)),
            (None, None, Some(s)) => Ok(Scope::Sprint(s)),
            (None, None, None) => Err(Error::invalid(
                "initiative",
                "a kit is of one initiative, release or sprint: give one of initiative, release or sprint",
            )),
            _ => Err(Error::invalid(
                "initiative",
                "give only one of initiative, release or sprint",
            )),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            Scope::Initiative(_) => "initiative",
            Scope::Release(_) => "release",
            Scope::Sprint(_) => "sprint",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Scope::Initiative(i) | Scope::Release(i) | Scope::Sprint(i) => i,
        }
    }
}

/// One file of the kit, by its path inside the kit (forward slashes).
#[derive(Clone, Debug)]
pub struct KitFile {
    pub path: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub bytes: usize,
}

/// An item in scope and whether it went in.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestItem {
    pub key: String,
    pub title: String,
    /// `ready`, `exception` (the Product Owner let it in: see `reason`) or `left_out`.
    pub included: String,
    /// The exception's reason, or why the item is not ready when it was left out.
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ManifestScope {
    /// initiative, release or sprint.
    pub kind: String,
    pub id: i64,
    pub title: String,
}

/// `manifest.json`: every other file with its SHA-256, the items and the source records.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Manifest {
    pub format: String,
    pub product: String,
    pub scope: ManifestScope,
    /// The folder name the kit unpacks to and the zip is named after.
    pub name: String,
    /// The address the kit's links and MCP connections point at.
    pub base_url: String,
    pub files: Vec<ManifestFile>,
    /// Build order: the items that went in first, then those left out, in backlog order.
    pub items: Vec<ManifestItem>,
    pub sources: Vec<SourceRecord>,
}

pub struct Kit {
    pub manifest: Manifest,
    /// Sorted by path, `manifest.json` last.
    pub files: Vec<KitFile>,
}

/// Everything the file writers share: the data, what went in, in build order, and where
/// links point.
pub struct Ctx<'a> {
    pub product: &'a crate::workspace::Product,
    pub workspace: &'a str,
    pub scope: Scope,
    pub title: String,
    pub name: String,
    pub base_url: String,
    pub data: &'a KitData,
    /// The items that went in, in build order.
    pub built: Vec<&'a Story>,
    /// The items left out, in backlog order, with why.
    pub left_out: Vec<(&'a Story, String)>,
}

impl Ctx<'_> {
    /// The address of an item's page.
    pub fn item_url(&self, key: &str) -> String {
        format!("{}/w/{}/items/{key}", self.base_url, self.workspace)
    }

    /// The rank of the item's initiative among this quarter's priorities (1 = top), or none
    /// when the item is unaligned.
    pub fn tier(&self, s: &Story) -> Option<i64> {
        let quarter = crate::calendar::Quarter::of(crate::calendar::today()).to_string();
        let i = self
            .data
            .initiatives
            .iter()
            .find(|i| Some(i.id) == s.item.initiative_id)?;
        i.priorities
            .iter()
            .find(|p| p.quarter == quarter)
            .map(|p| p.position)
    }

    /// The items that block this one and are not done yet, those in the kit marked as such.
    pub fn blockers(&self, s: &Story) -> Vec<String> {
        s.item
            .blocked_by
            .iter()
            .filter(|b| !self.data.done.contains(*b))
            .map(|b| {
                if self.built.iter().any(|x| &x.item.key == b) {
                    b.clone()
                } else {
                    format!("{b} (not in this kit)")
                }
            })
            .collect()
    }

    /// The Product Owner's reason for letting this item in, when it is not ready.
    pub fn exception(&self, s: &Story) -> Option<&str> {
        if s.item.ready {
            None
        } else {
            self.data.exceptions.get(&s.item.id).map(String::as_str)
        }
    }
}

/// A name safe as a folder and a file name: lower-case letters, digits and dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(48).collect();
    out.trim_end_matches('-').to_string()
}

pub async fn make(db: &Db, ctx: &ProductCtx, scope: Scope, base_url: &str) -> Result<Kit> {
    ctx.grants.require(Action::ViewDocuments)?;
    let data = gather::kit(db, ctx, scope).await?;
    Ok(write(ctx, scope, base_url, &data))
}

fn title_of(scope: Scope, d: &KitData) -> String {
    match scope {
        Scope::Initiative(_) => d
            .initiatives
            .first()
            .map_or_else(|| "initiative".into(), |i| i.title.clone()),
        Scope::Release(_) => d
            .release
            .as_ref()
            .map_or_else(|| "release".into(), |r| format!("Release {}", r.name)),
        Scope::Sprint(_) => d
            .sprint
            .as_ref()
            .map_or_else(|| "sprint".into(), |s| s.name.clone()),
    }
}

/// Writes every file of the kit from its data (pure).
pub fn write(ctx: &ProductCtx, scope: Scope, base_url: &str, data: &KitData) -> Kit {
    let title = title_of(scope, data);
    let head = format!(
        "{}-{}-{}",
        ctx.product.key.to_lowercase(),
        scope.kind(),
        scope.id()
    );
    // "Sprint 5", sprint 5, names the kit once: onb-sprint-5, not onb-sprint-5-sprint-5.
    let tail = slug(&title);
    let name = match tail.is_empty() || tail == format!("{}-{}", scope.kind(), scope.id()) {
        true => head,
        false => format!("{head}-{tail}"),
    };
    let included = |s: &Story| s.item.ready || data.exceptions.contains_key(&s.item.id);
    let keys: Vec<String> = data
        .stories
        .iter()
        .filter(|s| included(s))
        .map(|s| s.item.key.clone())
        .collect();
    let blocks: Vec<(String, String)> = data
        .stories
        .iter()
        .flat_map(|s| {
            s.item
                .blocked_by
                .iter()
                .filter(|b| !data.done.contains(*b))
                .map(|b| (b.clone(), s.item.key.clone()))
        })
        .collect();
    let built: Vec<&Story> = build_order(&keys, &blocks)
        .iter()
        .filter_map(|k| data.stories.iter().find(|s| &s.item.key == k))
        .collect();
    let left_out: Vec<(&Story, String)> = data
        .stories
        .iter()
        .filter(|s| !included(s))
        .map(|s| {
            let why = super::blueprint::reasons(&s.item.readiness);
            let why = if why.is_empty() {
                "not ready".to_string()
            } else {
                why.join("; ")
            };
            (s, why)
        })
        .collect();
    let k = Ctx {
        product: &ctx.product,
        workspace: &ctx.workspace.slug,
        scope,
        title: title.clone(),
        name: name.clone(),
        base_url: base_url.trim_end_matches('/').to_string(),
        data,
        built,
        left_out,
    };
    let mut files = Vec::new();
    files.extend(agents::files(&k));
    files.extend(stories::files(&k));
    files.extend(specs::spec_kit(&k));
    files.extend(specs::kiro(&k));
    files.push(taskmaster::file(&k));
    files.extend(connect::files(&k));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: "throughline-handoff-kit/1".into(),
        product: ctx.product.key.clone(),
        scope: ManifestScope {
            kind: scope.kind().into(),
            id: scope.id(),
            title,
        },
        name,
        base_url: k.base_url.clone(),
        files: files
            .iter()
            .map(|f| ManifestFile {
                path: f.path.clone(),
                sha256: hex::encode(Sha256::digest(f.text.as_bytes())),
                bytes: f.text.len(),
            })
            .collect(),
        items: k
            .built
            .iter()
            .map(|s| ManifestItem {
                key: s.item.key.clone(),
                title: s.item.title.clone(),
                included: if s.item.ready { "ready" } else { "exception" }.into(),
                reason: k.exception(s).map(str::to_string),
            })
            .chain(k.left_out.iter().map(|(s, why)| ManifestItem {
                key: s.item.key.clone(),
                title: s.item.title.clone(),
                included: "left_out".into(),
                reason: Some(why.clone()),
            }))
            .collect(),
        sources: sources(&ctx.product.key, data),
    };
    let json = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
    files.push(KitFile {
        path: "manifest.json".into(),
        text: json,
    });
    Kit { manifest, files }
}

fn sources(product: &str, d: &KitData) -> Vec<SourceRecord> {
    let mut src = Sources::default();
    src.add("vision", product, d.vision.version);
    for p in &d.personas {
        src.add("persona", p.id, p.version);
    }
    for i in &d.initiatives {
        src.add("initiative", i.id, i.version);
    }
    for s in &d.stories {
        src.add("item", &s.item.key, s.item.version);
    }
    if let Some(r) = &d.release {
        src.add("release", r.id, r.version);
    }
    if let Some(s) = &d.sprint {
        src.add("sprint", s.id, s.version);
    }
    src.finish()
}
