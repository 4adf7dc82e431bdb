//! Story-quality lint: vague words, items to split, acceptance criteria that cannot be checked.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{ItemFacts, Points};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// `field` is "title", "goal", "benefit", "points", "criteria" or "criteria[i]" with a 0-based
/// index; messages count criteria from 1 because people read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub message: String,
    pub field: String,
}

const SPLIT_POINTS: i64 = 8;
const MAX_POINTS: i64 = 13;
const MAX_CRITERIA: usize = 8;
const MIN_CRITERION_WORDS: usize = 3;

#[derive(Clone, Copy, PartialEq)]
enum Nature {
    /// A figure turns it into a target ("fast" -> "under 2 s"); without one it is opinion.
    Measurable,
    /// Measurable too, but ordinary wording in bug titles ("totals not calculated correctly").
    Judging,
    /// No figure pins down "etc." or "some".
    Open,
}
use Nature::{Judging, Measurable, Open};

/// (nature, what to write instead, '|'-separated terms; a space means consecutive words).
#[rustfmt::skip]
const VAGUE: &[(Nature, &str, &str)] = &[
    (Measurable, "state a time limit, e.g. \"within 2 seconds\"",
        "fast|faster|quick|quicker|quickly|instantly|snappy|performant|efficient|efficiently"),
    (Measurable, "state the load it must handle, e.g. \"10,000 records\"",
        "scalable|lightweight|high-performance"),
    (Measurable, "say by how much, e.g. \"from 5 steps to 2\" or \"by 20%\"",
        "better|improve|improved|improves|improvement|optimize|optimized|optimise|optimised|\
         enhance|enhanced"),
    (Measurable, "describe something observable, e.g. \"in 3 clicks or fewer\"",
        "easy|easier|easily|easy-to-use|simple|simpler|user-friendly|user friendly|intuitive|\
         intuitively|seamless|seamlessly|smooth|smoothly"),
    (Measurable, "name the cases it must handle, e.g. \"keeps working offline\"",
        "robust|flexible|reliable|reliably"),
    (Judging, "state the exact expected result",
        "nice|good|great|modern|properly|correctly|appropriate|appropriately|adequate|\
         reasonable|acceptable"),
    (Open, "give the exact number, or list them",
        "some|several|many|various|numerous|a few|a lot|lots of"),
    (Open, "list every case, or leave it out",
        "and so on|and so forth|etc|as needed|as required|as appropriate|if possible|\
         where possible|tbd"),
];

const NUMBER_WORDS: &str = "two three four five six seven eight nine ten eleven twelve twenty \
    fifty hundred thousand million half twice percent";
/// Base forms only, so plural nouns ("sales and returns") are not taken for actions.
const ACTIONS: &str = "add approve archive assign attach book cancel close compare copy create \
    delete download duplicate edit export filter import invite merge move notify open pay preview \
    print publish read reject remove rename reply reset restore save search see select send share \
    sort submit subscribe sync unsubscribe update upload view write";
/// Words that may sit between a conjunction and its verb: "and then share", "or I can print".
const LINKERS: &str = "and or to then also i we can could be able";
/// Lead-in words typed into goal and benefit alike; they say nothing about either.
const FILLER: &str = "i we want would like to so that can could be able in order";

fn listed(list: &'static str, word: &str) -> Option<&'static str> {
    list.split(' ').find(|w| *w == word)
}

/// Lowercased words, with "." marking each sentence end. A hyphen or apostrophe inside a word
/// keeps it whole, so "fast-track" is not "fast"; the "." of "e.g." ends no sentence.
fn tokens(text: &str) -> Vec<String> {
    let (mut out, mut word) = (Vec::new(), String::new());
    let mut chars = text
        .chars()
        .map(|c| if c == '\u{2019}' { '\'' } else { c })
        .peekable();
    while let Some(c) = chars.next() {
        let next_alnum = chars.peek().is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || (matches!(c, '-' | '\'') && !word.is_empty() && next_alnum) {
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        let after_word = out.last().is_some_and(|w: &String| w.chars().count() > 1);
        if matches!(c, '.' | '!' | '?' | ';') && !next_alnum && after_word {
            out.push(".".to_string());
        }
    }
    out.extend(Some(word).filter(|w| !w.is_empty()));
    out
}

fn words(text: &str) -> Vec<String> {
    tokens(text).into_iter().filter(|t| t != ".").collect()
}

fn is_number(word: &str) -> bool {
    word.contains(|c: char| c.is_ascii_digit()) || listed(NUMBER_WORDS, word).is_some()
}

type Hit = (&'static str, Nature, &'static str);

/// Each vague term by its first word, in the order of [`VAGUE`]. Comparing every token with
/// every term was most of the time a bulk write spends in Rust (70 % of the benchmark seed's,
/// which lints 100,000 items); now a token is looked up once.
static BY_FIRST_WORD: LazyLock<HashMap<&'static str, Vec<Hit>>> = LazyLock::new(|| {
    let mut map: HashMap<&'static str, Vec<Hit>> = HashMap::new();
    for &(nature, advice, terms) in VAGUE {
        for term in terms.split('|') {
            let first = term.split(' ').next().unwrap_or(term);
            map.entry(first).or_default().push((term, nature, advice));
        }
    }
    map
});

/// The first term of [`VAGUE`], in its order, that the words from `at` on spell out.
fn term_at(toks: &[String], at: usize) -> Option<Hit> {
    let candidates = BY_FIRST_WORD.get(toks.get(at)?.as_str())?;
    candidates.iter().copied().find(|(term, _, _)| {
        let mut parts = term.split(' ').enumerate();
        parts.all(|(k, w)| toks.get(at + k).is_some_and(|t| t == w))
    })
}

/// Distinct vague terms in order, minus measurable ones that a figure in the sentence pins down.
fn vague_terms(text: &str) -> Vec<Hit> {
    let (toks, mut hits) = (tokens(text), Vec::<Hit>::new());
    for sentence in toks.split(|t| t == ".") {
        let figure = sentence.iter().any(|t| is_number(t));
        let mut i = 0;
        while i < sentence.len() {
            // "how many" asks for a count; it is not a vague one.
            let asks = i > 0 && sentence[i - 1] == "how";
            let hit = term_at(sentence, i);
            i += hit.map_or(1, |h| h.0.split(' ').count());
            let Some(hit) = hit else { continue };
            let excused = asks || (figure && hit.1 != Open);
            if !excused && !hits.iter().any(|seen| seen.0 == hit.0) {
                hits.push(hit);
            }
        }
    }
    hits
}

/// Distinct actions joined by "and", "or" or list punctuation; one alone is no reason to split.
fn joined_actions(text: &str) -> Vec<&'static str> {
    let toks = tokens(&text.replace([',', ';', '/', '&', '+'], " and "));
    let mut found: Vec<&'static str> = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        let next = toks[i + 1..].iter().find(|w| listed(LINKERS, w).is_none());
        let verb = next.and_then(|w| listed(ACTIONS, w));
        let Some(verb) = verb.filter(|_| tok == "and" || tok == "or") else {
            continue;
        };
        // The first action is the nearest verb before the first join; without one, "and share"
        // may just continue a noun phrase, so nothing is counted.
        if found.is_empty() {
            found.extend(toks[..i].iter().rev().find_map(|w| listed(ACTIONS, w)));
        }
        if !found.is_empty() && !found.contains(&verb) {
            found.push(verb);
        }
    }
    found
}

/// The words that carry meaning once the lead-in ("I want to", "so that I can") is dropped.
fn core(text: &str) -> Vec<String> {
    let mut words = words(text);
    let start = words.iter().position(|w| listed(FILLER, w).is_none());
    words.split_off(start.unwrap_or(words.len()))
}

struct Out(Vec<Finding>);

impl Out {
    fn add(&mut self, severity: Severity, code: &str, field: &str, message: String) {
        let (code, field) = (code.to_string(), field.to_string());
        self.0.push(Finding {
            code,
            severity,
            message,
            field,
        });
    }
}

fn lint_criterion(out: &mut Out, i: usize, text: &str) {
    let (field, n, words) = (format!("criteria[{i}]"), i + 1, words(text));
    if words.len() < MIN_CRITERION_WORDS {
        let msg = format!("Criterion {n} is too short to check: say the situation and the result.");
        return out.add(Severity::Error, "criterion_too_short", &field, msg);
    }
    if words[0] == "given" && !words.iter().any(|w| w == "then") {
        let msg = format!("Criterion {n} has no Then: add the result to check.");
        out.add(Severity::Error, "criterion_no_then", &field, msg);
    }
    for (term, nature, advice) in vague_terms(text) {
        if nature == Open {
            let msg = format!("\"{term}\" is vague: {advice}.");
            out.add(Severity::Warning, "vague_word", &field, msg);
        } else {
            let msg = format!("Criterion {n} cannot be checked: \"{term}\" is opinion; {advice}.");
            out.add(Severity::Error, "criterion_subjective", &field, msg);
        }
    }
}

/// Findings in field order. Vague words are checked for every kind, the goal/benefit relation
/// only for stories.
pub fn lint(item: &ItemFacts) -> Vec<Finding> {
    let mut out = Out(Vec::new());
    let story = item.kind.trim().eq_ignore_ascii_case("story");
    let texts = [item.title, item.goal, item.benefit];
    for (field, text) in ["title", "goal", "benefit"].into_iter().zip(texts) {
        for (term, nature, advice) in vague_terms(text) {
            if field != "title" || nature != Judging {
                let msg = format!("\"{term}\" is vague: {advice}.");
                out.add(Severity::Warning, "vague_word", field, msg);
            }
        }
    }
    let goal = core(item.goal);
    if story && !goal.is_empty() && goal == core(item.benefit) {
        let msg = "The benefit repeats the goal: say why it matters to them.".to_string();
        out.add(Severity::Warning, "benefit_restates_goal", "benefit", msg);
    }
    let (field, text, unit) = match story && !goal.is_empty() {
        true => ("goal", item.goal, "story"),
        false => ("title", item.title, "item"),
    };
    let actions = joined_actions(text);
    if actions.len() > 1 {
        let (n, list) = (actions.len(), actions.join(", "));
        let msg = format!("The {field} combines {n} actions ({list}): split it, one {unit} each.");
        out.add(Severity::Warning, "split_actions", field, msg);
    }
    let pieces = format!("split it into pieces of {SPLIT_POINTS} points or fewer");
    match item.points {
        Some(p) if p > Points::whole(MAX_POINTS) => {
            let msg = format!("Estimated {p} points: too big to plan, {pieces}.");
            out.add(Severity::Error, "too_big", "points", msg);
        }
        Some(p) if p > Points::whole(SPLIT_POINTS) => {
            let msg = format!("Estimated {p} points: consider whether to {pieces}.");
            out.add(Severity::Warning, "big_estimate", "points", msg);
        }
        _ => {}
    }
    let count = item.criteria.len();
    if count > MAX_CRITERIA {
        let msg = format!("{count} acceptance criteria usually means several stories: split it.");
        out.add(Severity::Warning, "too_many_criteria", "criteria", msg);
    }
    for (i, criterion) in item.criteria.iter().enumerate() {
        lint_criterion(&mut out, i, criterion);
    }
    out.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::{value::Error as DeError, IntoDeserializer};

    /// Each case is "<text> => <code@field ...>", a trailing "!" marking an Error; nothing after
    /// "=>" means nothing is flagged. Field "goal|benefit" splits the text at "|".
    fn check(kind: &str, field: &str, cases: &[&str]) {
        for case in cases {
            let (text, want) = case.split_once("=>").unwrap_or((case, ""));
            let (text, criteria) = (text.trim(), [text.trim().to_string()]);
            let mut item = ItemFacts {
                kind,
                ..ItemFacts::default()
            };
            match field {
                "title" => item.title = text,
                "goal" => item.goal = text,
                "goal|benefit" => {
                    (item.goal, item.benefit) = text.split_once('|').unwrap_or_default()
                }
                "points" => item.points = text.parse().ok(),
                _ => item.criteria = &criteria,
            }
            let found = lint(&item).into_iter().map(|f| {
                let bang = if f.severity == Severity::Error {
                    "!"
                } else {
                    ""
                };
                format!("{}@{}{bang}", f.code, f.field)
            });
            assert_eq!(found.collect::<Vec<_>>().join(" "), want.trim(), "{case}");
        }
    }

    fn first(kind: &str, goal: &str, criteria: &[String]) -> Finding {
        let item = ItemFacts {
            kind,
            goal,
            criteria,
            ..ItemFacts::default()
        };
        lint(&item).remove(0)
    }

    #[test]
    fn vague_words_match_whole_words_in_any_case() {
        let cases = [
            "Make search FAST => vague_word@title",
            "Serve breakfast menu",
            "Fast-track approvals",
            "Sometimes something breaks",
            "User-friendly or user friendly => vague_word@title vague_word@title",
            "Fast, fast, fast => vague_word@title",
            "Support CSV, XML etc. => vague_word@title",
            "Support CSV, XML and so on => vague_word@title",
            "Totals not calculated correctly",
        ];
        check("bug", "title", &cases);
        let cases = ["a good overview of some costs => vague_word@goal vague_word@goal"];
        check("spike", "goal", &cases);
        let msg = first("story", "to tag orders as appropriate", &[]).message;
        assert_eq!(
            msg,
            "\"as appropriate\" is vague: list every case, or leave it out."
        );
    }

    #[test]
    fn a_figure_excuses_measurable_words_but_not_quantities() {
        let cases = [
            "Improve checkout => vague_word@title",
            "Improve load time by 30%",
            "Make export 2x faster",
            "Load fast, e.g. under two seconds",
            "Load fast. Cache for 5 minutes => vague_word@title",
            "Show some of the 5 reports => vague_word@title",
            "Show how many seats are left",
            "Show many seats => vague_word@title",
        ];
        check("task", "title", &cases);
    }

    #[test]
    fn several_joined_actions_or_a_big_estimate_should_be_split() {
        let cases = [
            "to import/export invoices => split_actions@goal",
            "to edit, or to then delete a comment => split_actions@goal",
            "to see sales and marketing reports",
            "to filter by date and filter by author",
            "reports and share them",
        ];
        check("story", "goal", &cases);
        check(
            "task",
            "title",
            &["Export and import CSV => split_actions@title"],
        );
        let msg = first("story", "to export and import and share reports", &[]).message;
        let want = "The goal combines 3 actions (export, import, share): split it, one story each.";
        assert_eq!(msg, want);
        let cases = ["8", "9 => big_estimate@points", "13 => big_estimate@points"];
        check(
            "task",
            "points",
            &[&cases[..], &["14 => too_big@points!"]].concat(),
        );
        let criteria = vec!["Then the total is shown".to_string(); 9];
        assert_eq!(first("story", "", &criteria).code, "too_many_criteria");
        let item = ItemFacts {
            criteria: &criteria[..8],
            ..ItemFacts::default()
        };
        assert_eq!(lint(&item), vec![]);
    }

    #[test]
    fn short_subjective_or_then_less_criteria_cannot_be_checked() {
        let cases = [
            " => criterion_too_short@criteria[0]!",
            "Looks OK. => criterion_too_short@criteria[0]!",
            "Export works fine",
            "Then the page loads fast => criterion_subjective@criteria[0]!",
            "Then the page loads within 2 seconds, fast",
            "Given some orders, then the total is shown => vague_word@criteria[0]",
            "Given a cart When I pay => criterion_no_then@criteria[0]!",
            "Given a cart\nWhen I pay\nThen a receipt is sent",
            "When I pay, a receipt is sent",
            "The discount given when a coupon applies shows",
        ];
        check("bug", "criteria", &cases);
        let msg = first("bug", "", &["Then it loads fast".to_string()]).message;
        assert!(msg.starts_with("Criterion 1 cannot be checked: \"fast\""));
    }

    #[test]
    fn a_story_benefit_must_not_restate_the_goal() {
        let cases = [
            "Export reports | export REPORTS. => benefit_restates_goal@benefit",
            "to export reports | I can export reports => benefit_restates_goal@benefit",
            "to export reports | I can file taxes",
        ];
        check("story", "goal|benefit", &cases);
        check("bug", "goal|benefit", &["export reports | export reports"]);
    }

    #[test]
    fn severity_uses_lowercase_names() {
        let de = |s| Severity::deserialize(IntoDeserializer::<DeError>::into_deserializer(s));
        assert_eq!(de("error"), Ok(Severity::Error));
        assert_eq!(de("warning"), Ok(Severity::Warning));
        assert!(de("Error").is_err());
    }
}
