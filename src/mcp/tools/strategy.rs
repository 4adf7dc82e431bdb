//! Strategy tools: products, vision, priorities, initiatives, research and decisions, each
//! through the strategy room's services (the same calls as its API handlers).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{json, object};
use crate::calendar::{today, Quarter};
use crate::db::Db;
use crate::error::Result;
use crate::mcp::{resolve, Caller};
use crate::strategy::decisions::{self, DecisionInput};
use crate::strategy::model::InitiativeInput;
use crate::strategy::research_model::{InsightInput, PersonaInput, VisionInput};
use crate::strategy::{initiatives, objectives, personas, priorities, research};
use crate::workspace::store as ws_store;

/// A quarter argument, or the current quarter.
pub(super) fn quarter(q: Option<&str>) -> Result<Quarter> {
    match q.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => Quarter::parse(q),
        None => Ok(Quarter::of(today())),
    }
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListProducts {
    /// Only this workspace (its address, e.g. `acme`); all of yours when omitted.
    pub workspace: Option<String>,
}

pub async fn list_products(db: &Db, caller: &Caller, a: ListProducts) -> Result<Value> {
    let mut out = Vec::new();
    for ws in ws_store::workspaces_of(db, caller.user.id).await? {
        if a.workspace.as_deref().is_some_and(|w| w != ws.slug) {
            continue;
        }
        for p in ws_store::products(db, ws.id).await? {
            let roles = ws_store::roles_on(db, p.id, caller.user.id).await?;
            out.push(json!({
                "workspace": ws.slug,
                "key": p.key,
                "name": p.name,
                "description": p.description,
                "your_roles": roles,
            }));
        }
    }
    Ok(json!({ "products": out, "read_only": caller.read_only }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetStrategy {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// A quarter such as `2026-Q4`; the current one when omitted.
    pub quarter: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_strategy(db: &Db, caller: &Caller, a: GetStrategy) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let q = quarter(a.quarter.as_deref())?;
    Ok(json!({
        "product": ctx.product.key,
        "quarter": q.to_string(),
        "vision": json(personas::vision(db, &ctx).await?)?,
        "objectives": json(objectives::list(db, &ctx, Some(q)).await?)?,
        "priorities": json(priorities::list(db, &ctx, q).await?)?,
        "personas": json(personas::list(db, &ctx).await?)?,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPriorities {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// A quarter such as `2026-Q4`; the current one when omitted.
    pub quarter: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn list_priorities(db: &Db, caller: &Caller, a: ListPriorities) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let q = quarter(a.quarter.as_deref())?;
    Ok(json!({
        "quarter": q.to_string(),
        "priorities": json(priorities::list(db, &ctx, q).await?)?,
    }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetInitiative {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The initiative's id.
    pub id: i64,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn get_initiative(db: &Db, caller: &Caller, a: GetInitiative) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let id = crate::ids::InitiativeId(a.id);
    let initiative = initiatives::get(db, &ctx, id).await?;
    let evidence = research::evidence_for(db, &ctx, id).await?;
    Ok(json!({ "initiative": json(initiative)?, "evidence": json(evidence)? }))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchEvidence {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// Words to find in insights and sources (all of them).
    pub query: String,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn search_evidence(db: &Db, caller: &Caller, a: SearchEvidence) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    object("hits", research::search(db, &ctx, &a.query, 50).await?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddInsight {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The observation or the quote, in the customer's words where you have them.
    pub body: String,
    /// `observation` or `quote`.
    pub kind: Option<String>,
    /// 1 (low) to 5 (high).
    pub importance: Option<i64>,
    /// The research source it was drawn from (an interview, a ticket, a sales call): its id,
    /// as search_evidence answers it. Every insight has one.
    pub source_id: i64,
    /// The persona it is about.
    pub persona_id: Option<i64>,
    pub tags: Option<Vec<String>>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn add_insight(db: &Db, caller: &Caller, a: AddInsight) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let input = InsightInput {
        source_id: Some(a.source_id),
        kind: a.kind,
        body: Some(a.body),
        importance: a.importance,
        persona_id: a.persona_id.map(Some),
        tags: a.tags,
    };
    object(
        "insight",
        research::create_insight(db, &caller.user, &ctx, input).await?,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordDecision {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// What was to be decided, e.g. "Enterprise or SMB first?".
    pub question: String,
    /// The options considered.
    pub options: Option<Vec<String>>,
    pub decision: String,
    pub rationale: Option<String>,
    /// Who decided; you when omitted.
    pub decided_by: Option<String>,
    /// `YYYY-MM-DD`; today when omitted.
    pub decided_on: Option<String>,
    /// Ids of the insights used as evidence.
    pub insights: Option<Vec<i64>>,
    /// Ids of the initiatives it concerns.
    pub initiatives: Option<Vec<i64>>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn record_decision(db: &Db, caller: &Caller, a: RecordDecision) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let input = DecisionInput {
        question: Some(a.question),
        options: a.options,
        decision: Some(a.decision),
        rationale: a.rationale,
        decided_by: a.decided_by,
        decided_on: a.decided_on,
        insights: a.insights,
        initiatives: a.initiatives,
    };
    object(
        "decision",
        decisions::create(db, &caller.user, &ctx, input).await?,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SetVision {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The product's version as get_strategy shows it (`vision.version`).
    pub version: i64,
    pub vision: Option<String>,
    pub target_segments: Option<String>,
    pub positioning: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn set_vision(db: &Db, caller: &Caller, a: SetVision) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let input = VisionInput {
        vision: a.vision,
        target_segments: a.target_segments,
        positioning: a.positioning,
    };
    object(
        "vision",
        personas::set_vision(db, &caller.user, &ctx, a.version, input).await?,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddPersona {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    pub name: String,
    pub segment: Option<String>,
    pub goals: Option<String>,
    pub pains: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn add_persona(db: &Db, caller: &Caller, a: AddPersona) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let input = PersonaInput {
        name: Some(a.name),
        segment: a.segment,
        goals: a.goals,
        pains: a.pains,
    };
    object(
        "persona",
        personas::create(db, &caller.user, &ctx, input).await?,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveInitiative {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The initiative to change; a new one when omitted.
    pub id: Option<i64>,
    /// The version you read (required with `id`).
    pub version: Option<i64>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// The problem it solves, in the PM's words.
    pub problem: Option<String>,
    /// What must hold for it to work; the riskiest first.
    pub assumptions: Option<String>,
    pub out_of_scope: Option<String>,
    /// idea, discovery, planned, in_progress, shipped or dropped.
    pub status: Option<String>,
    /// Ids of the success metrics it is meant to move (replaces the list).
    pub metrics: Option<Vec<i64>>,
    /// Ids of the quarterly priorities it serves (replaces the list).
    pub priorities: Option<Vec<i64>>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn save_initiative(db: &Db, caller: &Caller, a: SaveInitiative) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let input = InitiativeInput {
        title: a.title,
        description: a.description,
        problem: a.problem,
        assumptions: a.assumptions,
        out_of_scope: a.out_of_scope,
        status: a.status,
        scores: None,
        priorities: a.priorities,
        metrics: a.metrics,
    };
    let saved = match (a.id, a.version) {
        (None, _) => initiatives::create(db, &caller.user, &ctx, input).await?,
        (Some(id), Some(v)) => {
            let id = crate::ids::InitiativeId(id);
            initiatives::update(db, &caller.user, &ctx, id, v, input).await?
        }
        (Some(_), None) => {
            return Err(crate::error::Error::invalid(
                "version",
                "give the version you read to change an initiative",
            ))
        }
    };
    object("initiative", saved)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartFromIdea {
    /// The product's key, e.g. `ONB`.
    pub product: String,
    /// The idea in a few words: the initiative's title.
    pub title: String,
    /// The problem, in the words of those who have it.
    pub problem: String,
    /// Who has it: one persona each, `Name` or `Name: who they are`; a persona with that name is reused.
    pub who: Vec<String>,
    /// How they cope today.
    pub today: Option<String>,
    pub why_now: Option<String>,
    /// What success looks like, in words: the draft stories' "so that".
    pub success: Option<String>,
    /// The success metric's name; with it, `baseline` and `target` are required.
    pub metric: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    pub out_of_scope: Option<String>,
    /// What they should be able to do first: each becomes a story labelled `draft`.
    pub first_steps: Vec<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

/// The idea intake in one call: the same service as the intake page and `throughline idea`.
pub async fn start_from_idea(db: &Db, caller: &Caller, a: StartFromIdea) -> Result<Value> {
    let ctx = resolve::product(db, caller, &a.product, a.workspace.as_deref()).await?;
    let input = crate::strategy::idea::IdeaInput {
        title: a.title,
        problem: a.problem,
        who: a.who,
        today: a.today.unwrap_or_default(),
        why_now: a.why_now.unwrap_or_default(),
        success: a.success.unwrap_or_default(),
        metric: a.metric,
        unit: a.unit,
        baseline: a.baseline,
        target: a.target,
        out_of_scope: a.out_of_scope.unwrap_or_default(),
        first_steps: a.first_steps,
    };
    object(
        "drafts",
        crate::strategy::idea::draft(db, &caller.user, &ctx, input).await?,
    )
}
