//! The competitive analysis page: competitors, and the capability grid edited in one form.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::strategy::competitors::{self, Cell, CompetitorInput, Matrix, RATINGS};
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::{Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/competitors", get(show).post(create))
        .route(
            "/w/{ws}/p/{product}/competitors/capabilities",
            post(add_capability),
        )
        .route("/w/{ws}/p/{product}/competitors/matrix", post(save_matrix))
}

#[derive(askama::Template)]
#[template(path = "strategy/competitors.html")]
struct CompetitorsPage {
    layout: Layout,
    ws: String,
    product: Product,
    m: Matrix,
    ratings: [&'static str; 4],
    pm: bool,
    error: Option<String>,
}

impl CompetitorsPage {
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    fn pct(&self, v: &Option<i64>) -> String {
        v.map(|v| format!("{v}%")).unwrap_or_else(|| "–".into())
    }
}

async fn page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    error: Option<String>,
) -> Result<Response> {
    Ok(render(&CompetitorsPage {
        layout: product_layout(user, &ctx, crate::page::Section::Competitors),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        m: competitors::matrix(&s.db, &ctx).await?,
        product: ctx.product,
        ratings: RATINGS,
        error,
    }))
}

async fn show(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
) -> Result<Response> {
    page(&s, &user, ctx, None).await
}

async fn finish(s: &AppState, user: &PageUser, ctx: ProductCtx, r: Result<()>) -> Result<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/competitors",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut r = page(s, user, ctx, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

async fn create(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let get = |n: &str| form.get(n).map(str::to_string);
    let input = CompetitorInput {
        name: get("name"),
        positioning: get("positioning"),
        strengths: get("strengths"),
        weaknesses: get("weaknesses"),
        our_positioning: get("our_positioning"),
    };
    let r = competitors::save_competitor(&s.db, &user.user, &ctx, None, input)
        .await
        .map(|_| ());
    finish(&s, &user, ctx, r).await
}

async fn add_capability(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = competitors::add_capability(
        &s.db,
        &user.user,
        &ctx,
        &form.text("name"),
        form.get("ours").unwrap_or("unknown"),
    )
    .await
    .map(|_| ());
    finish(&s, &user, ctx, r).await
}

/// The grid posts one field per cell: `cell-<capability>-us` or `cell-<capability>-<competitor>`.
async fn save_matrix(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let mut cells = Vec::new();
    for (k, v) in &form.0 {
        let Some(rest) = k.strip_prefix("cell-") else {
            continue;
        };
        let (cap, who) = rest
            .split_once('-')
            .ok_or_else(|| Error::invalid("cells", "malformed grid"))?;
        let capability = cap
            .parse()
            .map_err(|_| Error::invalid("cells", "malformed grid"))?;
        let competitor = match who {
            "us" => None,
            id => Some(
                id.parse()
                    .map_err(|_| Error::invalid("cells", "malformed grid"))?,
            ),
        };
        cells.push(Cell {
            capability,
            competitor,
            rating: v.clone(),
        });
    }
    let r = competitors::set_cells(&s.db, &user.user, &ctx, &cells)
        .await
        .map(|_| ());
    finish(&s, &user, ctx, r).await
}
