//! Stakeholder alignment (S9): stakeholders by group, sign-off requests on a frozen roadmap
//! snapshot or a decision, and approve / request-changes answers with comments.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::{now, Db};
use crate::error::{Error, Result};
use crate::workspace::ProductCtx;
use crate::{exec, on};

pub const GROUPS: [&str; 6] = [
    "exec",
    "sales",
    "marketing",
    "legal",
    "support",
    "engineering",
];

/// Changes requested by anyone wins; approved needs every stakeholder asked; otherwise pending.
pub fn status(asked: usize, answers: &[&str]) -> &'static str {
    if answers.contains(&"request_changes") {
        "changes_requested"
    } else if asked > 0 && answers.iter().filter(|a| **a == "approve").count() >= asked {
        "approved"
    } else {
        "pending"
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Stakeholder {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// exec, sales, marketing, legal, support or engineering.
    pub grp: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Answer {
    pub user_id: i64,
    pub name: String,
    /// approve or request_changes.
    pub answer: String,
    pub comment: String,
    pub answered_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Request {
    pub id: i64,
    /// roadmap, decision or document.
    pub subject: String,
    pub decision_id: Option<i64>,
    pub title: String,
    /// pending, approved or changes_requested.
    pub status: String,
    /// Each stakeholder's latest answer.
    pub answers: Vec<Answer>,
    /// Every answer given, oldest first: an answer given again keeps the earlier one here.
    pub history: Vec<Answer>,
    /// Stakeholders who have not answered.
    pub waiting_for: Vec<String>,
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StakeholderInput {
    pub user_id: i64,
    pub group: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// `roadmap` (this product's roadmap as it is now) or `decision`.
    pub subject: String,
    pub decision: Option<i64>,
    pub title: String,
}

#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SignoffAnswerInput)]
pub struct AnswerInput {
    /// approve or request_changes.
    pub answer: String,
    #[serde(default)]
    pub comment: String,
}

pub async fn stakeholders(db: &Db, ctx: &ProductCtx) -> Result<Vec<Stakeholder>> {
    Ok(stakeholders_read(ctx)?.on(db).await?)
}

/// [`stakeholders`] as a read that may share a round trip with others.
pub fn stakeholders_read(ctx: &ProductCtx) -> Result<Read<Vec<Stakeholder>>> {
    ctx.grants.require(Action::ViewStrategy)?;
    Ok(stakeholders_of(ctx.product.id))
}

fn stakeholders_of(product_id: i64) -> Read<Vec<Stakeholder>> {
    Read::query(
        "SELECT s.user_id, u.name, u.email, s.grp FROM stakeholders s JOIN users u ON u.id = s.user_id
         WHERE s.product_id = $1 ORDER BY s.grp, u.name",
        vec![product_id.into()],
        |rows| rows.all::<Stakeholder>(),
    )
}

/// Names a workspace member as a stakeholder of the product in a group (or moves them).
pub async fn set_stakeholder(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    s: &StakeholderInput,
) -> Result<Vec<Stakeholder>> {
    ctx.grants.require(Action::ManageStrategy)?;
    let grp = s.group.trim().to_lowercase();
    if !GROUPS.contains(&grp.as_str()) {
        return Err(Error::invalid(
            "group",
            format!("must be one of {}", GROUPS.join(", ")),
        ));
    }
    let member: Option<i64> = on!(&mut db.reader().await?.conn(), c => sqlx::query_scalar(
        "SELECT user_id FROM workspace_members WHERE workspace_id = $1 AND user_id = $2")
        .bind(ctx.workspace.id).bind(s.user_id).fetch_optional(&mut **c).await)?;
    member.ok_or_else(|| Error::invalid("user_id", "not a member of this workspace"))?;
    let mut tx = db.begin().await?;
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM stakeholders WHERE product_id = $1 AND user_id = $2")
        .bind(ctx.product.id).bind(s.user_id))?;
    exec!(&mut tx.conn(), t => sqlx::query("INSERT INTO stakeholders (product_id, user_id, grp) VALUES ($1, $2, $3)")
        .bind(ctx.product.id).bind(s.user_id).bind(&grp))?;
    Change::by(actor, ctx, "stakeholder.set", ("user", s.user_id))
        .after(&json!({"group": grp}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    stakeholders(db, ctx).await
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    subject: String,
    decision_id: Option<i64>,
    title: String,
    snapshot: String,
    created_at: chrono::DateTime<chrono::Utc>,
}

async fn load(db: &Db, ctx: &ProductCtx, only: Option<i64>) -> Result<Vec<Request>> {
    Ok(load_read(ctx, only)?.on(db).await?)
}

type AnswerRow = (
    i64,
    i64,
    String,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
);

/// The product's sign-off requests (or the one `only` names), newest first, with their
/// answers and whom they wait for, as a read that may share a round trip with others.
fn load_read(ctx: &ProductCtx, only: Option<i64>) -> Result<Read<Vec<Request>>> {
    ctx.grants.require(Action::ViewStrategy)?;
    let one = only.unwrap_or(0);
    let product = ctx.product.id;
    Ok(Read::query(
        "SELECT id, subject, decision_id, title, snapshot, created_at FROM signoff_requests
         WHERE product_id = $1 AND (id = $2 OR $2 = 0) ORDER BY id DESC LIMIT 200",
        vec![product.into(), one.into()],
        |rows| rows.all::<Row>(),
    )
    .and(Read::query(
        "SELECT a.request_id, a.user_id, u.name, a.answer, a.comment, a.answered_at FROM signoff_answer_log a
         JOIN users u ON u.id = a.user_id JOIN signoff_requests r ON r.id = a.request_id
         WHERE r.product_id = $1 AND (r.id = $2 OR $2 = 0) ORDER BY a.id",
        vec![product.into(), one.into()],
        |rows| rows.all::<AnswerRow>(),
    ))
    .and(stakeholders_of(product))
    .map(|((rows, history), people)| Ok(requests(rows, history, people))))
}

fn requests(rows: Vec<Row>, history: Vec<AnswerRow>, people: Vec<Stakeholder>) -> Vec<Request> {
    let history: Vec<(i64, Answer)> = history
        .into_iter()
        .map(|(r, user_id, name, answer, comment, answered_at)| {
            (
                r,
                Answer {
                    user_id,
                    name,
                    answer,
                    comment,
                    answered_at,
                },
            )
        })
        .collect();
    // Each person's current answer is their latest in the log (every answer is logged).
    let mut answers: Vec<(i64, Answer)> = Vec::new();
    for (r, a) in &history {
        answers.retain(|(r2, b)| !(r2 == r && b.user_id == a.user_id));
        answers.push((*r, a.clone()));
    }
    answers.sort_by_key(|(_, a)| a.answered_at);
    rows.into_iter()
        .map(|r| {
            let mine: Vec<Answer> = answers
                .iter()
                .filter(|a| a.0 == r.id)
                .map(|a| a.1.clone())
                .collect();
            let given: Vec<&str> = mine.iter().map(|a| a.answer.as_str()).collect();
            Request {
                status: status(people.len(), &given).to_string(),
                waiting_for: people
                    .iter()
                    .filter(|s| !mine.iter().any(|a| a.user_id == s.user_id))
                    .map(|s| s.name.clone())
                    .collect(),
                answers: mine,
                history: history
                    .iter()
                    .filter(|a| a.0 == r.id)
                    .map(|a| a.1.clone())
                    .collect(),
                snapshot: serde_json::from_str(&r.snapshot).unwrap_or_default(),
                id: r.id,
                subject: r.subject,
                decision_id: r.decision_id,
                title: r.title,
                created_at: r.created_at,
            }
        })
        .collect()
}

pub async fn list(db: &Db, ctx: &ProductCtx) -> Result<Vec<Request>> {
    load(db, ctx, None).await
}

/// [`list`] as a read that may share a round trip with others.
pub fn list_read(ctx: &ProductCtx) -> Result<Read<Vec<Request>>> {
    load_read(ctx, None)
}

pub async fn get(db: &Db, ctx: &ProductCtx, id: i64) -> Result<Request> {
    load(db, ctx, Some(id))
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound)
}

/// Asks the product's stakeholders to sign off; the roadmap or decision is frozen as it is now.
pub async fn request(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    input: &RequestInput,
) -> Result<Request> {
    ctx.grants.require(Action::ManageStrategy)?;
    let title = crate::strategy::validate_title("title", &input.title)?;
    let (subject, decision, snapshot) = match (input.subject.trim(), input.decision) {
        ("roadmap", None) => {
            let f = super::store::Filter {
                product: Some(ctx.product.key.clone()),
                ..Default::default()
            };
            (
                "roadmap",
                None,
                json!(super::store::load(db, ctx.workspace.id, &f).await?),
            )
        }
        ("decision", Some(d)) => {
            let found = crate::strategy::decisions::get(db, ctx, d)
                .await
                .map_err(|_| {
                    Error::invalid("decision", format!("no decision {d} in this product"))
                })?;
            ("decision", Some(d), json!(found))
        }
        ("decision", None) => return Err(Error::invalid("decision", "say which decision")),
        ("document", _) => {
            return Err(Error::invalid(
                "subject",
                "a document is sent for sign-off from its own address: POST …/documents/{kind}/signoff, or Send for sign-off on the Documents tab",
            ))
        }
        ("roadmap", Some(_)) => {
            return Err(Error::invalid(
                "decision",
                "a roadmap sign-off names no decision",
            ))
        }
        _ => return Err(Error::invalid("subject", "must be roadmap or decision")),
    };
    open(db, actor, ctx, subject, decision, &title, &snapshot).await
}

/// Opens a sign-off request on `snapshot`, the subject frozen as it is now: the one insert
/// behind a roadmap's, a decision's and a document's requests.
pub async fn open(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    subject: &str,
    decision: Option<i64>,
    title: &str,
    snapshot: &serde_json::Value,
) -> Result<Request> {
    ctx.grants.require(Action::ManageStrategy)?;
    if stakeholders(db, ctx).await?.is_empty() {
        return Err(Error::invalid(
            "subject",
            "name the product's stakeholders first",
        ));
    }
    let mut tx = db.begin().await?;
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO signoff_requests (product_id, subject, decision_id, title, snapshot, requested_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(ctx.product.id).bind(subject).bind(decision).bind(title).bind(snapshot.to_string()).bind(actor.id).bind(now())
        .fetch_one(&mut **t).await)?;
    Change::by(actor, ctx, "signoff.request", ("signoff_request", id))
        .after(&json!({"subject": subject, "decision": decision, "title": title}))
        .record(&mut tx)
        .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

/// A named stakeholder of the product approves or requests changes, whatever their roles (a
/// request must never wait on someone who may not answer). Answering again replaces the
/// current answer; the earlier one stays in the request's history.
pub async fn answer(
    db: &Db,
    actor: &User,
    ctx: &ProductCtx,
    id: i64,
    a: &AnswerInput,
) -> Result<Request> {
    let answer = match a.answer.trim() {
        "approve" => "approve",
        "request_changes" => "request_changes",
        _ => {
            return Err(Error::invalid(
                "answer",
                "must be approve or request_changes",
            ))
        }
    };
    let comment = crate::backlog::validate_text("comment", &a.comment, 5_000)?;
    if answer == "request_changes" && comment.is_empty() {
        return Err(Error::invalid("comment", "say which changes you ask for"));
    }
    get(db, ctx, id).await?;
    if !stakeholders(db, ctx)
        .await?
        .iter()
        .any(|s| s.user_id == actor.id)
    {
        return Err(Error::forbidden(
            "only the product's named stakeholders answer its sign-offs",
        ));
    }
    let mut tx = db.begin().await?;
    let at = now();
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO signoff_answer_log (request_id, user_id, answer, comment, answered_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(actor.id).bind(answer).bind(&comment).bind(at))?;
    exec!(&mut tx.conn(), t => sqlx::query("DELETE FROM signoff_answers WHERE request_id = $1 AND user_id = $2")
        .bind(id).bind(actor.id))?;
    exec!(&mut tx.conn(), t => sqlx::query(
        "INSERT INTO signoff_answers (request_id, user_id, answer, comment, answered_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(actor.id).bind(answer).bind(&comment).bind(at))?;
    Change::by(actor, ctx, "signoff.answer", ("signoff_request", id))
        .after(&json!({"answer": answer, "comment": comment}))
        .record(&mut tx)
        .await?;
    // The PMs who asked hear the answer; webhooks get `signoff.answered`.
    let pms: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "SELECT user_id FROM product_roles WHERE product_id = $1 AND role = 'pm'")
        .bind(ctx.product.id).fetch_all(&mut **t).await)?;
    crate::notify::store::emit(
        &mut tx,
        crate::notify::store::Event {
            workspace_id: ctx.workspace.id,
            actor,
            name: "signoff.answered",
            entity_type: "signoff",
            entity_id: id,
            title: format!("{} answered sign-off request {id}: {answer}", actor.name),
            link: format!("/w/{}/p/{}/signoffs", ctx.workspace.slug, ctx.product.key),
            data: json!({"request": id, "answer": answer, "comment": comment}),
            also: pms,
            mentions: Vec::new(),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, ctx, id).await
}

#[cfg(test)]
mod tests {
    use super::status;

    #[test]
    fn status_at_a_glance() {
        assert_eq!(status(2, &[]), "pending");
        assert_eq!(status(2, &["approve"]), "pending");
        assert_eq!(status(2, &["approve", "approve"]), "approved");
        assert_eq!(
            status(2, &["approve", "request_changes"]),
            "changes_requested"
        );
        assert_eq!(status(0, &[]), "pending");
    }
}
