//! HTML pages for sprints: the list, scheduling, and the planning view.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::auth::Action;
use crate::error::Result;
use crate::extract::{Path, Query};
use crate::ids::SprintId;
use crate::page::{back, form_int, render, Flash, Layout};
use crate::sprint::scope;
use crate::sprint::service::{self, Planning, Schedule};
use crate::sprint::team::{self, Team};
use crate::sprint::Sprint;
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
pub use crate::workspace::layout::{product_layout, sprint_url};

pub fn routes() -> Router<AppState> {
    const S: &str = "/w/{ws}/p/{product}/sprints";
    Router::new()
        .route(S, get(index).post(create))
        .route(&format!("{S}/current"), get(current))
        .route(&format!("{S}/{{id}}/plan"), get(plan))
        .route(&format!("{S}/{{id}}/commit"), post(commit))
        .route(&format!("{S}/{{id}}/uncommit"), post(uncommit))
        .route(&format!("{S}/{{id}}/availability"), post(availability))
        .route(&format!("{S}/{{id}}/goal"), post(goal))
        .route(&format!("{S}/{{id}}/start"), post(start))
}

#[derive(askama::Template)]
#[template(path = "sprint/index.html")]
struct IndexPage {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    sprints: Vec<Sprint>,
    teams: Vec<Team>,
    can_plan: bool,
}

impl IndexPage {
    fn state_title(&self, s: &str) -> &'static str {
        crate::sprint::state_title(s)
    }
}

/// "Current sprint" in the sidebar: the running sprint's board; with none running, or several
/// teams each running one, the list of sprints.
async fn current(
    State(st): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
) -> Result<axum::response::Redirect> {
    let sprints = service::list(&st.db, &ctx, None).await?;
    let mut active = sprints.iter().filter(|s| s.state == "active");
    Ok(match (active.next(), active.next()) {
        (Some(s), None) => axum::response::Redirect::to(&sprint_url(&ctx, s.id, "board")),
        _ => axum::response::Redirect::to(&format!("/w/{ws}/p/{}/sprints", ctx.product.key)),
    })
}

async fn index(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
    Query(f): Query<Flash>,
) -> Result<Response> {
    let sprints = service::list(&st.db, &ctx, None).await?;
    let teams = team::list(&st.db, &ctx).await?;
    Ok(render(&IndexPage {
        layout: product_layout(&user, &ctx, crate::page::Section::Sprints),
        ws,
        pkey: ctx.product.key.clone(),
        error: f.error,
        can_plan: ctx.grants.may(Action::PlanSprint),
        sprints,
        teams,
    }))
}

async fn create(State(st): State<AppState>, pf: ProductForm) -> Result<Response> {
    let to = pf.url("/sprints");
    let outcome = async {
        let s = Schedule {
            team_id: form_int(&pf.form, "team_id")?.unwrap_or(0),
            name: pf.form.text("name"),
            goal: pf.form.text("goal"),
            start: pf.form.text("start_date"),
            end: pf.form.text("end_date"),
        };
        service::create(&st.db, &pf.user.user, &pf.ctx, s)
            .await
            .map(|_| ())
    };
    back(&to, outcome.await)
}

#[derive(askama::Template)]
#[template(path = "sprint/plan.html")]
struct PlanPage {
    layout: Layout,
    ws: String,
    pkey: String,
    error: Option<String>,
    p: Planning,
    can_commit: bool,
    can_start: bool,
    can_capacity: bool,
    can_plan: bool,
    /// The trace chip of each committed item and candidate: the strategic weight in view.
    cards: crate::governance::cards::CardDecor,
}

impl PlanPage {
    fn pct(&self) -> u32 {
        let cap = self.p.capacity.points.max(1.0);
        ((self.p.committed_points.as_f64() / cap) * 100.0)
            .round()
            .clamp(0.0, 999.0) as u32
    }
    fn why(&self, reasons: &[String]) -> String {
        reasons.join("; ")
    }
    fn days_off(&self, a: &crate::sprint::capacity::Availability) -> String {
        a.days_off
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn plan(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _, id)): Path<(String, String, SprintId)>,
    Query(f): Query<Flash>,
) -> Result<Response> {
    let p = service::planning(&st.db, &ctx, id).await?;
    let ids: Vec<crate::ids::ItemId> = p
        .committed
        .iter()
        .map(|c| c.item_id)
        .chain(p.candidates.iter().map(|c| c.id))
        .collect();
    let cards = crate::governance::cards::CardDecor::load(&st.db, &ctx, &ids).await?;
    let g = &ctx.grants;
    Ok(render(&PlanPage {
        cards,
        layout: product_layout(&user, &ctx, crate::page::Section::Sprints)
            .title(format!("{} · Plan {}", ctx.product.name, p.sprint.name)),
        ws,
        pkey: ctx.product.key.clone(),
        error: f.error,
        can_commit: g.may(Action::CommitItems),
        can_start: g.may(Action::StartSprint),
        can_capacity: g.may(Action::ManageTeam),
        can_plan: g.may(Action::PlanSprint),
        p,
    }))
}

type Form3 = Path<(String, String, SprintId)>;

async fn commit(
    State(st): State<AppState>,
    Path((_, _, id)): Form3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let exception = form.get("exception").map(str::to_string);
    let items = form.all("items");
    let c = scope::Commit {
        keys: &items,
        for_goal: form.flag("for_goal"),
        exception: exception.as_deref(),
    };
    let r = crate::governance::scope::commit(&st.db, &user.user, &ctx, id, None, c).await;
    back(&sprint_url(&ctx, id, "plan"), r.map(|_| ()))
}

async fn uncommit(
    State(st): State<AppState>,
    Path((_, _, id)): Form3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = scope::uncommit(&st.db, &user.user, &ctx, id, None, &form.all("items")).await;
    back(&sprint_url(&ctx, id, "plan"), r.map(|_| ()))
}

async fn availability(
    State(st): State<AppState>,
    Path((_, _, id)): Form3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        let user_id = form_int(&form, "user_id")?.unwrap_or(0);
        let focus = form_int(&form, "focus_pct")?.unwrap_or(100);
        let days: Vec<String> = form
            .text("days_off")
            .split([',', ' '])
            .map(str::to_string)
            .collect();
        service::set_availability(&st.db, &user.user, &ctx, id, user_id, focus, &days).await
    };
    back(&sprint_url(&ctx, id, "plan"), r.await)
}

async fn goal(
    State(st): State<AppState>,
    Path((_, _, id)): Form3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        let patch = service::SprintPatch {
            name: None,
            goal: Some(form.text("goal")),
            start: None,
            end: None,
        };
        service::update(&st.db, &user.user, &ctx, id, form.version()?, patch)
            .await
            .map(|_| ())
    };
    back(&sprint_url(&ctx, id, "plan"), r.await)
}

async fn start(
    State(st): State<AppState>,
    Path((_, _, id)): Form3,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let r = async {
        service::start(&st.db, &user.user, &ctx, id, form.version()?)
            .await
            .map(|_| ())
    };
    match r.await {
        Ok(()) => back(&sprint_url(&ctx, id, "board"), Ok(())),
        Err(e) => back(&sprint_url(&ctx, id, "plan"), Err(e)),
    }
}
