//! What every HTML page shares: the layout data, rendering, and form bodies.

use axum::extract::{FromRequest, Request};
use axum::response::{Html, IntoResponse, Response};

use crate::auth::extract::PageUser;
use crate::error::Error;

/// The frame around each page: title, breadcrumbs, the signed-in user, the CSRF token.
pub struct Layout {
    pub title: String,
    pub csrf: String,
    pub user_name: String,
    pub crumbs: Vec<(String, String)>,
    pub unread: i64,
}

impl Layout {
    pub fn new(user: &PageUser, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            csrf: user.csrf.clone(),
            user_name: user.user.name.clone(),
            crumbs: Vec::new(),
            unread: user.unread,
        }
    }

    pub fn crumb(mut self, href: impl Into<String>, label: impl Into<String>) -> Layout {
        self.crumbs.push((href.into(), label.into()));
        self
    }
}

pub fn render<T: askama::Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Error::Internal(anyhow::anyhow!("rendering template: {e}")).into_response(),
    }
}

/// A urlencoded form body as ordered pairs, so repeated fields (criteria, roles) keep their order.
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "on" | "1"))
    }

    pub fn version(&self) -> Result<i64, Error> {
        self.get("version")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| {
                Error::invalid(
                    "version",
                    "the form is missing its version; reload the page",
                )
            })
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| Error::TooLarge)?;
        // Browsers send textareas with CRLF line endings; stored text has LF only, and no
        // other control character (crate::text).
        let mut pairs = Vec::new();
        for (k, v) in url::form_urlencoded::parse(&bytes) {
            let v = crate::text::form_lines(&v);
            crate::text::check(&k, &k)?;
            crate::text::check(&k, &v)?;
            pairs.push((k.into_owned(), v));
        }
        Ok(FormData(pairs))
    }
}

/// A redirect target taken from a form, if it stays on this site: a path such as `/w/acme` with
/// no scheme or host, not `//host` nor `/\\host` (browsers read a backslash as a slash), and only
/// the visible ASCII a `Location` header may carry.
pub fn same_site_path(link: &str) -> Option<&str> {
    let rest = link.strip_prefix('/')?;
    let visible = link.bytes().all(|b| b.is_ascii_graphic());
    (visible && !rest.starts_with('/') && !link.contains('\\')).then_some(link)
}

/// Splits "api, ux  growth" into labels.
pub fn split_labels(s: &str) -> Vec<String> {
    s.split([',', ' '])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// "3h 20m" style durations for answer times.
/// Like [`human_duration`], for a figure that may fall between whole seconds (a median).
pub fn human_seconds(secs: f64) -> String {
    if secs < 60.0 && secs.fract() != 0.0 {
        format!("{secs:.1}s")
    } else {
        human_duration(secs.round() as i64)
    }
}

pub fn human_duration(secs: i64) -> String {
    let m = secs / 60;
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{m}m"),
        s if s < 86_400 => format!("{}h {}m", s / 3600, m % 60),
        s => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// `?error=` on a page: why the last form was refused (post/redirect/get).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Flash {
    pub error: Option<String>,
}

/// After a form post: back to `to` on success; a refusal (bad input, a conflict, a stale
/// version, a missing role) returns to the same page with the reason shown there.
pub fn back(to: &str, outcome: Result<(), Error>) -> Result<Response, Error> {
    use axum::response::Redirect;
    match outcome {
        Ok(()) => Ok(Redirect::to(to).into_response()),
        Err(
            e @ (Error::Invalid { .. }
            | Error::Conflict(_)
            | Error::Forbidden(_)
            | Error::Stale { .. }),
        ) => {
            // The query goes before a fragment (`/x#advice` -> `/x?error=…#advice`).
            let (path, fragment) = to.split_once('#').map_or((to, ""), |(p, f)| (p, f));
            let sep = if path.contains('?') { '&' } else { '?' };
            let msg: String =
                url::form_urlencoded::byte_serialize(e.public_message().as_bytes()).collect();
            let hash = if fragment.is_empty() {
                String::new()
            } else {
                format!("#{fragment}")
            };
            Ok(Redirect::to(&format!("{path}{sep}error={msg}{hash}")).into_response())
        }
        Err(e) => Err(e),
    }
}

/// Parses an optional whole number from a form field.
pub fn form_int(form: &FormData, name: &str) -> Result<Option<i64>, Error> {
    match form.get(name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| Error::invalid(name, format!("{v:?} is not a whole number"))),
    }
}
