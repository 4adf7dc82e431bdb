//! The reports page: charts and their numbers, per product or per team.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::page::{render, Layout};
use crate::report::{charts, store, Report};
use crate::sprint::team::{self, Team};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::layout::product_layout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/reports", get(page))
        .route("/w/{ws}/p/{product}/reports/{chart}", get(chart))
}

#[derive(Deserialize)]
struct Params {
    team: Option<String>,
}

impl Params {
    fn team(&self) -> Option<i64> {
        self.team.as_deref().and_then(|t| t.parse().ok())
    }
}

#[derive(askama::Template)]
#[template(path = "report/report.html")]
struct ReportPage {
    layout: Layout,
    ws: String,
    pkey: String,
    r: Report,
    flow: crate::flow::report::FlowReport,
    teams: Vec<Team>,
    team: Option<i64>,
    query: String,
    /// With no sprint closed yet, when the running one ends ("Sprint 1 ends 6 Dec").
    running: Option<String>,
}

impl ReportPage {
    fn pct(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{:.0} %", x * 100.0))
            .unwrap_or_else(|| "–".into())
    }
    fn num(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into())
    }
    fn days(&self, v: &f64) -> String {
        format!("{v:.1}")
    }
    fn selected(&self, id: &i64) -> bool {
        self.team == Some(*id)
    }
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
    Query(q): Query<Params>,
) -> Result<Response> {
    let team = q.team();
    let r = store::report(&st.db.for_reports(), &ctx, team).await?;
    let teams = team::list(&st.db, &ctx).await?;
    let flow = crate::flow::report::report(&st.db.for_reports(), &ctx, team).await?;
    let running = match r.sprints.is_empty() {
        true => crate::sprint::store::list(&st.db, ctx.product.id, team)
            .await?
            .into_iter()
            .find(|s| s.state == "active")
            .map(|s| match s.end_date {
                Some(end) => match chrono::NaiveDate::parse_from_str(&end, "%Y-%m-%d") {
                    Ok(d) => format!("{} ends {}", s.name, d.format("%-d %b")),
                    Err(_) => format!("{} ends {end}", s.name),
                },
                None => format!("{} is running", s.name),
            }),
        false => None,
    };
    Ok(render(&ReportPage {
        layout: product_layout(&user, &ctx, crate::page::Section::Reports),
        ws,
        pkey: ctx.product.key.clone(),
        query: team.map(|t| format!("?team={t}")).unwrap_or_default(),
        r,
        flow,
        teams,
        team,
        running,
    }))
}

async fn chart(
    State(st): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Path((_, _, chart)): Path<(String, String, String)>,
    Query(q): Query<Params>,
    Query(size): Query<crate::chart::Size>,
) -> Result<Response> {
    // The flow charts (E11) sit on the same page, for flow and sprint products alike.
    let svg = match crate::flow::report::chart_names().contains(&chart.as_str()) {
        true => {
            let f = crate::flow::report::report(&st.db.for_reports(), &ctx, q.team()).await?;
            crate::flow::report::chart(&f, &chart, size.canvas())
        }
        false => charts::by_name(
            &store::report(&st.db.for_reports(), &ctx, q.team()).await?,
            &chart,
            size.canvas(),
        ),
    }
    .ok_or(Error::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}
