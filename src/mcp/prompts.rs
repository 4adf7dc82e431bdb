//! Prompts: ready-made tasks an agent runs against the tools. Each reads what it needs through
//! the services first, so the prompt carries the current story or sprint, and then tells the
//! agent which tools to use for the rest.

use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};

use super::{resolve, resources, Caller};
use crate::backlog::service;
use crate::db::Db;
use crate::error::{Error, Result};

fn arg(name: &str, description: &str, required: bool) -> PromptArgument {
    PromptArgument::new(name)
        .with_description(description)
        .with_required(required)
}

pub fn list() -> Vec<Prompt> {
    let key = || arg("key", "The item's key, e.g. ONB-42", true);
    let product = || arg("product", "The product's key, e.g. ONB", true);
    let workspace = || {
        arg(
            "workspace",
            "The workspace, when the key is in several of yours",
            false,
        )
    };
    vec![
        Prompt::new(
            "implement_story",
            Some("Build a story from its brief: claim it, build, check each acceptance criterion, hand it to review."),
            Some(vec![key(), workspace()]),
        ),
        Prompt::new(
            "refine_story",
            Some("Make a story ready: sharpen the story and its criteria, estimate, ask what is unclear."),
            Some(vec![key(), workspace()]),
        ),
        Prompt::new(
            "sprint_review_summary",
            Some("Summarise a sprint for its review: goal, what was accepted, what was not and why, alignment."),
            Some(vec![
                product(),
                arg("sprint", "The sprint's id; the active one when omitted", false),
                workspace(),
            ]),
        ),
        Prompt::new(
            "draft_from_idea",
            Some("Turn an idea into draft records: vision if missing, personas, an initiative with problem, assumptions and success metric, and first draft stories."),
            Some(vec![
                product(),
                arg("idea", "The idea, in a few sentences", true),
                workspace(),
            ]),
        ),
    ]
}

fn text<'a>(args: &'a JsonObject, name: &str) -> Option<&'a str> {
    args.get(name)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn required<'a>(args: &'a JsonObject, name: &str) -> Result<&'a str> {
    text(args, name).ok_or_else(|| Error::invalid(name, format!("the prompt needs `{name}`")))
}

pub async fn get(
    db: &Db,
    caller: &Caller,
    name: &str,
    args: &JsonObject,
) -> Result<GetPromptResult> {
    let ws = text(args, "workspace");
    let body = match name {
        "implement_story" => {
            let key = required(args, "key")?;
            let ctx = resolve::item(db, caller, key, ws).await?;
            let item = service::get(db, &ctx, key).await?;
            implement(&resources::item_brief(&item), key)
        }
        "refine_story" => {
            let key = required(args, "key")?;
            let ctx = resolve::item(db, caller, key, ws).await?;
            let item = service::get(db, &ctx, key).await?;
            refine(&resources::item_brief(&item), key)
        }
        "sprint_review_summary" => {
            let product = required(args, "product")?;
            let ctx = resolve::product(db, caller, product, ws).await?;
            let id = match text(args, "sprint") {
                Some(s) => s
                    .parse()
                    .map_err(|_| Error::invalid("sprint", "a sprint id, a number"))?,
                None => super::tools::current_sprint(db, &ctx).await?.id,
            };
            let review = crate::sprint::review::review(db, &ctx, id).await?;
            let json =
                serde_json::to_string_pretty(&review).map_err(|e| Error::Internal(e.into()))?;
            review_summary(product, id, &json)
        }
        "draft_from_idea" => {
            let product = required(args, "product")?;
            let idea = required(args, "idea")?;
            // Resolving checks the caller sees the product before the agent spends any effort.
            resolve::product(db, caller, product, ws).await?;
            draft(product, idea)
        }
        _ => return Err(Error::invalid("name", format!("no prompt {name}"))),
    };
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(
        Role::User,
        body,
    )]))
}

fn implement(brief: &str, key: &str) -> String {
    format!(
        "Implement {key} in this repository. Its brief, from Throughline:\n\n{brief}\n\
         Work like this:\n\
         1. If the story or a criterion is unclear, call ask_question on {key} and wait for the answer instead of guessing.\n\
         2. Call set_item_status with status in_progress when you start.\n\
         3. Build it, with tests that show each acceptance criterion holds.\n\
         4. For each criterion call check_criterion with pass true or false and a note or a link (a test, a commit, a pull request): the Product Owner confirms the verdicts in the sprint review.\n\
         5. Call set_item_status with status in_review when every criterion passes, and add_comment with a short summary of what changed.\n\
         Do not change the story, its criteria or its rank: those are the Product Owner's."
    )
}

fn refine(brief: &str, key: &str) -> String {
    format!(
        "Help make {key} ready for engineering. Its current state, from Throughline:\n\n{brief}\n\
         Check it against the Definition of Ready (the readiness reasons above), then:\n\
         1. Make the story specific: who (a persona), what they want, and why. Replace vague words (fast, easy, user-friendly, etc.) with something that can be checked.\n\
         2. Write acceptance criteria that can each be checked in review, as Given/When/Then where it helps.\n\
         3. Propose an estimate in points; suggest a split if it is larger than the product allows.\n\
         4. Save the changes with save_item, giving key {key} and the version shown above (a stale version is refused: read it again with get_item).\n\
         5. Whatever only the Product Owner or a stakeholder can decide, ask with ask_question instead of inventing it."
    )
}

fn review_summary(product: &str, sprint: crate::ids::SprintId, review: &str) -> String {
    format!(
        "Write the sprint review summary of sprint {sprint} of {product}. The review as Throughline has it (items, criteria and verdicts, accepted points):\n\n```json\n{review}\n```\n\n\
         Cover: the sprint goal and whether it was met; what was accepted (with points); what was not accepted and which criteria failed; unfinished work and where it goes; and how the work lined up with the quarterly priorities (call get_alignment with sprint {sprint}). \
         Keep it to one page, in plain words for stakeholders. Do not record verdicts: they are the Product Owner's."
    )
}

fn draft(product: &str, idea: &str) -> String {
    format!(
        "Turn this idea into draft records in Throughline for product {product}:\n\n> {idea}\n\n\
         When the answers are clear (the problem, who has it, how they cope today, why now, what success looks like, what is out of scope, what they should do first), start_from_idea writes the drafts in one call; then refine them with the tools below. Otherwise, step by step.\n\
         Steps, each through the tools (nothing is final: everything you create is a draft for the PM and PO to review):\n\
         1. Call get_strategy for {product}. If the vision is empty, propose one with set_vision (vision, target segments, positioning), passing the version it shows.\n\
         2. For each kind of user the idea serves that is not already a persona, call add_persona (name, segment, goals, pains).\n\
         3. Call save_initiative without an id to create the initiative: a short title, the problem in the customer's words, the assumptions that must hold (riskiest first), what is out of scope, status idea. Name the success metric that would show it worked in the description; if get_strategy lists a fitting metric, pass its id in metrics.\n\
         4. Call search_evidence with the idea's key words; record what supports or contradicts it with add_insight (giving the research source it came from), and mention the evidence in the initiative.\n\
         5. Draft the first three to five stories with save_item (product {product}, kind story, persona, goal, benefit, two to four checkable acceptance criteria, initiative set to the new initiative's id). Keep each small enough for one sprint.\n\
         6. Finish with a short list of what you created (keys and ids) and the open questions for the PM."
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_prompt_names_its_arguments() {
        for p in super::list() {
            assert!(
                p.arguments.as_ref().is_some_and(|a| !a.is_empty()),
                "{}",
                p.name
            );
        }
    }
}
