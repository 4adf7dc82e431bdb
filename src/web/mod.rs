//! The HTTP server: shared state, the router, and the layers every request passes through.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod backlog;
pub mod docs;
pub mod export;
pub mod flow;
pub mod governance;
pub mod import;
pub mod invite;
pub mod mail;
pub mod notify;
pub mod openapi;
pub mod overview;
pub mod report;
pub mod retro;
pub mod roadmap;
pub mod sprint;
pub mod sso;
pub mod story;
pub mod strategy;
pub mod workspace;

use std::time::Instant;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, State};
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::error::Error;
pub use crate::state::AppState;

/// Request bodies larger than this are refused with 413 before any handler runs.
pub use crate::state::BODY_LIMIT;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/static/{*path}", get(crate::assets::serve))
        .route("/favicon.ico", get(crate::assets::favicon))
        // The JSON API and its OpenAPI document.
        .merge(crate::web::openapi::routes())
        .merge(crate::web::export::pages::routes())
        .merge(crate::web::import::pages::routes())
        .merge(crate::web::governance::pages::routes())
        .merge(crate::web::auth::pages::routes())
        .merge(crate::web::auth::account_pages::routes())
        .merge(crate::web::auth::reset_pages::routes())
        .merge(crate::web::mail::pages::routes())
        .merge(crate::web::admin::setup_pages::routes())
        .merge(crate::web::admin::pages::routes())
        .merge(crate::web::admin::audit_pages::routes())
        .merge(crate::web::sso::pages::routes())
        .merge(crate::web::sso::admin_pages::routes())
        .merge(crate::web::workspace::pages::routes())
        .merge(crate::web::workspace::invite_pages::routes())
        .merge(crate::web::invite::pages::routes())
        .merge(crate::web::backlog::pages::routes())
        .merge(crate::web::story::pages::routes())
        .merge(crate::web::sprint::pages::routes())
        .merge(crate::web::sprint::board_pages::routes())
        .merge(crate::web::sprint::review_pages::routes())
        .merge(crate::web::sprint::team_pages::routes())
        .merge(crate::web::retro::pages::routes())
        .merge(crate::web::report::pages::routes())
        .merge(crate::web::flow::pages::routes())
        .merge(crate::web::flow::forecast_pages::routes())
        .merge(crate::web::overview::pages::routes())
        .merge(crate::web::notify::pages::routes())
        // Strategy (S0–S10)
        .merge(crate::web::strategy::pages::routes())
        .merge(crate::web::strategy::pages_initiatives::routes())
        .merge(crate::web::strategy::pages_idea::routes())
        .merge(crate::web::strategy::pages_research::routes())
        .merge(crate::web::strategy::pages_decisions::routes())
        .merge(crate::web::strategy::pages_competitors::routes())
        .merge(crate::web::roadmap::pages::routes())
        .merge(crate::web::docs::pages::routes())
        .merge(crate::web::docs::kit::pages::routes())
        .merge(crate::mcp::http::routes(state.clone()))
        .fallback(not_found)
        // After every route: it applies to the routes registered so far.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(plain_uri))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(compression())
        .with_state(state)
}

/// Pages, styles, scripts and JSON go compressed to a client that says it takes them: zstd
/// when it does (every current browser but Safari), else brotli or gzip, each at its fastest
/// level. A browser always asks, so this is every page's cost: at tower-http's default levels
/// (brotli 4, gzip 6) compressing took 1 to 2 ms of CPU for the 220 KB roadmap and 0.3 ms for
/// an 18 KB item page, more than reading and rendering either, and cut the pages served per
/// second to a fifth or less (docs/scaling.md). zstd 1 takes 0.11 ms for the roadmap and makes
/// it smaller than brotli 4 did (10 KB); brotli 0 and gzip 1 about 0.4 ms (20 and 23 KB).
/// Bodies under 1 KB go as they are: a packet either way; so do the hand-off kit's zip and the
/// PDFs, compressed already. tower-http leaves images and event streams alone.
fn compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel, DefaultPredicate};
    CompressionLayer::new()
        .quality(CompressionLevel::Fastest)
        .compress_when(
            DefaultPredicate::new()
                .and(SizeAbove::new(1024))
                .and(NotForContentType::const_new("application/zip"))
                .and(NotForContentType::const_new("application/pdf")),
        )
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        if state.db.is_sqlite() {
            r#"{"status":"ok","db":"sqlite"}"#
        } else {
            r#"{"status":"ok","db":"postgres"}"#
        },
    )
}

/// Prometheus metrics, only with `--metrics-token` and only to a request that carries it: the
/// routes, their latencies and statuses are nobody else's business.
async fn metrics(State(state): State<AppState>, req: Request<Body>) -> Response {
    use subtle::ConstantTimeEq;
    let Some(token) = &state.metrics_token else {
        return Error::NotFound.into_response();
    };
    let sent = crate::auth::extract::bearer_token(req.headers()).unwrap_or_default();
    if !bool::from(sent.as_bytes().ct_eq(token.as_bytes())) {
        return (
            axum::http::StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
            "send Authorization: Bearer with the metrics token\n",
        )
            .into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn not_found(req: Request<Body>) -> Response {
    Error::NotFound.respond_to(req.uri().path())
}

/// A known address asked with a method it does not take; axum adds the `Allow` header.
async fn method_not_allowed(req: Request<Body>) -> Response {
    Error::MethodNotAllowed(req.method().to_string()).respond_to(req.uri().path())
}

/// Control characters in the address (crate::text) are refused before any handler runs, so no
/// handler hands a NUL to the database (PostgreSQL cannot store one): in the path the address
/// names nothing (404); in the query string the parameter is named (422).
async fn plain_uri(req: Request<Body>, next: Next) -> Response {
    let uri = req.uri();
    let path = percent_encoding::percent_decode_str(uri.path()).decode_utf8_lossy();
    if crate::text::first_control(&path).is_some() {
        return Error::NotFound.respond_to(uri.path());
    }
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if let Err(e) = crate::text::check(&k, &k).and_then(|_| crate::text::check(&k, &v)) {
            return e.respond_to(uri.path());
        }
    }
    next.run(req).await
}

/// One log line and one histogram sample per request, plus the security headers.
async fn observe(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let path = req.uri().path().to_string();
    let mut resp = next.run(req).await;
    let elapsed = start.elapsed();
    let status = resp.status().as_u16();
    let route = route.unwrap_or_else(|| {
        if status == 404 {
            "unmatched".into()
        } else {
            path.clone()
        }
    });
    metrics::histogram!("http_request_duration_seconds", "method" => method.to_string(), "route" => route, "status" => status.to_string())
        .record(elapsed.as_secs_f64());
    tracing::info!(target: "http", %method, %path, status, micros = elapsed.as_micros() as u64);
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    );
    // Secure cookies mean the site is served over HTTPS (behind a proxy): browsers should never
    // try plain HTTP again, where a session cookie could be stripped or a page altered.
    if state.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    resp
}
