//! HTML handlers for questions and the Definition of Ready.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::extract::PageUser;
use crate::backlog::service;
use crate::error::{Error, Result};
use crate::extract::Path;
use crate::page::{render, FormData, Layout};
use crate::state::AppState;
use crate::story::readiness::ReadyRules;
use crate::story::{comments, questions, rules};
use crate::web::backlog::pages::item_refused;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::{page_ctx, product_layout};
use crate::workspace::ProductCtx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/items/{key}/questions", post(ask))
        .route("/w/{ws}/items/{key}/questions/{id}/answer", post(answer))
        .route("/w/{ws}/items/{key}/comments", post(comment))
        .route("/w/{ws}/items/{key}/comments/{id}", post(edit_comment))
        .route(
            "/w/{ws}/p/{product}/ready",
            get(rules_page).post(save_rules),
        )
}

async fn ask(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, key)): Path<(String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = page_ctx(&state, &user, &ws, &key).await?;
    match questions::ask(&state.db, &user.user, &ctx, &key, &form.text("body")).await {
        Ok(_) => Ok(Redirect::to(&format!("/w/{ws}/items/{key}")).into_response()),
        Err(e) => item_refused(&state, &user, &ctx, &key, None, e).await,
    }
}

async fn answer(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, key, id)): Path<(String, String, i64)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = page_ctx(&state, &user, &ws, &key).await?;
    match questions::answer(
        &state.db,
        &user.user,
        &ctx,
        &key,
        id,
        form.version()?,
        &form.text("answer"),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/w/{ws}/items/{key}")).into_response()),
        Err(e) => item_refused(&state, &user, &ctx, &key, None, e).await,
    }
}

async fn comment(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, key)): Path<(String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = page_ctx(&state, &user, &ws, &key).await?;
    let question = match form
        .get("question")
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        None => None,
        Some(q) => Some(
            q.parse::<i64>()
                .map_err(|_| Error::invalid("question", "a question number"))?,
        ),
    };
    let body = form.text("body");
    match comments::add(&state.db, &user.user, &ctx, &key, &body, question).await {
        Ok(c) => Ok(Redirect::to(&format!("/w/{ws}/items/{key}#comment-{}", c.id)).into_response()),
        Err(e) => item_refused(&state, &user, &ctx, &key, None, e).await,
    }
}

async fn edit_comment(
    State(state): State<AppState>,
    user: PageUser,
    Path((ws, key, id)): Path<(String, String, i64)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let ctx = page_ctx(&state, &user, &ws, &key).await?;
    let body = form.text("body");
    match comments::edit(
        &state.db,
        &user.user,
        &ctx,
        &key,
        id,
        form.version()?,
        &body,
    )
    .await
    {
        Ok(c) => Ok(Redirect::to(&format!("/w/{ws}/items/{key}#comment-{}", c.id)).into_response()),
        Err(e) => item_refused(&state, &user, &ctx, &key, None, e).await,
    }
}

#[derive(askama::Template)]
#[template(path = "story/ready_rules.html")]
struct RulesPage {
    layout: Layout,
    ws: String,
    product_key: String,
    product_name: String,
    version: i64,
    rules: ReadyRules,
    max_points: String,
    error: Option<String>,
    /// Only the Product Owner changes the rules; everyone else reads them.
    can_edit: bool,
}

fn show(
    user: &PageUser,
    ctx: &ProductCtx,
    version: i64,
    rules: ReadyRules,
    error: Option<Error>,
) -> Response {
    let layout = product_layout(user, ctx, crate::page::Section::Backlog)
        .title(format!("{} · Definition of Ready", ctx.product.name));
    let mut resp = render(&RulesPage {
        layout,
        ws: ctx.workspace.slug.clone(),
        product_key: ctx.product.key.clone(),
        product_name: ctx.product.name.clone(),
        version,
        max_points: rules.max_points.map(|p| p.to_string()).unwrap_or_default(),
        rules,
        error: error.as_ref().map(|e| e.to_string()),
        can_edit: ctx.grants.may(crate::auth::Action::ConfigureReadiness),
    });
    if let Some(e) = error {
        *resp.status_mut() = e.status();
    }
    resp
}

async fn rules_page(
    State(state): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
) -> Result<Response> {
    let version = crate::workspace::settings::version(
        &state.db,
        ctx.product.id,
        crate::workspace::settings::Setting::ReadyRules,
    )
    .await?;
    Ok(show(&user, &ctx, version, service::rules_of(&ctx), None))
}

fn rules_from(form: &FormData) -> Result<ReadyRules> {
    let number = |field: &str| -> Result<Option<i64>> {
        let v = form.text(field);
        if v.trim().is_empty() {
            return Ok(None);
        }
        v.trim()
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(field, "a whole number"))
    };
    Ok(ReadyRules {
        story_fields: form.flag("story_fields"),
        min_criteria: u32::try_from(number("min_criteria")?.unwrap_or(0))
            .map_err(|_| Error::invalid("min_criteria", "0 or more"))?,
        estimated: form.flag("estimated"),
        max_points: number("max_points")?,
        no_open_questions: form.flag("no_open_questions"),
        lint_blocks: form.flag("lint_blocks"),
        needs_initiative: form.flag("needs_initiative"),
    })
}

async fn save_rules(State(state): State<AppState>, pf: ProductForm) -> Result<Response> {
    let result = match rules_from(&pf.form) {
        Ok(r) => rules::set(&state.db, &pf.user.user, &pf.ctx, pf.form.version()?, r).await,
        Err(e) => Err(e),
    };
    let version = crate::workspace::settings::version(
        &state.db,
        pf.ctx.product.id,
        crate::workspace::settings::Setting::ReadyRules,
    )
    .await?;
    match result {
        Ok(_) => Ok(Redirect::to(&pf.url("/backlog")).into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_) | Error::Stale { .. })) => Ok(show(
            &pf.user,
            &pf.ctx,
            version,
            rules_from(&pf.form).unwrap_or_else(|_| service::rules_of(&pf.ctx)),
            Some(e),
        )),
        Err(e) => Err(e),
    }
}
