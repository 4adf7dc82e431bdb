//! Comment threads on items (E4): anyone who can read an item comments on it, @mentions tell
//! people, and an edit keeps the earlier text. A comment that names a question is a follow-up in
//! that question's thread, taken until the question is answered.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::backlog::store as items;
use crate::db::batch::Read;
use crate::db::{now, Db, Tx};
use crate::error::{Error, Result};
use crate::ids::ItemId;
use crate::workspace::ProductCtx;
use crate::{exec, on};

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Comment {
    pub id: i64,
    /// The question this follows up, if it is part of a question's thread.
    pub question_id: Option<i64>,
    pub body: String,
    pub author: String,
    #[serde(skip)]
    pub author_id: i64,
    pub created_at: DateTime<Utc>,
    /// When it was last edited; the earlier texts are in `edits`.
    pub edited_at: Option<DateTime<Utc>>,
    pub version: i64,
    #[sqlx(skip)]
    pub edits: Vec<Edit>,
}

/// Answered with its version as the ETag, so the next write can send `If-Match`.
impl crate::audit::Versioned for Comment {
    const NOUN: &'static str = "the comment";
    fn version(&self) -> i64 {
        self.version
    }
}

/// A comment's text before one of its edits.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Edit {
    #[serde(skip)]
    pub comment_id: i64,
    pub body: String,
    pub edited_at: DateTime<Utc>,
}

fn validate(body: &str) -> Result<String> {
    let b = body.trim();
    if b.is_empty() || b.chars().count() > 10_000 {
        return Err(Error::invalid("body", "write 1 to 10000 characters"));
    }
    Ok(b.to_string())
}

/// An item's comments, oldest first, each with its earlier texts.
pub async fn for_item(db: &Db, item_id: ItemId) -> Result<Vec<Comment>> {
    Ok(for_item_read(item_id).on(db).await?)
}

/// [`for_item`] as a read that may share a round trip with others: the comments and the
/// earlier texts of the edited ones, asked together.
pub fn for_item_read(item_id: ItemId) -> Read<Vec<Comment>> {
    let id = i64::from(item_id);
    Read::query(
        "SELECT c.id, c.question_id, c.body, u.name AS author, c.author_id, c.created_at, c.edited_at, c.version
         FROM comments c JOIN users u ON u.id = c.author_id WHERE c.item_id = $1 ORDER BY c.id",
        vec![id.into()],
        |rows| rows.all::<Comment>(),
    )
    .and(Read::query(
        "SELECT e.comment_id, e.body, e.edited_at FROM comment_edits e JOIN comments c ON c.id = e.comment_id
         WHERE c.item_id = $1 ORDER BY e.id",
        vec![id.into()],
        |rows| rows.all::<Edit>(),
    ))
    .map(|(mut out, edits)| {
        for c in &mut out {
            c.edits = edits
                .iter()
                .filter(|e| e.comment_id == c.id)
                .cloned()
                .collect();
        }
        Ok(out)
    })
}

async fn one(db: &Db, item_id: ItemId, id: i64) -> Result<Comment> {
    for_item(db, item_id)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound)
}

/// Adds a comment to the item `key`, or a follow-up to its open question `question`.
pub async fn add(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    body: &str,
    question: Option<i64>,
) -> Result<Comment> {
    ctx.grants.require(Action::ViewBacklog)?;
    let body = validate(body)?;
    let mut tx = db.begin().await?;
    let row = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key).await?;
    if let Some(q) = question {
        let answered: Option<Option<DateTime<Utc>>> = on!(&mut tx.conn(), t => sqlx::query_scalar(
            "SELECT answered_at FROM questions WHERE id = $1 AND item_id = $2")
            .bind(q).bind(row.id).fetch_optional(&mut **t).await)?;
        match answered {
            None => {
                return Err(Error::invalid(
                    "question",
                    format!("{key} has no question {q}"),
                ))
            }
            Some(Some(_)) => {
                return Err(Error::Conflict(format!(
                    "question {q} on {key} is answered; comment on the item, or ask a new question"
                )))
            }
            Some(None) => {}
        }
    }
    let id = insert(&mut tx, row.id, question, &body, actor.id, now()).await?;
    Change::by(actor, ctx, "comment.add", ("item", row.id))
        .after(&json!({"comment": id, "question": question, "body": body}))
        .record(&mut tx)
        .await?;
    crate::notify::hooks::comment(&mut tx, ctx, actor, row.id, key, &body).await?;
    tx.commit().await?;
    one(db, row.id, id).await
}

/// Writes one comment in the caller's transaction: the one insert path, for [`add`] and for
/// imports (which bring each comment's author and date from the file).
pub async fn insert(
    tx: &mut Tx,
    item_id: ItemId,
    question: Option<i64>,
    body: &str,
    author_id: i64,
    at: DateTime<Utc>,
) -> Result<i64> {
    Ok(on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO comments (item_id, question_id, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(item_id).bind(question).bind(body).bind(author_id).bind(at).fetch_one(&mut **t).await)?)
}

/// Every comment on a product's items as (item, author, written at, text), so an import can
/// tell which of a file's comments are there already.
pub async fn of_product(
    c: &mut crate::db::Conn<'_>,
    product_id: i64,
) -> Result<Vec<(ItemId, i64, DateTime<Utc>, String)>> {
    Ok(on!(c, t => sqlx::query_as(
        "SELECT c.item_id, c.author_id, c.created_at, c.body FROM comments c
         JOIN items i ON i.id = c.item_id WHERE i.product_id = $1")
        .bind(product_id).fetch_all(&mut **t).await)?)
}

/// The author edits a comment as of its `expected` version; the earlier text is kept.
pub async fn edit(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    key: &str,
    id: i64,
    expected: i64,
    body: &str,
) -> Result<Comment> {
    ctx.grants.require(Action::ViewBacklog)?;
    let body = validate(body)?;
    let mut tx = db.begin().await?;
    let row = items::row_in_product(&mut tx.conn(), ctx.product.id, &ctx.product.key, key).await?;
    let current: Option<(String, i64, i64)> = on!(&mut tx.conn(), t => sqlx::query_as(
        "SELECT body, author_id, version FROM comments WHERE id = $1 AND item_id = $2")
        .bind(id).bind(row.id).fetch_optional(&mut **t).await)?;
    let (old, author, version) = current.ok_or(Error::NotFound)?;
    if author != actor.id {
        return Err(Error::forbidden("only its author edits a comment"));
    }
    if version != expected {
        return Err(Error::Stale {
            message: format!("comment {id} was edited since you read it; reload to see it"),
            current: Box::new(json!({"body": old, "version": version})),
            etag: Some(format!("\"{version}\"")),
        });
    }
    let at = now();
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO comment_edits (comment_id, body, edited_at) VALUES ($1, $2, $3)")
        .bind(id).bind(&old).bind(at))?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "UPDATE comments SET body = $1, edited_at = $2, version = version + 1 WHERE id = $3 AND version = $4")
        .bind(&body).bind(at).bind(id).bind(expected))?;
    Change::by(actor, ctx, "comment.edit", ("item", row.id))
        .before(&json!({"comment": id, "body": old}))
        .after(&json!({"comment": id, "body": body}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    one(db, row.id, id).await
}
