//! `throughline idea`: the idea intake from a terminal. With `--title`, the answers come from
//! flags; without, it asks each question in turn (on standard error) and reads the answers from
//! standard input, so it works at a prompt and from a script alike. A list answer (who has the
//! problem, the first steps) takes one line each and ends at an empty line.

use std::io::{BufRead, Write};

use clap::Args;

use super::strategy::{err, print_json, On};
use crate::config::DbArgs;
use crate::strategy::idea::{self, IdeaDrafts, IdeaInput};

#[derive(Args, Debug)]
pub struct IdeaArgs {
    #[command(flatten)]
    on: On,
    /// The idea in a few words (the initiative's title). Without it, the questions are asked.
    #[arg(long)]
    title: Option<String>,
    /// What problem it solves.
    #[arg(long, default_value = "")]
    problem: String,
    /// Who has it: `Name` or `Name: who they are`; repeat for each persona.
    #[arg(long)]
    who: Vec<String>,
    /// How they cope today.
    #[arg(long, default_value = "")]
    today: String,
    /// Why now.
    #[arg(long, default_value = "")]
    why_now: String,
    /// What success looks like, in words.
    #[arg(long, default_value = "")]
    success: String,
    /// The success metric's name (with --baseline and --target).
    #[arg(long)]
    metric: Option<String>,
    #[arg(long)]
    unit: Option<String>,
    #[arg(long, allow_negative_numbers = true)]
    baseline: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    target: Option<f64>,
    /// What is out of scope.
    #[arg(long, default_value = "")]
    out_of_scope: String,
    /// What they should be able to do first; repeat for each draft story.
    #[arg(long = "first")]
    first_steps: Vec<String>,
}

/// Reads the answers to the intake's questions from `input`, asking each on `ask`.
fn interview(input: &mut impl BufRead, ask: &mut impl Write) -> anyhow::Result<IdeaInput> {
    let mut line = |q: &str| -> anyhow::Result<String> {
        write!(ask, "{q}\n> ")?;
        ask.flush()?;
        let mut s = String::new();
        input.read_line(&mut s)?;
        Ok(s.trim().to_string())
    };
    let mut a = IdeaInput {
        title: line("The idea in a few words (it becomes the initiative's title):")?,
        problem: line("What problem does it solve?")?,
        ..Default::default()
    };
    a.who = list(
        &mut line,
        "Who has it? One persona a line (`Name` or `Name: who they are`), an empty line to end:",
    )?;
    a.today = line("How do they cope today? (empty to skip)")?;
    a.why_now = line("Why now? (empty to skip)")?;
    a.success = line("What does success look like, in words? (empty to skip)")?;
    let metric = line("The success metric's name (empty to skip):")?;
    if !metric.is_empty() {
        a.metric = Some(metric);
        a.unit = Some(line("Its unit (empty for none):")?).filter(|u| !u.is_empty());
        a.baseline = Some(number(&line("Where is it today?")?, "baseline")?);
        a.target = Some(number(&line("Where should it be?")?, "target")?);
    }
    a.out_of_scope = line("What is out of scope? (empty to skip)")?;
    a.first_steps = list(&mut line, "What should they be able to do first? One a line (each becomes a draft story), an empty line to end:")?;
    Ok(a)
}

fn list(
    line: &mut impl FnMut(&str) -> anyhow::Result<String>,
    question: &str,
) -> anyhow::Result<Vec<String>> {
    let mut out = vec![line(question)?];
    while !out.last().is_some_and(String::is_empty) {
        out.push(line("  (next, or an empty line to end)")?);
    }
    out.pop();
    Ok(out)
}

fn number(s: &str, what: &str) -> anyhow::Result<f64> {
    s.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| anyhow::anyhow!("{what}: give a number, not '{s}'"))
}

fn print(d: &IdeaDrafts) {
    if d.vision.is_some() {
        println!("vision     drafted (the product had none)");
    }
    for p in &d.personas {
        let new = d.new_personas.contains(&p.name);
        println!(
            "persona    {:<5} {}{}",
            p.id,
            p.name,
            if new { "" } else { " (existing)" }
        );
    }
    if let Some(m) = &d.metric {
        println!("metric     {:<5} {}", m.metric.id, m.metric.name);
    }
    println!("initiative {:<5} {}", d.initiative.id, d.initiative.title);
    for s in &d.stories {
        println!("story      {:<8} {}  [draft]", s.key, s.title);
    }
}

pub async fn run(db_args: &DbArgs, a: IdeaArgs) -> anyhow::Result<()> {
    // Who and where first, so nobody answers questions for a product they cannot reach.
    let db = db_args.open(false).await?;
    let (user, ctx) = a.on.open(&db).await?;
    let input = match a.title {
        Some(title) => IdeaInput {
            title,
            problem: a.problem,
            who: a.who,
            today: a.today,
            why_now: a.why_now,
            success: a.success,
            metric: a.metric,
            unit: a.unit,
            baseline: a.baseline,
            target: a.target,
            out_of_scope: a.out_of_scope,
            first_steps: a.first_steps,
        },
        None => interview(&mut std::io::stdin().lock(), &mut std::io::stderr())?,
    };
    let drafts = idea::draft(&db, &user, &ctx, input).await.map_err(err)?;
    if a.on.who.json {
        return print_json(&drafts);
    }
    print(&drafts);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interview_reads_one_answer_a_line_and_lists_to_an_empty_line() {
        let answers = "Guided setup\nTeams stall\nOps lead: runs setup\nAdmin\n\nspreadsheets\n\n\
                       teams set up in a day\nSetup within a day\n%\n20\n60\nSSO\nsee steps left\ninvite a teammate\n\n";
        let mut asked = Vec::new();
        let a = interview(&mut answers.as_bytes(), &mut asked).unwrap();
        assert_eq!(a.title, "Guided setup");
        assert_eq!(a.who, ["Ops lead: runs setup", "Admin"]);
        assert_eq!(a.today, "spreadsheets");
        assert_eq!(a.why_now, "");
        assert_eq!(a.metric.as_deref(), Some("Setup within a day"));
        assert_eq!((a.baseline, a.target), (Some(20.0), Some(60.0)));
        assert_eq!(a.out_of_scope, "SSO");
        assert_eq!(a.first_steps, ["see steps left", "invite a teammate"]);
        assert!(String::from_utf8(asked).unwrap().contains("Why now?"));
    }
}
