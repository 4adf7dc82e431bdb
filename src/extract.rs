//! Axum's `Path` and `Query` extractors with the product's own rejections: a value that does
//! not decode (`/sprints/abc`, `?limit=x`) is answered like any other error, as a page for
//! people and as problem details under `/api/`, never as axum's plain-text 400.

use axum::extract::rejection::PathRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Error;

/// The path's parameters. One that does not parse names nothing, so the answer is 404.
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => Err(path_error(&r).respond_to(parts.uri.path())),
        }
    }
}

fn path_error(r: &PathRejection) -> Error {
    if r.status().is_client_error() {
        Error::NotFound
    } else {
        // A route whose parameters do not fit its handler: our bug, not the caller's.
        Error::Internal(anyhow::anyhow!("path parameters: {}", r.body_text()))
    }
}

/// The query string; one that does not decode is a 422 naming `query`.
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(r) => Err(Error::from(r).respond_to(parts.uri.path())),
        }
    }
}

/// An id from the path; one that is not a number names nothing, so the answer is 404.
pub fn id(s: &str) -> Result<i64, Error> {
    s.parse().map_err(|_| Error::NotFound)
}

/// A JSON body with its version as the `ETag`, so the next write can send `If-Match`.
pub fn tagged<T: Serialize>(status: StatusCode, version: i64, body: T) -> Response {
    (
        status,
        [(header::ETAG, format!("\"{version}\""))],
        Json(body),
    )
        .into_response()
}
