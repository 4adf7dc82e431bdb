//! PM overrides (G3): the PM may change a running sprint's scope or break tier order, but only
//! with a strategic reason; each override is recorded, told to the PO and the team, and
//! counted per quarter where everyone can see it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::Change;
use crate::auth::store::User;
use crate::auth::Action;
use crate::db::batch::Read;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};
use crate::on;
use crate::strategy::Quarter;
use crate::workspace::ProductCtx;

/// Decides how an action on `normal`'s ground may go ahead: as usual (`None`), or as a PM
/// override with its strategic reason (`Some`).
pub fn authorize(
    ctx: &ProductCtx,
    override_reason: Option<&str>,
    normal: Action,
) -> Result<Option<String>> {
    let reason = override_reason.map(str::trim);
    match reason {
        Some(r) => {
            if !ctx.grants.may(Action::ManageStrategy) {
                return Err(Error::forbidden("only the Product Manager overrides, with a strategic reason"));
            }
            if r.is_empty() {
                return Err(Error::invalid("override_reason", "an override needs its strategic reason"));
            }
            Ok(Some(crate::backlog::validate_text("override_reason", r, 1_000)?))
        }
        None if ctx.grants.may(normal) => Ok(None),
        None if ctx.grants.may(Action::ManageStrategy) => Err(Error::forbidden(format!(
            "the Product Manager may {} only as an override: give a strategic reason in override_reason",
            normal.describe()
        ))),
        None => ctx.grants.require(normal).map(|_| None),
    }
}

pub struct Record<'a> {
    pub kind: &'a str,
    pub subject: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub reason: &'a str,
    /// The running sprint it changed, whose team is told.
    pub sprint: Option<i64>,
}

/// Writes the override, its audit row and the news for the PO and the team, in `tx`.
pub async fn record(tx: &mut Tx, actor: &User, ctx: &ProductCtx, r: Record<'_>) -> Result<()> {
    let id: i64 = on!(&mut tx.conn(), t => sqlx::query_scalar(
        "INSERT INTO overrides (product_id, kind, subject, before_json, after_json, reason, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
        .bind(ctx.product.id).bind(r.kind).bind(&r.subject).bind(r.before.to_string()).bind(r.after.to_string())
        .bind(r.reason).bind(actor.id).bind(crate::db::now()).fetch_one(&mut **t).await)?;
    Change::by(actor, ctx, "override", ("override", id))
        .before(&r.before.clone())
        .after(&r.after.clone())
        .reason(Some(r.reason))
        .record(tx)
        .await?;
    // The PO always hears of it. A sprint's team watches the sprint; a tier override changes
    // the order every team of the product works from, so those teams are told directly.
    let told_sql = if r.sprint.is_some() {
        "SELECT user_id FROM product_roles WHERE product_id = $1 AND role = 'po'"
    } else {
        "SELECT user_id FROM product_roles WHERE product_id = $1 AND role = 'po'
         UNION SELECT tm.user_id FROM team_members tm JOIN team_products tp ON tp.team_id = tm.team_id WHERE tp.product_id = $1"
    };
    let pos: Vec<i64> = on!(&mut tx.conn(), t => sqlx::query_scalar(told_sql)
        .bind(ctx.product.id).fetch_all(&mut **t).await)?;
    let cadence: String = on!(&mut tx.conn(), t => sqlx::query_scalar("SELECT cadence FROM products WHERE id = $1")
        .bind(ctx.product.id).fetch_one(&mut **t).await)?;
    let flow = cadence == "flow";
    let subject = match (flow, r.sprint) {
        (true, None) => format!("{} (the flow board's To do order)", r.subject),
        _ => r.subject.clone(),
    };
    let (entity_type, entity_id, link) = match r.sprint {
        Some(s) => (
            "sprint",
            s,
            format!(
                "/w/{}/p/{}/sprints/{s}/board",
                ctx.workspace.slug, ctx.product.key
            ),
        ),
        // A product in flow (E11) works from its flow board, whose To do column is the top
        // of the backlog: the news leads there.
        None if flow => (
            "product",
            ctx.product.id,
            format!("/w/{}/p/{}/flow", ctx.workspace.slug, ctx.product.key),
        ),
        None => (
            "product",
            ctx.product.id,
            format!("/w/{}/p/{}/backlog", ctx.workspace.slug, ctx.product.key),
        ),
    };
    crate::notify::store::emit(tx, crate::notify::store::Event {
        workspace_id: ctx.workspace.id,
        actor,
        name: "override",
        entity_type,
        entity_id,
        title: format!("PM override by {}: {subject} ({})", actor.name, r.reason),
        link,
        data: json!({"kind": r.kind, "subject": r.subject, "before": r.before, "after": r.after, "reason": r.reason}),
        also: pos,
        mentions: Vec::new(),
    })
    .await
}

#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Override {
    pub id: i64,
    /// scope or tier.
    pub kind: String,
    pub subject: String,
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overrides {
    pub quarter: String,
    pub count: usize,
    pub overrides: Vec<Override>,
}

/// The overrides of a product in a quarter, newest first.
pub async fn list(db: &Db, ctx: &ProductCtx, quarter: Quarter) -> Result<Overrides> {
    Ok(list_read(ctx, quarter)?.on(db).await?)
}

/// [`list`] as a read that may share a round trip with others.
pub fn list_read(ctx: &ProductCtx, quarter: Quarter) -> Result<Read<Overrides>> {
    ctx.grants.require(Action::ViewBacklog)?;
    let from = quarter
        .start()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let to = quarter
        .next()
        .start()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    Ok(Read::query(
        "SELECT o.id, o.kind, o.subject, o.reason, u.name AS by, o.created_at AS at FROM overrides o JOIN users u ON u.id = o.created_by
         WHERE o.product_id = $1 AND o.created_at >= $2 AND o.created_at < $3 ORDER BY o.id DESC",
        vec![ctx.product.id.into(), from.into(), to.into()],
        move |rows| {
            let overrides: Vec<Override> = rows.all()?;
            Ok(Overrides {
                quarter: quarter.to_string(),
                count: overrides.len(),
                overrides,
            })
        },
    ))
}
