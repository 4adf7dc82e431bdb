//! The decision log page: decisions newest first, and the PM's form to record one.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::strategy::decisions::{self, Decision, DecisionInput};
use crate::strategy::model::Initiative;
use crate::strategy::{initiatives, Quarter, SortBy};
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::{Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new().route("/w/{ws}/p/{product}/decisions", get(show).post(create))
}

#[derive(askama::Template)]
#[template(path = "strategy/decisions.html")]
struct DecisionsPage {
    layout: Layout,
    ws: String,
    product: Product,
    decisions: Vec<Decision>,
    initiatives: Vec<Initiative>,
    pm: bool,
    error: Option<String>,
}

impl DecisionsPage {
    fn initiative_title(&self, id: &i64) -> String {
        self.initiatives
            .iter()
            .find(|i| i.id.0 == *id)
            .map(|i| i.title.clone())
            .unwrap_or_default()
    }
}

async fn page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    error: Option<String>,
) -> Result<Response> {
    let initiatives = initiatives::list(
        &s.db,
        &ctx,
        SortBy::Rice,
        Quarter::of(crate::strategy::today()),
    )
    .await?;
    Ok(render(&DecisionsPage {
        layout: product_layout(user, &ctx, crate::page::Section::Decisions),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        decisions: decisions::list(&s.db, &ctx).await?,
        product: ctx.product,
        initiatives,
        error,
    }))
}

async fn show(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
) -> Result<Response> {
    page(&s, &user, ctx, None).await
}

async fn create(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let run = async {
        let ids = |name: &str| -> Result<Vec<i64>> {
            form.all(name)
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| {
                    v.parse()
                        .map_err(|_| Error::invalid(name, "not one of the choices"))
                })
                .collect()
        };
        let input = DecisionInput {
            question: form.get("question").map(str::to_string),
            options: Some(form.text("options").lines().map(str::to_string).collect()),
            decision: form.get("decision").map(str::to_string),
            rationale: form.get("rationale").map(str::to_string),
            decided_by: form
                .get("decided_by")
                .filter(|v| !v.trim().is_empty())
                .map(str::to_string),
            decided_on: form
                .get("decided_on")
                .filter(|v| !v.trim().is_empty())
                .map(str::to_string),
            insights: Some(ids("insight")?),
            initiatives: Some(ids("initiative")?),
        };
        decisions::create(&s.db, &user.user, &ctx, input).await
    };
    match run.await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/decisions",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut r = page(&s, &user, ctx, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}
