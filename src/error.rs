//! One error type for the whole server, rendered as `application/problem+json` for the API
//! and as an HTML page for the UI.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("sign in required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// Bad input in a named field; nothing was changed.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The request conflicts with the current state (duplicate key, dependency cycle...).
    #[error("{0}")]
    Conflict(String),
    /// A stale `version` / `If-Match`; carries the current state so the client can merge.
    #[error("{message}")]
    Stale {
        message: String,
        current: Box<serde_json::Value>,
        etag: Option<String>,
    },
    #[error("this update needs If-Match with the version you read")]
    PreconditionRequired,
    #[error("the request body is too large")]
    TooLarge,
    #[error("too many attempts; try again in a minute")]
    TooManyRequests,
    /// Too many tries from here or for this account: come back after `retry_after` seconds
    /// (429 with `Retry-After`).
    #[error("too many sign-in attempts; try again in {}", wait_words(*retry_after))]
    SlowDown { retry_after: u64 },
    /// The server is saturated (every password hasher busy and the queue full): 503 with
    /// `Retry-After`; nothing was tried.
    #[error("the server is busy; try again in {retry_after} seconds")]
    Busy { retry_after: u64 },
    /// The address exists but does not take this method (a visit to a form's target, say).
    #[error("this address does not take a {0} request")]
    MethodNotAllowed(String),
    /// None of the media types the client accepts is one this address can answer with.
    #[error("{0}")]
    NotAcceptable(String),
    /// A body in a media type this address does not read (JSON sent without
    /// `Content-Type: application/json`, say).
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<String>) -> Error {
        Error::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Error {
        Error::Forbidden(message.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Stale { .. } => StatusCode::PRECONDITION_FAILED,
            Error::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Error::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Error::SlowDown { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Error::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            Error::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// When to try again, for the answers that say so (429 and 503).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::SlowDown { retry_after } | Error::Busy { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// Puts `Retry-After` on a response made from this error, when it has one.
    pub fn tell_when(&self, resp: &mut Response) {
        if let Some(secs) = self.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }

    /// The answer to a request for `path`: problem details under `/api/`, a page elsewhere.
    pub fn respond_to(self, path: &str) -> Response {
        if path.starts_with("/api/") {
            ApiError(self).into_response()
        } else {
            self.into_response()
        }
    }

    /// A refusal of what someone asked (bad input, a conflict, a stale version, a missing role),
    /// which a page answers in place rather than as an error page.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::Invalid { .. } | Error::Conflict(_) | Error::Forbidden(_) | Error::Stale { .. }
        )
    }

    /// The message shown to users; internal details stay in the log.
    pub fn public_message(&self) -> String {
        match self {
            Error::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                "something went wrong on our side; it has been logged".to_string()
            }
            other => other.to_string(),
        }
    }
}

/// "40 seconds", "3 minutes": a wait as people say it.
fn wait_words(secs: u64) -> String {
    match secs {
        0..=1 => "a second".into(),
        2..=119 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            // Constraint refusals are answered as 409/422; the log keeps which constraint.
            tracing::debug!(error = %d, "database refused a change");
        }
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Error::Conflict("that already exists".to_string())
            }
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::Conflict("it refers to something that does not exist".to_string())
            }
            sqlx::Error::Database(d) if d.is_check_violation() => {
                Error::invalid("body", "a value is outside what is allowed")
            }
            _ => Error::Internal(anyhow::Error::new(e)),
        }
    }
}

/// The body of every API error: RFC 9457 problem details, as [`ApiError`] writes them. Named
/// here so that the OpenAPI document can point each error response at it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: `status` and `title` say what went wrong.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP status's reason phrase, e.g. `Unprocessable Entity`.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    /// The input at fault (422): a body field (`criteria[1].text`), a query parameter, or
    /// `If-Match`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The current state of what a stale update (412) tried to change; its ETag is in `ETag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

/// `s` as an answer may quote it back: each control character but tab and newline written as
/// `\u{…}`, so that an error naming a caller's bad parameter never carries the bad bytes back
/// (the problem document promises text without them). The rule is `crate::text::allowed`'s,
/// written here so that the error type depends on no other module.
fn shown(s: &str) -> String {
    let allowed = |c: char| c == '\t' || c == '\n' || !c.is_control();
    if s.chars().all(allowed) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if allowed(c) {
                c.to_string()
            } else {
                format!("\\u{{{:x}}}", u32::from(c))
            }
        })
        .collect()
}

#[cfg(test)]
#[test]
fn answers_quote_bad_text_escaped() {
    assert_eq!(shown("a\u{18}b\r\n\u{9b}"), "a\\u{18}b\\u{d}\n\\u{9b}");
    assert_eq!(shown("plain\ttext"), "plain\ttext");
}

/// The API face of [`Error`]: RFC 9457 problem details.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let retry_after = self.0.retry_after();
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("error"),
            "status": status.as_u16(),
            "detail": shown(&self.0.public_message()),
        });
        let mut etag = None;
        match self.0 {
            Error::Invalid { field, .. } => body["field"] = json!(shown(&field)),
            Error::Stale {
                current, etag: e, ..
            } => {
                body["current"] = *current;
                etag = e;
            }
            _ => {}
        }
        let mut resp = (status, axum::Json(body)).into_response();
        let headers = resp.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(v) = etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            headers.insert(header::ETAG, v);
        }
        if let Some(secs) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// The page face of [`Error`]: a small, plain HTML page.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        if matches!(self, Error::Unauthorized) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let retry_after = self.retry_after();
        let msg = escape(&self.public_message());
        let title = status.canonical_reason().unwrap_or("Error");
        let (css, icon) = (
            crate::assets::url("app.css"),
            crate::assets::url("favicon.svg"),
        );
        let page = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Throughline</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <link rel=\"stylesheet\" href=\"{css}\"><link rel=\"icon\" href=\"{icon}\" type=\"image/svg+xml\">\
             </head><body><main class=\"page\">\
             <h1 class=\"page-title\">{title}</h1><p class=\"lede\">{msg}</p><p><a href=\"/\">Back to your workspaces</a></p>\
             </main></body></html>"
        );
        let mut resp = (status, Html(page)).into_response();
        if let Some(secs) = retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

impl From<axum::extract::rejection::JsonRejection> for Error {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as J;
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Error::TooLarge;
        }
        let text = r.body_text();
        match &r {
            J::MissingJsonContentType(_) => {
                Error::UnsupportedMediaType("send the body as application/json".into())
            }
            // serde names the offending field as a path before the first ": ".
            J::JsonDataError(_) => {
                let detail = text
                    .split_once("target type: ")
                    .map(|x| x.1)
                    .unwrap_or(&text);
                let (field, msg) = match detail.split_once(": ") {
                    Some((f, m)) if !f.contains(' ') => (f.to_string(), m.to_string()),
                    _ => (
                        unknown_field(detail).unwrap_or_else(|| "body".into()),
                        detail.to_string(),
                    ),
                };
                Error::Invalid {
                    field,
                    message: msg,
                }
            }
            _ => Error::invalid("body", text),
        }
    }
}

fn unknown_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

impl From<axum::extract::rejection::QueryRejection> for Error {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        let text = r.body_text();
        let detail = text
            .split_once("query string: ")
            .map(|x| x.1)
            .unwrap_or(&text)
            .to_string();
        Error::invalid("query", detail)
    }
}

impl From<axum::extract::rejection::FormRejection> for Error {
    fn from(r: axum::extract::rejection::FormRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return Error::TooLarge;
        }
        Error::invalid("form", r.body_text())
    }
}

/// HTML-escapes text for the few places that build markup outside templates.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
