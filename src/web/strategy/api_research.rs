//! JSON handlers for the vision, personas, research sources, insights, evidence and search.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

use super::api::id;
use crate::auth::extract::{ApiJson, ApiQuery};
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use crate::strategy::research_model::{
    EvidenceLink, Insight, InsightInput, ItemPersona, Persona, PersonaInput, SearchHit, Source,
    SourceInput, Vision, VisionInput,
};
use crate::strategy::{personas, research};
use crate::workspace::extract::{Etagged, IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_vision, set_vision))
        .routes(routes!(list_personas, create_persona))
        .routes(routes!(show_persona, update_persona))
        .routes(routes!(item_persona))
        .routes(routes!(list_sources, create_source))
        .routes(routes!(show_source, update_source))
        .routes(routes!(list_insights, create_insight))
        .routes(routes!(show_insight, update_insight, delete_insight))
        .routes(routes!(link, unlink))
        .routes(routes!(search))
        .routes(routes!(initiative_evidence))
}

type P2 = Path<(String, String)>;
type P3 = Path<(String, String, String)>;

/// Show the product's vision
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/vision", operation_id = "getVision", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = Vision, headers(("ETag" = String)))))]
pub async fn show_vision(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Etagged<Vision>, ApiError> {
    let v = personas::vision(&s.db, &ctx).await?;
    Ok(Etagged(StatusCode::OK, v))
}

/// Set the product's vision
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/vision", operation_id = "setVision", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("If-Match" = String, Header, description = "the product's ETag")),
    request_body = VisionInput, responses((status = 200, body = Vision), (status = 403), (status = 412), (status = 422)))]
pub async fn set_vision(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<VisionInput>,
) -> Result<Etagged<Vision>, ApiError> {
    let v = personas::set_vision(&s.db, &u, &ctx, version, input).await?;
    Ok(Etagged(StatusCode::OK, v))
}

/// List a product's personas
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/personas", operation_id = "listPersonas", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Persona])))]
pub async fn list_personas(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Persona>>, ApiError> {
    Ok(Json(personas::list(&s.db, &ctx).await?))
}

/// Create a persona
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/personas", operation_id = "createPersona", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = PersonaInput,
    responses((status = 201, body = Persona), (status = 403), (status = 422)))]
pub async fn create_persona(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<PersonaInput>,
) -> Result<Etagged<Persona>, ApiError> {
    let p = personas::create(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, p))
}

/// Show a persona
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/personas/{id}", operation_id = "getPersona", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Persona), (status = 404)))]
pub async fn show_persona(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, pid)): P3,
) -> Result<Etagged<Persona>, ApiError> {
    let p = personas::get(&s.db, &ctx, id(&pid)?).await?;
    Ok(Etagged(StatusCode::OK, p))
}

/// Change a persona
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/personas/{id}", operation_id = "updatePersona", tag = "strategy",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = PersonaInput, responses((status = 200, body = Persona), (status = 412), (status = 422)))]
pub async fn update_persona(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, pid)): P3,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<PersonaInput>,
) -> Result<Etagged<Persona>, ApiError> {
    let p = personas::update(&s.db, &u, &ctx, id(&pid)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, p))
}

/// Name the persona of a story, or clear it
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/items/{key}/persona", operation_id = "setItemPersona", tag = "strategy",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = ItemPersona,
    responses((status = 200, body = crate::backlog::Item), (status = 403), (status = 422)))]
pub async fn item_persona(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, key)): P2,
    ApiJson(body): ApiJson<ItemPersona>,
) -> Result<Etagged<crate::backlog::Item>, ApiError> {
    let item = personas::set_item_persona(&s.db, &u, &ctx, &key, body.persona).await?;
    Ok(Etagged(StatusCode::OK, item))
}

/// List a product's research sources
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/research/sources", operation_id = "listResearchSources", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = [Source], description = "latest 200 first")))]
pub async fn list_sources(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Json<Vec<Source>>, ApiError> {
    Ok(Json(research::sources(&s.db, &ctx, 200).await?))
}

/// Add a research source
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/research/sources", operation_id = "createResearchSource", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = SourceInput,
    responses((status = 201, body = Source), (status = 403), (status = 422)))]
pub async fn create_source(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<SourceInput>,
) -> Result<Etagged<Source>, ApiError> {
    let src = research::create_source(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, src))
}

/// Show a research source with its insights
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/research/sources/{id}", operation_id = "getResearchSource", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Source), (status = 404)))]
pub async fn show_source(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, sid)): P3,
) -> Result<Etagged<Source>, ApiError> {
    let src = research::source(&s.db, &ctx, id(&sid)?).await?;
    Ok(Etagged(StatusCode::OK, src))
}

/// Change a research source
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/research/sources/{id}", operation_id = "updateResearchSource", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = SourceInput, responses((status = 200, body = Source), (status = 412), (status = 422)))]
pub async fn update_source(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, sid)): P3,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<SourceInput>,
) -> Result<Etagged<Source>, ApiError> {
    let src = research::update_source(&s.db, &u, &ctx, id(&sid)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, src))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InsightParams {
    /// Only the insights drawn from this source.
    pub source: Option<i64>,
}

/// List a product's insights
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights", operation_id = "listInsights", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), InsightParams),
    responses((status = 200, body = [Insight], description = "most important first, at most 200")))]
pub async fn list_insights(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<InsightParams>,
) -> Result<Json<Vec<Insight>>, ApiError> {
    Ok(Json(research::insights(&s.db, &ctx, q.source, 200).await?))
}

/// Record an insight
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights", operation_id = "createInsight", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path)), request_body = InsightInput,
    responses((status = 201, body = Insight), (status = 403), (status = 422)))]
pub async fn create_insight(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    ApiJson(input): ApiJson<InsightInput>,
) -> Result<Etagged<Insight>, ApiError> {
    let i = research::create_insight(&s.db, &u, &ctx, input).await?;
    Ok(Etagged(StatusCode::CREATED, i))
}

/// Show an insight with what it is evidence for
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights/{id}", operation_id = "getInsight", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), responses((status = 200, body = Insight), (status = 404)))]
pub async fn show_insight(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, iid)): P3,
) -> Result<Etagged<Insight>, ApiError> {
    let i = research::insight(&s.db, &ctx, id(&iid)?).await?;
    Ok(Etagged(StatusCode::OK, i))
}

/// Change an insight
#[utoipa::path(patch, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights/{id}", operation_id = "updateInsight", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = InsightInput, responses((status = 200, body = Insight), (status = 412), (status = 422)))]
pub async fn update_insight(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, iid)): P3,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<InsightInput>,
) -> Result<Etagged<Insight>, ApiError> {
    let i = research::update_insight(&s.db, &u, &ctx, id(&iid)?, version, input).await?;
    Ok(Etagged(StatusCode::OK, i))
}

/// Delete an insight
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights/{id}", operation_id = "deleteInsight", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 412)))]
pub async fn delete_insight(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, iid)): P3,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    research::delete_insight(&s.db, &u, &ctx, id(&iid)?, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Link an insight as evidence to an initiative or a backlog item
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights/{id}/evidence", operation_id = "linkEvidence", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)), request_body = EvidenceLink,
    responses((status = 200, body = Insight), (status = 409, description = "already linked"), (status = 422)))]
pub async fn link(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, iid)): P3,
    ApiJson(l): ApiJson<EvidenceLink>,
) -> Result<Json<Insight>, ApiError> {
    Ok(Json(
        research::set_evidence(&s.db, &u, &ctx, id(&iid)?, &l, true).await?,
    ))
}

/// Unlink an insight from what it was evidence for
#[utoipa::path(delete, path = "/api/v1/workspaces/{ws}/products/{product}/research/insights/{id}/evidence", operation_id = "unlinkEvidence", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path), EvidenceLink),
    responses((status = 200, body = Insight), (status = 404, description = "no such link")))]
pub async fn unlink(
    State(s): State<AppState>,
    InProduct { user: u, ctx }: InProduct,
    Path((_ws, _product, iid)): P3,
    ApiQuery(l): ApiQuery<EvidenceLink>,
) -> Result<Json<Insight>, ApiError> {
    Ok(Json(
        research::set_evidence(&s.db, &u, &ctx, id(&iid)?, &l, false).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Words to find in insights and sources (all of them, stemmed).
    pub q: String,
}

/// Search sources and insights by full text
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/research/search", operation_id = "searchResearch", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), SearchParams),
    responses((status = 200, body = [SearchHit], description = "best 50 first"), (status = 422)))]
pub async fn search(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    ApiQuery(q): ApiQuery<SearchParams>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    Ok(Json(research::search(&s.db, &ctx, &q.q, 50).await?))
}

/// List the insights that are evidence for an initiative
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/initiatives/{id}/evidence", operation_id = "listInitiativeEvidence", tag = "research",
    params(("ws" = String, Path), ("product" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = [Insight]), (status = 404, description = "no such initiative in this product")))]
pub async fn initiative_evidence(
    State(s): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, _product, iid)): P3,
) -> Result<Json<Vec<Insight>>, ApiError> {
    Ok(Json(
        research::evidence_for(&s.db, &ctx, crate::ids::InitiativeId(id(&iid)?)).await?,
    ))
}
