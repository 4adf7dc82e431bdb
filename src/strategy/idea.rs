//! Starting from an idea (D1): the answers a strategy brief needs (the problem, who has it, how
//! they cope today, why now, what success looks like, what is out of scope, what they should be
//! able to do first) become draft records: a vision when the product has none, personas, a
//! success metric, an initiative with its problem, assumptions and metric, and first stories
//! labelled `draft` under it. The page, the API and `throughline idea` call [`draft`]; the MCP
//! server's `draft_from_idea` prompt reaches the same records through the same services.
//!
//! Everything is checked before the first write, so a refused intake creates nothing. The
//! records are then written through their own services (each write with its audit row), as a PM
//! would by hand.

use serde::{Deserialize, Serialize};

use super::model::{Initiative, InitiativeInput, MetricDetail, MetricInput};
use super::research_model::{Persona, PersonaInput, Vision, VisionInput};
use super::{initiatives, objectives, personas};
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::input::NewItem;
use crate::backlog::Item;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;

/// The label every story the intake writes carries until the PO refines it.
pub const DRAFT_LABEL: &str = "draft";

/// The intake's answers.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdeaInput {
    /// The idea in a few words: the initiative's title.
    #[serde(default)]
    pub title: String,
    /// The problem, in the words of those who have it.
    #[serde(default)]
    pub problem: String,
    /// Who has it: one persona each, `Name` or `Name: who they are`. A persona of the product
    /// with that name is reused.
    #[serde(default)]
    pub who: Vec<String>,
    /// How they cope today.
    #[serde(default)]
    pub today: String,
    /// Why now.
    #[serde(default)]
    pub why_now: String,
    /// What success looks like, in words: the stories' "so that".
    #[serde(default)]
    pub success: String,
    /// The success metric's name; with it, `baseline` and `target` are required.
    pub metric: Option<String>,
    pub unit: Option<String>,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// What is out of scope.
    #[serde(default)]
    pub out_of_scope: String,
    /// What they should be able to do first: each becomes a draft story.
    #[serde(default)]
    pub first_steps: Vec<String>,
}

/// What the intake wrote.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct IdeaDrafts {
    /// The vision, when the product had none and the intake wrote one.
    pub vision: Option<Vision>,
    /// The personas the stories are for, new and reused, in the order given.
    pub personas: Vec<Persona>,
    /// The names of the personas the intake created.
    pub new_personas: Vec<String>,
    pub metric: Option<MetricDetail>,
    pub initiative: Initiative,
    /// The draft stories, in backlog order.
    pub stories: Vec<Item>,
}

/// The answers, checked and shaped into the records' inputs.
struct Plan {
    who: Vec<(String, String)>,
    metric: Option<MetricInput>,
    initiative: InitiativeInput,
    stories: Vec<NewItem>,
}

const ANSWER: usize = 1_000;
const MAX_PERSONAS: usize = 10;
const MAX_STEPS: usize = 20;

fn answer(field: &str, s: &str) -> Result<String> {
    crate::backlog::validate_text(field, s, ANSWER)
}

fn required(field: &str, s: &str, what: &str) -> Result<String> {
    let s = answer(field, s)?;
    if s.is_empty() {
        return Err(Error::invalid(field, what.to_string()));
    }
    Ok(s)
}

/// `Name: who they are` → (name, segment); a line without a colon is a name.
fn persona_line(line: &str) -> Result<(String, String)> {
    let (name, segment) = line.split_once(':').unwrap_or((line, ""));
    let name = super::validate_title("who", name)
        .map_err(|_| Error::invalid("who", "each persona's name takes 1 to 200 characters"))?;
    let segment = crate::backlog::validate_text("who", segment, 5_000)?;
    Ok((name, segment))
}

/// At most `max` characters, cut at a character and marked, so a long answer still fits a
/// field it is only part of.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// The riskiest beliefs the answers rest on, for the PM to test first.
fn assumptions(p: &IdeaInput, who: &str) -> String {
    let mut lines = vec![format!(
        "- {who} have this problem often enough to want it solved."
    )];
    if !p.today.trim().is_empty() {
        lines.push(format!(
            "- What they do today ({}) costs them more than switching to something new.",
            p.today.trim()
        ));
    }
    if !p.why_now.trim().is_empty() {
        lines.push(format!(
            "- Why now still holds when this ships: {}",
            p.why_now.trim()
        ));
    }
    if let (Some(m), Some(b), Some(t)) = (&p.metric, p.baseline, p.target) {
        lines.push(format!(
            "- Moving {} from {b} to {t} shows the problem is solved.",
            m.trim()
        ));
    }
    fit(&lines.join("\n"), ANSWER)
}

/// The initiative's description: the answers that have no field of their own.
fn description(p: &IdeaInput, who: &[(String, String)]) -> String {
    let mut out = String::from("Started from an idea; the records below are drafts to refine.\n");
    out.push_str("\n**Who has it:**\n");
    for (name, segment) in who {
        match segment.is_empty() {
            true => out.push_str(&format!("- {name}\n")),
            false => out.push_str(&format!("- {name}: {segment}\n")),
        }
    }
    for (title, text) in [
        ("How they cope today", &p.today),
        ("Why now", &p.why_now),
        ("Success looks like", &p.success),
    ] {
        if !text.trim().is_empty() {
            out.push_str(&format!("\n**{title}:** {}\n", text.trim()));
        }
    }
    out
}

fn check(ctx: &ProductCtx, p: &IdeaInput) -> Result<Plan> {
    for a in [
        Action::ManageStrategy,
        Action::CreateItem,
        Action::LinkInitiative,
        Action::EditItem,
    ] {
        ctx.grants.require(a)?;
    }
    let title = super::validate_title("title", &p.title)?;
    let problem = required("problem", &p.problem, "say what problem the idea solves")?;
    let lines: Vec<&str> = p
        .who
        .iter()
        .map(|w| w.trim())
        .filter(|w| !w.is_empty())
        .collect();
    if lines.is_empty() {
        return Err(Error::invalid(
            "who",
            "name at least one persona who has the problem",
        ));
    }
    if lines.len() > MAX_PERSONAS {
        return Err(Error::invalid(
            "who",
            format!("at most {MAX_PERSONAS} personas"),
        ));
    }
    let mut who: Vec<(String, String)> = Vec::new();
    for l in lines {
        let (name, segment) = persona_line(l)?;
        if !who.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
            who.push((name, segment));
        }
    }
    for (field, text) in [
        ("today", &p.today),
        ("why_now", &p.why_now),
        ("success", &p.success),
        ("out_of_scope", &p.out_of_scope),
    ] {
        answer(field, text)?;
    }
    let metric = match (&p.metric, p.baseline, p.target) {
        (None, None, None) => None,
        (Some(m), _, _) if m.trim().is_empty() && p.baseline.is_none() && p.target.is_none() => {
            None
        }
        (Some(m), _, _) => {
            let name = super::validate_title("metric", m)?;
            let input = MetricInput {
                name: Some(name),
                unit: p.unit.clone(),
                direction: Some(if p.target < p.baseline { "down" } else { "up" }.into()),
                baseline: p.baseline,
                target: p.target,
                objective_id: None,
            };
            objectives::check_metric(&input)?;
            Some(input)
        }
        (None, _, _) => {
            return Err(Error::invalid(
                "metric",
                "name the success metric the baseline and target are of",
            ))
        }
    };
    let steps: Vec<&str> = p
        .first_steps
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if steps.is_empty() {
        return Err(Error::invalid(
            "first_steps",
            "say at least one thing they should be able to do first: each becomes a draft story",
        ));
    }
    if steps.len() > MAX_STEPS {
        return Err(Error::invalid(
            "first_steps",
            format!("at most {MAX_STEPS} first steps"),
        ));
    }
    let names: Vec<&str> = who.iter().map(|(n, _)| n.as_str()).collect();
    let persona = names[0].to_string();
    let initiative = InitiativeInput {
        title: Some(title),
        description: Some(description(p, &who)),
        problem: Some(problem),
        assumptions: Some(assumptions(p, &names.join(", "))),
        out_of_scope: Some(p.out_of_scope.trim().to_string()),
        status: Some("idea".into()),
        ..Default::default()
    };
    initiatives::merge(None, &initiative)?;
    let mut stories = Vec::new();
    for step in steps {
        if step.chars().count() > 200 {
            return Err(Error::invalid(
                "first_steps",
                "each first step is a story's title: at most 200 characters",
            ));
        }
        let story = NewItem {
            kind: "story".into(),
            title: upper_first(step),
            description: String::new(),
            persona: persona.clone(),
            // The story reads "I want to …".
            goal: match step.strip_prefix("to ") {
                Some(_) => step.to_string(),
                None => format!("to {step}"),
            },
            benefit: p.success.trim().to_string(),
            points: None,
            status: None,
            labels: vec![DRAFT_LABEL.into()],
            parent: None,
            criteria: vec![format!(
                "Draft: {persona} can {step}. Say how to check it (given, when, then)."
            )],
            position: None,
        };
        crate::backlog::validate_title(&story.title)?;
        crate::backlog::validate_criteria(&story.criteria)?;
        stories.push(story);
    }
    Ok(Plan {
        who,
        metric,
        initiative,
        stories,
    })
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The product's vision as drafted from the answers, filling only what is empty; `None` when
/// the product has a vision already.
fn vision_input(
    ctx: &ProductCtx,
    old: &Vision,
    p: &IdeaInput,
    who: &[(String, String)],
) -> Option<VisionInput> {
    if !old.vision.trim().is_empty() {
        return None;
    }
    let names: Vec<&str> = who.iter().map(|(n, _)| n.as_str()).collect();
    let outcome = match p.success.trim() {
        "" => p.title.trim().to_string(),
        s => s.to_string(),
    };
    let vision = fit(
        &format!(
            "For {} who face this: {} {} gives them this: {}",
            names.join(", "),
            p.problem.trim(),
            ctx.product.name,
            outcome
        ),
        ANSWER,
    );
    let segments = who
        .iter()
        .map(|(n, s)| {
            if s.is_empty() {
                n.clone()
            } else {
                format!("{n}: {s}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let positioning = match p.today.trim() {
        "" => String::new(),
        t => fit(
            &format!(
                "Unlike what they do today ({t}), {} {}",
                ctx.product.name, outcome
            ),
            ANSWER,
        ),
    };
    let keep_or =
        |old: &str, new: String| (old.trim().is_empty() && !new.is_empty()).then_some(new);
    Some(VisionInput {
        vision: Some(vision),
        target_segments: keep_or(&old.target_segments, segments),
        positioning: keep_or(&old.positioning, positioning),
    })
}

/// Writes the drafts the answers describe, or refuses them whole.
pub async fn draft(db: &Db, actor: &User, ctx: &ProductCtx, p: IdeaInput) -> Result<IdeaDrafts> {
    let plan = check(ctx, &p)?;
    let old = personas::vision(db, ctx).await?;
    let vision = match vision_input(ctx, &old, &p, &plan.who) {
        Some(input) => Some(personas::set_vision(db, actor, ctx, old.version, input).await?),
        None => None,
    };
    let known = personas::list(db, ctx).await?;
    let mut chosen = Vec::new();
    let mut new_personas = Vec::new();
    for (name, segment) in &plan.who {
        match known.iter().find(|k| k.name.eq_ignore_ascii_case(name)) {
            Some(k) => chosen.push(k.clone()),
            None => {
                let input = PersonaInput {
                    name: Some(name.clone()),
                    segment: Some(segment.clone()),
                    goals: None,
                    pains: Some(fit(p.problem.trim(), 5_000)),
                };
                match personas::create(db, actor, ctx, input).await {
                    Ok(made) => {
                        chosen.push(made);
                        new_personas.push(name.clone());
                    }
                    // Someone added it since the list was read: theirs is the one to reuse.
                    Err(Error::Invalid { .. }) => chosen.push(
                        personas::list(db, ctx)
                            .await?
                            .into_iter()
                            .find(|k| k.name.eq_ignore_ascii_case(name))
                            .ok_or_else(|| Error::invalid("who", "a persona could not be added"))?,
                    ),
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let metric = match plan.metric {
        Some(m) => Some(objectives::create_metric(db, actor, ctx, m).await?),
        None => None,
    };
    let mut input = plan.initiative;
    input.metrics = metric.as_ref().map(|m| vec![m.metric.id]);
    let initiative = initiatives::create(db, actor, ctx, input).await?;
    let persona_id = chosen[0].id;
    let mut stories = Vec::new();
    for mut story in plan.stories {
        // The persona as the product names it, which may differ in case from the answer.
        story.persona = chosen[0].name.clone();
        let item = crate::backlog::service::create(db, actor, ctx, story).await?;
        let to = Some(initiative.id);
        initiatives::link_item(db, actor, ctx, &item.key, to).await?;
        stories
            .push(personas::set_item_persona(db, actor, ctx, &item.key, Some(persona_id)).await?);
    }
    let initiative = initiatives::get(db, ctx, initiative.id).await?;
    Ok(IdeaDrafts {
        vision,
        personas: chosen,
        new_personas,
        metric,
        initiative,
        stories,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persona_line_splits_at_its_first_colon() {
        assert_eq!(
            persona_line("Ops lead: runs onboarding: alone").unwrap(),
            ("Ops lead".into(), "runs onboarding: alone".into())
        );
        assert_eq!(
            persona_line("Admin").unwrap(),
            ("Admin".into(), String::new())
        );
        assert!(persona_line(": nameless").is_err());
    }

    #[test]
    fn a_long_answer_is_cut_to_fit_and_marked() {
        let s = "é".repeat(1_200);
        let f = fit(&s, 1_000);
        assert_eq!(f.chars().count(), 1_000);
        assert!(f.ends_with('…'));
        assert_eq!(fit("short", 10), "short");
    }

    #[test]
    fn assumptions_name_what_the_answers_rest_on() {
        let p = IdeaInput {
            today: "spreadsheets".into(),
            why_now: "churn doubled".into(),
            metric: Some("Setup done in a day".into()),
            baseline: Some(20.0),
            target: Some(60.0),
            ..Default::default()
        };
        let a = assumptions(&p, "Ops lead");
        assert_eq!(
            a,
            "- Ops lead have this problem often enough to want it solved.\n\
             - What they do today (spreadsheets) costs them more than switching to something new.\n\
             - Why now still holds when this ships: churn doubled\n\
             - Moving Setup done in a day from 20 to 60 shows the problem is solved."
        );
    }
}
