//! Documents sent for sign-off (S9): the document is frozen as it was sent — its text and the
//! versions of the records it was made from — and later compared with what the same document
//! says now: which records changed, and a readable diff of the text.

use serde::{Deserialize, Serialize};
use serde_json::json;
use similar::TextDiff;

use super::raw::{make_raw, Params};
use super::{Kind, SourceRecord};
use crate::auth::store::User;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::roadmap::signoff::{self, Request};
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// What a document sign-off froze, kept in the request's snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Frozen {
    kind: String,
    quarter: Option<String>,
    initiative: Option<i64>,
    /// The release of a release's blueprint or plan (absent in sign-offs sent before).
    #[serde(default)]
    release: Option<i64>,
    title: String,
    markdown: String,
    sources: Vec<Frozen1>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Frozen1 {
    kind: String,
    key: String,
    version: i64,
}

/// A record whose version moved, or that came or went, since the document was sent.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RecordChange {
    pub kind: String,
    pub key: String,
    /// Its version when sent (none: it was not in the document then).
    pub then: Option<i64>,
    /// Its version now (none: the document no longer reads it).
    pub now: Option<i64>,
}

/// A document's sign-off with what changed since it was sent.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DocumentSignoff {
    pub request: Request,
    /// brief, blueprint or plan.
    pub kind: String,
    pub quarter: Option<String>,
    pub initiative: Option<i64>,
    pub release: Option<i64>,
    /// Whether the document reads differently now.
    pub changed: bool,
    pub records: Vec<RecordChange>,
    /// A unified diff of the document's Markdown, sent → now; empty when unchanged.
    pub diff: String,
    /// Why the document cannot be written now (its initiative was deleted, say).
    pub gone: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendInput {
    pub title: String,
    /// The brief's quarter; the current one by default.
    pub quarter: Option<String>,
    /// The initiative of a blueprint or a plan.
    pub initiative: Option<i64>,
    /// The release of a blueprint or a plan, instead of an initiative.
    pub release: Option<i64>,
}

/// Sends the document as it reads now for sign-off by the product's stakeholders.
pub async fn send(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    kind: Kind,
    input: &SendInput,
) -> Result<DocumentSignoff> {
    let quarter = match &input.quarter {
        Some(q) => Some(
            Quarter::parse(q)
                .map_err(|_| Error::invalid("quarter", "a quarter such as 2026-Q4"))?,
        ),
        None if kind == Kind::Brief => Some(Quarter::of(crate::calendar::today())),
        None => None,
    };
    let params = Params {
        quarter,
        initiative: input.initiative,
        release: input.release,
    };
    let doc = make_raw(db, ctx, kind, &params).await?;
    let frozen = Frozen {
        kind: kind.as_str().into(),
        quarter: quarter.map(|q| q.to_string()),
        initiative: input.initiative,
        release: input.release,
        title: doc.title.clone(),
        markdown: doc.markdown,
        sources: doc.sources.iter().map(frozen1).collect(),
    };
    let title = if input.title.trim().is_empty() {
        doc.title
    } else {
        input.title.clone()
    };
    let req = signoff::open(db, actor, ctx, "document", None, &title, &json!(frozen)).await?;
    view(db, ctx, req.id).await
}

fn frozen1(s: &SourceRecord) -> Frozen1 {
    Frozen1 {
        kind: s.kind.clone(),
        key: s.key.clone(),
        version: s.version,
    }
}

/// A document sign-off, compared with the document as it reads now.
pub async fn view(db: &Db, ctx: &ProductCtx, id: i64) -> Result<DocumentSignoff> {
    let request = signoff::get(db, ctx, id).await?;
    if request.subject != "document" {
        return Err(Error::NotFound);
    }
    let frozen: Frozen = serde_json::from_value(request.snapshot.clone())
        .map_err(|e| Error::Internal(anyhow::anyhow!("sign-off {id}: {e}")))?;
    let params = Params {
        quarter: frozen
            .quarter
            .as_deref()
            .and_then(|q| Quarter::parse(q).ok()),
        initiative: frozen.initiative,
        release: frozen.release,
    };
    let now = make_raw(db, ctx, Kind::parse(&frozen.kind)?, &params).await;
    let (records, diff, gone) = match now {
        Ok(doc) => {
            let now: Vec<Frozen1> = doc.sources.iter().map(frozen1).collect();
            (
                compare(&frozen.sources, &now),
                unified(&frozen.markdown, &doc.markdown),
                None,
            )
        }
        Err(Error::Invalid { message, .. }) => (vec![], String::new(), Some(message)),
        Err(e) => return Err(e),
    };
    Ok(DocumentSignoff {
        changed: !diff.is_empty() || gone.is_some(),
        kind: frozen.kind,
        quarter: frozen.quarter,
        initiative: frozen.initiative,
        release: frozen.release,
        records,
        diff,
        gone,
        request,
    })
}

fn compare(then: &[Frozen1], now: &[Frozen1]) -> Vec<RecordChange> {
    let find = |list: &[Frozen1], s: &Frozen1| {
        list.iter()
            .find(|x| x.kind == s.kind && x.key == s.key)
            .map(|x| x.version)
    };
    let mut out: Vec<RecordChange> = then
        .iter()
        .filter_map(|s| {
            let v = find(now, s);
            (v != Some(s.version)).then(|| RecordChange {
                kind: s.kind.clone(),
                key: s.key.clone(),
                then: Some(s.version),
                now: v,
            })
        })
        .collect();
    out.extend(
        now.iter()
            .filter(|s| find(then, s).is_none())
            .map(|s| RecordChange {
                kind: s.kind.clone(),
                key: s.key.clone(),
                then: None,
                now: Some(s.version),
            }),
    );
    out
}

fn unified(then: &str, now: &str) -> String {
    if then == now {
        return String::new();
    }
    TextDiff::from_lines(then, now)
        .unified_diff()
        .context_radius(2)
        .header("sent for sign-off", "now")
        .to_string()
}

/// The latest sign-off this document (same kind and parameters) was sent for, if any.
pub async fn latest(db: &Db, ctx: &ProductCtx, kind: Kind, p: &Params) -> Result<Option<Request>> {
    let quarter = p.quarter.map(|q| q.to_string());
    Ok(signoff::list(db, ctx).await?.into_iter().find(|r| {
        r.subject == "document"
            && r.snapshot["kind"] == kind.as_str()
            && r.snapshot["initiative"].as_i64() == p.initiative
            && r.snapshot["release"].as_i64() == p.release
            && (kind != Kind::Brief || r.snapshot["quarter"].as_str() == quarter.as_deref())
    }))
}

/// The note a document opens with when it reads differently from the version sent for
/// sign-off: how many records changed, and where the diff is.
pub fn note(
    ctx: &ProductCtx,
    req: &Request,
    then: &[SourceRecord],
    markdown_then: &str,
    markdown_now: &str,
    now: &[SourceRecord],
) -> Option<String> {
    if markdown_then == markdown_now {
        return None;
    }
    let t: Vec<Frozen1> = then.iter().map(frozen1).collect();
    let n: Vec<Frozen1> = now.iter().map(frozen1).collect();
    let changes = compare(&t, &n);
    let list: Vec<String> = changes
        .iter()
        .take(8)
        .map(|c| match (c.then, c.now) {
            (Some(a), Some(b)) => format!("{} {} v{a} → v{b}", c.kind, c.key),
            (None, _) => format!("{} {} added", c.kind, c.key),
            (_, None) => format!("{} {} no longer in it", c.kind, c.key),
        })
        .collect();
    let more = changes.len().saturating_sub(8);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "> **Changed since sent for sign-off** (request {}, “{}”, {}): {} record(s) changed: {}{more}. The diff is on the sign-off page: /w/{}/p/{}/documents/signoffs/{}\n\n",
        req.id,
        super::rules::line(&req.title),
        req.status.replace('_', " "),
        changes.len(),
        list.join(", "),
        ctx.workspace.slug,
        ctx.product.key,
        req.id
    ))
}
