//! Sprint, alignment and document tools, through the sprint, governance and docs services.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::json;
use crate::db::Db;
use crate::docs::compose::{make, Params};
use crate::docs::Kind;
use crate::error::{Error, Result};
use crate::flow::alignment::report;
use crate::governance::alignment::AlignmentParams;
use crate::mcp::{resolve, Caller};
use crate::sprint::{board, service as sprints, Sprint};
use crate::workspace::ProductCtx;

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSprint {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The sprint's id; the active sprint (else the next planned one) when omitted.
    pub sprint: Option<i64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

/// The sprint a tool means when none is named: the active one, else the next planned one.
pub async fn current_sprint(db: &Db, ctx: &ProductCtx) -> Result<Sprint> {
    let all = sprints::list(db, ctx, None).await?;
    let pick = all
        .iter()
        .find(|s| s.state == "active")
        .or_else(|| {
            all.iter()
                .filter(|s| s.state == "planned")
                .min_by_key(|s| (s.start_date, s.id))
        })
        .cloned();
    pick.ok_or_else(|| {
        Error::invalid(
            "sprint",
            format!(
                "{} has no active or planned sprint; give a sprint id",
                ctx.product.key
            ),
        )
    })
}

pub async fn get_sprint(db: &Db, caller: &Caller, a: GetSprint) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let id = match a.sprint {
        Some(id) => crate::ids::SprintId(id),
        None => current_sprint(db, &ctx).await?.id,
    };
    let b = board::board(db, &ctx, id).await?;
    Ok(json!({
        "sprint": json(&b.sprint)?,
        "columns": json(&b.columns)?,
        "warnings": b.warnings,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetAlignment {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// A sprint's id: that sprint's alignment.
    pub sprint: Option<i64>,
    /// A quarter such as `2026-Q4`: every sprint starting in it. The current quarter when
    /// none is given.
    pub quarter: Option<String>,
    /// A month such as `2026-11`: the items started and finished in it.
    pub month: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_alignment(db: &Db, caller: &Caller, a: GetAlignment) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let quarter = match (&a.sprint, a.quarter, &a.month) {
        (None, None, None) => Some(super::strategy::quarter(None)?.to_string()),
        (_, q, _) => q,
    };
    let p = AlignmentParams {
        sprint: a.sprint.map(crate::ids::SprintId),
        quarter,
        month: a.month,
        team: None,
    };
    json(report(db, &ctx, &p).await?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetDocument {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// `brief` (Product Strategy Brief), `blueprint` (Solution Blueprint of one initiative) or
    /// `plan` (Implementation Plan).
    pub kind: String,
    /// The brief's quarter, e.g. `2026-Q4`; the current one when omitted.
    pub quarter: Option<String>,
    /// The initiative's id: a `blueprint` needs it or `release`; optional for `plan`.
    pub initiative: Option<i64>,
    /// The release's id: the blueprint or plan of everything it ships.
    pub release: Option<i64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_document(db: &Db, caller: &Caller, a: GetDocument) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let kind = Kind::parse(&a.kind)?;
    let quarter = match a.quarter.as_deref() {
        Some(q) => Some(super::strategy::quarter(Some(q))?),
        None => None,
    };
    let params = Params {
        quarter,
        initiative: a.initiative,
        release: a.release,
    };
    let doc = make(db, &ctx, kind, &params).await?;
    Ok(json!({
        "kind": doc.kind,
        "title": doc.title,
        "markdown": doc.markdown,
        "sources": json(&doc.sources)?,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetHandoffKit {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The initiative's id (give exactly one of initiative, release, sprint).
    pub initiative: Option<i64>,
    pub release: Option<i64>,
    pub sprint: Option<i64>,
    /// The server's address for the kit's links and MCP entries; `THROUGHLINE_BASE_URL` or
    /// `http://127.0.0.1:8080` when omitted.
    pub base_url: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_handoff_kit(db: &Db, caller: &Caller, a: GetHandoffKit) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let scope = crate::docs::kit::Scope::from_params(a.initiative, a.release, a.sprint)?;
    let base = a
        .base_url
        .or_else(|| std::env::var("THROUGHLINE_BASE_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let kit = crate::docs::kit::make(db, &ctx, scope, &base).await?;
    let files: Vec<Value> = kit
        .files
        .iter()
        .map(|f| json!({"path": f.path, "text": f.text}))
        .collect();
    Ok(json!({"manifest": json(&kit.manifest)?, "files": files}))
}
