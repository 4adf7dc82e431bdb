//! `throughline question` and `throughline comment`: the threads on an item (E4) from the
//! terminal, through the same rules as the API and the pages.

use clap::Subcommand;

use super::item::{actor, ctx, err, prefix, Who};
use crate::backlog::service;
use crate::config::DbArgs;
use crate::story::{comments, questions};

#[derive(Subcommand, Debug)]
pub enum QuestionCommand {
    /// Ask about an item. The product team's questions keep it from being ready until the
    /// Product Owner answers; anyone else's is a comment.
    Ask {
        #[command(flatten)]
        who: Who,
        key: String,
        /// The question.
        #[arg(long)]
        body: String,
    },
    /// Answer a question, which marks it answered (the PO or the PM).
    Answer {
        #[command(flatten)]
        who: Who,
        key: String,
        /// The question's number, as `question list` shows it.
        id: i64,
        #[arg(long)]
        body: String,
    },
    /// An item's questions with their answers and follow-ups.
    List {
        #[command(flatten)]
        who: Who,
        key: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CommentCommand {
    /// Comment on an item, or follow up its open question with `--question`. `@handle` (the
    /// start of an e-mail) tells that member.
    Add {
        #[command(flatten)]
        who: Who,
        key: String,
        #[arg(long)]
        body: String,
        /// The open question this follows up.
        #[arg(long)]
        question: Option<i64>,
    },
    /// Edit your own comment; the earlier text is kept.
    Edit {
        #[command(flatten)]
        who: Who,
        key: String,
        /// The comment's number, as `comment list` shows it.
        id: i64,
        #[arg(long)]
        body: String,
        /// The version you read; when omitted, the current one.
        #[arg(long)]
        version: Option<i64>,
    },
    /// An item's comments, oldest first.
    List {
        #[command(flatten)]
        who: Who,
        key: String,
    },
}

pub async fn question(db_args: &DbArgs, c: QuestionCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (who, key) = match &c {
        QuestionCommand::Ask { who, key, .. }
        | QuestionCommand::Answer { who, key, .. }
        | QuestionCommand::List { who, key } => (who.clone(), key.clone()),
    };
    let user = actor(&db, &who).await?;
    let ctx = ctx(&db, &user, &who, &prefix(&key)?).await?;
    match c {
        QuestionCommand::Ask { body, .. } => {
            let q = questions::ask(&db, &user, &ctx, &key, &body)
                .await
                .map_err(err)?;
            if who.json {
                println!("{}", serde_json::to_string_pretty(&q)?);
            } else {
                let note = if q.blocking {
                    "it blocks readiness until answered"
                } else {
                    "a comment: it blocks nothing"
                };
                println!("asked question {} on {key}; {note}", q.id);
            }
        }
        QuestionCommand::Answer { id, body, .. } => {
            let item = service::get(&db, &ctx, &key).await.map_err(err)?;
            let current = questions::for_item(&db, item.id)
                .await
                .map_err(err)?
                .into_iter()
                .find(|q| q.id == id)
                .ok_or_else(|| anyhow::anyhow!("{key} has no question {id}"))?;
            questions::answer(&db, &user, &ctx, &key, id, current.version, &body)
                .await
                .map_err(err)?;
            println!("answered question {id} on {key}");
        }
        QuestionCommand::List { .. } => {
            let item = service::get(&db, &ctx, &key).await.map_err(err)?;
            let qs = questions::for_item(&db, item.id).await.map_err(err)?;
            if who.json {
                println!("{}", serde_json::to_string_pretty(&qs)?);
                return Ok(());
            }
            for q in qs {
                let state = match (&q.answer, q.blocking) {
                    (Some(_), _) => "answered",
                    (None, true) => "open, blocks readiness",
                    (None, false) => "open, a stakeholder's",
                };
                println!("#{} {} ({state}): {}", q.id, q.asked_by, q.body);
                for f in &q.follow_ups {
                    println!("    {}: {}", f.author, f.body);
                }
                if let Some(a) = &q.answer {
                    println!(
                        "    answer by {}: {a}",
                        q.answered_by.as_deref().unwrap_or("")
                    );
                }
            }
        }
    }
    Ok(())
}

pub async fn comment(db_args: &DbArgs, c: CommentCommand) -> anyhow::Result<()> {
    let db = db_args.open(false).await?;
    let (who, key) = match &c {
        CommentCommand::Add { who, key, .. }
        | CommentCommand::Edit { who, key, .. }
        | CommentCommand::List { who, key } => (who.clone(), key.clone()),
    };
    let user = actor(&db, &who).await?;
    let ctx = ctx(&db, &user, &who, &prefix(&key)?).await?;
    let item = service::get(&db, &ctx, &key).await.map_err(err)?;
    let done = match c {
        CommentCommand::Add { body, question, .. } => {
            comments::add(&db, &user, &ctx, &key, &body, question)
                .await
                .map_err(err)?
        }
        CommentCommand::Edit {
            id, body, version, ..
        } => {
            let v = match version {
                Some(v) => v,
                None => comments::for_item(&db, item.id)
                    .await
                    .map_err(err)?
                    .iter()
                    .find(|c| c.id == id)
                    .map(|c| c.version)
                    .ok_or_else(|| anyhow::anyhow!("{key} has no comment {id}"))?,
            };
            comments::edit(&db, &user, &ctx, &key, id, v, &body)
                .await
                .map_err(err)?
        }
        CommentCommand::List { .. } => {
            let all = comments::for_item(&db, item.id).await.map_err(err)?;
            if who.json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for c in all {
                    let edited = if c.edited_at.is_some() {
                        " (edited)"
                    } else {
                        ""
                    };
                    println!("#{} {}{edited}: {}", c.id, c.author, c.body);
                }
            }
            return Ok(());
        }
    };
    if who.json {
        println!("{}", serde_json::to_string_pretty(&done)?);
    } else {
        println!("comment {} on {key} by {}", done.id, done.author);
    }
    Ok(())
}
