//! The forecast page: a form for the items and the date, the distribution of finish dates as a
//! chart, the 50/85/95 % dates and, a click away, the numbers behind them.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::extract::{Path, Query};
use crate::flow::forecast::{self, Forecast, ForecastParams};
use crate::page::{render, Layout};
use crate::state::AppState;
use crate::workspace::extract::ProductPage;
use crate::workspace::layout::product_layout;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/w/{ws}/p/{product}/forecast", get(page))
        .route("/w/{ws}/p/{product}/forecast.svg", get(chart))
}

/// The form's fields as typed: empty ones are left out.
#[derive(Deserialize, Default)]
struct Form {
    items: Option<String>,
    top: Option<String>,
    by: Option<String>,
    seed: Option<String>,
}

impl Form {
    fn params(&self) -> Result<ForecastParams> {
        let some = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let num = |field: &str, v: &Option<String>| -> Result<Option<i64>> {
            some(v)
                .map(|s| {
                    s.parse()
                        .map_err(|_| Error::invalid(field, "a whole number"))
                })
                .transpose()
        };
        Ok(ForecastParams {
            items: some(&self.items),
            top: num("top", &self.top)?,
            by: some(&self.by),
            seed: num("seed", &self.seed)?.map(|s| s.unsigned_abs()),
            ..ForecastParams::default()
        })
    }

    fn query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("items", &self.items),
            ("top", &self.top),
            ("by", &self.by),
            ("seed", &self.seed),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

#[derive(askama::Template)]
#[template(path = "flow/forecast.html")]
struct ForecastPage {
    layout: Layout,
    ws: String,
    pkey: String,
    items: String,
    top: String,
    by: String,
    seed: String,
    query: String,
    f: Option<Forecast>,
    error: Option<String>,
}

impl ForecastPage {
    fn day(&self, f: &Forecast, days: &f64) -> String {
        (f.today + chrono::Duration::days(*days as i64)).to_string()
    }
}

async fn page(
    State(st): State<AppState>,
    ProductPage { user, ctx }: ProductPage,
    Path((ws, _)): Path<(String, String)>,
    Query(form): Query<Form>,
) -> Result<Response> {
    let r = match form.params() {
        Ok(p) => forecast::forecast(&st.db, &ctx, &p).await,
        Err(e) => Err(e),
    };
    let (f, error) = match r {
        Ok(f) => (Some(f), None),
        Err(e @ Error::Invalid { .. }) => (None, Some(e.public_message())),
        Err(e) => return Err(e),
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(render(&ForecastPage {
        layout: product_layout(&user, &ctx, crate::page::Section::Forecast),
        ws,
        pkey: ctx.product.key.clone(),
        items: text(&form.items),
        top: text(&form.top),
        by: text(&form.by),
        seed: text(&form.seed),
        query: form.query(),
        f,
        error,
    }))
}

async fn chart(
    State(st): State<AppState>,
    ProductPage { ctx, .. }: ProductPage,
    Query(form): Query<Form>,
    Query(size): Query<crate::chart::Size>,
) -> Result<Response> {
    let f = forecast::forecast(&st.db, &ctx, &form.params()?).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        forecast::chart(&f, size.canvas()),
    )
        .into_response())
}
