//! JSON handlers for alignment.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::{ApiError, Result};
use crate::extract::Path;
use crate::flow::alignment::report;
use crate::governance::alignment::{Alignment, AlignmentParams};
use crate::governance::tiers::{self, Exemption, TierSettings};
use crate::state::AppState;
use crate::workspace::extract::{IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_exemptions))
        .routes(routes!(revoke))
        .routes(routes!(exempt))
        .routes(routes!(overrides))
        .routes(routes!(advisor, put_thresholds))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuarterParam {
    /// A quarter like 2027-Q1; this quarter when omitted.
    pub quarter: Option<String>,
}

/// List the PM's overrides with their reasons, counted per quarter
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/overrides", operation_id = "listOverrides", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path), QuarterParam),
    responses((status = 200, body = crate::governance::overrides::Overrides, description = "the PM's overrides of the quarter, counted, with their reasons")))]
pub async fn overrides(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<QuarterParam>,
) -> Result<Json<crate::governance::overrides::Overrides>, ApiError> {
    let quarter = match q.quarter.as_deref() {
        Some(s) => crate::strategy::Quarter::parse(s)?,
        None => crate::strategy::Quarter::of(crate::strategy::today()),
    };
    Ok(Json(
        crate::governance::overrides::list(&st.db, &ctx, quarter).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

/// A product's settings change its version: the ETag to send back in If-Match.
fn product_etag(version: i64) -> [(axum::http::HeaderName, String); 1] {
    [(axum::http::header::ETAG, format!("\"{version}\""))]
}

/// Show the product's tier policy and unaligned allowance
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/tiers", operation_id = "getTierSettings", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, body = TierSettings, description = "the tier policy and allowance; the ETag is the product's version")))]
pub async fn get_settings(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Response, ApiError> {
    ctx.grants.require(crate::auth::Action::ViewBacklog)?;
    let s = crate::governance::store::settings(&st.db, ctx.product.id).await?;
    let body = TierSettings {
        tier_policy: s.policy,
        unaligned_allowance_pct: s.allowance_pct,
    };
    let v = crate::workspace::settings::version(
        &st.db,
        ctx.product.id,
        crate::workspace::settings::Setting::Tiers,
    )
    .await?;
    Ok((product_etag(v), Json(body)).into_response())
}

/// Set the product's tier policy and unaligned allowance
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/tiers", operation_id = "setTierSettings", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path), ("If-Match" = String, Header)), request_body = TierSettings,
    responses((status = 204), (status = 403, description = "the PM sets the policy"), (status = 412, description = "the product changed since it was read"), (status = 422)))]
pub async fn put_settings(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    IfMatch(expected): IfMatch,
    ApiJson(i): ApiJson<TierSettings>,
) -> Result<Response, ApiError> {
    tiers::set_settings(&st.db, &u, &ctx, expected, &i).await?;
    Ok((StatusCode::NO_CONTENT, product_etag(expected + 1)).into_response())
}

/// List the tier-order exemptions of a product
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/exemptions", operation_id = "listExemptions", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = Vec<Exemption>)))]
pub async fn list_exemptions(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Exemption>>, ApiError> {
    Ok(Json(tiers::exemptions(&st.db, &ctx).await?))
}

/// Exempt an item from strict tier order, with a reason
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/exemption", operation_id = "exemptItem", tag = "governance",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = ReasonInput,
    responses((status = 201, description = "the item may break the tier order"), (status = 403), (status = 409, description = "already exempt"), (status = 422)))]
pub async fn exempt(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(i): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    tiers::exempt(&st.db, &u, &ctx, &key, &i.reason).await?;
    Ok(StatusCode::CREATED)
}

/// Revoke a tier-order exemption
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/exemptions/{id}/revoke", operation_id = "revokeExemption", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = ReasonInput,
    responses((status = 204), (status = 403, description = "the PM revokes"), (status = 404)))]
pub async fn revoke(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _p, id)): Path<(String, String, i64)>,
    ApiJson(i): ApiJson<ReasonInput>,
) -> Result<StatusCode, ApiError> {
    tiers::revoke(&st.db, &u, &ctx, id, &i.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show alignment for a sprint, a quarter or a month, with its score
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/alignment", operation_id = "getAlignment", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path), AlignmentParams),
    responses((status = 200, body = Alignment, description = "points per priority, unaligned share, gaps both ways, and the score with its formula"), (status = 422)))]
pub async fn show(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<AlignmentParams>,
) -> Result<Json<Alignment>, ApiError> {
    Ok(Json(report(&st.db.for_reports(), &ctx, &q).await?))
}

/// Show the team-shape advisor's findings
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/advisor", operation_id = "getAdvisor", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path)),
    responses((status = 200, body = crate::governance::advisor::Advice, description = "the team's shape, what goes wrong, and the remedy; the ETag is the product's version")))]
pub async fn advisor(
    State(st): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Response, ApiError> {
    let advice = crate::governance::advisor::advise(&st.db, &ctx).await?;
    let v = crate::workspace::settings::version(
        &st.db,
        ctx.product.id,
        crate::workspace::settings::Setting::Advisor,
    )
    .await?;
    Ok((product_etag(v), Json(advice)).into_response())
}

/// Set the team-shape advisor's thresholds
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/advisor", operation_id = "setAdvisorThresholds", tag = "governance",
    params(("ws" = String, Path), ("product" = String, Path), ("If-Match" = String, Header)), request_body = crate::governance::advisor::Thresholds,
    responses((status = 204), (status = 403), (status = 412, description = "the product changed since it was read"), (status = 422)))]
pub async fn put_thresholds(
    State(st): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    IfMatch(expected): IfMatch,
    ApiJson(t): ApiJson<crate::governance::advisor::Thresholds>,
) -> Result<Response, ApiError> {
    crate::governance::advisor::set_thresholds(&st.db, &u, &ctx, expected, &t).await?;
    Ok((StatusCode::NO_CONTENT, product_etag(expected + 1)).into_response())
}
