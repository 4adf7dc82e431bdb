//! Resources: stories, initiatives and documents an agent can attach as context, addressed as
//! `throughline://ONB/items/ONB-42`, `throughline://ONB/initiatives/7` and
//! `throughline://ONB/documents/brief` (`plan`, or `blueprint/7` for one initiative). A product
//! key held by several of the caller's workspaces takes `?workspace=acme`.

use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};

use super::{resolve, Caller};
use crate::backlog::{service, Item};
use crate::calendar::{today, Quarter};
use crate::db::Db;
use crate::docs::compose::{make, Params};
use crate::docs::Kind;
use crate::error::{Error, Result};
use crate::governance::listing::{page, ListParams};
use crate::strategy::{initiatives, research, SortBy};
use crate::workspace::{store as ws_store, ProductCtx};

const SCHEME: &str = "throughline://";
/// Open items listed per product; the item template reaches every other one.
const LISTED_ITEMS: i64 = 50;

pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new("throughline://{product}/items/{key}", "Backlog item")
            .with_description("A story, bug, task or spike as a brief to build from: the story, acceptance criteria, readiness, dependencies.")
            .with_mime_type("text/markdown"),
        ResourceTemplate::new("throughline://{product}/initiatives/{id}", "Initiative")
            .with_description("An initiative with its problem, assumptions, scores, items and evidence (JSON).")
            .with_mime_type("application/json"),
        ResourceTemplate::new("throughline://{product}/documents/{kind}", "Document")
            .with_description("`brief` (Product Strategy Brief) or `plan` (Implementation Plan), as Markdown; `blueprint/{id}` for one initiative's Solution Blueprint.")
            .with_mime_type("text/markdown"),
    ]
}

/// Each visible product's documents, its initiatives and its first open items.
pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<Resource>> {
    let mut out = Vec::new();
    for ws in ws_store::workspaces_of(db, caller.user.id).await? {
        for p in ws_store::products(db, ws.id).await? {
            let ctx = ws_store::product_ctx(db, caller.user.id, &ws.slug, &p.key).await?;
            let base = format!("{SCHEME}{}", p.key);
            let suffix = format!("?workspace={}", ws.slug);
            let uri = |rest: &str| format!("{base}/{rest}{suffix}");
            for kind in [Kind::Brief, Kind::Plan] {
                out.push(
                    Resource::new(
                        uri(&format!("documents/{}", kind.as_str())),
                        format!("{} {}", p.key, kind.title()),
                    )
                    .with_mime_type("text/markdown"),
                );
            }
            let quarter = Quarter::of(today());
            for i in initiatives::list(db, &ctx, SortBy::Priority, quarter).await? {
                out.push(
                    Resource::new(
                        uri(&format!("initiatives/{}", i.id)),
                        format!("{} initiative: {}", p.key, i.title),
                    )
                    .with_mime_type("application/json"),
                );
            }
            let params = ListParams {
                q: Some("is:open".into()),
                cursor: None,
                limit: Some(LISTED_ITEMS),
            };
            for s in page(db, &ctx, &params).await?.items {
                out.push(
                    Resource::new(
                        uri(&format!("items/{}", s.key)),
                        format!("{} {}", s.key, s.title),
                    )
                    .with_mime_type("text/markdown"),
                );
            }
        }
    }
    Ok(out)
}

/// What a URI names: the product key, the workspace if given, and the rest of the path.
fn parse(uri: &str) -> Result<(String, Option<String>, Vec<String>)> {
    let bad = || {
        Error::invalid(
            "uri",
            "a resource such as throughline://ONB/items/ONB-42, throughline://ONB/initiatives/7 or throughline://ONB/documents/brief",
        )
    };
    let rest = uri.strip_prefix(SCHEME).ok_or_else(bad)?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let workspace = match query {
        None => None,
        Some(q) => Some(
            q.strip_prefix("workspace=")
                .filter(|w| !w.is_empty() && !w.contains('&'))
                .ok_or_else(bad)?
                .to_string(),
        ),
    };
    let mut parts = path.split('/').filter(|s| !s.is_empty()).map(String::from);
    let product = parts.next().ok_or_else(bad)?;
    Ok((product, workspace, parts.collect()))
}

pub async fn read(db: &Db, caller: &Caller, uri: &str) -> Result<ReadResourceResult> {
    let (product, workspace, rest) = parse(uri)?;
    let ctx = resolve::product(db, caller, &product, workspace.as_deref()).await?;
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let (text, mime) = match rest.as_slice() {
        ["items", key] => (
            item_brief(&service::get(db, &ctx, key).await?),
            "text/markdown",
        ),
        ["initiatives", id] => (initiative(db, &ctx, id).await?, "application/json"),
        ["documents", kind] => (document(db, &ctx, kind, None).await?, "text/markdown"),
        ["documents", "blueprint", id] => (
            document(db, &ctx, "blueprint", Some(number(id)?)).await?,
            "text/markdown",
        ),
        _ => return Err(Error::NotFound),
    };
    Ok(ReadResourceResult::new(vec![ResourceContents::text(
        text, uri,
    )
    .with_mime_type(mime)]))
}

fn number(s: &str) -> Result<i64> {
    s.parse().map_err(|_| Error::NotFound)
}

async fn initiative(db: &Db, ctx: &ProductCtx, id: &str) -> Result<String> {
    let id = crate::ids::InitiativeId(number(id)?);
    let i = initiatives::get(db, ctx, id).await?;
    let evidence = research::evidence_for(db, ctx, id).await?;
    let v = serde_json::json!({ "initiative": i, "evidence": evidence });
    serde_json::to_string_pretty(&v).map_err(|e| Error::Internal(e.into()))
}

async fn document(
    db: &Db,
    ctx: &ProductCtx,
    kind: &str,
    initiative: Option<i64>,
) -> Result<String> {
    let kind = Kind::parse(kind).map_err(|_| Error::NotFound)?;
    let params = Params {
        quarter: None,
        initiative,
        release: None,
    };
    Ok(make(db, ctx, kind, &params).await?.markdown)
}

/// An item as a brief a developer or an agent can build from.
pub fn item_brief(i: &Item) -> String {
    let mut md = format!("# {} {}\n\n", i.key, i.title);
    let points = i
        .points
        .map(|p| p.to_string())
        .unwrap_or_else(|| "not estimated".into());
    md.push_str(&format!(
        "- Kind: {}\n- Status: {}\n- Points: {points}\n- Ready: {}\n- Version: {}\n",
        i.kind,
        i.status,
        if i.ready { "yes" } else { "no" },
        i.version
    ));
    if let Some(id) = i.initiative_id {
        md.push_str(&format!("- Initiative: {id}\n"));
    }
    if !i.labels.is_empty() {
        md.push_str(&format!("- Labels: {}\n", i.labels.join(", ")));
    }
    if !i.persona.is_empty() || !i.goal.is_empty() || !i.benefit.is_empty() {
        md.push_str(&format!(
            "\n## Story\n\nAs {}, I want {}, so that {}.\n",
            or_missing(&i.persona),
            or_missing(&i.goal),
            or_missing(&i.benefit)
        ));
    }
    if !i.description.trim().is_empty() {
        md.push_str(&format!("\n## Description\n\n{}\n", i.description.trim()));
    }
    md.push_str("\n## Acceptance criteria\n\n");
    if i.criteria.is_empty() {
        md.push_str("None yet.\n");
    }
    for c in &i.criteria {
        md.push_str(&format!("{}. {}\n", c.position, c.text));
    }
    if !i.ready {
        md.push_str(&format!(
            "\n## Not ready yet\n\n```json\n{}\n```\n",
            serde_json::to_string_pretty(&i.readiness).unwrap_or_default()
        ));
    }
    if !i.blocked_by.is_empty() || !i.blocks.is_empty() {
        md.push_str("\n## Dependencies\n\n");
        if !i.blocked_by.is_empty() {
            md.push_str(&format!("- Blocked by: {}\n", i.blocked_by.join(", ")));
        }
        if !i.blocks.is_empty() {
            md.push_str(&format!("- Blocks: {}\n", i.blocks.join(", ")));
        }
    }
    if i.open_questions > 0 {
        md.push_str(&format!(
            "\n{} open question(s): read them with get_item before building.\n",
            i.open_questions
        ));
    }
    md
}

fn or_missing(s: &str) -> &str {
    if s.trim().is_empty() {
        "(not given)"
    } else {
        s.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn uris_name_a_product_an_optional_workspace_and_a_path() {
        let (p, w, rest) = parse("throughline://ONB/items/ONB-42").unwrap_or_default();
        assert_eq!(
            (p.as_str(), w, rest),
            ("ONB", None, vec!["items".to_string(), "ONB-42".to_string()])
        );
        let (_, w, _) =
            parse("throughline://ONB/documents/brief?workspace=acme").unwrap_or_default();
        assert_eq!(w.as_deref(), Some("acme"));
        assert!(parse("https://ONB/items/ONB-1").is_err());
        assert!(parse("throughline://ONB/items?x=1").is_err());
    }
}
