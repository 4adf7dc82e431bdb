//! The alignment page: the score beside its formula, points per priority, both kinds of gap.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::flow::alignment::report;
use crate::governance::alignment::Alignment;
use crate::governance::alignment::AlignmentParams;
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::form::ProductForm;
use crate::workspace::layout::product_layout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/alignment", get(page))
        .route("/w/{ws}/p/{product}/tiers", axum::routing::post(save_tiers))
        .route(
            "/w/{ws}/p/{product}/exemptions/{id}/revoke",
            axum::routing::post(revoke),
        )
        .route(
            "/w/{ws}/p/{product}/advisor",
            axum::routing::post(save_thresholds),
        )
        .route("/w/{ws}/p/{product}/alignment/priorities.svg", get(chart))
}

#[derive(Deserialize)]
struct Params {
    sprint: Option<String>,
    quarter: Option<String>,
    month: Option<String>,
    team: Option<i64>,
    error: Option<String>,
}

impl Params {
    fn into_params(self) -> AlignmentParams {
        let sprint = self.sprint.as_deref().and_then(|s| s.trim().parse().ok());
        let quarter = self.quarter.filter(|q| !q.trim().is_empty());
        let month = self.month.filter(|m| !m.trim().is_empty());
        match (sprint, quarter, month) {
            (Some(s), _, _) => AlignmentParams {
                sprint: Some(s),
                ..AlignmentParams::default()
            },
            (None, None, Some(m)) => AlignmentParams {
                month: Some(m),
                team: self.team,
                ..AlignmentParams::default()
            },
            (None, q, _) => AlignmentParams {
                quarter: Some(q.unwrap_or_else(|| {
                    crate::strategy::Quarter::of(crate::strategy::today()).to_string()
                })),
                team: self.team,
                ..AlignmentParams::default()
            },
        }
    }
}

#[derive(askama::Template)]
#[template(path = "governance/alignment.html")]
struct AlignmentPage {
    layout: Layout,
    ws: String,
    pkey: String,
    a: Option<Alignment>,
    error: Option<String>,
    query: String,
    quarter: String,
    overrides: Option<crate::governance::overrides::Overrides>,
    advice: crate::governance::advisor::Advice,
    policy: String,
    allowance: i64,
    exemptions: Vec<crate::governance::tiers::Exemption>,
    can_manage: bool,
    /// The product's version, which the settings forms send back.
    tiers_version: i64,
    advisor_version: i64,
    flash: Option<String>,
    /// The product's sprints by id and name, newest first, to choose one by name.
    sprints: Vec<(crate::ids::SprintId, String)>,
    sprint: Option<crate::ids::SprintId>,
}

impl AlignmentPage {
    fn pct(&self, v: &f64) -> String {
        format!("{:.0} %", v * 100.0)
    }

    fn chosen_sprint(&self, id: &crate::ids::SprintId) -> bool {
        self.sprint == Some(*id)
    }

    /// The score told first: over completed points, else (nothing finished yet) committed.
    fn headline(&self) -> Option<i64> {
        let a = self.a.as_ref()?;
        a.completed
            .score
            .as_ref()
            .or(a.committed.score.as_ref())
            .map(|s| s.score)
    }

    /// The headline in a word, and its tone for the badge.
    fn verdict(&self) -> Option<(&'static str, &'static str)> {
        self.headline().map(|s| match s {
            80.. => ("On course", "good"),
            60..=79 => ("Drifting", "warn"),
            _ => ("Off course", "bad"),
        })
    }

    fn trend_scores(&self) -> Vec<f64> {
        self.a
            .as_ref()
            .map(|a| {
                a.trend
                    .iter()
                    .filter_map(|(_, s)| *s)
                    .map(|s| s as f64)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn spark_points(&self) -> usize {
        self.trend_scores().len()
    }

    fn spark(&self) -> String {
        crate::chart::sparkline(&self.trend_scores(), &[])
    }
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
    Query(q): Query<Params>,
) -> Result<Response> {
    let q_error = q.error.clone();
    let p = q.into_params();
    let query = match (&p.sprint, &p.quarter, &p.month) {
        (Some(s), _, _) => format!("?sprint={s}"),
        (None, Some(q), _) => format!("?quarter={q}"),
        (None, None, Some(m)) => format!("?month={m}"),
        _ => String::new(),
    };
    let (a, error) = match report(&st.db.for_reports(), &ctx, &p).await {
        Ok(a) => (Some(a), None),
        Err(e @ Error::Invalid { .. }) => (None, Some(e.public_message())),
        Err(e) => return Err(e),
    };
    let overrides = match a
        .as_ref()
        .and_then(|a| crate::strategy::Quarter::parse(&a.quarter).ok())
    {
        Some(q) => Some(crate::governance::overrides::list(&st.db, &ctx, q).await?),
        None => None,
    };
    let advice = crate::governance::advisor::advise(&st.db, &ctx).await?;
    let settings = crate::governance::store::settings(&st.db, ctx.product.id).await?;
    let exemptions = crate::governance::tiers::exemptions(&st.db, &ctx).await?;
    // Newest first, as the list reads them.
    let sprints: Vec<(crate::ids::SprintId, String)> =
        crate::sprint::store::list(&st.db, ctx.product.id, None)
            .await?
            .into_iter()
            .filter(|s| s.state != "planned")
            .map(|s| (s.id, s.name))
            .collect();
    Ok(render(&AlignmentPage {
        sprints,
        sprint: p.sprint,
        policy: settings.policy,
        allowance: settings.allowance_pct,
        exemptions,
        can_manage: ctx.grants.may(crate::auth::Action::ManageStrategy),
        tiers_version: crate::workspace::settings::version(
            &st.db,
            ctx.product.id,
            crate::workspace::settings::Setting::Tiers,
        )
        .await?,
        advisor_version: crate::workspace::settings::version(
            &st.db,
            ctx.product.id,
            crate::workspace::settings::Setting::Advisor,
        )
        .await?,
        flash: q_error,
        overrides,
        advice,
        layout: product_layout(&user, &ctx, crate::page::Section::Alignment),
        ws,
        pkey: ctx.product.key.clone(),
        quarter: a
            .as_ref()
            .map(|a| a.quarter.clone())
            .or(p.quarter)
            .unwrap_or_default(),
        a,
        error,
        query,
    }))
}

async fn chart(
    State(st): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Query(q): Query<Params>,
    Query(size): Query<crate::chart::Size>,
) -> Result<Response> {
    let a = report(&st.db.for_reports(), &ctx, &q.into_params()).await?;
    let canvas = size.canvas();
    let mut rows: Vec<(String, f64, f64)> = a
        .priorities
        .iter()
        .map(|p| {
            (
                format!("{}. {}", p.tier, p.title),
                p.committed.as_f64(),
                p.completed.as_f64(),
            )
        })
        .collect();
    rows.push((
        "unaligned".into(),
        a.unaligned_committed.as_f64(),
        a.unaligned_completed.as_f64(),
    ));
    let svg = crate::chart::paired_bars(
        canvas,
        "Points per priority",
        ("committed", "completed"),
        &rows,
        None,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

async fn save_tiers(State(st): State<AppState>, pf: ProductForm) -> Result<Response> {
    let r = async {
        let s = crate::governance::tiers::TierSettings {
            tier_policy: pf.form.text("tier_policy"),
            unaligned_allowance_pct: crate::page::form_int(&pf.form, "unaligned_allowance_pct")?
                .unwrap_or(20),
        };
        crate::governance::tiers::set_settings(
            &st.db,
            &pf.user.user,
            &pf.ctx,
            pf.form.version()?,
            &s,
        )
        .await
    };
    crate::page::back(&pf.url("/alignment"), r.await)
}

async fn revoke(
    State(st): State<AppState>,
    Path((_, _, id)): Path<(String, String, i64)>,
    pf: ProductForm,
) -> Result<Response> {
    let r = crate::governance::tiers::revoke(
        &st.db,
        &pf.user.user,
        &pf.ctx,
        id,
        &pf.form.text("reason"),
    )
    .await;
    crate::page::back(&pf.url("/alignment"), r)
}

async fn save_thresholds(State(st): State<AppState>, pf: ProductForm) -> Result<Response> {
    let r = async {
        let d = crate::governance::advisor::Thresholds::default();
        let int = |name: &str, default: i64| {
            crate::page::form_int(&pf.form, name).map(|v| v.unwrap_or(default))
        };
        let t = crate::governance::advisor::Thresholds {
            stale_priority_weeks: int("stale_priority_weeks", d.stale_priority_weeks)?,
            pm_story_share_pct: int("pm_story_share_pct", d.pm_story_share_pct)?,
            inversions: int("inversions", d.inversions)?,
            exemptions_and_overrides: int("exemptions_and_overrides", d.exemptions_and_overrides)?,
            combined_backlog_items: int("combined_backlog_items", d.combined_backlog_items)?,
        };
        crate::governance::advisor::set_thresholds(
            &st.db,
            &pf.user.user,
            &pf.ctx,
            pf.form.version()?,
            &t,
        )
        .await
    };
    crate::page::back(&pf.url("/alignment#advice"), r.await)
}
