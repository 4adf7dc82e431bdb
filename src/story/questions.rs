//! Questions on items (E4): an open question from the product team blocks readiness (a
//! stakeholder's is a comment that blocks nothing); the answer time is recorded, and follow-ups
//! join the question's thread until it is answered.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::{Action, Role};
use crate::backlog::{service, store as items};
use crate::db::batch::Read;
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::ids::ItemId;
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Question {
    pub id: i64,
    pub body: String,
    pub asked_by: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// Asked by the product team (pm, po, sm, dev): blocks readiness while open.
    pub blocking: bool,
    /// Comments in the question's thread, oldest first.
    #[sqlx(skip)]
    pub follow_ups: Vec<super::comments::Comment>,
}

impl Question {
    pub fn is_open(&self) -> bool {
        self.answered_at.is_none()
    }

    /// How long the team waited for the answer, in seconds.
    pub fn answer_seconds(&self) -> Option<i64> {
        self.answered_at.map(|a| (a - self.asked_at).num_seconds())
    }
}

fn validate_body(field: &str, body: &str) -> Result<String> {
    let b = body.trim();
    if b.is_empty() || b.chars().count() > 5_000 {
        return Err(Error::invalid(field, "write 1 to 5000 characters"));
    }
    Ok(b.to_string())
}

pub async fn for_item(db: &Db, item_id: ItemId) -> Result<Vec<Question>> {
    Ok(threads(db, item_id).await?.0)
}

/// An item's questions, each with its follow-ups, and its comments on the item itself: one read
/// of the comments serves both.
pub async fn threads(
    db: &Db,
    item_id: ItemId,
) -> Result<(Vec<Question>, Vec<super::comments::Comment>)> {
    Ok(threads_read(item_id).on(db).await?)
}

/// [`threads`] as a read that may share a round trip with others.
pub fn threads_read(item_id: ItemId) -> Read<(Vec<Question>, Vec<super::comments::Comment>)> {
    Read::query(
        "SELECT q.id, q.body, a.name AS asked_by, q.asked_at, q.answer, b.name AS answered_by, q.answered_at, q.version, q.blocking
         FROM questions q JOIN users a ON a.id = q.asked_by LEFT JOIN users b ON b.id = q.answered_by
         WHERE q.item_id = $1 ORDER BY q.id",
        vec![i64::from(item_id).into()],
        |rows| rows.all::<Question>(),
    )
    .and(super::comments::for_item_read(item_id))
    .map(|(mut qs, all)| {
        let (follow_ups, comments): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|c| c.question_id.is_some());
        for q in &mut qs {
            q.follow_ups = follow_ups
                .iter()
                .filter(|c| c.question_id == Some(q.id))
                .cloned()
                .collect();
        }
        Ok((qs, comments))
    })
}

pub async fn ask(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    body: &str,
) -> Result<Question> {
    ctx.grants.require(Action::AskQuestion)?;
    let body = validate_body("body", body)?;
    // Only the product team's questions hold work back (PRODUCT.md, E4).
    let blocking = ctx
        .grants
        .roles
        .iter()
        .any(|r| matches!(r, Role::Pm | Role::Po | Role::Sm | Role::Dev));
    let mut tx = db.begin().await?;
    let row = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key).await?;
    let at = now();
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO questions (item_id, product_id, body, asked_by, asked_at, blocking) VALUES ($1, $5, $2, $3, $4, $6) RETURNING id")
        .bind(row.id).bind(&body).bind(actor.id).bind(at).bind(ctx.product.id).bind(blocking).fetch_one(&mut **t).await)?;
    service::refresh_readiness(&mut tx, &service::rules_of(ctx), row.id).await?;
    Change::by(actor, ctx, "question.ask", ("item", row.id))
        .after(&json!({"question": id, "body": body, "blocking": blocking}))
        .record(&mut tx)
        .await?;
    crate::notify::hooks::question(&mut tx, ctx, actor, row.id, key, &body, false).await?;
    tx.commit().await?;
    Ok(Question {
        id,
        body,
        asked_by: actor.name.clone(),
        asked_at: at,
        answer: None,
        answered_by: None,
        answered_at: None,
        version: 1,
        blocking,
        follow_ups: Vec::new(),
    })
}

/// Answers (or re-answers) a question; `expected_version` guards against two people answering at once.
pub async fn answer(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    question_id: i64,
    expected_version: i64,
    text: &str,
) -> Result<()> {
    ctx.grants.require(Action::AnswerQuestion)?;
    let text = validate_body("answer", text)?;
    let mut tx = db.begin().await?;
    let row = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key).await?;
    let before: Option<(Option<String>, i64)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT answer, version FROM questions WHERE id = $1 AND item_id = $2")
        .bind(question_id).bind(row.id).fetch_optional(&mut **t).await)?;
    let (old, version) = before.ok_or(Error::NotFound)?;
    if version != expected_version {
        return Err(Error::Stale {
            message: format!(
                "question {question_id} was answered or changed by someone else; reload to see it"
            ),
            current: Box::new(json!({"answer": old, "version": version})),
            etag: Some(format!("\"{version}\"")),
        });
    }
    // The first answer's time is what measures the PO's availability; later edits keep it.
    exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE questions SET answer = $1, answered_by = COALESCE(answered_by, $2),
                answered_at = COALESCE(answered_at, $3), version = version + 1
         WHERE id = $4 AND version = $5")
        .bind(&text).bind(actor.id).bind(now()).bind(question_id).bind(expected_version))?;
    service::refresh_readiness(&mut tx, &service::rules_of(ctx), row.id).await?;
    Change::by(actor, ctx, "question.answer", ("item", row.id))
        .before(&json!({"question": question_id, "answer": old}))
        .after(&json!({"question": question_id, "answer": text}))
        .record(&mut tx)
        .await?;
    crate::notify::hooks::question(&mut tx, ctx, actor, row.id, key, &text, true).await?;
    tx.commit().await?;
    Ok(())
}

/// The median of `values`: the middle one, or the mean of the two middle ones of an even count.
pub fn median(values: &mut [i64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        n if n % 2 == 1 => Some(values[n / 2] as f64),
        n => Some((values[n / 2 - 1] as f64 + values[n / 2] as f64) / 2.0),
    }
}

/// Median seconds from question to first answer over a product's answered questions.
pub async fn median_answer_seconds(db: &Db, product_id: i64) -> Result<Option<f64>> {
    Ok(median_answer_seconds_read(product_id).on(db).await?)
}

/// [`median_answer_seconds`] as a read that may share a round trip with others.
pub fn median_answer_seconds_read(product_id: i64) -> Read<Option<f64>> {
    Read::query(
        "SELECT asked_at, answered_at FROM questions
         WHERE product_id = $1 AND answered_at IS NOT NULL ORDER BY id DESC LIMIT 500",
        vec![product_id.into()],
        |rows| {
            let rows: Vec<(DateTime<Utc>, DateTime<Utc>)> = rows.all()?;
            let mut secs: Vec<i64> = rows.iter().map(|(a, b)| (*b - *a).num_seconds()).collect();
            Ok(median(&mut secs))
        },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(super::median(&mut []), None);
        assert_eq!(super::median(&mut [5, 0]), Some(2.5));
        assert_eq!(super::median(&mut [9, 1, 4]), Some(4.0));
        assert_eq!(super::median(&mut [1, 2, 3, 100]), Some(2.5));
    }
}
