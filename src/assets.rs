//! Stylesheet, scripts, vendored libraries and the icon, compiled into the binary so that it
//! runs from any directory with nothing beside it.
//!
//! Pages name each file by [`url`], which carries a fingerprint of its content
//! (`/static/app.3f9c0a1b.css`): such an address never changes its content, so browsers keep it
//! for a year without asking again, and a new release's files have new addresses. The plain
//! address (`/static/app.css`) still answers, cached for an hour, for what links to it from
//! outside a page.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "favicon.svg",
        "image/svg+xml",
        include_bytes!("../static/favicon.svg"),
    ),
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
        "js/inplace.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/js/inplace.js"),
    ),
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

/// Each file's fingerprint: the first 8 hex digits of its SHA-256.
static FINGERPRINTS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    FILES
        .iter()
        .map(|(name, _, body)| {
            let digest = Sha256::digest(body);
            let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
            (*name, hex)
        })
        .collect()
});

/// The address a page uses for the static file `name` (`app.css`, `js/board.js`): with its
/// fingerprint before the extension. A name that is not a static file is a programming error,
/// caught by the test that renders every page; it gets the plain address.
pub fn url(name: &str) -> String {
    match (FINGERPRINTS.get(name), name.rsplit_once('.')) {
        (Some(print), Some((stem, ext))) => format!("/static/{stem}.{print}.{ext}"),
        _ => format!("/static/{name}"),
    }
}

/// A year: the longest lifetime caches honour, for addresses whose content never changes.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const PLAIN: &str = "public, max-age=3600";

pub async fn serve(Path(path): Path<String>) -> Response {
    let found = FILES
        .iter()
        .find(|(name, _, _)| *name == path)
        .map(|f| (f, PLAIN))
        .or_else(|| fingerprinted(&path).map(|f| (f, IMMUTABLE)));
    match found {
        Some(((_, mime, body), cache)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, cache),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The file whose fingerprinted address is `path`, when the fingerprint is its current one (an
/// old release's address is not found, rather than served with another content for a year).
fn fingerprinted(path: &str) -> Option<&'static (&'static str, &'static str, &'static [u8])> {
    let (rest, ext) = path.rsplit_once('.')?;
    let (stem, print) = rest.rsplit_once('.')?;
    let name = format!("{stem}.{ext}");
    let file = FILES.iter().find(|(n, _, _)| *n == name)?;
    (FINGERPRINTS.get(file.0)? == print).then_some(file)
}

/// `/favicon.ico`, which browsers ask for whatever the page says: the icon's address.
pub async fn favicon() -> Response {
    axum::response::Redirect::permanent(&url("favicon.svg")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprinted_addresses_name_the_current_content_only() {
        let u = url("js/board.js");
        let print = &FINGERPRINTS["js/board.js"];
        assert_eq!(u, format!("/static/js/board.{print}.js"));
        let path = u.trim_start_matches("/static/");
        assert_eq!(fingerprinted(path).map(|f| f.0), Some("js/board.js"));
        assert!(fingerprinted("js/board.00000000.js").is_none());
        assert!(fingerprinted("js/none.00000000.js").is_none());
        assert_eq!(url("vendor/htmx.min.js").matches('.').count(), 3);
    }
}
