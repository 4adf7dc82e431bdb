//! The tools. Each takes a flat input object (no `anyOf`: every argument is a plain string,
//! number, boolean or list), refuses arguments it does not know, and answers a JSON object
//! (structured output). Writes are marked so that a read-only caller is refused them before
//! anything runs; the services decide everything else, as they do for the REST API.

mod backlog;
mod flow;
mod strategy;
mod threads;
mod work;

pub use work::current_sprint;

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::Caller;
use crate::db::Db;
use crate::error::{Error, Result};

/// One tool as `tools/list` shows it.
pub struct Spec {
    pub name: &'static str,
    pub description: &'static str,
    /// It changes something: refused to a read-only caller.
    pub write: bool,
    schema: fn() -> Arc<JsonObject>,
}

const fn read<T: JsonSchema + 'static>(name: &'static str, description: &'static str) -> Spec {
    Spec {
        name,
        description,
        write: false,
        schema: input_schema::<T>,
    }
}

const fn write<T: JsonSchema + 'static>(name: &'static str, description: &'static str) -> Spec {
    Spec {
        name,
        description,
        write: true,
        schema: input_schema::<T>,
    }
}

fn input_schema<T: JsonSchema + 'static>() -> Arc<JsonObject> {
    rmcp::handler::server::tool::schema_for_input::<T>()
        .unwrap_or_else(|_| rmcp::handler::server::common::schema_for_empty_input())
}

/// Every tool, reads first. (`get_handoff_kit` joins once the kits exist.)
pub const SPECS: &[Spec] = &[
    read::<strategy::ListProducts>("list_products", "The products you can see, in every workspace you belong to, with your roles on each."),
    read::<strategy::GetStrategy>("get_strategy", "A product's strategy for a quarter: vision, objectives, ranked priorities (the tiers) and personas."),
    read::<strategy::ListPriorities>("list_priorities", "A product's quarterly priorities in rank order; position 1 is tier 1."),
    read::<strategy::GetInitiative>("get_initiative", "An initiative with its problem, assumptions, scores, progress, items and the evidence behind it."),
    read::<backlog::SearchItems>("search_items", "Search a product's backlog with the backlog query language, e.g. `status:todo points>=3 label:api is:ready \"free text\" sort:-points`. Answers items in backlog order with a cursor for the next page."),
    read::<backlog::GetItem>("get_item", "One backlog item by key (ONB-42): the story, acceptance criteria, readiness with reasons, dependencies, questions and comments, and its version for save_item."),
    read::<backlog::NextReadyItem>("next_ready_item", "The item to work on next: the highest-tier item that is ready, unblocked and not started, backlog order breaking ties."),
    read::<work::GetSprint>("get_sprint", "A sprint (the active one when no id is given) with its goal, dates and board."),
    read::<work::GetAlignment>("get_alignment", "How a sprint's, a quarter's or a month's work lines up with the quarterly priorities, with the alignment score and its formula (a product in flow is scored over items started and finished in the period)."),
    read::<flow::GetFlowBoard>("get_flow_board", "A product's flow board: its open work by column with WIP limits, each card's age in column and whether it is aging (past the 85th percentile of cycle times)."),
    read::<flow::GetForecast>("get_forecast", "When a set of items will be done: a seeded Monte Carlo over the team's own history (weekly throughput in flow, sprint velocities in Scrum) giving the 50, 85 and 95 % dates, and how much is done by a date."),
    read::<strategy::SearchEvidence>("search_evidence", "Full-text search of a product's research: sources and insights (customer evidence)."),
    read::<work::GetDocument>("get_document", "A product document as Markdown: the strategy brief, an initiative's solution blueprint, or the implementation plan."),
    read::<work::GetHandoffKit>("get_handoff_kit", "The hand-off kit of an initiative, release or sprint: AGENTS.md, a brief per ready story, spec-kit, Kiro and Task Master specs and the manifest, each file with its path and text."),
    write::<backlog::SaveItem>("save_item", "Create a backlog item (give `product`), or change one (give `key` and the `version` you read: a stale version is refused with the current item). A change answers `warnings` too: a status change past a flow board's WIP limit in warn mode."),
    write::<backlog::SetItemStatus>("set_item_status", "Move an item to todo, in_progress, in_review or done. In a flow product a column at a blocking WIP limit refuses the move, naming the limit and its cards; over a limit that warns, the move goes through and `warnings` says so: pass it on."),
    write::<backlog::RankItem>("rank_item", "Move an item in the backlog: to the top or bottom, or before or after another item. In strict tier mode a move that breaks the tier order is refused unless you give an `exemption` reason."),
    write::<threads::CheckCriterion>("check_criterion", "Propose a review verdict (pass or fail) on one acceptance criterion, with a note or a link as evidence. It is recorded as a comment on the item for the Product Owner to confirm in the sprint review."),
    write::<threads::AskQuestion>("ask_question", "Ask a question on an item; the product team's questions hold its readiness until the PO answers."),
    write::<threads::AnswerQuestion>("answer_question", "Answer a question on an item (the Product Owner)."),
    write::<threads::AddComment>("add_comment", "Comment on an item, or follow up one of its open questions."),
    write::<strategy::AddInsight>("add_insight", "Record a research insight (an observation or a quote) drawn from one of the product's research sources."),
    write::<strategy::RecordDecision>("record_decision", "Record a product decision: the question, the options, the decision and why."),
    write::<strategy::SetVision>("set_vision", "Set a product's vision, target segments and positioning (the PM)."),
    write::<strategy::AddPersona>("add_persona", "Add a persona: name, segment, goals and pains."),
    write::<strategy::SaveInitiative>("save_initiative", "Create an initiative (no `id`), or change one (`id` and the `version` you read): title, problem, assumptions, success metrics."),
    write::<strategy::StartFromIdea>("start_from_idea", "The idea intake in one call: the problem, who has it, how they cope, why now, success (in words and as a metric), out of scope and the first steps become a vision (when the product has none), personas, a metric, an initiative and stories labelled draft. Refused whole or written whole (the PM)."),
];

pub fn spec(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name == name)
}

/// `tools/list`.
pub fn list() -> Vec<Tool> {
    SPECS
        .iter()
        .map(|s| {
            let annotations = ToolAnnotations::new()
                .read_only(!s.write)
                .destructive(false)
                .open_world(false);
            let mut tool = Tool::new(s.name, s.description, (s.schema)());
            tool.annotations = Some(annotations);
            tool
        })
        .collect()
}

/// Runs tool `name` (one of [`SPECS`]) for `caller`.
pub async fn call(db: &Db, caller: &Caller, name: &str, args: JsonObject) -> Result<Value> {
    let spec = spec(name).ok_or_else(|| Error::invalid("name", format!("no tool {name}")))?;
    if spec.write && caller.read_only {
        return Err(crate::auth::extract::read_only_refusal());
    }
    let a = args;
    match name {
        "list_products" => strategy::list_products(db, caller, parse(a)?).await,
        "get_strategy" => strategy::get_strategy(db, caller, parse(a)?).await,
        "list_priorities" => strategy::list_priorities(db, caller, parse(a)?).await,
        "get_initiative" => strategy::get_initiative(db, caller, parse(a)?).await,
        "search_items" => backlog::search_items(db, caller, parse(a)?).await,
        "get_item" => backlog::get_item(db, caller, parse(a)?).await,
        "next_ready_item" => backlog::next_ready_item(db, caller, parse(a)?).await,
        "get_sprint" => work::get_sprint(db, caller, parse(a)?).await,
        "get_alignment" => work::get_alignment(db, caller, parse(a)?).await,
        "get_flow_board" => flow::get_flow_board(db, caller, parse(a)?).await,
        "get_forecast" => flow::get_forecast(db, caller, parse(a)?).await,
        "search_evidence" => strategy::search_evidence(db, caller, parse(a)?).await,
        "get_document" => work::get_document(db, caller, parse(a)?).await,
        "get_handoff_kit" => work::get_handoff_kit(db, caller, parse(a)?).await,
        "save_item" => backlog::save_item(db, caller, parse(a)?).await,
        "set_item_status" => backlog::set_item_status(db, caller, parse(a)?).await,
        "rank_item" => backlog::rank_item(db, caller, parse(a)?).await,
        "check_criterion" => threads::check_criterion(db, caller, parse(a)?).await,
        "ask_question" => threads::ask_question(db, caller, parse(a)?).await,
        "answer_question" => threads::answer_question(db, caller, parse(a)?).await,
        "add_comment" => threads::add_comment(db, caller, parse(a)?).await,
        "add_insight" => strategy::add_insight(db, caller, parse(a)?).await,
        "record_decision" => strategy::record_decision(db, caller, parse(a)?).await,
        "set_vision" => strategy::set_vision(db, caller, parse(a)?).await,
        "add_persona" => strategy::add_persona(db, caller, parse(a)?).await,
        "save_initiative" => strategy::save_initiative(db, caller, parse(a)?).await,
        "start_from_idea" => strategy::start_from_idea(db, caller, parse(a)?).await,
        _ => Err(Error::invalid("name", format!("no tool {name}"))),
    }
}

/// The arguments as the tool's input type. Every input type denies unknown fields, so a
/// mistyped argument is refused by name (`unknown field `titel`, expected one of …`) instead
/// of being silently dropped.
fn parse<T: DeserializeOwned>(args: JsonObject) -> Result<T> {
    serde_json::from_value(Value::Object(args))
        .map_err(|e| Error::invalid("arguments", e.to_string()))
}

/// A JSON object `{ name: value }`: structured output is always an object.
fn object(name: &str, value: impl Serialize) -> Result<Value> {
    let mut o = serde_json::Map::new();
    o.insert(name.to_string(), json(value)?);
    Ok(Value::Object(o))
}

fn json(value: impl Serialize) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(v: &Value, path: &str, bad: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for k in ["anyOf", "oneOf", "allOf", "$ref"] {
                    if o.contains_key(k) {
                        bad.push(format!("{path} has {k}"));
                    }
                }
                for (k, v) in o {
                    walk(v, &format!("{path}.{k}"), bad);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, path, bad)),
            _ => {}
        }
    }

    #[test]
    fn every_input_is_a_flat_object_that_refuses_unknown_arguments() {
        let mut bad = Vec::new();
        for s in SPECS {
            let schema = Value::Object((*(s.schema)()).clone());
            assert_eq!(schema["type"], "object", "{}", s.name);
            assert_eq!(schema["additionalProperties"], false, "{}", s.name);
            walk(&schema, s.name, &mut bad);
        }
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn tool_names_are_unique() {
        let mut names: Vec<_> = SPECS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SPECS.len());
    }
}
