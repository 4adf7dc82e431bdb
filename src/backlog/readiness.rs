//! Definition of Ready: per-product rules, and whether an item can go to engineering, and why not.

use serde::{Deserialize, Serialize};

use super::lint::{self, Finding, Severity};
use super::Points;

pub use super::ItemFacts;

/// Per-product Definition of Ready. Stored as JSON; a missing field takes its default so older
/// rules keep loading, while an explicit `"max_points": null` means "no size limit".
/// `ToSchema` because the ready-rules API documents it as its request and response body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReadyRules {
    /// Stories need persona, goal and benefit.
    pub story_fields: bool,
    /// Minimum acceptance criteria for stories and bugs.
    pub min_criteria: u32,
    /// Points must be set, except on spikes, which are time-boxed instead.
    pub estimated: bool,
    /// Anything estimated above this must be split.
    pub max_points: Option<i64>,
    pub no_open_questions: bool,
    /// Lint findings of severity Error block readiness.
    pub lint_blocks: bool,
    /// Must be linked to an initiative or priority.
    pub needs_initiative: bool,
}

impl Default for ReadyRules {
    fn default() -> Self {
        Self {
            story_fields: true,
            min_criteria: 1,
            estimated: true,
            max_points: Some(13),
            no_open_questions: true,
            lint_blocks: false,
            needs_initiative: false,
        }
    }
}

/// Beyond this a typo would leave every story unready for good.
const MAX_MIN_CRITERIA: u32 = 50;

impl ReadyRules {
    pub fn validate(&self) -> Result<(), String> {
        if let Some(max) = self.max_points.filter(|m| *m < 1) {
            return Err(format!("max_points must be at least 1 (got {max})"));
        }
        if self.min_criteria > MAX_MIN_CRITERIA {
            return Err(format!(
                "min_criteria must be at most {MAX_MIN_CRITERIA} (got {})",
                self.min_criteria
            ));
        }
        Ok(())
    }
}

/// Why an item is not ready. `code` is stable for clients; `message` is for the PO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub message: String,
}

/// `ready` is true iff `reasons` is empty. `lint` is always filled, blocking or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub ready: bool,
    pub reasons: Vec<Reason>,
    pub lint: Vec<Finding>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn assess(rules: &ReadyRules, item: &ItemFacts) -> Readiness {
    let kind = item.kind.trim().to_ascii_lowercase();
    let mut reasons = Vec::new();
    let mut add = |code: &str, message: String| {
        let code = code.to_string();
        reasons.push(Reason { code, message });
    };
    if rules.story_fields && kind == "story" {
        if item.persona.trim().is_empty() {
            add(
                "missing_persona",
                "No persona: say who it is for (\"As a ...\").".into(),
            );
        }
        if item.goal.trim().is_empty() {
            add(
                "missing_goal",
                "No goal: say what they want to do (\"I want ...\").".into(),
            );
        }
        if item.benefit.trim().is_empty() {
            add(
                "missing_benefit",
                "No benefit: say why it matters (\"so that ...\").".into(),
            );
        }
    }
    if kind == "story" || kind == "bug" {
        // A blank row left in the editor is not a criterion.
        let written = item.criteria.iter().filter(|c| !c.trim().is_empty());
        let (have, need) = (written.count(), rules.min_criteria as usize);
        if have == 0 && need > 0 {
            add(
                "no_criteria",
                format!("No acceptance criteria: add at least {need}."),
            );
        } else if have < need {
            let what = plural(have, "acceptance criterion", "acceptance criteria");
            add("few_criteria", format!("Only {what}: add at least {need}."));
        }
    }
    if rules.estimated && kind != "spike" {
        match item.points {
            None => add("not_estimated", "Not estimated: size it in points.".into()),
            Some(p) if p < Points::ZERO => {
                let message = format!("An estimate of {p} points is invalid: re-estimate it.");
                add("not_estimated", message);
            }
            Some(_) => {}
        }
    }
    if let (Some(max), Some(p)) = (rules.max_points, item.points) {
        if p > Points::whole(max) {
            add(
                "too_big",
                format!("Estimated {p} points, more than the {max} allowed: split it."),
            );
        }
    }
    if rules.no_open_questions && item.open_questions > 0 {
        let what = plural(
            item.open_questions as usize,
            "open question",
            "open questions",
        );
        add("open_questions", format!("{what} must be answered first."));
    }
    if rules.needs_initiative && !item.has_initiative {
        let message = "Not linked to an initiative or priority: link it so its value is clear.";
        add("no_initiative", message.to_string());
    }
    let lint = lint::lint(item);
    // Size is the product's call through max_points; lint's fixed 13-point limit must not
    // override a product that allows more, or sets no limit.
    let blocking = |f: &&Finding| f.severity == Severity::Error && f.code != "too_big";
    let errors = lint.iter().filter(blocking).count();
    if rules.lint_blocks && errors > 0 {
        let what = plural(errors, "story-quality error", "story-quality errors");
        add("lint", format!("{what} must be fixed first."));
    }
    let ready = reasons.is_empty();
    Readiness {
        ready,
        reasons,
        lint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::value::{Error as DeError, MapDeserializer};

    const GOOD: &str = "Given an invoice When I click export Then a PDF downloads";

    fn rules(edit: impl FnOnce(&mut ReadyRules)) -> ReadyRules {
        let mut rules = ReadyRules::default();
        edit(&mut rules);
        rules
    }

    /// Assesses a complete story after `edit`; criteria come apart because the facts borrow them.
    fn run(rules: &ReadyRules, criteria: &[&str], edit: impl FnOnce(&mut ItemFacts)) -> Readiness {
        let criteria: Vec<String> = criteria.iter().map(|c| c.to_string()).collect();
        let mut item = ItemFacts {
            kind: "story",
            title: "Export invoice as PDF",
            persona: "accountant",
            goal: "to export an invoice as PDF",
            benefit: "I can send it to the tax office",
            points: Some(Points::whole(3)),
            criteria: &criteria,
            ..ItemFacts::default()
        };
        edit(&mut item);
        assess(rules, &item)
    }

    /// Reason codes, space-separated, for a story with one good criterion.
    fn codes(rules: &ReadyRules, edit: impl FnOnce(&mut ItemFacts)) -> String {
        let codes: Vec<_> = run(rules, &[GOOD], edit)
            .reasons
            .into_iter()
            .map(|r| r.code)
            .collect();
        codes.join(" ")
    }

    fn said(readiness: Readiness) -> String {
        let messages: Vec<_> = readiness.reasons.into_iter().map(|r| r.message).collect();
        messages.join(" ")
    }

    #[test]
    fn missing_json_fields_load_as_defaults() {
        let load = |pairs: Vec<(&'static str, bool)>| {
            ReadyRules::deserialize(MapDeserializer::<_, DeError>::new(pairs.into_iter()))
        };
        assert_eq!(load(vec![]), Ok(ReadyRules::default()));
        assert_eq!(ReadyRules::default().max_points, Some(13));
        let later = vec![("lint_blocks", true), ("field_from_the_future", true)];
        assert_eq!(load(later), Ok(rules(|r| r.lint_blocks = true)));
    }

    #[test]
    fn validate_rejects_impossible_rules() {
        assert_eq!(ReadyRules::default().validate(), Ok(()));
        assert!(rules(|r| r.max_points = Some(0)).validate().is_err());
        assert!(rules(|r| r.max_points = Some(1)).validate().is_ok());
        assert!(rules(|r| r.max_points = None).validate().is_ok());
        assert!(rules(|r| r.min_criteria = 51).validate().is_err());
        assert!(rules(|r| r.min_criteria = 50).validate().is_ok());
    }

    #[test]
    fn a_complete_story_is_ready() {
        let r = run(&ReadyRules::default(), &[GOOD], |_| {});
        assert_eq!((r.ready, r.reasons, r.lint), (true, vec![], vec![]));
    }

    #[test]
    fn story_fields_are_required_of_stories_only() {
        let (all, off) = (ReadyRules::default(), rules(|r| r.story_fields = false));
        let bare = |i: &mut ItemFacts| (i.persona, i.goal, i.benefit) = ("", " ", "");
        let want = "missing_persona missing_goal missing_benefit";
        assert_eq!(codes(&all, bare), want);
        assert_eq!(codes(&off, bare), "");
        let task = |i: &mut ItemFacts| {
            bare(i);
            i.kind = "task";
        };
        assert_eq!(codes(&all, task), "");
    }

    #[test]
    fn criteria_are_counted_for_stories_and_bugs() {
        let (one, none) = (ReadyRules::default(), rules(|r| r.min_criteria = 0));
        let r = run(&one, &[" "], |_| {});
        assert_eq!(said(r), "No acceptance criteria: add at least 1.");
        let bug = codes(&one, |i| (i.kind, i.criteria) = ("bug", &[]));
        assert_eq!(bug, "no_criteria");
        assert_eq!(codes(&one, |i| (i.kind, i.criteria) = ("task", &[])), "");
        assert_eq!(codes(&none, |i| i.criteria = &[]), "");
        let r = run(&rules(|r| r.min_criteria = 3), &[GOOD], |_| {});
        assert_eq!(said(r), "Only 1 acceptance criterion: add at least 3.");
    }

    #[test]
    fn estimates_are_required_except_for_spikes() {
        let (all, off) = (ReadyRules::default(), rules(|r| r.estimated = false));
        assert_eq!(codes(&all, |i| i.points = None), "not_estimated");
        assert_eq!(
            codes(&all, |i| i.points = Some(Points::whole(-2))),
            "not_estimated"
        );
        assert_eq!(codes(&all, |i| i.points = Some(Points::whole(0))), "");
        assert_eq!(codes(&all, |i| (i.kind, i.points) = ("spike", None)), "");
        assert_eq!(codes(&off, |i| i.points = None), "");
    }

    #[test]
    fn items_above_max_points_must_be_split() {
        let (all, open) = (ReadyRules::default(), rules(|r| r.max_points = None));
        let r = run(&all, &[GOOD], |i| i.points = Some(Points::whole(21)));
        assert_eq!(
            said(r),
            "Estimated 21 points, more than the 13 allowed: split it."
        );
        assert_eq!(codes(&all, |i| i.points = Some(Points::whole(13))), "");
        assert_eq!(codes(&open, |i| i.points = Some(Points::whole(40))), "");
    }

    #[test]
    fn open_questions_and_initiative_block_when_required() {
        let (all, off) = (
            ReadyRules::default(),
            rules(|r| r.no_open_questions = false),
        );
        let r = run(&all, &[GOOD], |i| i.open_questions = 2);
        assert_eq!(said(r), "2 open questions must be answered first.");
        let r = run(&all, &[GOOD], |i| i.open_questions = 1);
        assert_eq!(said(r), "1 open question must be answered first.");
        assert_eq!(codes(&off, |i| i.open_questions = 2), "");
        let linked = rules(|r| r.needs_initiative = true);
        assert_eq!(codes(&linked, |_| {}), "no_initiative");
        assert_eq!(codes(&linked, |i| i.has_initiative = true), "");
    }

    #[test]
    fn lint_errors_block_only_when_configured() {
        let blocking = rules(|r| r.lint_blocks = true);
        let r = run(&ReadyRules::default(), &["Then it works properly"], |_| {});
        assert!(r.ready && r.lint.iter().any(|f| f.severity == Severity::Error));
        let r = run(&blocking, &["Then it works properly"], |_| {});
        assert_eq!(said(r), "1 story-quality error must be fixed first.");
        let r = run(&blocking, &[GOOD], |i| i.title = "Export invoices fast");
        assert!(r.ready && !r.lint.is_empty());
        // The product allows 20 points, so lint's fixed 13-point limit must not block.
        let roomy = rules(|r| (r.lint_blocks, r.max_points) = (true, Some(21)));
        let r = run(&roomy, &[GOOD], |i| i.points = Some(Points::whole(20)));
        assert!(r.ready && r.lint.iter().any(|f| f.code == "too_big"));
    }
}
