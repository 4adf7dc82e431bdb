//! The Overview page a product opens on.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::error::Result;
use crate::extract::Path;
use crate::overview::facts::{overview, Overview};
use crate::page::{render, Layout, Section};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::layout::product_layout;
use crate::workspace::Product;

pub fn routes() -> Router<AppState> {
    Router::new().route("/w/{ws}/p/{product}", get(page))
}

#[derive(askama::Template)]
#[template(path = "overview/product.html")]
struct OverviewPage {
    layout: Layout,
    ws: String,
    product: Product,
    o: Overview,
    /// The viewer's roles, in words ("Product Owner and Product Manager").
    roles: String,
}

impl OverviewPage {
    fn role_title(&self, r: &str) -> &'static str {
        match r {
            "pm" => "PM",
            "po" => "PO",
            "sm" => "SM",
            _ => "Sign-off",
        }
    }

    /// "+4 since the previous sprint", and whether it went down.
    fn change(&self) -> Option<(String, bool)> {
        let c = self.o.score_change?;
        let period = if self.o.cadence == "flow" {
            "month"
        } else {
            "sprint"
        };
        Some((format!("{c:+} since the previous {period}"), c < 0))
    }

    fn spark(&self) -> String {
        self.o
            .sprint
            .as_ref()
            .map(|s| crate::chart::sparkline(&s.remaining, &s.ideal))
            .unwrap_or_default()
    }

    fn percent(&self, done: &crate::points::Points, of: &crate::points::Points) -> i64 {
        if of.as_f64() <= 0.0 {
            0
        } else {
            (done.as_f64() / of.as_f64() * 100.0).round() as i64
        }
    }
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
) -> Result<Response> {
    let o = overview(&st.db, &ctx).await?;
    let roles: Vec<&str> = ctx.grants.roles.iter().map(|r| r.title()).collect();
    Ok(render(&OverviewPage {
        layout: product_layout(&user, &ctx, Section::Overview),
        ws,
        roles: roles.join(" and "),
        product: ctx.product,
        o,
    }))
}
