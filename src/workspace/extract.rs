//! Extractors for the product-scoped API: the caller with the product a route names
//! ([`InProduct`]), the version the caller last read ([`IfMatch`]), and a body answered with its
//! version as the `ETag` ([`Etagged`]). Handlers take these instead of resolving the product and
//! reading headers by hand, so each of those rules lives in one place.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::parse_item_key;
use super::{store, ProductCtx};
use crate::audit::Versioned;
use crate::auth::extract::{admit, bearer, if_match};
use crate::auth::hash_secret;
use crate::auth::store::holder_read;
use crate::auth::store::User;
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::state::AppState;

/// The caller and the product named by `{ws}/products/{product}` or by the prefix of
/// `{ws}/items/{key}`, with the caller's roles there. The one place the API resolves a product.
///
/// Rejections are those handlers gave when they did this by hand: 401 without a valid token,
/// 404 for a workspace or product the caller cannot see (or a key of no product).
pub struct InProduct {
    pub user: User,
    pub ctx: ProductCtx,
}

impl FromRequestParts<AppState> for InProduct {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let fail = |e: Error| ApiError(e).into_response();
        let hash = bearer(parts)
            .map(hash_secret)
            .ok_or(Error::Unauthorized)
            .map_err(fail)?;
        let Path(params) =
            Path::<HashMap<String, String>>::from_request_parts(parts, state).await?;
        let ws = params.get("ws").map(String::as_str).unwrap_or_default();
        // A route under a product names it; `{key}` decides only on item routes, where it is
        // the item's key (under a product, `{key}` is an item within it, not the product).
        let product = match (params.get("product"), params.get("key")) {
            (Some(product), _) => Some(product.clone()),
            (None, Some(key)) => parse_item_key(key).map(|(prefix, _)| prefix),
            (None, None) => {
                return Err(ApiError(Error::Internal(anyhow::anyhow!(
                    "InProduct on a route without {{product}} or {{key}}"
                )))
                .into_response())
            }
        };
        // The token and the product in one round trip; the token decides first, as before, so
        // that an anonymous caller learns nothing about the path.
        let Some(product) = product else {
            admit(
                parts,
                holder_read(hash)
                    .on(&state.db)
                    .await
                    .map_err(|e| fail(e.into()))?,
            )
            .map_err(fail)?;
            return Err(fail(Error::NotFound));
        };
        let (holder, rows) = holder_read(hash.clone())
            .and(store::ctx_by_token_read(&hash, ws, &product))
            .on(&state.db)
            .await
            .map_err(|e| fail(e.into()))?;
        let user = admit(parts, holder).map_err(fail)?.user;
        let ctx = store::ctx_of(user.id, rows).map_err(fail)?;
        Ok(InProduct { user, ctx })
    }
}

/// The version a client last read, from `If-Match: "N"`: 428 when it is missing, 422 naming
/// `If-Match` when it is not a version. (See [`if_match`] for callers holding a `HeaderMap`.)
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(IfMatch(if_match(&parts.headers)?))
    }
}

/// A JSON body with its version as the `ETag`, so the next write can send `If-Match`.
pub struct Etagged<T>(pub StatusCode, pub T);

impl<T: Versioned> IntoResponse for Etagged<T> {
    fn into_response(self) -> Response {
        let Etagged(status, body) = self;
        let etag = format!("\"{}\"", body.version());
        (status, [(header::ETAG, etag)], Json(body)).into_response()
    }
}
