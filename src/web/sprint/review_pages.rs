//! The review page: verdicts per criterion, where unaccepted items go, the goal, and closing.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::pages::{product_layout, sprint_url};
use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::Result;
use crate::extract::{Path, Query};
use crate::ids::SprintId;
use crate::page::{back, is_htmx, render, toast_header, Flash, Layout};
use crate::sprint::review::{self, Review, VerdictInput};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::ProductCtx;

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
    error: Option<String>,
    r: Review,
    can_review: bool,
    can_close: bool,
}

impl ReviewPage {
    fn pending(&self, it: &crate::sprint::review::ReviewItem) -> bool {
        it.criteria.iter().all(|c| c.pass.is_none())
    }

    fn status_title(&self, s: &str) -> &'static str {
        crate::backlog::status_title(s)
    }

    /// Criteria with a passing verdict, for "2 of 3 passed".
    fn passed(&self, it: &crate::sprint::review::ReviewItem) -> usize {
        it.criteria.iter().filter(|c| c.pass == Some(true)).count()
    }

    fn state_title(&self, s: &str) -> &'static str {
        crate::sprint::state_title(s)
    }

    fn outcome_title(&self, o: &str) -> &'static str {
        match o {
            "accepted" => "Accepted",
            "not_accepted" => "Not accepted",
            _ => "Outcome unknown",
        }
    }

    /// Items decided, for the footer's "4 of 6 reviewed": accepted, or failed on a criterion,
    /// or with a verdict on every criterion.
    fn reviewed(&self) -> usize {
        self.r
            .items
            .iter()
            .filter(|it| {
                it.accepted
                    || it.criteria.iter().any(|c| c.pass == Some(false))
                    || it.criteria.iter().all(|c| c.pass.is_some())
            })
            .count()
    }
}

type P3 = Path<(String, String, SprintId)>;

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((_, _, id)): P3,
    Query(f): Query<Flash>,
) -> Result<Response> {
    render_review(&st, &user, &ctx, id, f.error).await
}

async fn render_review(
    st: &AppState,
    user: &PageUser,
    ctx: &ProductCtx,
    id: SprintId,
    error: Option<String>,
) -> Result<Response> {
    let r = review::review(&st.db, ctx, id).await?;
    let active = r.sprint.state == "active";
    Ok(render(&ReviewPage {
        layout: product_layout(user, ctx, crate::page::Section::Sprints)
            .title(format!("{} · {} review", ctx.product.name, r.sprint.name)),
        ws: ctx.workspace.slug.clone(),
        pkey: ctx.product.key.clone(),
        error,
        can_review: active && ctx.grants.may(Action::ReviewSprint),
        can_close: active && ctx.grants.may(Action::CloseSprint),
        r,
    }))
}

/// One item's verdicts: fields `verdict-<position>` = pass|fail and `note-<position>`, or
/// `pass_all` to pass every criterion. From
/// htmx the answer is the page, whose item section and footer replace theirs, with a toast;
/// from a plain form, a redirect back to the item's section.
async fn verdicts(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    headers: HeaderMap,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    // "Pass all" passes every criterion the form lists (each has its note field), whatever
    // its radios say; otherwise the chosen verdicts count.
    let pass_all = form.get("pass_all").is_some();
    let (prefix, pass_of): (&str, fn(&str) -> bool) = if pass_all {
        ("note-", |_| true)
    } else {
        ("verdict-", |v| v == "pass")
    };
    let mut verdicts = Vec::new();
    for (k, v) in &form.0 {
        let Some(pos) = k.strip_prefix(prefix).and_then(|p| p.parse::<i64>().ok()) else {
            continue;
        };
        verdicts.push(VerdictInput {
            position: pos,
            pass: pass_of(v),
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
    let key = form.text("item");
    if !is_htmx(&headers) {
        return back(
            &format!("{}#review-{key}", sprint_url(&ctx, id, "review")),
            r,
        );
    }
    match r {
        Ok(()) => {
            let mut resp = render_review(&st, &user, &ctx, id, None).await?;
            let state = review::review(&st.db, &ctx, id)
                .await?
                .items
                .into_iter()
                .find(|it| it.item.key == key)
                .map_or("saved", |it| {
                    if it.accepted {
                        "accepted"
                    } else if it.criteria.iter().any(|c| c.pass == Some(false)) {
                        "not accepted"
                    } else {
                        "awaiting verdicts"
                    }
                });
            let (name, value) = toast_header(&format!("Verdicts saved on {key} · {state}"), false);
            if let Ok(v) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, v);
            }
            Ok(resp)
        }
        Err(e) if e.is_refusal() => {
            let (name, value) = toast_header(&format!("Not saved: {}", e.public_message()), true);
            Ok((e.status(), [(name, value)]).into_response())
        }
        Err(e) => Err(e),
    }
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
