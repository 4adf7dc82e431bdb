//! The review page: verdicts per criterion, where unaccepted items go, the goal, and closing.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use super::pages::{sprint_layout, sprint_url};
use super::review::{self, Review, VerdictInput};
use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::Result;
use crate::extract::{Path, Query};
use crate::page::{back, render, Flash, Layout};
use crate::state::AppState;
use crate::workspace::form::ProductForm;
use crate::workspace::store::product_ctx;

pub fn routes() -> Router<AppState> {
    const S: &str = "/w/{ws}/p/{product}/sprints/{id}";
    Router::new()
        .route(&format!("{S}/review"), get(page))
        .route(&format!("{S}/review/item"), post(verdicts))
        .route(&format!("{S}/review/goal"), post(goal))
        .route(&format!("{S}/close"), post(close))
}

#[derive(askama::Template)]
#[template(path = "sprint/review.html")]
struct ReviewPage {
    layout: Layout,
    ws: String,
    pkey: String,
    tab: &'static str,
    error: Option<String>,
    r: Review,
    can_review: bool,
    can_close: bool,
}

impl ReviewPage {
    fn pending(&self, it: &super::review::ReviewItem) -> bool {
        it.criteria.iter().all(|c| c.pass.is_none())
    }
}

type P3 = Path<(String, String, i64)>;

async fn page(
    State(st): State<AppState>,
    user: PageUser,
    Path((ws, product, id)): P3,
    Query(f): Query<Flash>,
) -> Result<Response> {
    let ctx = product_ctx(&st.db, user.user.id, &ws, &product).await?;
    let r = review::review(&st.db, &ctx, id).await?;
    let active = r.sprint.state == "active";
    Ok(render(&ReviewPage {
        layout: sprint_layout(&user, &ctx, format!("{} review", r.sprint.name)),
        ws,
        pkey: ctx.product.key.clone(),
        tab: "sprints",
        error: f.error,
        can_review: active && ctx.grants.may(Action::ReviewSprint),
        can_close: active && ctx.grants.may(Action::CloseSprint),
        r,
    }))
}

/// One item's verdicts: fields `verdict-<position>` = pass|fail and `note-<position>`.
async fn verdicts(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let mut verdicts = Vec::new();
    for (k, v) in &form.0 {
        let Some(pos) = k
            .strip_prefix("verdict-")
            .and_then(|p| p.parse::<i64>().ok())
        else {
            continue;
        };
        verdicts.push(VerdictInput {
            position: pos,
            pass: v == "pass",
            note: form.text(&format!("note-{pos}")),
        });
    }
    let carry = form.get("carry").filter(|c| !c.is_empty());
    let reason = form.text("accept_reason");
    let r = review::record_verdicts(
        &st.db,
        &user.user,
        &ctx,
        id,
        &form.text("item"),
        review::Call {
            verdicts: &verdicts,
            carry,
            accept_reason: Some(reason.as_str()),
        },
    )
    .await;
    back(&sprint_url(&ctx, id, "review"), r)
}

async fn goal(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = review::record_goal(
        &st.db,
        &user.user,
        &ctx,
        id,
        form.get("goal_met") == Some("yes"),
    )
    .await;
    back(&sprint_url(&ctx, id, "review"), r)
}

async fn close(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        review::close(&st.db, &user.user, &ctx, id, form.version()?)
            .await
            .map(|_| ())
    };
    match r.await {
        Ok(()) => back(&sprint_url(&ctx, id, "retro"), Ok(())),
        Err(e) => back(&sprint_url(&ctx, id, "review"), Err(e)),
    }
}
