//! The teams page: who works on the product, their default availability, WIP limits, and the
//! cadence each team works by (its own, or the product's).

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::Action;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::flow::teams::TeamCadence;
use crate::flow::TeamCadenceInput;
use crate::page::{back, form_int, render, Flash, Layout};
use crate::sprint::team::{self, Team, TeamPatch, WipLimits};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;

pub fn routes() -> Router<AppState> {
    const T: &str = "/w/{ws}/p/{product}/teams";
    Router::new()
        .route(T, get(page).post(create))
        .route(&format!("{T}/attach"), post(attach))
        .route(&format!("{T}/{{id}}"), post(update))
        .route(&format!("{T}/{{id}}/members"), post(member))
        .route(&format!("{T}/{{id}}/cadence"), post(cadence))
}

#[derive(askama::Template)]
#[template(path = "sprint/teams.html")]
struct TeamsPage {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    teams: Vec<Team>,
    /// Each team's cadence, in the order of `teams`.
    cadences: Vec<TeamCadence>,
    can_manage: bool,
    can_set_cadence: bool,
}

fn opt(v: &Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_default()
}

impl TeamsPage {
    fn limit(&self, v: &Option<i64>) -> String {
        opt(v)
    }
    fn cadence(&self, team: &i64) -> Option<&TeamCadence> {
        self.cadences.iter().find(|c| c.team_id == *team)
    }
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
    Query(f): Query<Flash>,
) -> Result<Response> {
    let teams = team::list(&st.db, &ctx).await?;
    let mut cadences = Vec::with_capacity(teams.len());
    for t in &teams {
        cadences.push(crate::flow::teams::get(&st.db, &ctx, t.id).await?);
    }
    Ok(render(&TeamsPage {
        layout: product_layout(&user, &ctx, crate::page::Section::Teams),
        ws,
        pkey: ctx.product.key.clone(),
        error: f.error,
        can_manage: ctx.grants.may(Action::ManageTeam),
        can_set_cadence: ctx.grants.may(Action::SetCadence),
        teams,
        cadences,
    }))
}

async fn create(State(st): State<AppState>, pf: ProductForm) -> Result<Response> {
    let r = team::create(&st.db, &pf.user.user, &pf.ctx, &pf.form.text("name")).await;
    back(&pf.url("/teams"), r.map(|_| ()))
}

async fn attach(State(st): State<AppState>, pf: ProductForm) -> Result<Response> {
    let r = team::attach(&st.db, &pf.user.user, &pf.ctx, &pf.form.text("name")).await;
    back(&pf.url("/teams"), r.map(|_| ()))
}

async fn update(
    State(st): State<AppState>,
    Path((_, _, id)): Path<(String, String, i64)>,
    pf: ProductForm,
) -> Result<Response> {
    let r = async {
        let patch = TeamPatch {
            name: pf.form.get("name").map(str::to_string),
            velocity_window: form_int(&pf.form, "velocity_window")?,
            wip: Some(WipLimits {
                todo: form_int(&pf.form, "wip_todo")?,
                in_progress: form_int(&pf.form, "wip_in_progress")?,
                in_review: form_int(&pf.form, "wip_in_review")?,
            }),
        };
        team::update(
            &st.db,
            &pf.user.user,
            &pf.ctx,
            id,
            pf.form.version()?,
            patch,
        )
        .await
        .map(|_| ())
    };
    back(&pf.url("/teams"), r.await)
}

async fn member(
    State(st): State<AppState>,
    Path((_, _, id)): Path<(String, String, i64)>,
    pf: ProductForm,
) -> Result<Response> {
    let r = async {
        if let Some(uid) = pf.form.get("remove").and_then(|v| v.parse().ok()) {
            return team::remove_member(&st.db, &pf.user.user, &pf.ctx, id, uid)
                .await
                .map(|_| ());
        }
        let ppd: f64 = pf
            .form
            .text("points_per_day")
            .trim()
            .parse()
            .map_err(|_| Error::invalid("points_per_day", "a number such as 1 or 0.5"))?;
        let focus = form_int(&pf.form, "focus_pct")?.unwrap_or(100);
        team::set_member(
            &st.db,
            &pf.user.user,
            &pf.ctx,
            id,
            &pf.form.text("email"),
            ppd,
            focus,
        )
        .await
        .map(|_| ())
    };
    back(&pf.url("/teams"), r.await)
}

/// The PO or the SM sets a team's cadence: sprints, flow, or the product's.
async fn cadence(
    State(st): State<AppState>,
    Path((_, _, id)): Path<(String, String, i64)>,
    pf: ProductForm,
) -> Result<Response> {
    let r = async {
        let input = TeamCadenceInput {
            cadence: pf.form.text("cadence"),
        };
        crate::flow::teams::set(
            &st.db,
            &pf.user.user,
            &pf.ctx,
            id,
            pf.form.version()?,
            &input,
        )
        .await
        .map(|_| ())
    };
    back(&pf.url("/teams"), r.await)
}
