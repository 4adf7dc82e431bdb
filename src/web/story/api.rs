//! JSON handlers for questions and the Definition of Ready.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use crate::auth::extract::ApiJson;
use crate::backlog::service;
use crate::error::ApiError;
use crate::extract::Path;
use crate::state::AppState;
use crate::story::questions::{self, Question};
use crate::story::readiness::ReadyRules;
use crate::workspace::extract::{IfMatch, InProduct};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, ask))
        .routes(routes!(answer))
        .routes(routes!(get_rules, put_rules))
}

/// List the questions on an item
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/items/{key}/questions", operation_id = "listQuestions", tag = "questions",
    params(("ws" = String, Path), ("key" = String, Path)), responses((status = 200, body = Vec<Question>)))]
pub async fn list(
    State(state): State<AppState>,
    InProduct { ctx, .. }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
) -> Result<Json<Vec<Question>>, ApiError> {
    let item = service::get(&state.db, &ctx, &key).await?;
    Ok(Json(questions::for_item(&state.db, item.id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    pub body: String,
}

/// Ask a question on an item
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/questions", operation_id = "askQuestion", tag = "questions",
    params(("ws" = String, Path), ("key" = String, Path)), request_body = QuestionInput,
    responses((status = 201, body = Question), (status = 403)))]
pub async fn ask(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key)): Path<(String, String)>,
    ApiJson(q): ApiJson<QuestionInput>,
) -> Result<(StatusCode, Json<Question>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(questions::ask(&state.db, &user, &ctx, &key, &q.body).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = QuestionAnswerInput)]
pub struct AnswerInput {
    pub answer: String,
}

/// Answer a question on an item
#[utoipa::path(post, path = "/api/v1/workspaces/{ws}/items/{key}/questions/{id}/answer", operation_id = "answerQuestion", tag = "questions",
    params(("ws" = String, Path), ("key" = String, Path), ("id" = i64, Path), ("If-Match" = String, Header)),
    request_body = AnswerInput, responses((status = 204), (status = 403), (status = 412)))]
pub async fn answer(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    Path((_ws, key, id)): Path<(String, String, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(a): ApiJson<AnswerInput>,
) -> Result<StatusCode, ApiError> {
    questions::answer(&state.db, &user, &ctx, &key, id, version, &a.answer).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show the product's Definition of Ready
#[utoipa::path(get, path = "/api/v1/workspaces/{ws}/products/{product}/ready-rules", operation_id = "getReadyRules", tag = "questions",
    params(("ws" = String, Path), ("product" = String, Path)), responses((status = 200, body = ReadyRules)))]
pub async fn get_rules(
    State(state): State<AppState>,
    InProduct { ctx, .. }: InProduct,
) -> Result<Response, ApiError> {
    let v = crate::workspace::settings::version(
        &state.db,
        ctx.product.id,
        crate::workspace::settings::Setting::ReadyRules,
    )
    .await?;
    let etag = format!("\"{v}\"");
    Ok(([(header::ETAG, etag)], Json(service::rules_of(&ctx))).into_response())
}

/// Set the product's Definition of Ready
#[utoipa::path(put, path = "/api/v1/workspaces/{ws}/products/{product}/ready-rules", operation_id = "setReadyRules", tag = "questions",
    params(("ws" = String, Path), ("product" = String, Path), ("If-Match" = String, Header)), request_body = ReadyRules,
    responses((status = 200, body = ReadyRules), (status = 403), (status = 412)))]
pub async fn put_rules(
    State(state): State<AppState>,
    InProduct { user, ctx }: InProduct,
    IfMatch(expected): IfMatch,
    ApiJson(rules): ApiJson<ReadyRules>,
) -> Result<Response, ApiError> {
    let rules = crate::story::rules::set(&state.db, &user, &ctx, expected, rules).await?;
    let etag = format!("\"{}\"", expected + 1);
    Ok(([(header::ETAG, etag)], Json(rules)).into_response())
}
