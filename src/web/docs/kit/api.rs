//! The hand-off kit over the API: `GET …/documents/kit?initiative=3` answers the zip
//! (`Accept: application/zip`, also for `*/*`) or its manifest (`application/json`); the
//! Product Owner's kit exceptions are listed, added and taken back under
//! `…/documents/kit/exceptions`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::extract::{ApiJson, ApiQuery};
use crate::docs::kit::exceptions::{self, KitException, KitExceptionInput};
use crate::docs::kit::{archive, make, Manifest, Scope};
use crate::error::{ApiError, Error};
use crate::extract::Path;
use crate::state::AppState;
use crate::workspace::extract::InProduct;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kit))
        .routes(routes!(list_exceptions, add_exception))
        .routes(routes!(remove_exception))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct KitParams {
    /// The initiative's id (give exactly one of initiative, release, sprint).
    pub initiative: Option<i64>,
    pub release: Option<i64>,
    pub sprint: Option<i64>,
}

/// What a kit can be answered as.
#[derive(Debug, PartialEq, Eq)]
pub enum KitMedia {
    Zip,
    Manifest,
}

/// `application/zip` (also `*/*` or no header) or `application/json`, by weight; none for
/// anything else (406).
pub fn negotiate(accept: Option<&str>) -> Option<KitMedia> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(KitMedia::Zip);
    };
    let mut best: Option<(f32, usize, KitMedia)> = None;
    for (n, part) in accept.split(',').enumerate() {
        let mut bits = part.split(';');
        let media = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = bits
            .filter_map(|b| b.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let m = match media.as_str() {
            "application/zip" | "application/*" | "*/*" => KitMedia::Zip,
            "application/json" => KitMedia::Manifest,
            _ => continue,
        };
        if q > 0.0 && best.as_ref().is_none_or(|b| q > b.0) {
            best = Some((q, n, m));
        }
    }
    best.map(|b| b.2)
}

/// The address the request came in on, for the kit's links and MCP entries: the `Host` it
/// named (when it is a plain host name or address) and `X-Forwarded-Proto` behind a proxy.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1:8080");
    let proto = match headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{proto}://{host}")
}

/// Make a hand-off kit
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/documents/kit", operation_id = "getHandoffKit", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path), KitParams),
    responses(
        (status = 200, description = "the kit as a zip (also for `*/*` or no Accept), or its manifest",
            content((String = "application/zip"), (Manifest = "application/json"))),
        (status = 404), (status = 406, description = "Accept names neither application/zip nor application/json"), (status = 422)))]
pub async fn kit(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<KitParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let media = negotiate(accept).ok_or_else(|| {
        Error::NotAcceptable("a kit is application/zip, or its manifest as application/json".into())
    })?;
    let scope = Scope::from_params(q.initiative, q.release, q.sprint)?;
    let kit = make(&s.db.for_reports(), &ctx, scope, &base_url(&headers)).await?;
    Ok(match media {
        KitMedia::Manifest => Json(kit.manifest).into_response(),
        KitMedia::Zip => zip_response(&kit)?,
    })
}

/// The kit as a download named after it.
pub fn zip_response(kit: &crate::docs::kit::Kit) -> Result<Response, Error> {
    let bytes = archive::zip(kit)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.zip\"", kit.manifest.name),
            ),
            (header::VARY, "Accept".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The Product Owner's kit exceptions
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/documents/kit/exceptions", operation_id = "listKitExceptions", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, body = Vec<KitException>), (status = 404)))]
pub async fn list_exceptions(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<KitException>>, ApiError> {
    Ok(Json(exceptions::list(&s.db, &ctx).await?))
}

/// Let an item that is not ready into hand-off kits, with a reason (Product Owner)
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/documents/kit/exceptions", operation_id = "addKitException", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = KitExceptionInput,
    responses((status = 201, body = Vec<KitException>), (status = 403), (status = 422)))]
pub async fn add_exception(
    State(s): State<AppState>,
    InProduct { user, ctx }: InProduct,
    ApiJson(input): ApiJson<KitExceptionInput>,
) -> Result<(StatusCode, Json<Vec<KitException>>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(exceptions::include(&s.db, &user, &ctx, &input).await?),
    ))
}

/// Take a kit exception back (Product Owner)
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/documents/kit/exceptions/{key}", operation_id = "removeKitException", tag = "documents",
    params(("ws" = String, Path), ("product" = String, Path), ("key" = String, Path)),
    responses((status = 200, body = Vec<KitException>), (status = 403), (status = 404)))]
pub async fn remove_exception(
    State(s): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, _product, key)): Path<(String, String, String)>,
) -> Result<Json<Vec<KitException>>, ApiError> {
    Ok(Json(exceptions::remove(&s.db, &user, &ctx, &key).await?))
}

#[cfg(test)]
mod tests {
    use super::{negotiate, KitMedia};

    #[test]
    fn accept_headers_choose_zip_or_manifest() {
        assert_eq!(negotiate(None), Some(KitMedia::Zip));
        assert_eq!(negotiate(Some("*/*")), Some(KitMedia::Zip));
        assert_eq!(
            negotiate(Some("application/json")),
            Some(KitMedia::Manifest)
        );
        assert_eq!(
            negotiate(Some("application/zip;q=0.4, application/json")),
            Some(KitMedia::Manifest)
        );
        assert_eq!(negotiate(Some("text/markdown")), None);
    }
}
