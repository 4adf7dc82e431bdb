//! The idea intake page: a form of the questions a strategy brief needs, whose answers
//! [`crate::strategy::idea::draft`] turns into draft records; a refused form comes back with its answers.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::extract::PageUser;
use crate::error::{Error, Result};
use crate::page::{render, FormData, Layout};
use crate::state::AppState;
use crate::strategy::idea::{self, IdeaInput};
use crate::strategy::personas;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::{Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/ideas/new", get(form_page))
        .route("/w/{ws}/p/{product}/ideas", post(create))
}

#[derive(askama::Template)]
#[template(path = "strategy/idea.html")]
struct IdeaPage {
    layout: Layout,
    ws: String,
    product: Product,
    has_vision: bool,
    personas: Vec<String>,
    a: IdeaInput,
    who: String,
    steps: String,
    baseline: String,
    target: String,
    error: Option<String>,
}

/// The form, holding `a` and the numbers as typed (`raw`), so a refused one loses nothing.
async fn page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    a: IdeaInput,
    raw: [String; 2],
    error: Option<String>,
) -> Result<Response> {
    let vision = personas::vision(&s.db, &ctx).await?;
    let known = personas::list(&s.db, &ctx).await?;
    Ok(render(&IdeaPage {
        layout: product_layout(user, &ctx, crate::page::Section::Initiatives)
            .title(format!("{} · Start from an idea", ctx.product.name)),
        ws: ctx.workspace.slug.clone(),
        has_vision: !vision.vision.trim().is_empty(),
        personas: known.into_iter().map(|p| p.name).collect(),
        who: a.who.join("\n"),
        steps: a.first_steps.join("\n"),
        baseline: raw[0].clone(),
        target: raw[1].clone(),
        product: ctx.product,
        a,
        error,
    }))
}

async fn form_page(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
) -> Result<Response> {
    ctx.grants.require(crate::auth::Action::ManageStrategy)?;
    page(
        &s,
        &user,
        ctx,
        IdeaInput::default(),
        Default::default(),
        None,
    )
    .await
}

/// A textarea's lines, without the blank ones.
fn lines(form: &FormData, name: &str) -> Vec<String> {
    form.get(name)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn number(form: &FormData, name: &str) -> Result<Option<f64>> {
    match form.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| Error::invalid(name, "give a number")),
    }
}

fn text(form: &FormData, name: &str) -> String {
    form.get(name).unwrap_or_default().to_string()
}

fn answers(form: &FormData) -> (IdeaInput, Option<Error>) {
    let (baseline, b_err) = match number(form, "baseline") {
        Ok(v) => (v, None),
        Err(e) => (None, Some(e)),
    };
    let (target, t_err) = match number(form, "target") {
        Ok(v) => (v, None),
        Err(e) => (None, Some(e)),
    };
    let opt = |name: &str| {
        form.get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let a = IdeaInput {
        title: text(form, "title"),
        problem: text(form, "problem"),
        who: lines(form, "who"),
        today: text(form, "today"),
        why_now: text(form, "why_now"),
        success: text(form, "success"),
        metric: opt("metric"),
        unit: opt("unit"),
        baseline,
        target,
        out_of_scope: text(form, "out_of_scope"),
        first_steps: lines(form, "first_steps"),
    };
    (a, b_err.or(t_err))
}

async fn create(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let (a, bad_number) = answers(&form);
    let result = match bad_number {
        Some(e) => Err(e),
        None => idea::draft(&s.db, &user.user, &ctx, a.clone()).await,
    };
    match result {
        Ok(d) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/initiatives/{}",
            ctx.workspace.slug, ctx.product.key, d.initiative.id
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let status = e.status();
            let raw = [text(&form, "baseline"), text(&form, "target")];
            let mut r = page(&s, &user, ctx, a, raw, Some(e.to_string())).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(e),
    }
}
