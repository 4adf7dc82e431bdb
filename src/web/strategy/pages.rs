//! HTML pages for a product's strategy: objectives and metrics, quarterly priorities (ranked
//! by drag and drop or by buttons), and one metric with its progress chart.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::{csrf_header, PageUser};
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::page::{render, FormData, Layout};
use crate::state::AppState;
use crate::strategy::model::{
    MetricDetail, MetricInput, MetricValue, Objective, ObjectiveInput, Priority, PriorityInput,
    PriorityMove,
};
use crate::strategy::{chart, objectives, priorities, Quarter};
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::{store as ws_store, Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/strategy", get(strategy))
        .route("/w/{ws}/p/{product}/objectives", post(create_objective))
        .route("/w/{ws}/p/{product}/metrics", post(create_metric))
        .route("/w/{ws}/p/{product}/metrics/{id}", get(metric))
        .route(
            "/w/{ws}/p/{product}/metrics/{id}/values",
            post(record_value),
        )
        .route("/w/{ws}/p/{product}/priorities", post(create_priority))
        .route(
            "/w/{ws}/p/{product}/priorities/{id}/move",
            post(move_priority),
        )
        .route(
            "/w/{ws}/p/{product}/priorities/{id}/delete",
            post(delete_priority),
        )
}

#[derive(askama::Template)]
#[template(path = "strategy/overview.html")]
struct OverviewPage {
    layout: Layout,
    ws: String,
    product: Product,
    quarter: String,
    prev: String,
    next: String,
    started: bool,
    objectives: Vec<Objective>,
    priorities: Vec<Priority>,
    pm: bool,
    vision: crate::strategy::research_model::Vision,
    error: Option<String>,
}

impl OverviewPage {
    /// The id of the priority just above (or below) the one at `i`.
    fn neighbour(&self, i: &usize, below: bool) -> i64 {
        let j = if below { i + 1 } else { i.wrapping_sub(1) };
        self.priorities.get(j).map(|p| p.id).unwrap_or_default()
    }

    fn objective_title(&self, id: &i64) -> String {
        self.objectives
            .iter()
            .find(|o| o.id == *id)
            .map(|o| o.title.clone())
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct QuarterQuery {
    quarter: Option<String>,
}

fn quarter_or_now(q: Option<&str>) -> Result<Quarter> {
    match q.filter(|q| !q.is_empty()) {
        Some(q) => Quarter::parse(q),
        None => Ok(Quarter::of(crate::strategy::today())),
    }
}

async fn overview(
    state: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    quarter: Quarter,
    error: Option<String>,
) -> Result<Response> {
    let objectives = objectives::list(&state.db, &ctx, Some(quarter)).await?;
    let priorities = priorities::list(&state.db, &ctx, quarter).await?;
    let vision = crate::strategy::personas::vision(&state.db, &ctx).await?;
    let prev = Quarter {
        year: if quarter.q == 1 {
            quarter.year - 1
        } else {
            quarter.year
        },
        q: if quarter.q == 1 { 4 } else { quarter.q - 1 },
    };
    Ok(render(&OverviewPage {
        layout: product_layout(user, &ctx, crate::page::Section::Strategy).title(format!(
            "{} · Objectives & priorities {quarter}",
            ctx.product.name
        )),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        product: ctx.product,
        quarter: quarter.to_string(),
        prev: prev.to_string(),
        next: quarter.next().to_string(),
        started: quarter.has_started(crate::strategy::today()),
        objectives,
        priorities,
        vision,
        error,
    }))
}

async fn strategy(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Query(q): Query<QuarterQuery>,
) -> Result<Response> {
    overview(&s, &user, ctx, quarter_or_now(q.quarter.as_deref())?, None).await
}

fn opt(form: &FormData, name: &str) -> Option<String> {
    form.get(name).map(str::to_string)
}

fn number(form: &FormData, name: &str) -> Result<Option<f64>> {
    match form.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(name, format!("{v:?} is not a number"))),
    }
}

fn ids(form: &FormData, name: &str) -> Result<Vec<i64>> {
    form.all(name)
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| Error::invalid(name, "not one of the choices"))
        })
        .collect()
}

/// Runs a form action; a refusal the user can fix re-renders the quarter with the message.
async fn act<F>(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    form: &FormData,
    f: F,
) -> Result<Response>
where
    F: AsyncFnOnce(&ProductCtx) -> Result<Quarter>,
{
    let back = quarter_or_now(form.get("quarter"))?;
    match f(&ctx).await {
        Ok(q) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/strategy?quarter={q}",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_) | Error::Stale { .. })) => {
            let mut r = overview(s, user, ctx, back, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn create_objective(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    act(&s, &user, ctx, &form, async |ctx| {
        let input = ObjectiveInput {
            quarter: opt(&form, "quarter"),
            title: opt(&form, "title"),
            description: opt(&form, "description"),
        };
        let o = objectives::create(&s.db, &user.user, ctx, input).await?;
        Quarter::parse(&o.quarter)
    })
    .await
}

fn metric_input(form: &FormData) -> Result<MetricInput> {
    let objective = form.get("objective_id").filter(|v| !v.is_empty());
    Ok(MetricInput {
        objective_id: Some(
            objective
                .map(|v| {
                    v.parse()
                        .map_err(|_| Error::invalid("objective_id", "not one of the choices"))
                })
                .transpose()?,
        ),
        name: opt(form, "name"),
        unit: opt(form, "unit"),
        direction: opt(form, "direction"),
        baseline: number(form, "baseline")?,
        target: number(form, "target")?,
    })
}

async fn create_metric(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    act(&s, &user, ctx, &form, async |ctx| {
        objectives::create_metric(&s.db, &user.user, ctx, metric_input(&form)?).await?;
        quarter_or_now(form.get("quarter"))
    })
    .await
}

async fn create_priority(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    act(&s, &user, ctx, &form, async |ctx| {
        let input = PriorityInput {
            quarter: opt(&form, "quarter"),
            title: opt(&form, "title"),
            description: opt(&form, "description"),
            objectives: Some(ids(&form, "objectives")?),
            position: opt(&form, "position"),
            reason: opt(&form, "reason"),
        };
        let p = priorities::create(&s.db, &user.user, ctx, input).await?;
        Quarter::parse(&p.quarter)
    })
    .await
}

fn move_input(form: &FormData) -> Result<PriorityMove> {
    let id = |name: &str| {
        form.get(name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Error::invalid(name, "not a priority"))
            })
            .transpose()
    };
    Ok(PriorityMove {
        before: id("before")?,
        after: id("after")?,
        to: opt(form, "to").filter(|t| !t.is_empty()),
        reason: opt(form, "reason"),
    })
}

/// Moves from the page: a script sends the CSRF token as a header and gets plain text back;
/// the buttons without script post a form and come back to the page.
async fn move_priority(
    State(s): State<AppState>,
    user: PageUser,
    headers: HeaderMap,
    Path((ws, product, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    let id = super::api::id(&id)?;
    if let Some(token) = csrf_header(&headers) {
        let run = async {
            user.check_csrf(Some(token))?;
            let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
            crate::governance::tiers::move_priority(&s.db, &user.user, &ctx, id, move_input(&form)?)
                .await
        };
        return Ok(match run.await {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => (e.status(), e.public_message()).into_response(),
        });
    }
    user.check_csrf(form.get("csrf"))?;
    let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
    act(&s, &user, ctx, &form, async |ctx| {
        let list =
            crate::governance::tiers::move_priority(&s.db, &user.user, ctx, id, move_input(&form)?)
                .await?;
        list.first()
            .map(|p| Quarter::parse(&p.quarter))
            .unwrap_or_else(|| quarter_or_now(None))
    })
    .await
}

async fn delete_priority(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, product, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    let id = super::api::id(&id)?;
    user.check_csrf(form.get("csrf"))?;
    let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
    act(&s, &user, ctx, &form, async |ctx| {
        priorities::delete(
            &s.db,
            &user.user,
            ctx,
            id,
            form.version()?,
            form.get("reason"),
        )
        .await?;
        quarter_or_now(form.get("quarter"))
    })
    .await
}

#[derive(askama::Template)]
#[template(path = "strategy/metric.html")]
struct MetricPage {
    layout: Layout,
    ws: String,
    product: Product,
    m: MetricDetail,
    svg: String,
    pm: bool,
    error: Option<String>,
}

async fn metric_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    id: i64,
    error: Option<String>,
) -> Result<Response> {
    let m = objectives::metric(&s.db, &ctx, id).await?;
    let svg = chart::metric_svg(&m.history, m.metric.baseline, m.metric.target)?;
    Ok(render(&MetricPage {
        layout: product_layout(user, &ctx, crate::page::Section::Strategy)
            .title(m.metric.name.clone()),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        product: ctx.product,
        m,
        svg,
        error,
    }))
}

async fn metric(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response> {
    metric_page(&s, &user, ctx, super::api::id(&id)?, None).await
}

async fn record_value(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, product, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let id = super::api::id(&id)?;
    let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
    let run = async {
        let value = number(&form, "value")?.ok_or_else(|| Error::invalid("value", "required"))?;
        objectives::record_value(
            &s.db,
            &user.user,
            &ctx,
            id,
            MetricValue {
                measured_on: form.text("measured_on"),
                value,
            },
        )
        .await
    };
    match run.await {
        Ok(_) => Ok(
            Redirect::to(&format!("/w/{ws}/p/{}/metrics/{id}", ctx.product.key)).into_response(),
        ),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut r = metric_page(&s, &user, ctx, id, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}
