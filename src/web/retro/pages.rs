//! The retrospective page: three columns of entries with votes, the actions, last time's actions.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::Action;
use crate::error::Result;
use crate::extract::{Path, Query};
use crate::ids::SprintId;
use crate::page::{back, form_int, render, Flash, Layout};
use crate::retro::{store, Retro, KINDS};
use crate::sprint::{service as sprints, Sprint};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::{product_layout, sprint_url};

pub fn routes() -> Router<AppState> {
    const R: &str = "/w/{ws}/p/{product}/sprints/{id}/retro";
    Router::new()
        .route(R, get(page).post(open))
        .route(&format!("{R}/entries"), post(add_entry))
        .route(&format!("{R}/vote"), post(vote))
        .route(&format!("{R}/actions"), post(add_action))
}

#[derive(askama::Template)]
#[template(path = "retro/retro.html")]
struct RetroPage {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    sprint: Sprint,
    retro: Option<Retro>,
    kinds: [(&'static str, &'static str); 3],
    can_write: bool,
    can_facilitate: bool,
}

type P3 = Path<(String, String, SprintId)>;

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _, id)): P3,
    Query(f): Query<Flash>,
) -> Result<Response> {
    let sprint = sprints::get(&st.db, &ctx, id).await?;
    let retro = store::get(&st.db, &ctx, user.user.id, id).await?;
    Ok(render(&RetroPage {
        layout: product_layout(&user, &ctx, crate::page::Section::Sprints).title(format!(
            "{} · {} retrospective",
            ctx.product.name, sprint.name
        )),
        ws,
        pkey: ctx.product.key.clone(),
        error: f.error,
        kinds: KINDS,
        can_write: ctx.grants.may(Action::WriteRetro),
        can_facilitate: ctx.grants.may(Action::FacilitateRetro),
        sprint,
        retro,
    }))
}

async fn open(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        store::open(
            &st.db,
            &user.user,
            &ctx,
            id,
            form_int(&form, "vote_limit")?.unwrap_or(3),
        )
        .await
    };
    back(&sprint_url(&ctx, id, "retro"), r.await)
}

async fn add_entry(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = store::add_entry(
        &st.db,
        &user.user,
        &ctx,
        id,
        &form.text("kind"),
        &form.text("body"),
    )
    .await;
    back(&sprint_url(&ctx, id, "retro"), r.map(|_| ()))
}

async fn vote(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        let entry = form_int(&form, "entry")?.unwrap_or(0);
        store::vote(
            &st.db,
            &user.user,
            &ctx,
            id,
            entry,
            form.get("on") != Some("no"),
        )
        .await
    };
    back(&sprint_url(&ctx, id, "retro"), r.await)
}

async fn add_action(
    State(st): State<AppState>,
    Path((_, _, id)): P3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        let entry = form_int(&form, "entry_id")?;
        store::add_action(
            &st.db,
            &user.user,
            &ctx,
            id,
            &form.text("text"),
            &form.text("owner"),
            entry,
        )
        .await
    };
    back(&sprint_url(&ctx, id, "retro"), r.await.map(|_| ()))
}
