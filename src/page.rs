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
    /// The product the page belongs to, which puts its sections in a sidebar.
    pub nav: Option<ProductNav>,
}

impl Layout {
    pub fn new(user: &PageUser, title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            csrf: user.csrf.clone(),
            user_name: user.user.name.clone(),
            crumbs: Vec::new(),
            unread: user.unread,
            nav: None,
        }
    }

    /// The page's own title, where "Product · Section" would not say what it shows (an item,
    /// a sprint, a metric).
    pub fn title(mut self, title: impl Into<String>) -> Layout {
        self.title = title.into();
        self
    }

    pub fn nav(mut self, nav: ProductNav) -> Layout {
        self.nav = Some(nav);
        self
    }

    pub fn crumb(mut self, href: impl Into<String>, label: impl Into<String>) -> Layout {
        self.crumbs.push((href.into(), label.into()));
        self
    }
}

/// A product's sections, in the sidebar's two groups (UI.md: one navigation model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Overview,
    Strategy,
    Initiatives,
    Research,
    Personas,
    Competitors,
    Decisions,
    Roadmap,
    Releases,
    Signoffs,
    Backlog,
    /// The running sprint's board, or the flow board of a product in flow.
    Now,
    Sprints,
    Reports,
    Forecast,
    Alignment,
    Teams,
    Documents,
}

const STRATEGY: [Section; 10] = [
    Section::Overview,
    Section::Strategy,
    Section::Initiatives,
    Section::Research,
    Section::Personas,
    Section::Competitors,
    Section::Decisions,
    Section::Roadmap,
    Section::Releases,
    Section::Signoffs,
];
const DELIVERY: [Section; 8] = [
    Section::Backlog,
    Section::Now,
    Section::Sprints,
    Section::Reports,
    Section::Forecast,
    Section::Alignment,
    Section::Teams,
    Section::Documents,
];

/// The product a page belongs to: what its sidebar needs.
#[derive(Clone, Debug)]
pub struct ProductNav {
    pub ws: String,
    pub key: String,
    pub name: String,
    /// A product in flow (E11) has a flow board where a Scrum product has its current sprint.
    pub flow: bool,
    pub current: Section,
    /// Whether the viewer may create items: the "New item" button and `c`.
    pub can_create: bool,
}

/// One link of the sidebar.
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
    /// The name `g` and a second key go to (static/js/shortcuts.js), where there is one.
    pub shortcut: &'static str,
}

impl ProductNav {
    pub fn label(&self, s: Section) -> &'static str {
        match s {
            Section::Overview => "Overview",
            Section::Strategy => "Objectives & priorities",
            Section::Initiatives => "Initiatives",
            Section::Research => "Research",
            Section::Personas => "Personas",
            Section::Competitors => "Competitors",
            Section::Decisions => "Decisions",
            Section::Roadmap => "Roadmap",
            Section::Releases => "Releases",
            Section::Signoffs => "Sign-offs",
            Section::Backlog => "Backlog",
            Section::Now if self.flow => "Flow board",
            Section::Now => "Current sprint",
            Section::Sprints => "Sprints",
            Section::Reports => "Reports",
            Section::Forecast => "Forecast",
            Section::Alignment => "Alignment",
            Section::Teams => "Teams",
            Section::Documents => "Documents",
        }
    }

    pub fn href(&self, s: Section) -> String {
        let (ws, key) = (&self.ws, &self.key);
        let tail = match s {
            Section::Overview => "",
            Section::Roadmap => return format!("/w/{ws}/roadmap?product={key}"),
            Section::Strategy => "/strategy",
            Section::Initiatives => "/initiatives",
            Section::Research => "/research",
            Section::Personas => "/personas",
            Section::Competitors => "/competitors",
            Section::Decisions => "/decisions",
            Section::Releases => "/releases",
            Section::Signoffs => "/signoffs",
            Section::Backlog => "/backlog",
            Section::Now if self.flow => "/flow",
            Section::Now => "/sprints/current",
            Section::Sprints => "/sprints",
            Section::Reports => "/reports",
            Section::Forecast => "/forecast",
            Section::Alignment => "/alignment",
            Section::Teams => "/teams",
            Section::Documents => "/documents",
        };
        format!("/w/{ws}/p/{key}{tail}")
    }

    fn link(&self, s: Section) -> NavLink {
        NavLink {
            href: self.href(s),
            label: self.label(s),
            current: s == self.current,
            shortcut: match s {
                Section::Overview => "overview",
                Section::Backlog => "backlog",
                Section::Sprints => "sprints",
                Section::Reports => "reports",
                Section::Now => "now",
                _ => "",
            },
        }
    }

    pub fn strategy(&self) -> Vec<NavLink> {
        STRATEGY.iter().map(|s| self.link(*s)).collect()
    }

    pub fn delivery(&self) -> Vec<NavLink> {
        DELIVERY.iter().map(|s| self.link(*s)).collect()
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
        Err(e) if e.is_refusal() => {
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

/// An `HX-Trigger` header that shows a toast after an in-place update (static/js/inplace.js).
/// Header values are visible ASCII, so the JSON escapes every other character.
pub fn toast_header(message: &str, error: bool) -> (axum::http::HeaderName, String) {
    let json = serde_json::json!({"toast": {"message": message, "error": error}}).to_string();
    let mut ascii = String::with_capacity(json.len());
    for c in json.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            ascii.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                ascii.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    (axum::http::HeaderName::from_static("hx-trigger"), ascii)
}

/// Whether the request came from htmx (an in-place update) rather than a plain form post.
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

#[cfg(test)]
mod toast_tests {
    #[test]
    fn a_toast_header_is_ascii_json() {
        let (name, value) = super::toast_header("Verdicts saved on ONB-37 · accepted", false);
        assert_eq!(name, "hx-trigger");
        assert_eq!(
            value,
            r#"{"toast":{"error":false,"message":"Verdicts saved on ONB-37 \u00b7 accepted"}}"#
        );
        assert!(axum::http::HeaderValue::from_str(&value).is_ok());
    }
}
