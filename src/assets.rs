//! Stylesheet, scripts and vendored libraries, compiled into the binary so that it runs from
//! any directory with nothing beside it.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/app.css"),
    ),
    (
        "js/backlog.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/backlog.js"),
    ),
    (
        "js/shortcuts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/shortcuts.js"),
    ),
    (
        "js/board.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/board.js"),
    ),
    (
        "js/criteria.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/criteria.js"),
    ),
    // Strategy (S0–S10)
    (
        "js/priorities.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/priorities.js"),
    ),
    (
        "vendor/htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/htmx.min.js"),
    ),
    (
        "vendor/Sortable.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/vendor/Sortable.min.js"),
    ),
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
