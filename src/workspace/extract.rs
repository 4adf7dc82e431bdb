//! Extractors for the product-scoped API and pages: the caller with the product a route names
//! ([`InProduct`], [`ProductPage`]), the version the caller last read ([`IfMatch`]), and a body answered with its
//! version as the `ETag` ([`Etagged`]). Handlers take these instead of resolving the product and
//! reading headers by hand, so each of those rules lives in one place.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::parse_item_key;
use super::prologue::{self, Found};
use super::store::{self, Caller};
use super::{ProductCtx, Workspace};
use crate::audit::Versioned;
use crate::auth::extract::{admit, bearer, cookie, if_match, PageUser, SESSION_COOKIE};
use crate::auth::hash_secret;
use crate::auth::store::{holder_read, User};
use crate::db::batch::Read;
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
        let (user, ctx, ()) = api_and_ctx_with(parts, state, |caller, (ws, product), _| {
            prologue::ctx_read(caller, ws, product).map(|(found, rows)| Ok((found, (rows, ()))))
        })
        .await?;
        Ok(InProduct { user, ctx })
    }
}

/// The caller and the workspace `{ws}` names, with whether they administer it: the token and
/// the membership in one round trip. The one place the API resolves a workspace. Rejections
/// are those handlers gave when they did this by hand: 401 without a valid token, 404 for a
/// workspace the caller is not a member of.
pub struct InWorkspace {
    pub user: User,
    pub workspace: Workspace,
    pub admin: bool,
}

impl FromRequestParts<AppState> for InWorkspace {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let (user, member) = token_with(parts, state, |params, hash| {
            let slug = params.get("ws").map(String::as_str).unwrap_or_default();
            Ok(prologue::member_read(Caller::Token(hash), slug))
        })
        .await?;
        let (workspace, admin) = member
            .ok_or(Error::NotFound)
            .map_err(|e| ApiError(e).into_response())?;
        Ok(InWorkspace {
            user,
            workspace,
            admin,
        })
    }
}

/// [`InProduct`] with more of the route's in the same statement (the item API's item):
/// `first` makes the statement from the caller and the workspace and product the route
/// names, and the route's path parameters ([`prologue::ctx_with_read`]). Its answer is for the
/// caller to use only once the product is theirs.
pub async fn api_and_ctx_with<T: Send + 'static>(
    parts: &mut Parts,
    state: &AppState,
    first: impl FnOnce(Caller<'_>, (&str, &str), &HashMap<String, String>) -> prologue::CtxWith<T>,
) -> Result<(User, ProductCtx, T), Response> {
    let fail = |e: Error| ApiError(e).into_response();
    // A key of no product reads only the token: the token decides first, as before, so that
    // an anonymous caller learns nothing about the path.
    let (user, found) = token_with(parts, state, |params, hash| {
        Ok(match product_of(params)? {
            Some((ws, product)) => first(Caller::Token(hash), (ws, &product), params)
                .map(|(holder, found)| Ok((holder, Some(found)))),
            None => holder_read(hash.to_string()).map(|h| Ok((Found::Holder(h), None))),
        })
    })
    .await?;
    let (rows, also) = found.ok_or(Error::NotFound).map_err(fail)?;
    let ctx = store::ctx_of(user.id, rows).map_err(fail)?;
    Ok((user, ctx, also))
}

/// The holder of the request's bearer token, admitted for it, and `read` (made from the
/// route's path parameters and the token's hash, and finding the holder: [`prologue`]) in one
/// round trip: the API's prologue. The token decides first: without a valid one the answer is
/// 401 whatever `read` found.
async fn token_with<T: Send + 'static>(
    parts: &mut Parts,
    state: &AppState,
    read: impl FnOnce(&HashMap<String, String>, &str) -> Result<Read<(Found, T)>, Error>,
) -> Result<(User, T), Response> {
    let fail = |e: Error| ApiError(e).into_response();
    let hash = bearer(parts)
        .map(hash_secret)
        .ok_or(Error::Unauthorized)
        .map_err(fail)?;
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state).await?;
    let read = read(&params, &hash).map_err(fail)?;
    let (holder, found) = read.on(&state.db).await.map_err(|e| fail(e.into()))?;
    let holder = match holder {
        Found::Holder(holder) => holder,
        Found::Session(_) => None,
    };
    Ok((admit(parts, holder).map_err(fail)?.user, found))
}

/// The workspace and product a route names: `{product}`, or on item routes the prefix of the
/// item's `{key}` (under a product, `{key}` is an item within it, not the product). None for a
/// key of no product.
fn product_of(params: &HashMap<String, String>) -> Result<Option<(&str, String)>, Error> {
    let ws = params.get("ws").map(String::as_str).unwrap_or_default();
    let product = match (params.get("product"), params.get("key")) {
        (Some(product), _) => Some(product.clone()),
        (None, Some(key)) => parse_item_key(key).map(|(prefix, _)| prefix),
        (None, None) => {
            return Err(Error::Internal(anyhow::anyhow!(
                "a product extractor on a route without {{product}} or {{key}}"
            )))
        }
    };
    Ok(product.map(|p| (ws, p)))
}

/// A product's page: the signed-in person (session or token) and the product the path names,
/// with their roles there, read in one round trip. Rejections are those of [`PageUser`] and then
/// of the product: signed out first (to the sign-in page), then a product not theirs (404).
pub struct ProductPage {
    pub user: PageUser,
    pub ctx: ProductCtx,
}

impl FromRequestParts<AppState> for ProductPage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let params = page_params(parts, state).await?;
        let page = async {
            let (user, ctx) = page_and_ctx(parts, state, &params).await?;
            Ok::<_, Error>(ProductPage { user, ctx: ctx? })
        };
        page.await.map_err(IntoResponse::into_response)
    }
}

/// A page's path parameters. One that does not decode is answered as a missing page, once the
/// person asking is known (who asks decides first, as when handlers took the user first).
pub async fn page_params(
    parts: &mut Parts,
    state: &AppState,
) -> Result<HashMap<String, String>, Response> {
    match Path::<HashMap<String, String>>::from_request_parts(parts, state).await {
        Ok(Path(params)) => Ok(params),
        Err(rejection) => {
            PageUser::from_request_parts(parts, state)
                .await
                .map_err(IntoResponse::into_response)?;
            Err(rejection)
        }
    }
}

/// The person behind a page request and the context of the product `params` name, read in one
/// round trip (the session or token, and the product with the caller's roles). The person
/// decides first (the outer error); the product's answer is left for the caller to take after
/// checks of its own, such as a form's CSRF token.
pub async fn page_and_ctx(
    parts: &Parts,
    state: &AppState,
    params: &HashMap<String, String>,
) -> Result<(PageUser, Result<ProductCtx, Error>), Error> {
    let (user, ctx, ()) = page_and_ctx_with(parts, state, params, Read::ready(())).await?;
    Ok((user, ctx))
}

/// [`page_and_ctx`] with another read of the page's in the same round trip (the item page's
/// item). Its answer is for the caller to use only once the product is theirs.
pub async fn page_and_ctx_with<T: Send + 'static>(
    parts: &Parts,
    state: &AppState,
    params: &HashMap<String, String>,
    also: Read<T>,
) -> Result<(PageUser, Result<ProductCtx, Error>, T), Error> {
    let Some((ws, product)) = product_of(params)? else {
        let user = PageUser::from_request_parts(&mut parts.clone(), state).await?;
        let also = also.on(&state.db).await?;
        return Ok((user, Err(Error::NotFound), also));
    };
    let (user, (rows, also)) = page_user_with(parts, state, |c| {
        prologue::ctx_read(c, ws, &product)
            .and(also)
            .map(|((found, rows), also)| Ok((found, (rows, also))))
    })
    .await?;
    let ctx = store::ctx_of(user.user.id, rows);
    Ok((user, ctx, also))
}

/// [`page_and_ctx_with`] with the page's own read in the prologue's statement (the item
/// page's item): `first` makes it from the caller and the workspace and product the path
/// names ([`prologue::ctx_with_read`]). A path that names no product reads only the person,
/// and the page's answer is then `T::default()`.
pub async fn page_and_ctx_joined<T: Default + Send + 'static>(
    parts: &Parts,
    state: &AppState,
    params: &HashMap<String, String>,
    first: impl FnOnce(Caller<'_>, (&str, &str)) -> prologue::CtxWith<T>,
) -> Result<(PageUser, Result<ProductCtx, Error>, T), Error> {
    let Some((ws, product)) = product_of(params)? else {
        let user = PageUser::from_request_parts(&mut parts.clone(), state).await?;
        return Ok((user, Err(Error::NotFound), T::default()));
    };
    let (user, (rows, more)) = page_user_with(parts, state, |c| first(c, (ws, &product))).await?;
    let ctx = store::ctx_of(user.user.id, rows);
    Ok((user, ctx, more))
}

/// A workspace's page: the person, the workspace `slug` names if they are a member of it (and
/// whether they administer it; an outsider's answer is NotFound), and another read of the
/// page's, in one round trip. The other read's answer is for the caller to use only once the
/// workspace is theirs.
pub async fn page_and_workspace_with<T: Send + 'static>(
    parts: &Parts,
    state: &AppState,
    slug: &str,
    also: Read<T>,
) -> Result<(PageUser, Result<(Workspace, bool), Error>, T), Error> {
    let (user, (member, also)) = page_user_with(parts, state, |c| {
        prologue::member_read(c, slug)
            .and(also)
            .map(|((found, member), also)| Ok((found, (member, also))))
    })
    .await?;
    Ok((user, member.ok_or(Error::NotFound), also))
}

/// The person behind a page request (a bearer token, or else the session cookie) and `read`
/// of theirs, made for them before they are known and finding them too ([`prologue`]), in
/// one statement. The person decides first: signed out is Unauthorized whatever `read` found.
async fn page_user_with<T: Send + 'static>(
    parts: &Parts,
    state: &AppState,
    read: impl FnOnce(Caller<'_>) -> Read<(Found, T)>,
) -> Result<(PageUser, T), Error> {
    if let Some(token) = bearer(parts) {
        let hash = hash_secret(token);
        let (holder, found) = read(Caller::Token(&hash)).on(&state.db).await?;
        let Found::Holder(holder) = holder else {
            return Err(Error::Unauthorized);
        };
        return Ok((PageUser::of_token(admit(parts, holder)?.user), found));
    }
    let secret = cookie(&parts.headers, SESSION_COOKIE).ok_or(Error::Unauthorized)?;
    let hash = hash_secret(secret);
    let (session, found) = read(Caller::Session(&hash)).on(&state.db).await?;
    let Found::Session(Some(session)) = session else {
        return Err(Error::Unauthorized);
    };
    Ok((PageUser::of_session(session), found))
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
