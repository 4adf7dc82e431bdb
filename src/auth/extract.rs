//! Extractors: who is calling (API token or session), and JSON/query bodies whose errors come
//! back as problem details.

use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;

use super::store::{self, User};
use crate::error::{ApiError, Error, Result};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "tl_session";

pub fn bearer(parts: &Parts) -> Option<&str> {
    bearer_token(&parts.headers)
}

/// The token of `Authorization: Bearer …`, if the request carries one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The holder of the bearer token a request carries. A read-only token is refused here every
/// request that may change something (any method but GET, HEAD and OPTIONS), so that no handler
/// has to remember it: one rule for the API, for pages driven by a token and for MCP.
pub async fn token_holder(parts: &Parts, state: &AppState) -> Result<store::TokenHolder> {
    let token = bearer(parts).ok_or(Error::Unauthorized)?;
    admit(parts, store::holder_by_token(&state.db, token).await?)
}

/// The holder a token lookup found, admitted for this request: none is Unauthorized, and a
/// read-only token is refused a change. (Callers that look the token up with other reads in one
/// round trip, as [`crate::workspace::extract::InProduct`] does, pass what they found here.)
pub fn admit(parts: &Parts, holder: Option<store::TokenHolder>) -> Result<store::TokenHolder> {
    let holder = holder.ok_or(Error::Unauthorized)?;
    if holder.read_only && !parts.method.is_safe() {
        return Err(read_only_refusal());
    }
    Ok(holder)
}

/// What a read-only token (or `throughline mcp --read-only`) is told when it tries a change.
pub fn read_only_refusal() -> Error {
    Error::forbidden(
        "this token is read-only: it may read but not change anything; use a token created without read-only to make changes",
    )
}

/// An API caller, authenticated by a bearer token.
pub struct ApiUser(pub User);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ApiUser(token_holder(parts, state).await?.user))
    }
}

/// A signed-in browser (session cookie) or a token holder reading pages.
pub struct PageUser {
    pub user: User,
    pub csrf: String,
    /// Bearer callers send no ambient credentials, so they need no CSRF token.
    pub via_token: bool,
    /// Unread notifications (0 for token callers, who read the inbox API).
    pub unread: i64,
}

impl PageUser {
    /// A token holder reading pages.
    pub fn of_token(user: User) -> PageUser {
        PageUser {
            user,
            csrf: String::new(),
            via_token: true,
            unread: 0,
        }
    }

    /// A signed-in browser.
    pub fn of_session(s: store::Session) -> PageUser {
        PageUser {
            user: s.user,
            csrf: s.csrf,
            via_token: false,
            unread: s.unread,
        }
    }

    pub fn check_csrf(&self, given: Option<&str>) -> Result<()> {
        if self.via_token || given.is_some_and(|g| constant_eq(g, &self.csrf)) {
            return Ok(());
        }
        Err(Error::forbidden(
            "the form expired or came from another site; reload the page and try again",
        ))
    }
}

fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        if bearer(parts).is_some() {
            return Ok(PageUser::of_token(token_holder(parts, state).await?.user));
        }
        let secret = cookie(&parts.headers, SESSION_COOKIE).ok_or(Error::Unauthorized)?;
        let s = store::session(&state.db, secret)
            .await?
            .ok_or(Error::Unauthorized)?;
        Ok(PageUser::of_session(s))
    }
}

/// The CSRF token a script sends in a header instead of a form field.
pub fn csrf_header(parts: &axum::http::HeaderMap) -> Option<&str> {
    parts.get("x-csrf-token").and_then(|v| v.to_str().ok())
}

/// JSON body whose rejections are problem details naming the field.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        if !json_content_type(req.headers()) {
            return Err(
                Error::UnsupportedMediaType("send the body as application/json".into()).into(),
            );
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| Error::TooLarge)?;
        // Parsed untyped first, so that a control character in any string is refused naming
        // its field, whatever the handler's type keeps or drops.
        let mut bytes = bytes;
        if let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            // Every body of this API is an object; serde would also fill a struct whose fields
            // all have defaults from an array (`[]` made a share link with no label).
            if doc.is_array() {
                return Err(Error::invalid("body", "send a JSON object, not an array").into());
            }
            crate::text::check_json(&doc)?;
            // JSON has one number type: `5.0` is the integer 5 (JSON Schema says so too), and
            // an integer field takes it. serde would refuse it as a float.
            if integral_floats_to_integers(&mut doc) {
                bytes = serde_json::to_vec(&doc)
                    .map_err(|e| Error::invalid("body", e.to_string()))?
                    .into();
            }
        }
        let axum::Json(v) = axum::Json::<T>::from_bytes(&bytes).map_err(Error::from)?;
        Ok(ApiJson(v))
    }
}

/// Rewrites each float with no fraction (`5.0`, `-2e3`) within the exactly representable
/// integers as that integer; answers whether it changed anything.
fn integral_floats_to_integers(v: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => {
                // In range and whole, so the cast is exact.
                #[allow(clippy::cast_possible_truncation)]
                let i = f as i64;
                *v = Value::from(i);
                true
            }
            _ => false,
        },
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, x| integral_floats_to_integers(x) | changed),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |changed, x| integral_floats_to_integers(x) | changed),
        _ => false,
    }
}

/// `application/json` or any `application/…+json`, as axum's own `Json` accepts.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Query string whose rejections are problem details.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) = axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(Error::from)?;
        Ok(ApiQuery(v))
    }
}

/// The version a client last read, from `If-Match: "N"`.
pub fn if_match(headers: &axum::http::HeaderMap) -> Result<i64> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(Error::PreconditionRequired)?;
    let v = raw
        .to_str()
        .unwrap_or_default()
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"');
    v.parse()
        .map_err(|_| Error::invalid("If-Match", "send the ETag you read, e.g. If-Match: \"3\""))
}

/// `If-Match` when the caller sent one (for changes where it is optional), else `None`.
pub fn optional_if_match(headers: &axum::http::HeaderMap) -> Result<Option<i64>> {
    if headers.contains_key(header::IF_MATCH) {
        if_match(headers).map(Some)
    } else {
        Ok(None)
    }
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for an HttpOnly, SameSite=Lax cookie on the whole site (`Secure` when
/// served over HTTPS); a max age of 0 removes it.
pub fn set_cookie(secure: bool, name: &str, value: &str, max_age: i64) -> axum::http::HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    axum::http::HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| axum::http::HeaderValue::from_static(""))
}
