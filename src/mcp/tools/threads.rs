//! Conversation on an item: questions, answers, comments, and an agent's proposed verdict on
//! an acceptance criterion.
//!
//! Review verdicts are the Product Owner's (E8: the PO checks each criterion in the sprint
//! review), and the review has no notion of a proposed verdict. So `check_criterion` records
//! the agent's verdict as a comment on the item, in a fixed form that names the criterion,
//! pass or fail, and the evidence; the PO reads it on the item and in the review and records
//! the verdict there. Nothing the agent says changes a verdict by itself.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

use super::object;
use crate::backlog::service;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::mcp::{resolve, Caller};
use crate::story::{comments, questions};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AskQuestion {
    /// The item's key, e.g. `ONB-42`.
    pub key: String,
    pub body: String,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn ask_question(db: &Db, caller: &Caller, a: AskQuestion) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    object(
        "question",
        questions::ask(db, &caller.user, &ctx, &a.key, &a.body).await?,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerQuestion {
    /// The item's key, e.g. `ONB-42`.
    pub key: String,
    /// The question's id (get_item lists them).
    pub question: i64,
    pub answer: String,
    /// The question's version you read; its current one when omitted.
    pub version: Option<i64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn answer_question(db: &Db, caller: &Caller, a: AnswerQuestion) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    let item = service::get(db, &ctx, &a.key).await?;
    let find = |qs: Vec<questions::Question>| {
        qs.into_iter().find(|q| q.id == a.question).ok_or_else(|| {
            Error::invalid(
                "question",
                format!("{} has no question {}", a.key, a.question),
            )
        })
    };
    let version = match a.version {
        Some(v) => v,
        None => find(questions::for_item(db, item.id).await?)?.version,
    };
    questions::answer(
        db,
        &caller.user,
        &ctx,
        &a.key,
        a.question,
        version,
        &a.answer,
    )
    .await?;
    object("question", find(questions::for_item(db, item.id).await?)?)
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddComment {
    /// The item's key, e.g. `ONB-42`.
    pub key: String,
    /// Plain text; `@handle` (the start of a member's e-mail) tells them.
    pub body: String,
    /// The id of an open question this follows up.
    pub question: Option<i64>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

pub async fn add_comment(db: &Db, caller: &Caller, a: AddComment) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    object(
        "comment",
        comments::add(db, &caller.user, &ctx, &a.key, &a.body, a.question).await?,
    )
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckCriterion {
    /// The item's key, e.g. `ONB-42`.
    pub key: String,
    /// The criterion's position, 1 for the first.
    pub position: i64,
    /// Whether the work meets it.
    pub pass: bool,
    /// What you checked and what you saw.
    pub note: Option<String>,
    /// Evidence: a pull request, a test run, a screenshot.
    pub link: Option<String>,
    /// The workspace, when the key is in several of yours.
    pub workspace: Option<String>,
}

/// The comment that carries a proposed verdict: the PO confirms it in the review.
pub fn proposal(position: i64, criterion: &str, pass: bool, note: &str, link: &str) -> String {
    let verdict = if pass { "PASS" } else { "FAIL" };
    let mut out = format!(
        "Proposed review verdict on criterion {position} (\"{criterion}\"): {verdict}. For the Product Owner to confirm in the sprint review."
    );
    if !note.is_empty() {
        out.push_str(&format!("\nNote: {note}"));
    }
    if !link.is_empty() {
        out.push_str(&format!("\nEvidence: {link}"));
    }
    out
}

pub async fn check_criterion(db: &Db, caller: &Caller, a: CheckCriterion) -> Result<Value> {
    let ctx = resolve::item(db, caller, &a.key, a.workspace.as_deref()).await?;
    let note = a.note.as_deref().map(str::trim).unwrap_or_default();
    let link = a.link.as_deref().map(str::trim).unwrap_or_default();
    if note.is_empty() && link.is_empty() {
        return Err(Error::invalid(
            "note",
            "give a note or a link: what shows the criterion is met or not",
        ));
    }
    let item = service::get(db, &ctx, &a.key).await?;
    let criterion = item
        .criteria
        .iter()
        .find(|c| c.position == a.position)
        .ok_or_else(|| {
            Error::invalid(
                "position",
                format!(
                    "{} has {} acceptance criteria; give a position from 1",
                    a.key,
                    item.criteria.len()
                ),
            )
        })?;
    let body = proposal(a.position, &criterion.text, a.pass, note, link);
    let comment = comments::add(db, &caller.user, &ctx, &a.key, &body, None).await?;
    Ok(json!({
        "proposed": { "position": a.position, "criterion": criterion.text, "pass": a.pass },
        "recorded_as": "comment",
        "comment": super::json(comment)?,
    }))
}
