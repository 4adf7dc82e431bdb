//! HTML pages for initiatives: the prioritization view and one initiative with its scores,
//! priorities, metrics and backlog items.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use crate::auth::extract::PageUser;
use crate::auth::Action;
use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::ids::InitiativeId;
use crate::page::{render, FormData, Layout};
use crate::state::AppState;
use crate::strategy::model::{Initiative, InitiativeInput, Metric, Priority, ScoresPatch};
use crate::strategy::{initiatives, objectives, priorities, Quarter, SortBy, IMPACTS, STATUSES};
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;
use crate::workspace::{store as ws_store, Product, ProductCtx};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/initiatives", get(list).post(create))
        .route(
            "/w/{ws}/p/{product}/initiatives/{id}",
            get(show).post(update),
        )
        .route(
            "/w/{ws}/p/{product}/initiatives/{id}/items",
            post(link_item),
        )
}

#[derive(askama::Template)]
#[template(path = "strategy/initiatives.html")]
struct ListPage {
    layout: Layout,
    ws: String,
    product: Product,
    sort: String,
    quarter: String,
    initiatives: Vec<Initiative>,
    pm: bool,
    error: Option<String>,
}

impl ListPage {
    fn status_title(&self, s: &str) -> &'static str {
        crate::strategy::status_title(s)
    }

    fn tier(&self, i: &Initiative) -> String {
        i.priorities
            .iter()
            .find(|p| p.quarter == self.quarter)
            .map(|p| format!("{} · {}", p.position, p.title))
            .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct ListQuery {
    sort: Option<String>,
    quarter: Option<String>,
}

async fn list_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    sort: &str,
    quarter: Option<&str>,
    error: Option<String>,
) -> Result<Response> {
    let params = super::api_initiatives::ListParams {
        sort: Some(sort.to_string()),
        quarter: quarter.map(str::to_string),
    };
    let (by, q) = params.parse()?;
    let initiatives = initiatives::list(&s.db, &ctx, by, q).await?;
    let sort = match by {
        SortBy::Wsjf => "wsjf",
        SortBy::Evidence => "evidence",
        SortBy::Priority => "priority",
        _ => "rice",
    };
    Ok(render(&ListPage {
        layout: product_layout(user, &ctx, crate::page::Section::Initiatives),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        product: ctx.product,
        sort: sort.into(),
        quarter: q.to_string(),
        initiatives,
        error,
    }))
}

async fn list(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    list_page(
        &s,
        &user,
        ctx,
        q.sort.as_deref().unwrap_or_default(),
        q.quarter.as_deref(),
        None,
    )
    .await
}

async fn create(
    State(s): State<AppState>,
    ProductForm { user, ctx, form }: ProductForm,
) -> Result<Response> {
    let input = InitiativeInput {
        title: form.get("title").map(str::to_string),
        status: form.get("status").map(str::to_string),
        ..Default::default()
    };
    match initiatives::create(&s.db, &user.user, &ctx, input).await {
        Ok(i) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/initiatives/{}",
            ctx.workspace.slug, ctx.product.key, i.id
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_))) => {
            let mut r = list_page(&s, &user, ctx, "", None, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}

#[derive(askama::Template)]
#[template(path = "strategy/initiative.html")]
struct ShowPage {
    layout: Layout,
    ws: String,
    product: Product,
    i: Initiative,
    /// (quarter, its priorities) for this quarter and the next.
    quarters: Vec<(String, Vec<Priority>)>,
    metrics: Vec<Metric>,
    evidence: Vec<crate::strategy::research_model::Insight>,
    statuses: [&'static str; 6],
    impacts: [f64; 5],
    pm: bool,
    may_link: bool,
    error: Option<String>,
    /// When its open work is done with 85 % likelihood, and the target it is measured against
    /// (the earliest planned release that ships it).
    outlook: (crate::flow::outlook::Outlook, Option<chrono::NaiveDate>),
}

impl ShowPage {
    fn status_title(&self, s: &str) -> &'static str {
        crate::strategy::status_title(s)
    }

    fn serves(&self, priority: &i64) -> bool {
        self.i.priorities.iter().any(|p| p.id == *priority)
    }

    fn moves(&self, metric: &i64) -> bool {
        self.i.metrics.contains(metric)
    }

    fn impact_is(&self, x: &f64) -> bool {
        self.i.scores.impact == Some(*x)
    }

    fn opt<T: std::fmt::Display>(&self, v: &Option<T>) -> String {
        v.as_ref().map(|v| v.to_string()).unwrap_or_default()
    }
}

async fn show_page(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    id: InitiativeId,
    error: Option<String>,
) -> Result<Response> {
    let i = initiatives::get(&s.db, &ctx, id).await?;
    let now = Quarter::of(crate::strategy::today());
    let mut quarters = Vec::new();
    for q in [now, now.next()] {
        quarters.push((q.to_string(), priorities::list(&s.db, &ctx, q).await?));
    }
    let metrics = objectives::metrics(&s.db, &ctx).await?;
    let evidence = crate::strategy::research::evidence_for(&s.db, &ctx, id).await?;
    let outlook = crate::flow::outlook::initiative_outlook(&s.db, &ctx, id).await?;
    Ok(render(&ShowPage {
        outlook,
        layout: product_layout(user, &ctx, crate::page::Section::Initiatives)
            .title(i.title.clone()),
        ws: ctx.workspace.slug.clone(),
        pm: ctx.grants.may(Action::ManageStrategy),
        may_link: ctx.grants.may(Action::LinkInitiative),
        product: ctx.product,
        i,
        quarters,
        metrics,
        evidence,
        statuses: STATUSES,
        impacts: IMPACTS,
        error,
    }))
}

async fn show(
    State(s): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((_, _, id)): Path<(String, String, String)>,
) -> Result<Response> {
    show_page(&s, &user, ctx, InitiativeId(super::api::id(&id)?), None).await
}

fn int(form: &FormData, name: &str) -> Result<Option<Option<i64>>> {
    match form.get(name).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => v
            .parse()
            .map(|n| Some(Some(n)))
            .map_err(|_| Error::invalid(name, format!("{v:?} is not a whole number"))),
    }
}

fn real(form: &FormData, name: &str) -> Result<Option<Option<f64>>> {
    match form.get(name).map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(v) => v
            .parse()
            .map(|n| Some(Some(n)))
            .map_err(|_| Error::invalid(name, format!("{v:?} is not a number"))),
    }
}

fn edit_input(form: &FormData, old: &Initiative) -> Result<InitiativeInput> {
    let scores = ScoresPatch {
        reach: int(form, "reach")?,
        impact: real(form, "impact")?,
        confidence: int(form, "confidence")?,
        effort: real(form, "effort")?,
        business_value: int(form, "business_value")?,
        time_criticality: int(form, "time_criticality")?,
        risk_reduction: int(form, "risk_reduction")?,
        job_size: int(form, "job_size")?,
    };
    let parse = |name: &str| -> Result<Vec<i64>> {
        form.all(name)
            .iter()
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse()
                    .map_err(|_| Error::invalid(name, "not one of the choices"))
            })
            .collect()
    };
    // The form offers this quarter and the next; priorities in other quarters are kept.
    let shown: Vec<String> = form.all("shown_quarter");
    let mut prios: Vec<i64> = old
        .priorities
        .iter()
        .filter(|p| !shown.contains(&p.quarter))
        .map(|p| p.id)
        .collect();
    prios.extend(parse("priority")?);
    Ok(InitiativeInput {
        title: form.get("title").map(str::to_string),
        description: form.get("description").map(str::to_string),
        problem: form.get("problem").map(str::to_string),
        assumptions: form.get("assumptions").map(str::to_string),
        out_of_scope: form.get("out_of_scope").map(str::to_string),
        status: form.get("status").map(str::to_string),
        scores: Some(scores),
        priorities: Some(prios),
        metrics: Some(parse("metric")?),
    })
}

async fn update(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, product, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let id = InitiativeId(super::api::id(&id)?);
    let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
    let run = async {
        let old = initiatives::get(&s.db, &ctx, id).await?;
        initiatives::update(
            &s.db,
            &user.user,
            &ctx,
            id,
            form.version()?,
            edit_input(&form, &old)?,
        )
        .await
    };
    let r = run.await.map(|_| ());
    finish(&s, &user, ctx, id, r).await
}

async fn link_item(
    State(s): State<AppState>,
    user: PageUser,
    Path((ws, product, id)): Path<(String, String, String)>,
    form: FormData,
) -> Result<Response> {
    user.check_csrf(form.get("csrf"))?;
    let id = InitiativeId(super::api::id(&id)?);
    let ctx = ws_store::product_ctx(&s.db, user.user.id, &ws, &product).await?;
    let key = form.text("key").trim().to_uppercase();
    let target = if form.get("unlink").is_some() {
        None
    } else {
        Some(id)
    };
    let run = async {
        if key.is_empty() {
            return Err(Error::invalid("key", "give an item key like ONB-42"));
        }
        match initiatives::link_item(&s.db, &user.user, &ctx, &key, target).await {
            Err(Error::NotFound) => Err(Error::invalid(
                "key",
                format!("no item {key} in {}", ctx.product.key),
            )),
            r => r.map(|_| ()),
        }
    };
    let r = run.await;
    finish(&s, &user, ctx, id, r).await
}

async fn finish(
    s: &AppState,
    user: &PageUser,
    ctx: ProductCtx,
    id: InitiativeId,
    r: Result<()>,
) -> Result<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/w/{}/p/{}/initiatives/{id}",
            ctx.workspace.slug, ctx.product.key
        ))
        .into_response()),
        Err(e @ (Error::Invalid { .. } | Error::Forbidden(_) | Error::Stale { .. })) => {
            let mut r = show_page(s, user, ctx, id, Some(e.to_string())).await?;
            *r.status_mut() = e.status();
            Ok(r)
        }
        Err(e) => Err(e),
    }
}
